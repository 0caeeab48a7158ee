// f16 and bf16 <-> f32 conversion, bit-exact with IEEE 754 / torch: round to nearest even, subnormals,
// infinities and NaN handled. Optimized for readability (one element at a time); the bulk helpers just loop.
// Semantics: IEEE 754-2008 binary16; bfloat16 = the top 16 bits of a binary32 (torch c10/util/BFloat16.h
// round_to_nearest_even, NaN kept quiet).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 bits -> float32 value (exact: every f16 is representable in f32). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal: frac * 2^-14 * 2^-10
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float32 value -> binary16 bits, rounding to nearest even (overflow -> inf, NaN stays NaN). */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0); // inf or quiet NaN
  // Unbiased exponent; f16 normal range is -14..15.
  const e = exp - 127;
  if (e > 15) return sign | 0x7c00; // overflow to inf
  if (e >= -14) {
    // Normal: keep 10 mantissa bits, round to nearest even on the 13 dropped bits.
    let h = ((e + 15) << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // may carry into the exponent (correct: rounds up to the next binade or inf)
    return sign | h;
  }
  if (e < -25) return sign; // below half of the smallest subnormal: rounds to zero
  // Subnormal: value = m * 2^-24 with m = full mantissa (with implicit 1) shifted right.
  const full = mant | 0x800000; // 24 bits, value = full * 2^(e-23)
  const shift = -e - 1; // bits to drop so that the result counts units of 2^-24: (e - 23) + shift = -24 -> shift = -e - 1 (14..24)
  let m = full >>> shift;
  const dropped = full & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (dropped > half || (dropped === half && (m & 1) === 1)) m++;
  return sign | m;
}

/** bfloat16 bits -> float32 value (exact). */
export function bf16BitsToF32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** float32 value -> bfloat16 bits, rounding to nearest even; NaN stays a quiet NaN. */
export function f32ToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff; // NaN: keep sign, force quiet bit
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}

/** Converts a whole array of f16 bits to float32. */
export function f16ToF32Array(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = f16BitsToF32(bits[i]!);
  return out;
}

/** Converts a whole array of bf16 bits to float32 (a shift: bf16 is the top half of f32). */
export function bf16ToF32Array(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array {
  const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) o[i] = bits[i]! << 16;
  return out;
}

export function f32ToF16Array(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16Bits(values[i]!);
  return out;
}

export function f32ToBf16Array(values: Float32Array, out = new Uint16Array(values.length)): Uint16Array {
  for (let i = 0; i < values.length; i++) out[i] = f32ToBf16Bits(values[i]!);
  return out;
}
