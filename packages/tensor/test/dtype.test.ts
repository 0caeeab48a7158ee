// f16 / bf16 <-> f32 conversions (src/dtype.ts): hand-computed bit patterns with the arithmetic in comments,
// round-to-nearest-even ties, subnormals, overflow, inf, NaN, -0; exhaustive 16-bit round trips; and
// ~4000 float32 values converted by PyTorch (tools/torch-refs/dtype.py -> test/data/dtype/f32_to_16.json).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  f16BitsToF32, f32ToF16Bits, bf16BitsToF32, f32ToBf16Bits,
  f16ToF32Array, bf16ToF32Array, f32ToF16Array, f32ToBf16Array,
} from '@patchwise/tensor';

/** The float32 value with these bits. */
const fromBits = (u: number): number => new Float32Array(new Uint32Array([u]).buffer)[0]!;
const isF16NaN = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isBf16NaN = (b: number): boolean => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;

describe('f16 -> f32', () => {
  it('normals, subnormals, zeros, inf, NaN', () => {
    expect(f16BitsToF32(0x3c00)).toBe(1); // exp 15 - 15 = 0, frac 0
    expect(f16BitsToF32(0xc000)).toBe(-2); // sign, exp 16 - 15 = 1
    expect(f16BitsToF32(0x3555)).toBe(1365 / 4096); // (1 + 0x155/1024) * 2^-2 = (1024 + 341)/4096
    expect(f16BitsToF32(0x7bff)).toBe(65504); // (2 - 2^-10) * 2^15, the largest finite f16
    expect(f16BitsToF32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(f16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal: frac * 2^-24
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7c00)).toBe(Infinity);
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(Number.isNaN(f16BitsToF32(0x7e00))).toBe(true);
    expect(Number.isNaN(f16BitsToF32(0x7c01))).toBe(true); // signalling-NaN pattern is NaN, not inf
  });
});

