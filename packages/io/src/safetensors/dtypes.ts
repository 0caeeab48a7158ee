// The safetensors dtypes: names, bit sizes, the crate's ordering, and bytes -> float32 / int32 decoders.
// Optimized for streaming: every decoder converts one chunk of raw little-endian bytes into a slice of the
// output array, so a tensor never needs its raw bytes and its converted values in memory at once.
// Semantics: dtype list and order of huggingface/safetensors safetensors/src/tensor.rs `enum Dtype`
// (0.8.0-dev, the version the bad-safetensors manifest was checked with); float8 formats as torch/ml_dtypes
// (float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu); F4 = OCP MX E2M1 with
// element 0 in the low nibble (NVIDIA __nv_fp4x2_e2m1 layout).

import { f16ToF32Array, bf16ToF32Array } from '@patchwise/tensor';

/**
 * Every dtype name the crate accepts, in the crate's enum order. The order matters: the writer sorts tensors
 * by descending position here (larger alignment first), like `safetensors::tensor::prepare`.
 */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const;

export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** Bits per element (`Dtype::bitsize` in the crate). */
export const DTYPE_BITS: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

const DTYPE_SET: ReadonlySet<string> = new Set(SAFETENSORS_DTYPES);

export function isSafetensorsDType(s: string): s is SafetensorsDType {
  return DTYPE_SET.has(s);
}

/** Position in the crate's enum (the writer's sort key). */
export function dtypeRank(d: SafetensorsDType): number {
  return SAFETENSORS_DTYPES.indexOf(d);
}

/** What `tensor()` turns a dtype into. */
export type DecodeTarget = 'float32' | 'int32' | 'unsupported';

