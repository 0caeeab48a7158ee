// End-to-end bulk embedding jobs on the bundled fashion-MNIST model over generated 28x28 PNGs: an
// uninterrupted run is the reference; a run stopped halfway (injected abort, and a child process killed with
// SIGKILL) and rerun must write the same bytes; shards 0/3, 1/3, 2/3 merged must write the same bytes again;
// an unreadable image is reported and skipped. Rows are also checked against single-image forward passes
// (model.forward on preprocessImageFiles, no batching, no chunks). Sizes are small for CI; tools/bulk/measure.ts
// runs the same checks on 5,000 images.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePNG, openSafetensors, preprocessImageFiles } from '@patchwise/io';
import { fromArray, getBackend, setBackend } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { BulkError, loadModel, mergeShards, runBulkEmbed, shardOf } from '@patchwise/vit';
import type { Embedder } from '@patchwise/vit';
import { DEFAULT_MODEL_DIR, preprocessFor } from '../src/cli/model.js';
import { BufferIO } from '../src/cli/io.js';
import { run } from '../src/cli/run.js';
import { writeImageTree } from './bulk-helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const N = 120;
const CORRUPT = 'd01/broken.png';

/** Runs tools/bulk/job.ts in a child process; with `kill`, SIGKILLs it once its checkpoint reaches `atLeast`. */
async function runChild(
  args: readonly string[],
  kill?: { checkpoint: string; atLeast: number },
): Promise<{ code: number | null; stdout: string; stderr: string; killedAt: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/bulk/job.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let killedAt = -1;
  while (kill && child.exitCode === null && child.signalCode === null) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      const done = (JSON.parse(await readFile(kill.checkpoint, 'utf8')) as { done: number }).done;
      if (done >= kill.atLeast) {
        child.kill('SIGKILL');
        killedAt = done;
        break;
      }
    } catch {
      // no checkpoint yet: poll again
    }
  }
  const code = await exited;
  return { code, stdout, stderr, killedAt };
}