describe('f32 -> f16', () => {
  it('exact values and rounding to nearest', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    // 0.1 = 1.6 * 2^-4: exp field -4 + 15 = 11 -> 0x2c00; frac = round(0.6 * 1024 = 614.4) = 614 = 0x266
    expect(f32ToF16Bits(0.1)).toBe(0x2e66);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
  });

  it('ties go to the even mantissa', () => {
    // 1 + 2^-11 is halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01): -> 0x3c00
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3*2^-11 is halfway between 0x3c01 (odd) and 0x3c02 (even): -> 0x3c02
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // just above a tie rounds up: 1 + 2^-11 + 2^-20 -> 0x3c01
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
  });

  it('overflow: 65520 (halfway past 65504, odd frac 0x3ff) rounds to inf; just below stays 65504', () => {
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(65519.99)).toBe(0x7bff);
    expect(f32ToF16Bits(1e6)).toBe(0x7c00);
    expect(f32ToF16Bits(-1e6)).toBe(0xfc00);
  });

  it('subnormals and underflow with ties to even', () => {
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // exactly half of it: tie -> even (0)
    expect(f32ToF16Bits(2 ** -25 * (1 + 2 ** -20))).toBe(0x0001); // just above half
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: tie between 1 and 2 -> 2
    expect(f32ToF16Bits(5 * 2 ** -25)).toBe(0x0002); // 2.5 units: tie between 2 and 3 -> 2
    expect(f32ToF16Bits(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(f32ToF16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // tie between 0x3ff and 0x400 -> even = smallest normal
    expect(f32ToF16Bits(2 ** -14)).toBe(0x0400);
    expect(f32ToF16Bits(2 ** -30)).toBe(0x0000);
    expect(f32ToF16Bits(-(2 ** -30))).toBe(0x8000); // underflow keeps the sign
  });

  it('-0, inf, NaN', () => {
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(0)).toBe(0x0000);
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    expect(isF16NaN(f32ToF16Bits(NaN))).toBe(true);
    expect(f32ToF16Bits(NaN) & 0x0200).toBe(0x0200); // quiet bit set
  });

  it('every non-NaN f16 survives f16 -> f32 -> f16 (exhaustive, 65536 patterns)', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const back = f32ToF16Array(f16ToF32Array(bits));
    let bad = 0;
    for (let i = 0; i < 65536; i++) {
      if (isF16NaN(i)) {
        if (!isF16NaN(back[i]!)) bad++;
      } else if (back[i] !== i) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('bf16 <-> f32', () => {
  it('decoding is the top half of the f32 bits', () => {
    expect(bf16BitsToF32(0x3f80)).toBe(1); // 0x3f800000
    expect(bf16BitsToF32(0x4049)).toBe(3.140625); // 0x40490000 = (1 + 0x49/128) * 2 = 1.5703125 * 2
    expect(bf16BitsToF32(0x0001)).toBe(fromBits(0x00010000)); // a float32 subnormal
    expect(Object.is(bf16BitsToF32(0x8000), -0)).toBe(true);
    expect(bf16BitsToF32(0xff80)).toBe(-Infinity);
    expect(Number.isNaN(bf16BitsToF32(0x7fc0))).toBe(true);
  });

  it('encoding rounds to nearest even on the 16 dropped bits', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(Math.PI)).toBe(0x4049); // fround(pi) = 0x40490fdb: dropped 0x0fdb < 0x8000 -> down
    expect(f32ToBf16Bits(fromBits(0x3f808000))).toBe(0x3f80); // tie, 0x3f80 even -> down
    expect(f32ToBf16Bits(fromBits(0x3f818000))).toBe(0x3f82); // tie, 0x3f81 odd -> up
    expect(f32ToBf16Bits(fromBits(0x3f808001))).toBe(0x3f81); // above the tie -> up
    expect(f32ToBf16Bits(fromBits(0x7f7fffff))).toBe(0x7f80); // max float rounds up into inf
    expect(f32ToBf16Bits(fromBits(0x00080000))).toBe(0x0008); // f32 subnormal 2^-130, exact
    expect(f32ToBf16Bits(-0)).toBe(0x8000);
    expect(f32ToBf16Bits(Infinity)).toBe(0x7f80);
    expect(isBf16NaN(f32ToBf16Bits(NaN))).toBe(true);
    expect(f32ToBf16Bits(NaN) & 0x40).toBe(0x40); // quiet
  });

  // V8 sets the quiet bit when the value passes through a JS number, so this guards the result, not the branch.
  it('a NaN whose payload sits only in the low 16 bits stays NaN (plain truncation would give inf)', () => {
    const x = new Float32Array(new Uint32Array([0x7f800001]).buffer);
    expect(isBf16NaN(f32ToBf16Array(x)[0]!)).toBe(true);
  });

  it('every non-NaN bf16 survives bf16 -> f32 -> bf16 (exhaustive)', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const back = f32ToBf16Array(bf16ToF32Array(bits));
    let bad = 0;
    for (let i = 0; i < 65536; i++) {
      if (isBf16NaN(i)) {
        if (!isBf16NaN(back[i]!)) bad++;
      } else if (back[i] !== i) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('f32 -> f16 / bf16 vs PyTorch (.half(), .bfloat16())', () => {
  const ref = JSON.parse(readFileSync(fileURLToPath(new URL('./data/dtype/f32_to_16.json', import.meta.url)), 'utf8')) as {
    f32: number[];
    f16: number[];
    bf16: number[];
  };
  const x = new Float32Array(new Uint32Array(ref.f32).buffer);
  it('f16 bit-exact on every value', () => {
    const got = f32ToF16Array(x);
    const bad = ref.f16.filter((want, i) => got[i] !== want).length;
    expect(bad).toBe(0);
  });
  it('bf16 bit-exact on every value', () => {
    const got = f32ToBf16Array(x);
    const bad = ref.bf16.filter((want, i) => got[i] !== want).length;
    expect(bad).toBe(0);
  });
});
