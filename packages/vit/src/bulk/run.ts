// runBulkEmbed: one bulk embedding job. Inputs (dir, list, glob) are sorted by path and filtered to the shard;
// batches of `batch` inputs are decoded (an unreadable image is reported and skipped), embedded, and collected
// into chunk files in `<out>.work/`; a checkpoint naming the finished chunks is written atomically after each
// chunk (every `checkpointEvery` inputs). At the end the chunks are streamed into the output (safetensors or
// jsonl, written to a temp name and renamed) and the work dir is removed. Optimized for bounded memory (one
// chunk of rows in memory) and for resuming: a rerun continues at the checkpoint and writes the same bytes as
// an uninterrupted run.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fromArray, getBackend } from '@patchwise/tensor';
import { loadImageFile, preprocess, toModelMode } from '@patchwise/io';
import type { Pool } from '../cli/pool.js';
import { CHECKPOINT_VERSION, digestPaths, jobDifferences, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { Checkpoint, ChunkRef, JobIdentity } from './checkpoint.js';
import { readChunk, readChunkEntries, writeChunk } from './chunks.js';
import type { ChunkEntry } from './chunks.js';
import { loadEmbedder } from './embedder.js';
import type { Embedder } from './embedder.js';
import { BulkError, describeError } from './errors.js';
import { resolveInputs } from './inputs.js';
import type { InputItem } from './inputs.js';
import { embeddingsHeader, f32Bytes, jsonlLine, OUTPUT_FORMATS, writeFileAtomic } from './output.js';
import type { FailedImage, OutputFormat } from './output.js';
import { ProgressBar, processBulkIO } from './progress.js';
import type { BulkIO, BulkProgress } from './progress.js';
import { ALL, formatShard, parseShard, shardOf } from './shard.js';
import type { Shard } from './shard.js';

export const DEFAULT_BULK_BATCH = 16;
/** Inputs between checkpoints: a kill loses at most this much work; each checkpoint costs two small fsyncs. */
export const DEFAULT_CHECKPOINT_EVERY = 256;

export interface BulkEmbedOptions {
  /** A directory (walked for .png/.jpg/.jpeg), a .txt list (one path per line), or a glob. */
  readonly input: string;
  /** Output file. Its work dir is `<out>.work` unless `workDir` is given. */
  readonly out: string;
  /** Default: jsonl when `out` ends with .jsonl, else safetensors. */
  readonly format?: OutputFormat | string;
  /** Images per forward pass (default 16). */
  readonly batch?: number;
  /** `i/n` or a parsed shard (default: everything). */
  readonly shard?: Shard | string;
  /** Model folder or hub id (default: the bundled model); ignored when `embedder` is given. */
  readonly model?: string;
  readonly pool?: Pool;
  /** A ready embedder (tests, library users with their own model). */
  readonly embedder?: Embedder;
  readonly checkpointEvery?: number;
  readonly workDir?: string;
  /** Default: the process's stdout/stderr. */
  readonly io?: BulkIO;
  /** Aborting stops the job at the next batch, like a crash: the work dir is kept and a rerun resumes. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: BulkProgress) => void;
}

export interface BulkEmbedResult {
  readonly out: string;
  readonly format: OutputFormat;
  readonly model: string;
  readonly pool: string;
  readonly dim: number;
  readonly shard: string;
  /** Inputs of this job (after sharding), embedded + failed. */
  readonly total: number;
  /** Rows written. */
  readonly embedded: number;
  readonly failed: FailedImage[];
  /** Inputs that were already done when this run started. */
  readonly resumedFrom: number;
  readonly seconds: number;
}

function checkInt(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new BulkError('usage', `--${name} expects an integer >= ${min}, got ${v}`);
  return v;
}

export function formatFor(out: string, format: string | undefined): OutputFormat {
  const f = format ?? (out.toLowerCase().endsWith('.jsonl') ? 'jsonl' : 'safetensors');
  if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) throw new BulkError('usage', `--format must be one of ${OUTPUT_FORMATS.join('|')}, got '${f}'`);
  return f as OutputFormat;
}

/** The output's metadata, in a fixed key order; a shard's output also names its shard (merge removes it). */
export function outputMetadata(job: Pick<JobIdentity, 'input' | 'model' | 'pool' | 'backend'>, paths: readonly string[], failed: readonly FailedImage[], shard: string): Record<string, string> {
  const m: Record<string, string> = {
    format: 'pt',
    producer: 'patchwise embed',
    model: job.model,
    pool: job.pool,
    backend: job.backend,
    input: job.input,
    paths: JSON.stringify(paths),
    failed: JSON.stringify(failed),
  };
  if (shard !== formatShard(ALL)) m['shard'] = shard;
  return m;
}

