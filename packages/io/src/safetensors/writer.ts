// Writing safetensors in the canonical layout: header JSON padded with spaces to a multiple of 8, tensors
// sorted by descending dtype (the crate's enum order, so larger alignments come first) then by name, each
// tensor's data right after the previous one. Optimized for memory: the file writer streams one tensor at a
// time (contiguous float32/int32 tensors are written from their own arrays, no copy) and renames a temp file
// into place, so readers never see a half-written file.
// Semantics: huggingface/safetensors safetensors/src/tensor.rs `prepare` / `serialize` / `serialize_to_file`.

import type { Tensor } from '@patchwise/tensor';
import { f32ToBf16Bits, f32ToF16Bits } from '@patchwise/tensor';
import { DTYPE_BITS, dtypeRank, isSafetensorsDType } from './dtypes.js';
import type { SafetensorsDType } from './dtypes.js';
import { SafetensorsError } from './errors.js';

/** A tensor given as raw little-endian bytes of any safetensors dtype. */
export interface RawTensorData {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export type TensorToWrite = Tensor | RawTensorData;
/** Tensors by name. Prefer a Map: an object literal cannot hold a key named `__proto__`. */
export type TensorsToWrite = ReadonlyMap<string, TensorToWrite> | Readonly<Record<string, TensorToWrite>>;

interface Planned {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function argError(detail: string, tensor?: string, file?: string): SafetensorsError {
  return new SafetensorsError('InvalidArgument', detail, { tensor, file });
}

function isRaw(t: TensorToWrite): t is RawTensorData {
  return (t as RawTensorData).data instanceof Uint8Array && typeof (t as RawTensorData).dtype === 'string';
}

/** Strings with lone surrogates have no UTF-8 form; serde_json (and our reader) reject their escapes. */
function checkWellFormed(s: string, what: string, tensor?: string): void {
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) {
    throw argError(`expected ${what} to be valid Unicode, found a lone UTF-16 surrogate`, tensor);
  }
}

/** The bytes of a tensor: its own array when dense (no copy), else a dense copy. */
function tensorBytes(t: Tensor): Uint8Array {
  const arr = t.isContiguous() && t.offset === 0 && t.data().length === t.size ? t.data() : t.toArray();
  if (!LITTLE_ENDIAN_HOST) {
    const out = new Uint8Array(arr.length * 4);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < arr.length; i++) {
      if (t.dtype === 'float32') dv.setFloat32(4 * i, arr[i]!, true);
      else dv.setInt32(4 * i, arr[i]!, true);
    }
    return out;
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function plan(tensors: TensorsToWrite): Planned[] {
  const entries: [string, TensorToWrite][] = tensors instanceof Map ? [...(tensors as ReadonlyMap<string, TensorToWrite>)] : Object.entries(tensors);
  const out: Planned[] = [];
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw argError('"__metadata__" is reserved for the metadata and cannot name a tensor', name);
    checkWellFormed(name, 'the tensor name', name);
    if (isRaw(t)) {
      if (!isSafetensorsDType(t.dtype)) throw argError(`unknown dtype ${JSON.stringify(t.dtype)}`, name);
      for (const d of t.shape) if (!Number.isSafeInteger(d) || d < 0) throw argError(`expected shape dimensions to be non-negative integers, found [${t.shape.join(', ')}]`, name);
      const bits = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BITS[t.dtype];
      if (bits % 8 !== 0 || bits / 8 !== t.data.byteLength) {
        throw new SafetensorsError('InvalidTensorView', `${t.dtype} shape [${t.shape.join(', ')}] needs ${bits / 8} bytes, found ${t.data.byteLength}`, { tensor: name });
      }
      out.push({ name, dtype: t.dtype, shape: [...t.shape], data: t.data });
    } else {
      out.push({ name, dtype: t.dtype === 'float32' ? 'F32' : 'I32', shape: [...t.shape], data: tensorBytes(t) });
    }
  }
  // The crate's order: descending dtype (enum position), then name by UTF-8 bytes (= by code point).
  out.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareCodePoints(a.name, b.name));
  return out;
}

function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