export function decodeTarget(d: SafetensorsDType): DecodeTarget {
  switch (d) {
    case 'F64':
    case 'F32':
    case 'F16':
    case 'BF16':
    case 'F8_E5M2':
    case 'F8_E4M3':
    case 'F8_E8M0':
    case 'F8_E4M3FNUZ':
    case 'F8_E5M2FNUZ':
    case 'F4':
      return 'float32';
    case 'BOOL':
    case 'U8':
    case 'I8':
    case 'I16':
    case 'U16':
    case 'I32':
    case 'U32':
    case 'I64':
    case 'U64':
      return 'int32';
    // C64 has no real-valued reading; F6 packing (4 values in 3 bytes) has no agreed bit order yet.
    case 'C64':
    case 'F6_E2M3':
    case 'F6_E3M2':
      return 'unsupported';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Minifloat lookup tables (256 entries for 8-bit formats, 16 for F4): built once from the format definition.

function table(n: number, value: (code: number) => number): Float32Array {
  const t = new Float32Array(n);
  for (let c = 0; c < n; c++) t[c] = value(c);
  return t;
}

/** float8_e4m3fn: bias 7, no infinities, NaN = S.1111.111 (0x7f, 0xff); max 448. */
export const F8_E4M3_TABLE = table(256, (b) => {
  const sign = b & 0x80 ? -1 : 1;
  const e = (b >> 3) & 0xf;
  const m = b & 7;
  if (e === 0xf && m === 7) return NaN;
  return e === 0 ? sign * (m / 8) * 2 ** -6 : sign * (1 + m / 8) * 2 ** (e - 7);
});

/** float8_e5m2: IEEE-style, bias 15, exponent 31 = inf (m = 0) or NaN. */
export const F8_E5M2_TABLE = table(256, (b) => {
  const sign = b & 0x80 ? -1 : 1;
  const e = (b >> 2) & 0x1f;
  const m = b & 3;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return e === 0 ? sign * (m / 4) * 2 ** -14 : sign * (1 + m / 4) * 2 ** (e - 15);
});

/** float8_e4m3fnuz: bias 8, no infinities, no negative zero: 0x80 is the only NaN. */
export const F8_E4M3FNUZ_TABLE = table(256, (b) => {
  if (b === 0x80) return NaN;
  const sign = b & 0x80 ? -1 : 1;
  const e = (b >> 3) & 0xf;
  const m = b & 7;
  return e === 0 ? sign * (m / 8) * 2 ** -7 : sign * (1 + m / 8) * 2 ** (e - 8);
});

/** float8_e5m2fnuz: bias 16, no infinities, 0x80 is the only NaN. */
export const F8_E5M2FNUZ_TABLE = table(256, (b) => {
  if (b === 0x80) return NaN;
  const sign = b & 0x80 ? -1 : 1;
  const e = (b >> 2) & 0x1f;
  const m = b & 3;
  return e === 0 ? sign * (m / 4) * 2 ** -15 : sign * (1 + m / 4) * 2 ** (e - 16);
});

/** float8_e8m0fnu (MX scale): unsigned exponent only, 2^(b - 127); 0xff = NaN. 2^-127 is an f32 subnormal. */
export const F8_E8M0_TABLE = table(256, (b) => (b === 0xff ? NaN : 2 ** (b - 127)));

/** float4_e2m1fn: 1 sign, 2 exponent (bias 1), 1 mantissa bit: magnitudes 0, 0.5, 1, 1.5, 2, 3, 4, 6. */
export const F4_TABLE = table(16, (n) => {
  const sign = n & 8 ? -1 : 1;
  const e = (n >> 1) & 3;
  const m = n & 1;
  return e === 0 ? sign * m * 0.5 : sign * (1 + m / 2) * 2 ** (e - 1);
});

// ---------------------------------------------------------------------------------------------------------
// Chunk decoders. `src` holds whole elements (for F4: whole bytes = pairs of elements); `out` receives
// `count` values starting at `outStart`. Typed-array views need aligned byte offsets, so unaligned
// sources go through a DataView or a copy (a file may place an F32 tensor at an odd offset: valid).

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function view(src: Uint8Array): DataView {
  return new DataView(src.buffer, src.byteOffset, src.byteLength);
}

/** A Uint16Array over `src` (no copy when aligned and the host is little-endian). */
function u16(src: Uint8Array): Uint16Array {
  const n = src.byteLength >> 1;
  if (LITTLE_ENDIAN_HOST && src.byteOffset % 2 === 0) return new Uint16Array(src.buffer, src.byteOffset, n);
  const out = new Uint16Array(n);
  const dv = view(src);
  for (let i = 0; i < n; i++) out[i] = dv.getUint16(2 * i, true);
  return out;
}

/** Decodes real-valued elements into float32. */
export function decodeFloatChunk(dtype: SafetensorsDType, src: Uint8Array, out: Float32Array, outStart: number, count: number): void {
  switch (dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN_HOST) {
        // Copy the bytes: works for any source alignment (out is always aligned).
        new Uint8Array(out.buffer, out.byteOffset + outStart * 4, count * 4).set(src.subarray(0, count * 4));
      } else {
        const dv = view(src);
        for (let i = 0; i < count; i++) out[outStart + i] = dv.getFloat32(4 * i, true);
      }
      return;
    }
    case 'F64': {
      // Float32Array stores round to nearest even, as torch's double -> float cast does.
      const dv = view(src);
      for (let i = 0; i < count; i++) out[outStart + i] = dv.getFloat64(8 * i, true);
      return;
    }
    case 'F16':
      f16ToF32Array(u16(src.subarray(0, count * 2)), out.subarray(outStart, outStart + count));
      return;
    case 'BF16':
      bf16ToF32Array(u16(src.subarray(0, count * 2)), out.subarray(outStart, outStart + count));
      return;
    case 'F8_E4M3':
    case 'F8_E5M2':
    case 'F8_E4M3FNUZ':
    case 'F8_E5M2FNUZ':
    case 'F8_E8M0': {
      const t = FLOAT8_TABLES[dtype];
      for (let i = 0; i < count; i++) out[outStart + i] = t[src[i]!]!;
      return;
    }
    case 'F4': {
      // Two elements per byte, element 2k in the low nibble, 2k+1 in the high nibble.
      for (let i = 0; i < count; i++) {
        const b = src[i >> 1]!;
        out[outStart + i] = F4_TABLE[i & 1 ? b >> 4 : b & 0xf]!;
      }
      return;
    }
    default:
      throw new Error(`decodeFloatChunk: ${dtype} is not a real dtype`); // unreachable: callers check decodeTarget
  }
}

