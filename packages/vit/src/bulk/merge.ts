// mergeShards: joins the outputs of `embed --shard i/n` runs into the output an unsharded run would have
// written, byte for byte: rows in path order (every shard is already sorted by path, so this is a k-way merge),
// the same metadata without the `shard` key. Optimized for bounded memory (rows are streamed from each shard
// with a small read buffer; only the paths are held, as the output header needs them) and for refusing bad
// inputs: shards of different jobs, overlapping or missing shards.

import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { openSafetensors } from '@patchwise/io';
import { BulkError } from './errors.js';
import { comparePaths } from './order.js';
import { EMBEDDINGS, embeddingsHeader, f32Bytes, jsonlLine, OUTPUT_FORMATS, writeFileAtomic } from './output.js';
import type { FailedImage, OutputFormat } from './output.js';
import { outputMetadata } from './run.js';
import { formatShard, parseShard } from './shard.js';
import type { BulkIO } from './progress.js';

export interface MergeOptions {
  /** Shard outputs (all safetensors or all jsonl), in any order. */
  readonly inputs: readonly string[];
  readonly out: string;
  /** Default: jsonl when `out` ends with .jsonl, else the shards' format. safetensors shards can be merged into jsonl, not the other way. */
  readonly format?: OutputFormat | string;
  readonly io?: BulkIO;
}

export interface MergeResult {
  readonly out: string;
  readonly format: OutputFormat;
  readonly embedded: number;
  readonly failed: FailedImage[];
  readonly shards: number;
}

/** One input of a shard in path order: an embedding row, or a failure. */
interface Entry {
  readonly path: string;
  readonly row: Float32Array | null;
  readonly error?: string;
}

interface EntrySource {
  readonly file: string;
  next(): Promise<Entry | null>;
  close(): Promise<void>;
}

/** Merges two lists sorted by path into the order of `entries` (ok paths and failures interleaved by path). */
function interleave(paths: readonly string[], failed: readonly FailedImage[]): (string | FailedImage)[] {
  const out: (string | FailedImage)[] = [];
  let i = 0;
  let j = 0;
  while (i < paths.length || j < failed.length) {
    if (j >= failed.length || (i < paths.length && comparePaths(paths[i]!, failed[j]!.path) < 0)) out.push(paths[i++]!);
    else out.push(failed[j++]!);
  }
  return out;
}

/** A shard written as safetensors: header fields checked, rows read sequentially through a buffer. */
class SafetensorsShard implements EntrySource {
  private order: (string | FailedImage)[];
  private at = 0;
  private row = 0;
  private buf: Float32Array;
  private bufStart = 0;
  private bufRows = 0;

  private constructor(
    readonly file: string,
    readonly meta: { model: string; pool: string; backend: string; input: string; shard: string },
    readonly paths: string[],
    readonly failed: FailedImage[],
    readonly dim: number,
    private readonly fh: FileHandle,
    private readonly dataStart: number,
  ) {
    this.order = interleave(paths, failed);
    this.buf = new Float32Array(Math.max(1, Math.floor((1 << 20) / Math.max(1, dim))) * dim); // ~4 MiB
  }

  static async open(file: string): Promise<SafetensorsShard> {
    const st = await openSafetensors(file);
    let paths: unknown;
    let failed: unknown;
    let dim: number;
    let meta: { model: string; pool: string; backend: string; input: string; shard: string };
    try {
      const m = st.metadata ?? {};
      const need = ['model', 'pool', 'backend', 'input', 'paths', 'failed', 'shard'];
      const missing = need.filter((k) => typeof m[k] !== 'string');
      if (m['producer'] !== 'patchwise embed' || missing.length > 0) {
        throw new BulkError('merge', `${file}: expected the output of \`patchwise embed <dir|list|glob> --shard i/n\` (metadata producer, ${need.join(', ')}), found ${missing.length > 0 ? `no ${missing.join(', ')}` : `producer ${JSON.stringify(m['producer'])}`}`);
      }
      meta = { model: m['model']!, pool: m['pool']!, backend: m['backend']!, input: m['input']!, shard: m['shard']! };
      paths = JSON.parse(m['paths']!);
      failed = JSON.parse(m['failed']!);
      if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw new BulkError('merge', `${file}: metadata "paths" must be a JSON list of strings`);
      if (!Array.isArray(failed) || !failed.every((f) => typeof f?.path === 'string' && typeof f?.error === 'string')) throw new BulkError('merge', `${file}: metadata "failed" must be a JSON list of {path, error}`);
      const info = st.info(EMBEDDINGS);
      if (info.dtype !== 'F32' || info.shape.length !== 2 || info.shape[0] !== paths.length) {
        throw new BulkError('merge', `${file}: expected ${EMBEDDINGS} F32 [${paths.length}, D] (one row per path), found ${info.dtype} [${info.shape.join(', ')}]`);
      }
      dim = info.shape[1]!;
    } finally {
      await st.close();
    }
    const fh = await fsp.open(file, 'r');
    // The data section starts after the 8-byte length and the header; `embeddings` is its only tensor.
    const prefix = new Uint8Array(8);
    await fh.read(prefix, 0, 8, 0);
    const headerLen = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    return new SafetensorsShard(file, meta, paths as string[], failed as FailedImage[], dim, fh, 8 + headerLen);
  }