let tmp: string;
let imgs: string;
let reference: Uint8Array;
const out = (name: string): string => path.join(tmp, name);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'pw-bulk-'));
  imgs = path.join(tmp, 'imgs');
  await writeImageTree(imgs, N, { perDir: 50, corrupt: [CORRUPT] });
  const io = new BufferIO();
  const r = await runBulkEmbed({ input: imgs, out: out('ref.safetensors'), batch: 8, checkpointEvery: 24, io });
  expect(r).toMatchObject({ total: N + 1, embedded: N, resumedFrom: 0, pool: 'cls', dim: 64 });
  reference = new Uint8Array(await readFile(out('ref.safetensors')));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('bulk embed (bundled model)', () => {
  it('writes embeddings [N, D] with sorted paths, reports and lists the unreadable image', async () => {
    const st = await openSafetensors(out('ref.safetensors'));
    try {
      expect(st.info('embeddings')).toMatchObject({ dtype: 'F32', shape: [N, 64] });
      const paths = JSON.parse(st.metadata!['paths']!) as string[];
      expect(paths).toHaveLength(N);
      expect(paths[0]).toBe(`${imgs}/d00/img00000.png`);
      expect([...paths].sort()).toEqual(paths); // ASCII names: code-point order = plain sort
      const failed = JSON.parse(st.metadata!['failed']!) as { path: string; error: string }[];
      expect(failed.map((f) => f.path)).toEqual([`${imgs}/${CORRUPT}`]);
      expect(failed[0]!.error).toMatch(/PNG/);
      expect(st.metadata).toMatchObject({ producer: 'patchwise embed', pool: 'cls', input: imgs, model: 'bundled:vit-fashion-mnist' });
      expect(st.metadata!['shard']).toBeUndefined();
    } finally {
      await st.close();
    }
    expect(existsSync(`${out('ref.safetensors')}.work`)).toBe(false); // the work dir is removed when done
  });

  it('reports the unreadable image on stderr and keeps going', async () => {
    const io = new BufferIO();
    await runBulkEmbed({ input: `${imgs}/d01/*.png`, out: out('d01.safetensors'), batch: 16, io });
    expect(io.stderr).toContain(`skipped unreadable image: ${imgs}/${CORRUPT}`);
    expect(io.stdout).toMatch(/embeddings \[50, 64\].*1 unreadable/); // d01 holds img00050..img00099 + the corrupt file
  });

  it('rows equal single-image forward passes (CLS token of last_hidden_state)', async () => {
    const model = await loadModel(DEFAULT_MODEL_DIR);
    const pc = await preprocessFor(model, DEFAULT_MODEL_DIR);
    const st = await openSafetensors(out('ref.safetensors'));
    const emb = (await st.tensor('embeddings')).toArray();
    const paths = JSON.parse(st.metadata!['paths']!) as string[];
    await st.close();
    for (const i of [0, 7, 8, 61, N - 1]) {
      const px = await preprocessImageFiles([paths[i]!], pc); // [1, 1, 28, 28]
      const cls = model.forward(px)['last_hidden_state']!.select(1, 0).toArray(); // [1, 64]
      expect(Array.from(emb.subarray(i * 64, (i + 1) * 64)), paths[i]).toEqual(Array.from(cls));
    }
  });

  it('an aborted run, rerun, writes exactly the bytes of an uninterrupted run', async () => {
    const ac = new AbortController();
    const f = out('abort.safetensors');
    await expect(
      runBulkEmbed({
        input: imgs, out: f, batch: 8, checkpointEvery: 24, io: new BufferIO(), signal: ac.signal,
        onProgress: (p) => p.done >= 60 && ac.abort(),
      }),
    ).rejects.toMatchObject({ kind: 'aborted' });
    expect(existsSync(f)).toBe(false);
    const cp = JSON.parse(await readFile(path.join(`${f}.work`, 'checkpoint.json'), 'utf8')) as { done: number };
    expect(cp.done).toBe(48); // checkpoints every 24 inputs: the batch ending at 64 was not yet checkpointed
    const io = new BufferIO();
    const r = await runBulkEmbed({ input: imgs, out: f, batch: 8, checkpointEvery: 24, io });
    expect(r.resumedFrom).toBe(48);
    expect(io.stderr).toContain('resuming');
    expect(new Uint8Array(await readFile(f))).toEqual(reference);
  });

  it('a process killed with SIGKILL halfway, rerun, writes exactly the same bytes', async () => {
    // All three runs are child processes (tools/bulk/job.ts), so they run the same build of the packages.
    const args = (f: string): string[] => [imgs, '--out', f, '--batch', '8', '--checkpoint-every', '16'];
    const whole = out('child-whole.safetensors');
    expect((await runChild(args(whole))).code).toBe(0);
    const f = out('killed.safetensors');
    // Killed at its first checkpoint (16 of 121 inputs), so a fast machine cannot finish before the kill.
    const killed = await runChild(args(f), { checkpoint: path.join(`${f}.work`, 'checkpoint.json'), atLeast: 16 });
    expect(killed.killedAt, `child did not reach a checkpoint; stderr: ${killed.stderr}`).toBeGreaterThanOrEqual(16);
    expect(existsSync(f)).toBe(false);
    const rerun = await runChild(args(f));
    expect(rerun.code, rerun.stderr).toBe(0);
    const r = JSON.parse(rerun.stdout) as { resumedFrom: number };
    expect(r.resumedFrom).toBeGreaterThanOrEqual(16);
    expect(r.resumedFrom).toBeLessThan(N + 1);
    expect(new Uint8Array(await readFile(f))).toEqual(new Uint8Array(await readFile(whole)));
  });

  it('shards 0/3, 1/3, 2/3 merged write exactly the bytes of the unsharded run', async () => {
    const parts: string[] = [];
    for (const i of [2, 0, 1]) {
      const f = out(`shard${i}.safetensors`);
      const r = await runBulkEmbed({ input: imgs, out: f, batch: 5, shard: `${i}/3`, io: new BufferIO() });
      expect(r.shard).toBe(`${i}/3`);
      parts.push(f);
    }
    // Each image went to the shard its relative path hashes to.
    const st = await openSafetensors(parts[1]!); // shard 0
    const keys = (JSON.parse(st.metadata!['paths']!) as string[]).map((p) => p.slice(imgs.length + 1));
    await st.close();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => shardOf(k, 3) === 0)).toBe(true);
    const io = new BufferIO();
    const m = await mergeShards({ inputs: parts, out: out('merged.safetensors'), io });
    expect(m).toMatchObject({ embedded: N, shards: 3 });
    expect(new Uint8Array(await readFile(out('merged.safetensors')))).toEqual(reference);
    // Missing or repeated shards are refused.
    await expect(mergeShards({ inputs: parts.slice(0, 2), out: out('bad.safetensors') })).rejects.toThrow(/missing shard\(s\) 1\/3/);
    await expect(mergeShards({ inputs: [...parts, parts[0]!], out: out('bad.safetensors') })).rejects.toThrow(/both shard 2\/3/);
    await expect(mergeShards({ inputs: [out('ref.safetensors')], out: out('bad.safetensors') })).rejects.toThrow(/no shard/);
    expect(existsSync(out('bad.safetensors'))).toBe(false);
  });
});

