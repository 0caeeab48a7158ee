// Measures bulk embedding jobs and checks the issue-8 acceptance criteria at full size:
//   1. 5,000 generated 28x28 PNGs (+1 corrupt) through the bundled model: images/s and peak RSS,
//   2. the same job killed with SIGKILL halfway and rerun: identical bytes,
//   3. shards 0/3, 1/3, 2/3 merged: identical bytes,
//   4. a ViT-S-sized random model (hidden 384, 12 layers, 6 heads, 224x224, patch 16; weights in /tmp only):
//      images/s on generated 256x256 RGB PNGs.
// Usage (from the repo root): node --import tsx tools/bulk/measure.ts [--n 5000] [--vits-n 48]
// Each job runs in its own process (tools/bulk/job.ts) so that its peak RSS is its own.

import { spawn } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePNG, openSafetensors, writeSafetensors } from '../../packages/io/src/index.js';
import { fromArray } from '../../packages/tensor/src/index.js';
import type { Tensor } from '../../packages/tensor/src/index.js';
import { mergeShards } from '../../packages/vit/src/bulk/index.js';
import { writeImageTree } from '../../packages/vit/test/bulk-helpers.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '5000' }, 'vits-n': { type: 'string', default: '48' }, skip: { type: 'string', default: '' } } });
const N = Number(values.n);
const VITS_N = Number(values['vits-n']);
const skip = new Set(values.skip.split(',').filter((s) => s));
const work = path.join(tmpdir(), 'pw-bulk-measure');
const log = (s: string): void => void process.stdout.write(`${s}\n`);

interface JobOut {
  total: number;
  embedded: number;
  failed: number;
  resumedFrom: number;
  seconds: number;
  steadyImagesPerSecond: number | null;
  maxRssMiB: number;
}

function job(args: string[], killWhenDone?: { checkpoint: string; atLeast: number }): Promise<{ out: JobOut | null; killedAt: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/bulk/job.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let killedAt: number | null = null;
    const timer = killWhenDone
      ? setInterval(() => {
          try {
            const done = (JSON.parse(readFileSync(killWhenDone.checkpoint, 'utf8')) as { done: number }).done;
            if (done >= killWhenDone.atLeast && killedAt === null) {
              killedAt = done;
              child.kill('SIGKILL');
            }
          } catch {
            // no checkpoint yet
          }
        }, 20)
      : null;
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      if (signal === 'SIGKILL') return resolve({ out: null, killedAt });
      if (code !== 0) return reject(new Error(`job ${args.join(' ')} exited ${code}: ${stderr}`));
      resolve({ out: JSON.parse(stdout.trim().split('\n').pop()!) as JobOut, killedAt });
    });
  });
}

async function same(a: string, b: string): Promise<boolean> {
  return Buffer.compare(await fsp.readFile(a), await fsp.readFile(b)) === 0;
}

async function maxAbsDiff(a: string, b: string): Promise<number> {
  const read = async (f: string): Promise<Float32Array> => {
    const st = await openSafetensors(f);
    try {
      return (await st.tensor('embeddings')).toArray() as Float32Array;
    } finally {
      await st.close();
    }
  };
  const [x, y] = [await read(a), await read(b)];
  if (x.length !== y.length) return Infinity;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

function fmtJob(o: JobOut): string {
  return `${o.embedded} embedded, ${o.failed} unreadable, ${o.seconds.toFixed(1)} s wall (incl. load), ${((o.total - o.resumedFrom) / o.seconds).toFixed(1)} inputs/s overall, ${o.steadyImagesPerSecond?.toFixed(1)} img/s steady, peak RSS ${o.maxRssMiB.toFixed(0)} MiB`;
}

/** Random ViT-S (HF ViTModel names, with pooler): N(0, 0.02) matrices, zero biases, unit LayerNorm scales. */
async function writeVitS(dir: string): Promise<void> {
  const D = 384;
  const L = 12;
  const M = 1536;
  const T = (224 / 16) ** 2 + 1;
  let seed = 12345;
  const randn = (): number => {
    // Box-Muller over a 32-bit LCG: reproducible, nothing to download.
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const u = (seed + 1) / 4294967297;
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const v = seed / 4294967296;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const rand = (shape: number[], std = 0.02): Tensor => fromArray(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => randn() * std), shape);
  const fill = (shape: number[], v: number): Tensor => fromArray(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v), shape);
  const w = new Map<string, Tensor>();
  w.set('embeddings.cls_token', rand([1, 1, D]));
  w.set('embeddings.position_embeddings', rand([1, T, D]));
  w.set('embeddings.patch_embeddings.projection.weight', rand([D, 3, 16, 16]));
  w.set('embeddings.patch_embeddings.projection.bias', fill([D], 0));
  for (let i = 0; i < L; i++) {
    const p = `encoder.layer.${i}.`;
    for (const n of ['query', 'key', 'value']) {
      w.set(`${p}attention.attention.${n}.weight`, rand([D, D]));
      w.set(`${p}attention.attention.${n}.bias`, fill([D], 0));
    }
    w.set(`${p}attention.output.dense.weight`, rand([D, D]));
    w.set(`${p}attention.output.dense.bias`, fill([D], 0));
    w.set(`${p}intermediate.dense.weight`, rand([M, D]));
    w.set(`${p}intermediate.dense.bias`, fill([M], 0));
    w.set(`${p}output.dense.weight`, rand([D, M]));
    w.set(`${p}output.dense.bias`, fill([D], 0));
    for (const n of ['layernorm_before', 'layernorm_after']) {
      w.set(`${p}${n}.weight`, fill([D], 1));
      w.set(`${p}${n}.bias`, fill([D], 0));
    }
  }
  w.set('layernorm.weight', fill([D], 1));
  w.set('layernorm.bias', fill([D], 0));
  w.set('pooler.dense.weight', rand([D, D]));
  w.set('pooler.dense.bias', fill([D], 0));
  await fsp.mkdir(dir, { recursive: true });
  await writeSafetensors(path.join(dir, 'model.safetensors'), w, { format: 'pt' });
  const config = {
    architectures: ['ViTModel'], model_type: 'vit', hidden_size: D, num_hidden_layers: L, num_attention_heads: 6,
    intermediate_size: M, hidden_act: 'gelu', layer_norm_eps: 1e-12, image_size: 224, patch_size: 16, num_channels: 3, qkv_bias: true,
  };
  await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
}

