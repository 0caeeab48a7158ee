// The reader interface shared by file-backed, in-memory and sharded safetensors, and the in-memory reader.
// Optimized for lean memory: tensors are decoded on request, never all at once; an in-memory reader keeps
// only the caller's byte array. Runs in browsers (no Node imports in this file).
// Semantics: tensor conversion rules of @patchwise/io (reals -> float32, integers -> exact int32, BOOL -> 0/1).

import { fromArray } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { checkPrefix, parseHeader } from './header.js';
import type { ParsedHeader, TensorEntry } from './header.js';
import { DTYPE_BITS, decodeFloatChunk, decodeIntChunk, decodeTarget, intElementText } from './dtypes.js';
import type { SafetensorsDType } from './dtypes.js';
import { SafetensorsError } from './errors.js';

/** What the header says about one tensor. */
export interface TensorInfo {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Bytes of the tensor's data (end - begin). */
  readonly byteLength: number;
  /** [begin, end) relative to the start of the data section, as stored in the header. */
  readonly dataOffsets: readonly [number, number];
}

/** A safetensors checkpoint opened for reading: header parsed and validated, tensors read on request. */
export interface SafetensorsFile {
  /** Path or name used in error messages. */
  readonly file: string;
  /** `__metadata__` (null-prototype object) or null when the header has none. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Tensor names, in data-offset order (shards: in shard order). */
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /**
   * The tensor as float32 (real dtypes) or int32 (integer dtypes and BOOL); a fresh, contiguous copy, or decoded
   * into `into` when given (exactly the element count, of the target type): lets a caller place several tensors
   * side by side in one buffer without a second copy.
   */
  tensor(name: string, into?: Float32Array | Int32Array): Promise<Tensor>;
  /** The tensor's bytes exactly as stored (little-endian), in a fresh array. */
  raw(name: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Elements per decode chunk: bounds the temporary raw buffer when converting from a file (16 MiB of F64). */
export const CHUNK_ELEMENTS = 1 << 21;

/** Shared logic for readers that have a validated header. */
export abstract class HeaderReader {
  readonly file: string;
  readonly metadata: Readonly<Record<string, string>> | null;
  protected readonly header: ParsedHeader;

  protected constructor(file: string, header: ParsedHeader) {
    this.file = file;
    this.header = header;
    this.metadata = header.metadata;
  }

  names(): string[] {
    return this.header.ordered.map((t) => t.name);
  }

  has(name: string): boolean {
    return this.header.entries.has(name);
  }

  info(name: string): TensorInfo {
    const e = this.entry(name);
    return { dtype: e.dtype, shape: shapeOf(e, this.file), byteLength: e.end - e.begin, dataOffsets: [e.begin, e.end] };
  }

  protected entry(name: string): TensorEntry {
    const e = this.header.entries.get(name);
    if (!e) {
      const known = this.names();
      const hint = known.length <= 8 ? `the file has ${known.length === 0 ? 'no tensors' : known.map((n) => JSON.stringify(n)).join(', ')}` : `the file has ${known.length} tensors, e.g. ${known.slice(0, 5).map((n) => JSON.stringify(n)).join(', ')}`;
      throw new SafetensorsError('TensorNotFound', `no tensor with this name; ${hint}`, { file: this.file, tensor: name });
    }
    return e;
  }
}

export function shapeOf(e: TensorEntry, file: string): readonly number[] {
  if (e.shape === null) {
    throw new SafetensorsError('UnsupportedShape', `shape ${e.shapeText} has a dimension above 2^53 - 1, which JS numbers cannot hold exactly`, { file, tensor: e.name });
  }
  return e.shape;
}

/** Output array for a tensor (`into` when given, after checking it fits), with the checks that come before reading any data. */
export function allocateFor(e: TensorEntry, file: string, into?: Float32Array | Int32Array): { target: 'float32' | 'int32'; shape: readonly number[]; out: Float32Array | Int32Array; count: number } {
  const shape = shapeOf(e, file);
  const target = decodeTarget(e.dtype);
  if (target === 'unsupported') {
    throw new SafetensorsError('UnsupportedDtype', `${e.dtype} has no float32/int32 conversion here (C64 is complex; F6 packing is not standardized): read the bytes with raw()`, { file, tensor: e.name });
  }
  const count = shape.reduce((a, b) => a * b, 1);
  // A zero-element tensor may list dims whose product overflows doubles before the 0 (Infinity * 0 = NaN):
  // the Tensor class could not hold that shape.
  if (!Number.isSafeInteger(count)) {
    throw new SafetensorsError('UnsupportedShape', `shape ${e.shapeText} has an element count JS numbers cannot hold exactly`, { file, tensor: e.name });
  }
  if (into !== undefined) {
    const kind = into instanceof Float32Array ? 'float32' : 'int32';
    if (kind !== target || into.length !== count) {
      throw new SafetensorsError('InvalidArgument', `expected a ${target} destination of ${count} elements for shape ${e.shapeText}, found a ${kind} array of ${into.length}`, { file, tensor: e.name });
    }
    return { target, shape, count, out: into };
  }
  try {
    return { target, shape, count, out: target === 'float32' ? new Float32Array(count) : new Int32Array(count) };
  } catch (err) {
    throw new SafetensorsError('UnsupportedShape', `cannot allocate ${count} ${target} elements for shape ${e.shapeText}`, { file, tensor: e.name, cause: err });
  }
}

/** Bytes per chunk of `elements` elements (sub-byte dtypes: `elements` must keep chunks byte-aligned). */
export function chunkBytes(dtype: SafetensorsDType, elements: number): number {
  return (elements * DTYPE_BITS[dtype]) / 8;
}

/** Decodes `count` elements from `src` into `out` at `outStart`; throws IntegerOverflow naming the element. */
export function decodeInto(e: TensorEntry, file: string, src: Uint8Array, out: Float32Array | Int32Array, outStart: number, count: number): void {
  if (out instanceof Float32Array) {
    decodeFloatChunk(e.dtype, src, out, outStart, count);
    return;
  }
  const bad = decodeIntChunk(e.dtype, src, out, outStart, count);
  if (bad >= 0) {
    throw new SafetensorsError('IntegerOverflow', `expected every ${e.dtype} value to fit int32 exactly, found ${intElementText(e.dtype, src, bad)} at flat index ${outStart + bad} (use raw() for the full range)`, { file, tensor: e.name });
  }
}

// ---------------------------------------------------------------------------------------------------------

/** A safetensors file held in memory. Also offers synchronous reads. */
export class SafetensorsBuffer extends HeaderReader implements SafetensorsFile {
  private bytes: Uint8Array | null;

  constructor(bytes: Uint8Array, file: string) {
    const n = checkPrefix(bytes, bytes.byteLength, file);
    super(file, parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength, file));
    this.bytes = bytes;
  }

  private slice(e: TensorEntry): Uint8Array {
    if (!this.bytes) throw new SafetensorsError('Closed', 'the reader was closed', { file: this.file, tensor: e.name });
    const start = this.header.dataStart;
    return this.bytes.subarray(start + e.begin, start + e.end);
  }

  tensorSync(name: string, into?: Float32Array | Int32Array): Tensor {
    const e = this.entry(name);
    const { shape, out, count } = allocateFor(e, this.file, into);
    decodeInto(e, this.file, this.slice(e), out, 0, count);
    return fromArray(out, shape) as Tensor;
  }

  rawSync(name: string): Uint8Array {
    return this.slice(this.entry(name)).slice();
  }

  async tensor(name: string, into?: Float32Array | Int32Array): Promise<Tensor> {
    return this.tensorSync(name, into);
  }

  async raw(name: string): Promise<Uint8Array> {
    return this.rawSync(name);
  }

  async close(): Promise<void> {
    this.bytes = null;
  }
}

/**
 * Parses a whole safetensors file already in memory (browsers: from fetch().arrayBuffer()). The bytes are
 * kept, not copied; tensors are decoded on request.
 */
export function parseSafetensors(bytes: Uint8Array, fileName = '<memory>'): SafetensorsBuffer {
  return new SafetensorsBuffer(bytes, fileName);
}
