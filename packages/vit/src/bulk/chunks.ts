// Chunk files of a bulk job's work dir: the results of a few hundred consecutive inputs, written atomically as
// small safetensors files (`embeddings` [k, D] F32, and in the metadata the chunk's inputs in job order).
// Optimized for bounded memory and crash safety: a chunk is complete once renamed into place, and only chunks
// listed in the checkpoint are used, so a chunk written just before a kill is simply redone.

import { openSafetensors, writeSafetensors } from '@patchwise/io';
import type { SafetensorsFileReader } from '@patchwise/io';
import path from 'node:path';
import { BulkError } from './errors.js';
import { EMBEDDINGS, f32Bytes } from './output.js';
import type { FailedImage } from './output.js';

/** One input of a chunk, in job order: a path (its embedding is the next row) or a failure. */
export type ChunkEntry = string | FailedImage;

export interface ChunkData {
  readonly entries: ChunkEntry[];
  /** [rows, dim] row-major: one row per string entry. */
  readonly rows: Float32Array;
  readonly dim: number;
}

/** `chunk-<first input index, 10 digits>.safetensors`: sorts in job order. */
export function chunkName(start: number): string {
  return `chunk-${String(start).padStart(10, '0')}.safetensors`;
}

export async function writeChunk(workDir: string, start: number, data: ChunkData): Promise<string> {
  const name = chunkName(start);
  const n = data.rows.length / data.dim;
  await writeSafetensors(
    path.join(workDir, name),
    { [EMBEDDINGS]: { dtype: 'F32', shape: [n, data.dim], data: f32Bytes(data.rows) } },
    { entries: JSON.stringify(data.entries) },
  );
  return name;
}

function isEntry(e: unknown): e is ChunkEntry {
  if (typeof e === 'string') return true;
  return typeof e === 'object' && e !== null && typeof (e as FailedImage).path === 'string' && typeof (e as FailedImage).error === 'string';
}

function entriesOf(st: SafetensorsFileReader, file: string): ChunkEntry[] {
  const raw = st.metadata?.['entries'];
  const entries: unknown = raw === undefined ? undefined : JSON.parse(raw);
  if (!Array.isArray(entries) || !entries.every(isEntry)) throw new BulkError('checkpoint', `${file}: expected an "entries" JSON list in the metadata`);
  return entries;
}

/** A chunk's inputs only (reads the header, not the rows). */
export async function readChunkEntries(workDir: string, name: string): Promise<ChunkEntry[]> {
  const file = path.join(workDir, name);
  const st = await openSafetensors(file);
  try {
    return entriesOf(st, file);
  } finally {
    await st.close();
  }
}

export async function readChunk(workDir: string, name: string, dim: number): Promise<ChunkData> {
  const file = path.join(workDir, name);
  const st = await openSafetensors(file);
  try {
    const entries = entriesOf(st, file);
    const rows = entries.filter((e) => typeof e === 'string').length;
    const info = st.info(EMBEDDINGS);
    if (info.dtype !== 'F32' || info.shape.length !== 2 || info.shape[0] !== rows || info.shape[1] !== dim) {
      throw new BulkError('checkpoint', `${file}: expected ${EMBEDDINGS} F32 [${rows}, ${dim}], found ${info.dtype} [${info.shape.join(', ')}]`);
    }
    const t = await st.tensor(EMBEDDINGS);
    return { entries, rows: t.data() as Float32Array, dim };
  } finally {
    await st.close();
  }
}
