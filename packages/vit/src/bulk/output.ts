// Writing bulk outputs without holding them in memory: a buffered byte sink over a temp file that is fsynced
// and renamed into place (readers never see a partial file), the safetensors header for `embeddings` [N, D]
// F32 with metadata, and the jsonl line format. The header layout matches @patchwise/io writeSafetensors
// (huggingface/safetensors `serialize`: JSON padded with spaces to a multiple of 8, data right after).

import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export type OutputFormat = 'safetensors' | 'jsonl';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['safetensors', 'jsonl'];

/** The tensor name of the embeddings, as `patchwise embed --out` writes it. */
export const EMBEDDINGS = 'embeddings';

/** An image that could not be embedded, and why. */
export interface FailedImage {
  readonly path: string;
  readonly error: string;
}

/** Buffered sequential writes to an open file. */
export class ByteSink {
  private buf = new Uint8Array(1 << 22);
  private used = 0;
  /** Bytes written so far (including buffered ones). */
  position = 0;
  constructor(private readonly fh: FileHandle) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.position += bytes.byteLength;
    if (this.used + bytes.byteLength > this.buf.byteLength) await this.flush();
    if (bytes.byteLength >= this.buf.byteLength) {
      await writeAll(this.fh, bytes);
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.byteLength;
  }

  async writeText(text: string): Promise<void> {
    await this.write(new TextEncoder().encode(text));
  }

  async flush(): Promise<void> {
    if (this.used > 0) await writeAll(this.fh, this.buf.subarray(0, this.used));
    this.used = 0;
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  // One fs write is limited to 2^31 - 1 bytes, and may write fewer than asked.
  for (let off = 0; off < bytes.byteLength; ) {
    const { bytesWritten } = await fh.write(bytes, off, Math.min(bytes.byteLength - off, 1 << 30));
    off += bytesWritten;
  }
}

/** fsync of a directory, so that a rename in it survives a crash; not supported everywhere (ignored there). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows and some file systems cannot open or fsync a directory; the rename is still atomic.
  }
}

/** Writes `file` through `produce` into `<file>.tmp-<pid>-<random>`, fsyncs, and renames it over `file`. */
export async function writeFileAtomic(file: string, produce: (sink: ByteSink) => Promise<void>): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const fh = await fsp.open(tmp, 'wx');
    try {
      const sink = new ByteSink(fh);
      await produce(sink);
      await sink.flush();
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    await syncDir(path.dirname(file));
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** The 8-byte length prefix and padded JSON header of a file holding one F32 tensor `embeddings` [n, dim]. */
export function embeddingsHeader(n: number, dim: number, metadata: Readonly<Record<string, string>>): Uint8Array {
  const meta = Object.entries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
  const bytes = n * dim * 4;
  const json = new TextEncoder().encode(
    `{"__metadata__":{${meta}},${JSON.stringify(EMBEDDINGS)}:{"dtype":"F32","shape":[${n},${dim}],"data_offsets":[0,${bytes}]}}`,
  );
  const padded = Math.ceil(json.byteLength / 8) * 8; // spaces up to a multiple of 8: the data starts 8-aligned
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** float32 rows as little-endian bytes (a view when the host is little-endian, as every Node platform is). */
export function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** One jsonl line: {"path", "embedding"} for an embedded image (float32 values widened exactly), or {"path", "error"}. */
export function jsonlLine(p: string, row: Float32Array | null, error?: string): string {
  return row !== null ? `${JSON.stringify({ path: p, embedding: Array.from(row) })}\n` : `${JSON.stringify({ path: p, error })}\n`;
}
