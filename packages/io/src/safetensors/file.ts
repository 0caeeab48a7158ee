// Node file access for safetensors: open a file, parse only its header, read tensors with positioned reads.
// Optimized for memory: a checkpoint larger than RAM/2 loads tensor by tensor; F32/I32 tensors are read
// straight into their output array (no second copy), other dtypes through one bounded chunk buffer.
// Semantics: validation of huggingface/safetensors `SafeTensors::read_metadata` (see header.ts); sharded
// checkpoints as transformers' `model.safetensors.index.json` ({"metadata": {...}, "weight_map": {name: shard}}).

import { promises as fsp, readFileSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { fromArray } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { checkPrefix, parseHeader } from './header.js';
import type { ParsedHeader } from './header.js';
import { HeaderReader, CHUNK_ELEMENTS, allocateFor, chunkBytes, decodeInto, parseSafetensors } from './reader.js';
import type { SafetensorsBuffer, SafetensorsFile, TensorInfo } from './reader.js';
import { DTYPE_BITS } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { parseJson, JsonSyntaxError } from './json.js';
import type { JsonValue } from './json.js';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest single read: fs reads are limited to 2^31 - 1 bytes. */
const MAX_READ = 1 << 30;

function ioError(file: string, what: string, err: unknown, tensor?: string): SafetensorsError {
  if (err instanceof SafetensorsError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const msg = err instanceof Error ? err.message : String(err);
  return new SafetensorsError('IoError', `${what}: ${typeof code === 'string' ? code + ' ' : ''}${msg}`, { file, tensor, cause: err });
}

/** Reads exactly target.byteLength bytes at `position`, or throws IoError (the file shrank under us). */
async function readExact(fh: FileHandle, target: Uint8Array, position: number, file: string, tensor?: string): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    const len = Math.min(target.byteLength - done, MAX_READ);
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(target, done, len, position + done));
    } catch (err) {
      throw ioError(file, `reading ${len} bytes at position ${position + done}`, err, tensor);
    }
    if (bytesRead === 0) {
      throw new SafetensorsError('IoError', `expected ${target.byteLength} bytes at position ${position}, found end of file after ${done} (the file changed after it was opened)`, { file, tensor });
    }
    done += bytesRead;
  }
}

/** A safetensors file on disk: only the header is in memory. Close it when done. */
export class SafetensorsFileReader extends HeaderReader implements SafetensorsFile {
  private fh: FileHandle | null;

  private constructor(file: string, header: ParsedHeader, fh: FileHandle) {
    super(file, header);
    this.fh = fh;
  }