const FLOAT8_TABLES = {
  F8_E4M3: F8_E4M3_TABLE,
  F8_E5M2: F8_E5M2_TABLE,
  F8_E4M3FNUZ: F8_E4M3FNUZ_TABLE,
  F8_E5M2FNUZ: F8_E5M2FNUZ_TABLE,
  F8_E8M0: F8_E8M0_TABLE,
} as const;

/**
 * Decodes integer elements into int32. Returns -1 when every value fitted, else the index (within this chunk)
 * of the first value that int32 cannot hold exactly, so the caller can name it in the error.
 */
export function decodeIntChunk(dtype: SafetensorsDType, src: Uint8Array, out: Int32Array, outStart: number, count: number): number {
  const dv = view(src);
  switch (dtype) {
    case 'BOOL':
      // torch.bool is one byte 0/1; any nonzero byte reads as true (numpy's rule for a bool view).
      for (let i = 0; i < count; i++) out[outStart + i] = src[i] !== 0 ? 1 : 0;
      return -1;
    case 'U8':
      for (let i = 0; i < count; i++) out[outStart + i] = src[i]!;
      return -1;
    case 'I8':
      for (let i = 0; i < count; i++) out[outStart + i] = dv.getInt8(i);
      return -1;
    case 'I16':
      for (let i = 0; i < count; i++) out[outStart + i] = dv.getInt16(2 * i, true);
      return -1;
    case 'U16':
      for (let i = 0; i < count; i++) out[outStart + i] = dv.getUint16(2 * i, true);
      return -1;
    case 'I32':
      for (let i = 0; i < count; i++) out[outStart + i] = dv.getInt32(4 * i, true);
      return -1;
    case 'U32':
      for (let i = 0; i < count; i++) {
        const v = dv.getUint32(4 * i, true);
        if (v > 0x7fffffff) return i;
        out[outStart + i] = v;
      }
      return -1;
    case 'I64':
      for (let i = 0; i < count; i++) {
        // Fits int32 iff the high word is the sign extension of the low word's bit 31.
        const lo = dv.getUint32(8 * i, true);
        const hi = dv.getInt32(8 * i + 4, true);
        if (!((hi === 0 && lo <= 0x7fffffff) || (hi === -1 && lo >= 0x80000000))) return i;
        out[outStart + i] = lo | 0;
      }
      return -1;
    case 'U64':
      for (let i = 0; i < count; i++) {
        const lo = dv.getUint32(8 * i, true);
        const hi = dv.getUint32(8 * i + 4, true);
        if (hi !== 0 || lo > 0x7fffffff) return i;
        out[outStart + i] = lo;
      }
      return -1;
    default:
      throw new Error(`decodeIntChunk: ${dtype} is not an integer dtype`); // unreachable: callers check decodeTarget
  }
}

/** The exact value of integer element `i` of a chunk, as a decimal string (for error messages). */
export function intElementText(dtype: SafetensorsDType, src: Uint8Array, i: number): string {
  const dv = view(src);
  switch (dtype) {
    case 'U32':
      return String(dv.getUint32(4 * i, true));
    case 'I64':
      return dv.getBigInt64(8 * i, true).toString();
    case 'U64':
      return dv.getBigUint64(8 * i, true).toString();
    default:
      return '?';
  }
}