async function rgbImages(dir: string, n: number): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(256 * 256 * 3);
    for (let k = 0; k < data.length; k++) data[k] = (k * 31 + i * 97 + ((k >> 8) ^ i)) & 255;
    await fsp.writeFile(path.join(dir, `rgb${String(i).padStart(4, '0')}.png`), encodePNG({ width: 256, height: 256, channels: 3, data }));
  }
}

log(`# bulk embedding measurements (${new Date().toISOString()})`);
log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other jobs share the CPU)`);
await fsp.rm(work, { recursive: true, force: true });
const imgs = path.join(work, 'imgs');
let t = performance.now();
await writeImageTree(imgs, N, { perDir: 500, corrupt: ['d03/corrupt.png'] });
log(`generated ${N} PNGs + 1 corrupt in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const ref = path.join(work, 'ref.safetensors');
if (!skip.has('mnist')) {
  const r = await job([imgs, '--out', ref, '--batch', '16']);
  log(`\n## bundled model (vit-fashion-mnist, 28x28), ${N} images, batch 16, 1 process\nuninterrupted, default backend (js): ${fmtJob(r.out!)}`);
  const wasm = path.join(work, 'wasm.safetensors');
  const w = await job([imgs, '--out', wasm, '--batch', '16', '--backend', 'wasm', '--threads', '2']);
  log(`uninterrupted, wasm backend, 2 threads: ${fmtJob(w.out!)}; max |wasm - js| over all embeddings: ${(await maxAbsDiff(ref, wasm)).toExponential(2)} (backends round differently)`);
  const small = path.join(work, 'small');
  await writeImageTree(small, 200);
  const s = await job([small, '--out', path.join(work, 'small.safetensors'), '--batch', '16']);
  log(`same job on 200 images (memory baseline): peak RSS ${s.out!.maxRssMiB.toFixed(0)} MiB`);

  const killed = path.join(work, 'killed.safetensors');
  const k = await job([imgs, '--out', killed, '--batch', '16'], { checkpoint: `${killed}.work/checkpoint.json`, atLeast: Math.floor(N / 2) });
  const k2 = await job([imgs, '--out', killed, '--batch', '16']);
  log(`killed (SIGKILL) at checkpoint ${k.killedAt}/${N + 1}, rerun resumed from ${k2.out!.resumedFrom}: ${fmtJob(k2.out!)}`);
  log(`killed + rerun output identical to the uninterrupted one: ${await same(ref, killed)}`);

  const parts: string[] = [];
  for (const i of [0, 1, 2]) {
    const f = path.join(work, `shard${i}.safetensors`);
    const sr = await job([imgs, '--out', f, '--batch', '7', '--shard', `${i}/3`]); // other batch compositions on purpose
    log(`shard ${i}/3: ${fmtJob(sr.out!)}`);
    parts.push(f);
  }
  t = performance.now();
  await mergeShards({ inputs: parts, out: path.join(work, 'merged.safetensors') });
  log(`merge: ${((performance.now() - t) / 1000).toFixed(2)} s; merged output identical to the unsharded one: ${await same(ref, path.join(work, 'merged.safetensors'))}`);
}

if (!skip.has('vits')) {
  const vits = path.join(work, 'vit-s-random');
  await writeVitS(vits);
  const rgb = path.join(work, 'rgb');
  await rgbImages(rgb, VITS_N);
  log(`\n## ViT-S-sized random model (hidden 384, 12 layers, 6 heads, 224x224, patch 16), ${VITS_N} 256x256 RGB PNGs, batch 4`);
  const vw = await job([rgb, '--out', path.join(work, 'vits-wasm.safetensors'), '--batch', '4', '--model', vits, '--backend', 'wasm', '--threads', '2']);
  log(`wasm backend, 2 threads: ${fmtJob(vw.out!)}`);
  const vj = await job([rgb, '--out', path.join(work, 'vits-js.safetensors'), '--batch', '4', '--model', vits]);
  log(`default backend (js), 1 thread: ${fmtJob(vj.out!)}`);
}
log(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