/** The 8-byte length prefix plus the padded header for planned tensors. */
function headerBytes(planned: readonly Planned[], metadata: Readonly<Record<string, string>> | null | undefined): Uint8Array {
  const parts: string[] = [];
  if (metadata) {
    const m: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw argError(`expected __metadata__ values to be strings, found ${typeof v} for key ${JSON.stringify(k)}`);
      checkWellFormed(k, 'a __metadata__ key');
      checkWellFormed(v, 'a __metadata__ value');
      m.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${m.join(',')}}`);
  }
  let offset = 0;
  for (const t of planned) {
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.byteLength / 8) * 8; // spaces up to a multiple of 8, so data offset 0 is 8-aligned
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** Serializes tensors (and optional string metadata) to one in-memory safetensors file. */
export function serializeSafetensors(tensors: TensorsToWrite, metadata?: Readonly<Record<string, string>> | null): Uint8Array {
  const planned = plan(tensors);
  const head = headerBytes(planned, metadata);
  const total = planned.reduce((n, t) => n + t.data.byteLength, head.byteLength);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let p = head.byteLength;
  for (const t of planned) {
    out.set(t.data, p);
    p += t.data.byteLength;
  }
  return out;
}

/**
 * Writes tensors to `path` atomically: the bytes go to `<path>.tmp-<pid>-<random>` in the same directory,
 * which is then renamed over `path` (rename is atomic within a file system). Node only.
 */
export async function writeSafetensors(path: string, tensors: TensorsToWrite, metadata?: Readonly<Record<string, string>> | null): Promise<void> {
  const { promises: fsp } = await import('node:fs');
  const { randomBytes } = await import('node:crypto');
  const planned = plan(tensors);
  const head = headerBytes(planned, metadata);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const fh = await fsp.open(tmp, 'wx');
    try {
      await fh.write(head);
      for (const t of planned) {
        // Large tensors in slices: one fs write is limited to 2^31 - 1 bytes.
        for (let off = 0; off < t.data.byteLength; off += 1 << 30) await fh.write(t.data.subarray(off, off + (1 << 30)));
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof SafetensorsError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new SafetensorsError('IoError', `cannot write the file: ${msg}`, { file: path, cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Encoding numbers to the bytes of a dtype (for writing F16/BF16/I64... from JS values).

const INT_RANGES: Partial<Record<SafetensorsDType, readonly [bigint, bigint]>> = {
  I8: [-(2n ** 7n), 2n ** 7n - 1n],
  U8: [0n, 2n ** 8n - 1n],
  I16: [-(2n ** 15n), 2n ** 15n - 1n],
  U16: [0n, 2n ** 16n - 1n],
  I32: [-(2n ** 31n), 2n ** 31n - 1n],
  U32: [0n, 2n ** 32n - 1n],
  I64: [-(2n ** 63n), 2n ** 63n - 1n],
  U64: [0n, 2n ** 64n - 1n],
};

/**
 * Encodes values as `dtype` bytes. Reals: F64 exact; F32, F16 and BF16 round to nearest even (F16/BF16 go
 * through float32 first, as they would from a float32 tensor). Integers must be exact and in range
 * (bigints allowed, needed for I64/U64 beyond 2^53). BOOL takes 0/1 or booleans. Other dtypes (F8, F4, F6,
 * C64): build the bytes yourself and pass a RawTensorData.
 */
export function encodeTensorData(dtype: SafetensorsDType, values: ArrayLike<number | bigint | boolean>, shape: readonly number[] = [values.length]): RawTensorData {
  const n = values.length;
  if (shape.reduce((a, b) => a * b, 1) !== n) throw argError(`expected ${shape.reduce((a, b) => a * b, 1)} values for shape [${shape.join(', ')}], found ${n}`);
  const bytes = new Uint8Array((n * DTYPE_BITS[dtype]) / 8);
  const dv = new DataView(bytes.buffer);
  const num = (i: number): number => {
    const v = values[i]!;
    if (typeof v !== 'number') throw argError(`expected a number for ${dtype} at index ${i}, found ${typeof v}`);
    return v;
  };
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < n; i++) dv.setFloat64(8 * i, num(i), true);
      break;
    case 'F32':
      for (let i = 0; i < n; i++) dv.setFloat32(4 * i, num(i), true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, f32ToF16Bits(num(i)), true);
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) dv.setUint16(2 * i, f32ToBf16Bits(num(i)), true);
      break;
    case 'BOOL':
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== true && v !== false && v !== 0 && v !== 1) throw argError(`expected 0, 1, true or false for BOOL at index ${i}, found ${String(v)}`);
        bytes[i] = v === true || v === 1 ? 1 : 0;
      }
      break;
    case 'I8':
    case 'U8':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
    case 'I64':
    case 'U64': {
      const [lo, hi] = INT_RANGES[dtype]!;
      const size = DTYPE_BITS[dtype] / 8;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v === 'boolean' || (typeof v === 'number' && !Number.isSafeInteger(v))) throw argError(`expected an exact integer for ${dtype} at index ${i}, found ${String(v)}`);
        const b = BigInt(v as number | bigint);
        if (b < lo || b > hi) throw argError(`expected ${dtype} values in [${lo}, ${hi}], found ${b} at index ${i}`);
        // Two's complement little-endian bytes.
        let u = b < 0n ? b + (1n << BigInt(8 * size)) : b;
        for (let k = 0; k < size; k++) {
          bytes[i * size + k] = Number(u & 0xffn);
          u >>= 8n;
        }
      }
      break;
    }
    default:
      throw new SafetensorsError('UnsupportedDtype', `no number encoder for ${dtype}: pass its bytes as { dtype, shape, data }`);
  }
  return { dtype, shape: [...shape], data: bytes };
}
