// The 8x8 inverse DCT with dequantization, bit-exact with libjpeg-turbo's default JDCT_ISLOW (what Pillow uses).
// Optimizes for exactness: the same 13-bit fixed-point constants, pass-1 scaling by 2 bits, rounding shifts and
// range-limit table. Semantics: libjpeg-turbo jidctint.c jpeg_idct_islow (Loeffler-Ligtenberg-Moschytz, 12
// multiplies) and jdmaster.c prepare_range_limit_table; the zero-AC shortcuts give identical results.

const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/**
 * DESCALE: divide by 2^n rounding half up, flooring like libjpeg's RIGHT_SHIFT on its 64-bit JLONG. Done in
 * float64 (exact below 2^53) because corrupt streams can push intermediates past 32 bits, where `>>` would wrap.
 */
const descale = (x: number, n: number): number => Math.floor((x + 2 ** (n - 1)) / 2 ** n);
const SCALE = 2 ** CONST_BITS; // LEFT_SHIFT(x, CONST_BITS) without 32-bit wrap-around

/**
 * Post-IDCT range limit, indexed by (value & 1023) where value is centred on 0: [-128, 127] -> value + 128,
 * up to 383 -> 255, from -384 -> 0, and (for corrupt data only) the same wrap-around libjpeg has beyond that.
 */
const RANGE_LIMIT = (() => {
  const t = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) {
    if (i < 128) t[i] = i + 128;
    else if (i < 512) t[i] = 255;
    else if (i < 896) t[i] = 0;
    else t[i] = i - 896;
  }
  return t;
})();

const ws = new Float64Array(64); // pass-1 workspace (column outputs, scaled by 2^PASS1_BITS; C int)

/**
 * Dequantizes and inverse-transforms one block: `coef` [64] in natural (row-major) order at `cOff`, `quant` [64]
 * natural order; writes 8x8 samples to `out` at `oOff` with row stride `stride`.
 */
export function idctIslow(coef: Int16Array, cOff: number, quant: Uint16Array, out: Uint8Array, oOff: number, stride: number): void {
  // Pass 1: columns from input, results to workspace.
  for (let c = 0; c < 8; c++) {
    const i = cOff + c;
    if (coef[i + 8] === 0 && coef[i + 16] === 0 && coef[i + 24] === 0 && coef[i + 32] === 0 &&
        coef[i + 40] === 0 && coef[i + 48] === 0 && coef[i + 56] === 0) {
      const dc = coef[i]! * quant[c]! * (1 << PASS1_BITS); // AC terms all zero
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    // Even part
    let z2 = coef[i + 16]! * quant[c + 16]!;
    let z3 = coef[i + 48]! * quant[c + 48]!;
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 + z3 * -FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    z2 = coef[i]! * quant[c]!;
    z3 = coef[i + 32]! * quant[c + 32]!;
    let tmp0 = (z2 + z3) * SCALE;
    let tmp1 = (z2 - z3) * SCALE;
    const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    // Odd part
    tmp3 = coef[i + 8]! * quant[c + 8]!;
    tmp2 = coef[i + 24]! * quant[c + 24]!;
    tmp1 = coef[i + 40]! * quant[c + 40]!;
    tmp0 = coef[i + 56]! * quant[c + 56]!;
    let z4 = tmp1 + tmp3;
    z3 = tmp0 + tmp2;
    z2 = tmp1 + tmp2;
    z1 = tmp0 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp3 *= FIX_1_501321110;
    tmp2 *= FIX_3_072711026;
    tmp1 *= FIX_2_053119869;
    tmp0 *= FIX_0_298631336;
    z4 = z4 * -FIX_0_390180644 + z5;
    z3 = z3 * -FIX_1_961570560 + z5;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    tmp3 += z1 + z4;
    tmp2 += z2 + z3;
    tmp1 += z2 + z4;
    tmp0 += z1 + z3;
    const s = CONST_BITS - PASS1_BITS;
    ws[c] = descale(tmp10 + tmp3, s);
    ws[56 + c] = descale(tmp10 - tmp3, s);
    ws[8 + c] = descale(tmp11 + tmp2, s);
    ws[48 + c] = descale(tmp11 - tmp2, s);
    ws[16 + c] = descale(tmp12 + tmp1, s);
    ws[40 + c] = descale(tmp12 - tmp1, s);
    ws[24 + c] = descale(tmp13 + tmp0, s);
    ws[32 + c] = descale(tmp13 - tmp0, s);
  }
  // Pass 2: rows from workspace, results to output samples.
  const s2 = CONST_BITS + PASS1_BITS + 3;
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = oOff + r * stride;
    if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
      const dc = RANGE_LIMIT[descale(ws[w]!, PASS1_BITS + 3) & 1023]!;
      for (let x = 0; x < 8; x++) out[o + x] = dc;
      continue;
    }
    let z2 = ws[w + 2]!;
    let z3 = ws[w + 6]!;
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp0 = (ws[w]! + ws[w + 4]!) * SCALE;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    let tmp1 = (ws[w]! - ws[w + 4]!) * SCALE;
    let tmp2 = z1 + z3 * -FIX_1_847759065;
    const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    tmp3 = ws[w + 1]!;
    tmp2 = ws[w + 3]!;
    tmp1 = ws[w + 5]!;
    tmp0 = ws[w + 7]!;
    let z4 = tmp1 + tmp3;
    z3 = tmp0 + tmp2;
    z2 = tmp1 + tmp2;
    z1 = tmp0 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp3 *= FIX_1_501321110;
    tmp2 *= FIX_3_072711026;
    tmp1 *= FIX_2_053119869;
    tmp0 *= FIX_0_298631336;
    z4 = z4 * -FIX_0_390180644 + z5;
    z3 = z3 * -FIX_1_961570560 + z5;
    z2 *= -FIX_2_562915447;
    z1 *= -FIX_0_899976223;
    tmp3 += z1 + z4;
    tmp2 += z2 + z3;
    tmp1 += z2 + z4;
    tmp0 += z1 + z3;
    out[o] = RANGE_LIMIT[descale(tmp10 + tmp3, s2) & 1023]!;
    out[o + 7] = RANGE_LIMIT[descale(tmp10 - tmp3, s2) & 1023]!;
    out[o + 1] = RANGE_LIMIT[descale(tmp11 + tmp2, s2) & 1023]!;
    out[o + 6] = RANGE_LIMIT[descale(tmp11 - tmp2, s2) & 1023]!;
    out[o + 2] = RANGE_LIMIT[descale(tmp12 + tmp1, s2) & 1023]!;
    out[o + 5] = RANGE_LIMIT[descale(tmp12 - tmp1, s2) & 1023]!;
    out[o + 3] = RANGE_LIMIT[descale(tmp13 + tmp0, s2) & 1023]!;
    out[o + 4] = RANGE_LIMIT[descale(tmp13 - tmp0, s2) & 1023]!;
  }
}