/** One preprocessed image: pixel_values [1, C, H, W] as a flat array, and that shape. */
interface Pixels {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Decodes and preprocesses one image. */
async function loadPixels(item: InputItem, emb: Embedder): Promise<Pixels> {
  const img = await loadImageFile(item.path);
  const t = preprocess([toModelMode(img, emb.preprocess)], emb.preprocess); // [1, C, H, W]
  return { data: t.toArray() as Float32Array, shape: t.shape };
}

/** Embeds loaded images: one forward pass when all have one shape, else one per image. Returns [k, D] rows. */
function embedLoaded(emb: Embedder, loaded: readonly Pixels[]): Float32Array {
  const [, C, H, W] = loaded[0]!.shape as [number, number, number, number];
  const same = loaded.every((l) => l.shape[2] === H && l.shape[3] === W);
  const runs = same ? [loaded] : loaded.map((l) => [l]);
  const out = new Float32Array(loaded.length * emb.dim);
  let row = 0;
  for (const run of runs) {
    const [, , h, w] = run[0]!.shape as [number, number, number, number];
    const px = new Float32Array(run.length * C * h * w);
    run.forEach((l, i) => px.set(l.data, i * C * h * w));
    const e = emb.embed(fromArray(px, [run.length, C, h, w])); // [k, C, H, W] -> [k, D]
    if (e.rank !== 2 || e.shape[0] !== run.length || e.shape[1] !== emb.dim) {
      throw new BulkError('usage', `the embedder returned [${e.shape.join(', ')}] for ${run.length} images, expected [${run.length}, ${emb.dim}]`);
    }
    out.set(e.toArray() as Float32Array, row * emb.dim);
    row += run.length;
  }
  return out;
}

/** Runs (or resumes) a bulk embedding job; see the file header. */
export async function runBulkEmbed(opts: BulkEmbedOptions): Promise<BulkEmbedResult> {
  const t0 = performance.now();
  const io = opts.io ?? processBulkIO;
  const format = formatFor(opts.out, opts.format);
  const batch = checkInt(opts.batch ?? DEFAULT_BULK_BATCH, 'batch', 1);
  const every = checkInt(opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY, 'checkpoint-every', 1);
  const shard = typeof opts.shard === 'string' ? parseShard(opts.shard) : (opts.shard ?? ALL);
  const workDir = opts.workDir ?? `${opts.out}.work`;

  const inputs = await resolveInputs(opts.input);
  // A glob such as `data/**` may reach our own output, its temp files and work dir: never take them as inputs
  // (they would also change the input set between a run and its resume).
  const outAbs = path.resolve(opts.out);
  const ours = (p: string): boolean => {
    const a = path.resolve(p);
    return a === outAbs || a.startsWith(`${outAbs}.tmp-`) || a.startsWith(`${path.resolve(workDir)}${path.sep}`);
  };
  const items = inputs.items.filter((it) => shardOf(it.key, shard.count) === shard.index && !ours(it.path));
  const emb = opts.embedder ?? (await loadEmbedder(opts.model, opts.pool));
  const job: JobIdentity = {
    input: opts.input,
    model: emb.model,
    pool: emb.pool,
    backend: getBackend(),
    dim: emb.dim,
    shard: formatShard(shard),
    format,
    batch,
    total: items.length,
    inputsDigest: digestPaths(items.map((it) => it.path)),
  };

  await fsp.mkdir(workDir, { recursive: true });
  const previous = await readCheckpoint(workDir);
  if (previous !== null) {
    const diff = jobDifferences(previous.job, job);
    if (diff.length > 0) {
      throw new BulkError('checkpoint', `${workDir} holds a checkpoint of a different job (${diff.join('; ')}); delete it to start over, or rerun with the same arguments and inputs to resume`);
    }
  }
  const chunks: ChunkRef[] = previous ? [...previous.chunks] : [];
  const resumedFrom = previous?.done ?? 0;
  let failedCount = chunks.reduce((n, c) => n + c.failed, 0);

  const bar = new ProgressBar(io);
  const tLoop = performance.now(); // rates and ETA from here: model loading is not part of the rate
  const progress = (done: number): BulkProgress => {
    const elapsedSeconds = (performance.now() - tLoop) / 1000;
    return { done, total: items.length, failed: failedCount, resumedFrom, elapsedSeconds, rate: elapsedSeconds > 0 ? (done - resumedFrom) / elapsedSeconds : 0 };
  };
  if (resumedFrom > 0 && resumedFrom < items.length) bar.log(`patchwise: resuming ${opts.out} at ${resumedFrom}/${items.length} (checkpoint in ${workDir})`);

  // The chunk being filled: its inputs in order and its rows (one [D] array per embedded input).
  let chunkStart = resumedFrom;
  let entries: ChunkEntry[] = [];
  let rows: Float32Array[] = [];
  const flush = async (end: number): Promise<void> => {
    const all = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
    let off = 0;
    for (const r of rows) {
      all.set(r, off);
      off += r.length;
    }
    const file = await writeChunk(workDir, chunkStart, { entries, rows: all, dim: job.dim });
    chunks.push({ file, start: chunkStart, end, failed: entries.filter((e) => typeof e !== 'string').length });
    const cp: Checkpoint = { version: CHECKPOINT_VERSION, job, done: end, chunks };
    await writeCheckpoint(workDir, cp); // after the chunk is durable, so the checkpoint never names a missing chunk
    chunkStart = end;
    entries = [];
    rows = [];
  };

  const report = (p: string, error: string, what: string): void => {
    failedCount++;
    bar.log(`patchwise: skipped ${what}: ${error.includes(p) ? error : `${p}: ${error}`}`);
  };
  for (let b = resumedFrom; b < items.length; b += batch) {
    if (opts.signal?.aborted) throw new BulkError('aborted', `stopped at ${b}/${items.length}; rerun the same command to resume from ${workDir}`);
    const group = items.slice(b, b + batch);
    // Each input of the batch, in order: its pixels, or why it failed.
    const slots: ({ path: string; px: Pixels } | { path: string; error: string })[] = [];
    for (const it of group) {
      try {
        slots.push({ path: it.path, px: await loadPixels(it, emb) });
      } catch (e) {
        slots.push({ path: it.path, error: describeError(e) });
        report(it.path, describeError(e), 'unreadable image');
      }
    }
    const ok = slots.flatMap((s) => ('px' in s ? [s] : []));
    let batchRows: Float32Array | null = null;
    try {
      if (ok.length > 0) batchRows = embedLoaded(emb, ok.map((s) => s.px)); // [k, D]
    } catch {
      // One image the model cannot take (e.g. a size its position table cannot be resized to) must not stop
      // the job: embed one by one and skip those that fail. Rows do not depend on the batch, so nothing changes.
      batchRows = null;
    }
    let r = 0;
    for (const s of slots) {
      if (!('px' in s)) {
        entries.push({ path: s.path, error: s.error });
        continue;
      }
      let row: Float32Array;
      if (batchRows !== null) {
        row = batchRows.subarray(r * emb.dim, (r + 1) * emb.dim);
        r++;
      } else {
        try {
          row = embedLoaded(emb, [s.px]); // [1, D]
        } catch (e) {
          entries.push({ path: s.path, error: `cannot embed: ${describeError(e)}` });
          report(s.path, describeError(e), 'image the model cannot embed');
          continue;
        }
      }
      entries.push(s.path);
      rows.push(row);
    }
    const done = b + group.length;
    if (done - chunkStart >= every || done === items.length) await flush(done);
    const p = progress(done);
    bar.update(p);
    opts.onProgress?.(p);
  }
  bar.update(progress(items.length), true);
  bar.finish();

  const { embedded, failed } = await assemble(opts.out, format, workDir, chunks, job);
  await fsp.rm(workDir, { recursive: true, force: true });
  const result: BulkEmbedResult = {
    out: opts.out, format, model: job.model, pool: job.pool, dim: job.dim, shard: job.shard,
    total: items.length, embedded, failed, resumedFrom, seconds: (performance.now() - t0) / 1000,
  };
  io.out?.(`wrote ${opts.out}: embeddings [${embedded}, ${job.dim}] (pool ${job.pool}${shard.count > 1 ? `, shard ${job.shard}` : ''})${failed.length > 0 ? `; ${failed.length} unreadable image(s) skipped` : ''}\n`);
  return result;
}

/** Streams the chunks into the output file (atomically): their headers first (the paths), then their rows. */
async function assemble(out: string, format: OutputFormat, workDir: string, chunks: readonly ChunkRef[], job: JobIdentity): Promise<{ embedded: number; failed: FailedImage[] }> {
  const paths: string[] = [];
  const failed: FailedImage[] = [];
  for (const c of chunks) {
    for (const e of await readChunkEntries(workDir, c.file)) {
      if (typeof e === 'string') paths.push(e);
      else failed.push(e);
    }
  }
  await writeFileAtomic(out, async (sink) => {
    if (format === 'safetensors') await sink.write(embeddingsHeader(paths.length, job.dim, outputMetadata(job, paths, failed, job.shard)));
    for (const c of chunks) {
      const chunk = await readChunk(workDir, c.file, job.dim);
      if (format === 'safetensors') {
        await sink.write(f32Bytes(chunk.rows));
        continue;
      }
      let row = 0;
      for (const e of chunk.entries) {
        if (typeof e === 'string') {
          await sink.writeText(jsonlLine(e, chunk.rows.subarray(row * job.dim, (row + 1) * job.dim)));
          row++;
        } else {
          await sink.writeText(jsonlLine(e.path, null, e.error));
        }
      }
    }
  });
  return { embedded: paths.length, failed };
}