  /** Opens `file`, reads the 8-byte prefix and the header, validates them; no tensor data is read. */
  static async open(file: string): Promise<SafetensorsFileReader> {
    let fh: FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch (err) {
      throw ioError(file, 'cannot open the file', err);
    }
    try {
      let size: number;
      try {
        size = (await fh.stat()).size;
      } catch (err) {
        throw ioError(file, 'cannot stat the file', err);
      }
      const prefix = new Uint8Array(Math.min(8, size));
      await readExact(fh, prefix, 0, file);
      const n = checkPrefix(prefix, size, file);
      const headerBytes = new Uint8Array(n);
      await readExact(fh, headerBytes, 8, file);
      return new SafetensorsFileReader(file, parseHeader(headerBytes, size, file), fh);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  private handle(tensor?: string): FileHandle {
    if (!this.fh) throw new SafetensorsError('Closed', 'the file was closed', { file: this.file, tensor });
    return this.fh;
  }

  async tensor(name: string, into?: Float32Array | Int32Array): Promise<Tensor> {
    const e = this.entry(name);
    const fh = this.handle(name);
    const { shape, out, count } = allocateFor(e, this.file, into);
    const position = this.header.dataStart + e.begin;
    if (LITTLE_ENDIAN_HOST && ((e.dtype === 'F32' && out instanceof Float32Array) || (e.dtype === 'I32' && out instanceof Int32Array))) {
      // Same layout on disk and in memory: read into the output array itself.
      await readExact(fh, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), position, this.file, name);
    } else {
      // Chunks of whole elements (sub-byte dtypes: an even count keeps each chunk byte-aligned).
      const perChunk = DTYPE_BITS[e.dtype] < 8 ? CHUNK_ELEMENTS - (CHUNK_ELEMENTS % 2) : CHUNK_ELEMENTS;
      const buf = new Uint8Array(chunkBytes(e.dtype, Math.min(perChunk, count)));
      for (let start = 0; start < count; start += perChunk) {
        const n = Math.min(perChunk, count - start);
        const bytes = Math.ceil(chunkBytes(e.dtype, n));
        const chunk = buf.subarray(0, bytes);
        await readExact(fh, chunk, position + chunkBytes(e.dtype, start), this.file, name);
        decodeInto(e, this.file, chunk, out, start, n);
      }
    }
    return fromArray(out, shape) as Tensor;
  }

  async raw(name: string): Promise<Uint8Array> {
    const e = this.entry(name);
    const fh = this.handle(name);
    const out = new Uint8Array(e.end - e.begin);
    await readExact(fh, out, this.header.dataStart + e.begin, this.file, name);
    return out;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close();
  }
}

/** Opens a safetensors file lazily (header only). */
export function openSafetensors(file: string): Promise<SafetensorsFileReader> {
  return SafetensorsFileReader.open(file);
}

/** Reads a whole (small) file into memory and parses it; tensors then decode synchronously (`tensorSync`). */
export function readSafetensorsSync(file: string): SafetensorsBuffer {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw ioError(file, 'cannot read the file', err);
  }
  return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
}

// ---------------------------------------------------------------------------------------------------------
// Sharded checkpoints.

/** A checkpoint split over several safetensors files, presented as one. */
export class ShardedSafetensors implements SafetensorsFile {
  readonly file: string;
  /** `__metadata__` of the first shard (the index's own "metadata" holds numbers such as total_size). */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** metadata.total_size of the index when it is an integer, else null. */
  readonly totalSize: number | null;
  /** Shard file names in order of first appearance in weight_map. */
  readonly shardFiles: readonly string[];
  private readonly shards: readonly SafetensorsFileReader[];
  private readonly owner: ReadonlyMap<string, SafetensorsFileReader>;
  private readonly ordered: readonly string[];

  constructor(file: string, shardFiles: readonly string[], shards: readonly SafetensorsFileReader[], owner: ReadonlyMap<string, SafetensorsFileReader>, totalSize: number | null) {
    this.file = file;
    this.shardFiles = shardFiles;
    this.shards = shards;
    this.owner = owner;
    this.totalSize = totalSize;
    this.metadata = shards[0]?.metadata ?? null;
    this.ordered = shards.flatMap((s) => s.names().filter((n) => owner.get(n) === s));
  }

  names(): string[] {
    return [...this.ordered];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  private shard(name: string): SafetensorsFileReader {
    const s = this.owner.get(name);
    if (!s) throw new SafetensorsError('TensorNotFound', `no tensor with this name in the weight_map (${this.owner.size} tensors)`, { file: this.file, tensor: name });
    return s;
  }

  info(name: string): TensorInfo {
    return this.shard(name).info(name);
  }

  tensor(name: string, into?: Float32Array | Int32Array): Promise<Tensor> {
    return this.shard(name).tensor(name, into);
  }

  raw(name: string): Promise<Uint8Array> {
    return this.shard(name).raw(name);
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.close()));
  }
}

function indexError(file: string, detail: string): SafetensorsError {
  return new SafetensorsError('InvalidShardIndex', detail, { file });
}

/**
 * A shard name must stay inside the index's directory: relative, '/'-separated, no empty, '.' or '..'
 * segments, no backslashes (a Windows separator), no drive letters, no NUL.
 */
export function checkShardName(name: string, indexFile: string): void {
  const bad = (why: string): never => {
    throw indexError(indexFile, `expected shard file names relative to the index's directory, found ${JSON.stringify(name)}: ${why}`);
  };
  if (name.length === 0) bad('empty name');
  if (name.includes('\\')) bad('contains a backslash');
  if (name.includes('\0')) bad('contains a NUL character');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) bad('absolute path');
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') bad(`path segment ${JSON.stringify(seg)} is not allowed`);
  }
}