/** A fast, batch-independent embedder for format and bookkeeping tests: row = [sum, first pixel, last pixel]. */
async function stubEmbedder(): Promise<Embedder> {
  const model = await loadModel(DEFAULT_MODEL_DIR);
  const pc = await preprocessFor(model, DEFAULT_MODEL_DIR);
  return {
    model: 'stub',
    pool: 'sum',
    dim: 3,
    preprocess: pc,
    embed(px: Tensor): Tensor {
      const [B] = px.shape as [number];
      const a = px.toArray();
      const n = a.length / B;
      const out = new Float32Array(B * 3);
      for (let b = 0; b < B; b++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[b * n + k]!;
        out.set([s, a[b * n]!, a[b * n + n - 1]!], b * 3);
      }
      return fromArray(out, [B, 3]);
    },
  };
}

describe('bulk embed formats and bookkeeping (stub embedder)', () => {
  beforeAll(async () => {
    // The uninterrupted, unsharded jsonl run that the tests below compare against.
    await runBulkEmbed({ input: imgs, out: out('all.jsonl'), embedder: await stubEmbedder(), io: new BufferIO() });
  });

  it('jsonl: one line per input; sharded jsonl merges to the same bytes', async () => {
    const embedder = await stubEmbedder();
    const lines = (await readFile(out('all.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { path: string; embedding?: number[]; error?: string });
    expect(lines).toHaveLength(N + 1);
    expect(lines[0]!.path).toBe(`${imgs}/d00/img00000.png`);
    expect(lines[0]!.embedding).toHaveLength(3);
    expect(lines.find((l) => l.path.endsWith(CORRUPT))!.error).toMatch(/PNG/);
    const parts: string[] = [];
    for (const i of [0, 1, 2]) {
      parts.push(out(`s${i}.jsonl`));
      await runBulkEmbed({ input: imgs, out: parts[i]!, embedder, shard: `${i}/3`, batch: 3, io: new BufferIO() });
    }
    await mergeShards({ inputs: parts, out: out('merged.jsonl'), io: new BufferIO() });
    expect(await readFile(out('merged.jsonl'), 'utf8')).toEqual(await readFile(out('all.jsonl'), 'utf8'));
    await expect(mergeShards({ inputs: [parts[0]!, parts[0]!], out: out('x.jsonl') })).rejects.toThrow(/shards overlap/);
  });

  it('safetensors shards merge to jsonl too, equal to the unsharded jsonl', async () => {
    const embedder = await stubEmbedder();
    const parts = [0, 1].map((i) => out(`t${i}.safetensors`));
    for (const i of [0, 1]) await runBulkEmbed({ input: imgs, out: parts[i]!, embedder, shard: `${i}/2`, io: new BufferIO() });
    await mergeShards({ inputs: parts, out: out('t.jsonl'), format: 'jsonl', io: new BufferIO() });
    expect(await readFile(out('t.jsonl'), 'utf8')).toEqual(await readFile(out('all.jsonl'), 'utf8'));
  });

  it('refuses to resume a checkpoint of a different job', async () => {
    const embedder = await stubEmbedder();
    const f = out('job.safetensors');
    const ac = new AbortController();
    await expect(
      runBulkEmbed({ input: imgs, out: f, embedder, checkpointEvery: 8, batch: 4, signal: ac.signal, io: new BufferIO(), onProgress: (p) => p.done >= 20 && ac.abort() }),
    ).rejects.toBeInstanceOf(BulkError);
    await expect(runBulkEmbed({ input: imgs, out: f, embedder, checkpointEvery: 8, batch: 8, io: new BufferIO() })).rejects.toThrow(/different job \(batch: was 4, now 8\)/);
    await writeFile(path.join(imgs, 'new.png'), 'not an image'); // a changed input set is a different job too
    await expect(runBulkEmbed({ input: imgs, out: f, embedder, checkpointEvery: 8, batch: 4, io: new BufferIO() })).rejects.toThrow(/total: was 121, now 122/);
    await rm(path.join(imgs, 'new.png'));
    const saved = getBackend(); // backends round differently: a resume on another one would mix their rows
    setBackend(saved === 'ref' ? 'js' : 'ref');
    try {
      await expect(runBulkEmbed({ input: imgs, out: f, embedder, checkpointEvery: 8, batch: 4, io: new BufferIO() })).rejects.toThrow(/backend: was "[a-z]+", now "[a-z]+"/);
    } finally {
      setBackend(saved);
    }
    const r = await runBulkEmbed({ input: imgs, out: f, embedder, checkpointEvery: 8, batch: 4, io: new BufferIO() });
    expect(r.resumedFrom).toBe(16);
  });

  it('skips its own output and work dir when a glob reaches them, and reports missing list entries', async () => {
    const embedder = await stubEmbedder();
    const f = path.join(imgs, 'd00', 'self.jsonl.png'); // named like an image on purpose
    await writeFile(f, 'stale output');
    const io = new BufferIO();
    const r = await runBulkEmbed({ input: `${imgs}/d00/**`, out: f, embedder, io, format: 'jsonl' });
    expect(r.total).toBe(50); // img00000..img00049, not self.jsonl.png
    await rm(f);
    await writeFile(out('list.txt'), `imgs/d00/img00003.png\nimgs/missing.png\n`);
    const l = await runBulkEmbed({ input: out('list.txt'), out: out('list.safetensors'), embedder, io });
    expect(l.embedded).toBe(1);
    expect(l.failed.map((x) => x.path)).toEqual([`${tmp}/imgs/missing.png`]);
    expect(io.stderr).toMatch(/skipped unreadable image: .*missing\.png/);
  });

  it('skips an image the model cannot embed without changing the other rows', async () => {
    const base = await stubEmbedder();
    // Throws for any batch holding a flat image (every pixel equal), as a model might for an input it cannot take.
    const picky: Embedder = {
      ...base,
      embed(px: Tensor): Tensor {
        const [B] = px.shape as [number];
        const a = px.toArray();
        const n = a.length / B;
        for (let b = 0; b < B; b++) if (a.subarray(b * n, (b + 1) * n).every((v) => v === a[b * n])) throw new Error('flat image');
        return base.embed(px);
      },
    };
    const dir = path.join(tmp, 'picky');
    await writeImageTree(dir, 5, { perDir: 10 });
    await writeFile(path.join(dir, 'd00', 'img00002b.png'), encodePNG({ width: 28, height: 28, channels: 1, data: new Uint8Array(784).fill(255) }));
    const io = new BufferIO();
    const r = await runBulkEmbed({ input: dir, out: out('picky.jsonl'), embedder: picky, batch: 4, io });
    expect(r.embedded).toBe(5);
    expect(r.failed).toEqual([{ path: `${dir}/d00/img00002b.png`, error: 'cannot embed: flat image' }]);
    expect(io.stderr).toContain('skipped image the model cannot embed');
    await rm(path.join(dir, 'd00', 'img00002b.png'));
    await runBulkEmbed({ input: dir, out: out('picky-ok.jsonl'), embedder: picky, batch: 4, io });
    const rowsOf = async (f: string): Promise<string[]> => (await readFile(f, 'utf8')).split('\n').filter((l) => l.includes('embedding'));
    expect(await rowsOf(out('picky.jsonl'))).toEqual(await rowsOf(out('picky-ok.jsonl')));
  });

  it('resumes a jsonl job to the same bytes, drawing a progress bar only on a terminal', async () => {
    const embedder = await stubEmbedder();
    const f = out('resumed.jsonl');
    const ac = new AbortController();
    const tty = { text: '', errIsTTY: true, err(t: string): void { this.text += t; } };
    await expect(
      runBulkEmbed({ input: imgs, out: f, embedder, batch: 4, checkpointEvery: 20, signal: ac.signal, io: tty, onProgress: (p) => p.done >= 70 && ac.abort() }),
    ).rejects.toMatchObject({ kind: 'aborted' });
    expect(tty.text).toMatch(/\r\x1b\[2Kembed \[#*-*\] \d+\/121 \d+%  [\d.]+ img\/s  ETA/);
    const quiet = new BufferIO();
    const r = await runBulkEmbed({ input: imgs, out: f, embedder, batch: 4, checkpointEvery: 20, io: quiet });
    expect(r.resumedFrom).toBe(60);
    expect(quiet.stderr).not.toContain('\r'); // not a terminal: no progress bar
    expect(await readFile(f, 'utf8')).toEqual(await readFile(out('all.jsonl'), 'utf8'));
  });

  it('says so when the checkpoint is damaged', async () => {
    const embedder = await stubEmbedder();
    const f = out('damaged.safetensors');
    await mkdir(`${f}.work`, { recursive: true });
    await writeFile(path.join(`${f}.work`, 'checkpoint.json'), '{"version": 1, "job": {}, "done": 5, "chunks": []}');
    await expect(runBulkEmbed({ input: imgs, out: f, embedder, io: new BufferIO() })).rejects.toThrow(/damaged checkpoint \(chunks cover \[0, 0\), expected \[0, 5\)\); delete its folder/);
    await writeFile(path.join(`${f}.work`, 'checkpoint.json'), '{"version": 1, "job": {}, "do');
    await expect(runBulkEmbed({ input: imgs, out: f, embedder, io: new BufferIO() })).rejects.toThrow(/damaged checkpoint \(not JSON/);
  });

  it('checks its arguments', async () => {
    const embedder = await stubEmbedder();
    await expect(runBulkEmbed({ input: imgs, out: out('x.safetensors'), embedder, shard: '3/3' })).rejects.toThrow(/--shard 3\/3/);
    await expect(runBulkEmbed({ input: imgs, out: out('x.safetensors'), embedder, batch: 0 })).rejects.toThrow(/--batch expects an integer >= 1/);
    await expect(runBulkEmbed({ input: imgs, out: out('x.out'), embedder, format: 'csv' })).rejects.toThrow(/--format must be one of safetensors\|jsonl/);
  });
});

describe('patchwise embed <glob> --shard / patchwise merge (CLI)', () => {
  it('shards and merges from the command line to the unsharded bytes', async () => {
    const glob = `${imgs}/d01/*.png`; // 50 images + the corrupt one
    const io = new BufferIO();
    expect(await run(['embed', glob, '--out', out('cli.safetensors'), '--batch', '6'], io)).toBe(0);
    for (const i of [0, 1]) expect(await run(['embed', glob, '--out', out(`cli${i}.safetensors`), '--shard', `${i}/2`], io)).toBe(0);
    expect(await run(['merge', out('cli1.safetensors'), out('cli0.safetensors'), '--out', out('cli-merged.safetensors')], io)).toBe(0);
    expect(io.stdout).toMatch(/wrote .*cli-merged\.safetensors: 50 embeddings from 2 shard output\(s\)/);
    expect(new Uint8Array(await readFile(out('cli-merged.safetensors')))).toEqual(new Uint8Array(await readFile(out('cli.safetensors'))));
    const bad = new BufferIO();
    expect(await run(['merge', out('cli0.safetensors'), '--out', out('x.safetensors')], bad)).toBe(1);
    expect(bad.stderr).toMatch(/^patchwise: missing shard\(s\) 1\/2 of 2/);
    expect(await run(['merge', out('cli0.safetensors')], bad)).toBe(2); // no --out: usage error
  });
});