  private async readRow(): Promise<Float32Array> {
    if (this.row >= this.bufStart + this.bufRows) {
      const rowsLeft = this.paths.length - this.row;
      const n = Math.min(rowsLeft, this.buf.length / this.dim);
      const bytes = new Uint8Array(this.buf.buffer, 0, n * this.dim * 4);
      let got = 0;
      while (got < bytes.byteLength) {
        const { bytesRead } = await this.fh.read(bytes, got, bytes.byteLength - got, this.dataStart + this.row * this.dim * 4 + got);
        if (bytesRead === 0) throw new BulkError('merge', `${this.file}: file ends inside row ${this.row} of ${EMBEDDINGS}`);
        got += bytesRead;
      }
      this.bufStart = this.row;
      this.bufRows = n;
    }
    const i = this.row - this.bufStart;
    this.row++;
    return this.buf.subarray(i * this.dim, (i + 1) * this.dim);
  }

  async next(): Promise<Entry | null> {
    const e = this.order[this.at++];
    if (e === undefined) return null;
    return typeof e === 'string' ? { path: e, row: await this.readRow() } : { path: e.path, row: null, error: e.error };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** A shard written as jsonl: one line per input, read as a stream. */
class JsonlShard implements EntrySource {
  private lines: AsyncIterator<string>;
  private lineNo = 0;
  private readonly rl;
  constructor(readonly file: string) {
    this.rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  async next(): Promise<Entry | null> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) return null;
      this.lineNo++;
      if (r.value.trim() === '') continue;
      let v: { path?: unknown; embedding?: unknown; error?: unknown };
      try {
        v = JSON.parse(r.value) as typeof v;
      } catch (e) {
        throw new BulkError('merge', `${this.file}:${this.lineNo}: expected a JSON line, ${(e as Error).message}`);
      }
      if (typeof v?.path !== 'string' || !(Array.isArray(v.embedding) ? v.embedding.every((x) => typeof x === 'number') : typeof v.error === 'string')) {
        throw new BulkError('merge', `${this.file}:${this.lineNo}: expected {"path", "embedding": [numbers]} or {"path", "error"}`);
      }
      return Array.isArray(v.embedding) ? { path: v.path, row: Float32Array.from(v.embedding as number[]) } : { path: v.path, row: null, error: v.error as string };
    }
  }

  async close(): Promise<void> {
    this.rl.close();
  }
}