/** Opens a sharded checkpoint from its `model.safetensors.index.json`; every shard's header is validated. */
export async function openSharded(indexFile: string): Promise<ShardedSafetensors> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await fsp.readFile(indexFile));
  } catch (err) {
    if (err instanceof TypeError) throw indexError(indexFile, 'expected UTF-8 JSON, found invalid UTF-8');
    throw ioError(indexFile, 'cannot read the index', err);
  }
  let json: JsonValue;
  try {
    json = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw indexError(indexFile, `invalid JSON: ${err.message}`);
    throw err;
  }
  if (json.type !== 'object') throw indexError(indexFile, 'expected a JSON object with "weight_map"');
  const weightMap = json.entries.find(([k]) => k === 'weight_map')?.[1];
  if (!weightMap || weightMap.type !== 'object') throw indexError(indexFile, 'expected "weight_map" to be an object {tensor name: shard file}');
  let totalSize: number | null = null;
  const meta = json.entries.find(([k]) => k === 'metadata')?.[1];
  if (meta?.type === 'object') {
    const ts = meta.entries.find(([k]) => k === 'total_size')?.[1];
    if (ts?.type === 'number' && ts.integer) totalSize = Number(ts.text);
  }

  const shardOf = new Map<string, string>();
  const shardFiles: string[] = [];
  for (const [name, v] of weightMap.entries) {
    if (v.type !== 'string') throw indexError(indexFile, `expected weight_map[${JSON.stringify(name)}] to be a shard file name, found a ${v.type}`);
    if (shardOf.has(name)) throw indexError(indexFile, `expected unique tensor names in weight_map, found ${JSON.stringify(name)} twice`);
    checkShardName(v.value, indexFile);
    shardOf.set(name, v.value);
    if (!shardFiles.includes(v.value)) shardFiles.push(v.value);
  }

  const dir = path.dirname(indexFile);
  const shards: SafetensorsFileReader[] = [];
  try {
    for (const f of shardFiles) shards.push(await openSafetensors(path.join(dir, f)));
    const owner = new Map<string, SafetensorsFileReader>();
    for (const [name, f] of shardOf) {
      const s = shards[shardFiles.indexOf(f)]!;
      if (!s.has(name)) throw new SafetensorsError('TensorNotFound', `weight_map puts this tensor in ${JSON.stringify(f)}, but that shard does not contain it`, { file: indexFile, tensor: name });
      owner.set(name, s);
    }
    return new ShardedSafetensors(indexFile, shardFiles, shards, owner, totalSize);
  } catch (err) {
    await Promise.all(shards.map((s) => s.close().catch(() => undefined)));
    throw err;
  }
}

/**
 * Opens a checkpoint: a directory holding `model.safetensors` or `model.safetensors.index.json`, a
 * `.index.json` file, or a single `.safetensors` file.
 */
export async function openCheckpoint(location: string): Promise<SafetensorsFile> {
  let isDir: boolean;
  try {
    isDir = statSync(location).isDirectory();
  } catch (err) {
    throw ioError(location, 'cannot open the checkpoint', err);
  }
  if (!isDir) return location.endsWith('.index.json') ? openSharded(location) : openSafetensors(location);
  const single = path.join(location, 'model.safetensors');
  const index = path.join(location, 'model.safetensors.index.json');
  const exists = (p: string): boolean => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (exists(single)) return openSafetensors(single);
  if (exists(index)) return openSharded(index);
  throw new SafetensorsError('IoError', 'expected model.safetensors or model.safetensors.index.json in this directory, found neither', { file: location });
}

/** Loads every tensor of a checkpoint (file, index or directory), one tensor at a time, into a Map. */
export async function loadTensors(location: string): Promise<Map<string, Tensor>> {
  const f = await openCheckpoint(location);
  try {
    const out = new Map<string, Tensor>();
    for (const name of f.names()) out.set(name, await f.tensor(name));
    return out;
  } finally {
    await f.close();
  }
}