async function sniffFormat(file: string): Promise<OutputFormat> {
  let fh: FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    throw new BulkError('merge', `cannot open shard ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const b = new Uint8Array(1);
    await fh.read(b, 0, 1, 0);
    return b[0] === 0x7b ? 'jsonl' : 'safetensors'; // `{` starts a JSON line; safetensors starts with a u64 length
  } finally {
    await fh.close();
  }
}

/** Checks that safetensors shards come from one job and cover shards 0..n-1 exactly once. */
function checkShardSet(shards: readonly SafetensorsShard[]): void {
  const first = shards[0]!;
  for (const s of shards) {
    for (const k of ['model', 'pool', 'backend', 'input'] as const) {
      if (s.meta[k] !== first.meta[k]) throw new BulkError('merge', `${s.file} and ${first.file} are from different jobs: ${k} ${JSON.stringify(s.meta[k])} vs ${JSON.stringify(first.meta[k])}`);
    }
    if (s.dim !== first.dim) throw new BulkError('merge', `${s.file} has embeddings of width ${s.dim}, ${first.file} of width ${first.dim}`);
  }
  const parsed = shards.map((s) => {
    try {
      return parseShard(s.meta.shard);
    } catch {
      throw new BulkError('merge', `${s.file}: metadata shard must be i/n, found ${JSON.stringify(s.meta.shard)}`);
    }
  });
  const n = parsed[0]!.count;
  const seen = new Map<number, string>();
  parsed.forEach((p, k) => {
    if (p.count !== n) throw new BulkError('merge', `${shards[k]!.file} is shard ${formatShard(p)}, ${shards[0]!.file} is one of ${n} shards`);
    const other = seen.get(p.index);
    if (other !== undefined) throw new BulkError('merge', `${shards[k]!.file} and ${other} are both shard ${formatShard(p)}`);
    seen.set(p.index, shards[k]!.file);
  });
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new BulkError('merge', `missing shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} of ${n}: every shard output is needed`);
}

/** k-way merge of sorted lists of paths (each list strictly increasing; no path in two lists). */
function mergeSorted<T>(lists: readonly (readonly T[])[], key: (t: T) => string): T[] {
  const out: T[] = [];
  const at = lists.map(() => 0);
  for (;;) {
    let best = -1;
    for (let k = 0; k < lists.length; k++) {
      if (at[k]! < lists[k]!.length && (best < 0 || comparePaths(key(lists[k]![at[k]!]!), key(lists[best]![at[best]!]!)) < 0)) best = k;
    }
    if (best < 0) return out;
    out.push(lists[best]![at[best]!++]!);
  }
}

/** Joins shard outputs into one output in the order of an unsharded run; see the file header. */
export async function mergeShards(opts: MergeOptions): Promise<MergeResult> {
  if (opts.inputs.length === 0) throw new BulkError('usage', 'merge: no shard outputs given');
  const formats = await Promise.all(opts.inputs.map(sniffFormat));
  const inFormat = formats[0]!;
  const bad = formats.findIndex((f) => f !== inFormat);
  if (bad >= 0) throw new BulkError('merge', `${opts.inputs[bad]} is ${formats[bad]} but ${opts.inputs[0]} is ${inFormat}: merge shards of one format`);
  const format = (opts.format ?? (opts.out.toLowerCase().endsWith('.jsonl') ? 'jsonl' : inFormat)) as OutputFormat;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new BulkError('usage', `--format must be one of ${OUTPUT_FORMATS.join('|')}, got '${format}'`);
  if (inFormat === 'jsonl' && format === 'safetensors') {
    throw new BulkError('usage', 'merge: jsonl shards carry no model/pool metadata, so they merge into jsonl only (use safetensors shards for a safetensors output)');
  }

  const sources: EntrySource[] = [];
  try {
    let header: Uint8Array | null = null;
    let failed: FailedImage[] = [];
    let embedded = 0;
    if (inFormat === 'safetensors') {
      for (const f of opts.inputs) sources.push(await SafetensorsShard.open(f));
      const shards = sources as SafetensorsShard[];
      checkShardSet(shards);
      const paths = mergeSorted(shards.map((s) => s.paths), (p) => p);
      failed = mergeSorted(shards.map((s) => s.failed), (f) => f.path);
      embedded = paths.length;
      if (format === 'safetensors') header = embeddingsHeader(paths.length, shards[0]!.dim, outputMetadata(shards[0]!.meta, paths, failed, formatShard({ index: 0, count: 1 })));
    } else {
      for (const f of opts.inputs) sources.push(new JsonlShard(f));
      opts.io?.err('patchwise: merge: jsonl shards do not record their shard numbers; make sure every shard output is given\n');
    }

    let rows = 0;
    const jsonlFailed: FailedImage[] = [];
    await writeFileAtomic(opts.out, async (sink) => {
      if (header !== null) await sink.write(header);
      const heads = await Promise.all(sources.map((s) => s.next()));
      let last: string | null = null;
      let lastFile = '';
      for (;;) {
        let best = -1;
        for (let k = 0; k < heads.length; k++) {
          if (heads[k] && (best < 0 || comparePaths(heads[k]!.path, heads[best]!.path) < 0)) best = k;
        }
        if (best < 0) break;
        const e = heads[best]!;
        const file = sources[best]!.file;
        if (last !== null && comparePaths(e.path, last) <= 0) {
          throw new BulkError('merge', comparePaths(e.path, last) === 0
            ? `${e.path} is in both ${lastFile} and ${file}: the shards overlap (or one file was given twice)`
            : `${file} is not sorted by path at ${e.path} (not the output of patchwise embed?)`);
        }
        last = e.path;
        lastFile = file;
        if (e.row !== null) {
          rows++;
          await (format === 'safetensors' ? sink.write(f32Bytes(e.row)) : sink.writeText(jsonlLine(e.path, e.row)));
        } else {
          if (inFormat === 'jsonl') jsonlFailed.push({ path: e.path, error: e.error ?? '' });
          if (format === 'jsonl') await sink.writeText(jsonlLine(e.path, null, e.error));
        }
        heads[best] = await sources[best]!.next();
      }
    });
    if (inFormat === 'jsonl') {
      embedded = rows;
      failed = jsonlFailed;
    }
    opts.io?.out?.(`wrote ${opts.out}: ${embedded} embeddings from ${opts.inputs.length} shard output(s)${failed.length > 0 ? `; ${failed.length} unreadable image(s) listed` : ''}\n`);
    return { out: opts.out, format, embedded, failed, shards: opts.inputs.length };
  } finally {
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
  }
}
