// Vector math emitted inline into kernels: exp, and the activations (GELU erf / tanh forms, quickGelu, silu, relu)
// on f32x4 values held in locals. Optimized for speed at float32 accuracy: no tables, no branches, a few ulp.
// Readable scalar versions (the oracles): kernels/math.ts (float64). Semantics: torch gelu / silu / relu.
//
// exp: Cody-Waite range reduction x = n ln2 + r, |r| <= ln2/2, then e^r by the degree-6 minimax polynomial of
// Cephes expf (1 + r + r^2 P(r)), and 2^n built in the exponent bits. Inputs below -87.34 give exactly 0 (the
// subnormal range is flushed), inputs above 88.37 saturate at 2^127.5 (no caller needs more: softmax passes
// x - max <= 0, the sigmoid forms only need "huge"); NaN gives NaN.
// erf (for GELU): erfc(z) = t exp(-z^2 - 1.26551223 + t P(t)), t = 1/(1 + z/2), the Chebyshev fit of
// Numerical Recipes §6.2 with relative error below 1.2e-7 for every z >= 0. Because it is relative to erfc, the
// negative half of GELU, 0.5 x erfc(|x|/sqrt 2), stays accurate to ~1e-7 relative even where it is tiny.
// Rejected: Abramowitz-Stegun 7.1.26 (1.5e-7 absolute, so poor relative accuracy in GELU's negative tail).

import type { FuncBuilder } from './emitter.js';

/** Scratch v128 locals of one function, created on first use and shared by every inline expansion. */
export class Temps {
  private readonly map = new Map<string, number>();
  constructor(private readonly f: FuncBuilder) {}
  v(name: string): number {
    let i = this.map.get(name);
    if (i === undefined) {
      i = this.f.local('v128');
      this.map.set(name, i);
    }
    return i;
  }
}

export const EXP_LO = -87.33654;
export const EXP_HI = 88.37626;
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

/** out = exp(x) lane-wise. x and out are v128 locals (may be the same). */
export function emitExp(f: FuncBuilder, t: Temps, x: number, out: number): void {
  const xc = t.v('exp.xc');
  const n = t.v('exp.n');
  const r = t.v('exp.r');
  const p = t.v('exp.p');
  const lo = t.v('exp.lomask');
  // lanes below the range become exactly 0 at the end
  f.get(x).f32x4Const(EXP_LO).f32x4Lt().set(lo);
  f.get(x).f32x4Const(EXP_LO).f32x4Max().f32x4Const(EXP_HI).f32x4Min().set(xc);
  f.get(xc).f32x4Const(LOG2E).f32x4Mul().f32x4Nearest().set(n);
  // r = xc - n*ln2_hi - n*ln2_lo (ln2_hi has few mantissa bits, so n*ln2_hi is exact)
  f.get(xc).get(n).f32x4Const(LN2_HI).f32x4Mul().f32x4Sub();
  f.get(n).f32x4Const(LN2_LO).f32x4Mul().f32x4Sub().set(r);
  // p = ((((P0 r + P1) r + P2) r + P3) r + P4) r + P5
  f.f32x4Const(EXP_P[0]!).get(r).f32x4Mul();
  for (let i = 1; i < EXP_P.length; i++) {
    f.f32x4Const(EXP_P[i]!).f32x4Add();
    if (i < EXP_P.length - 1) f.get(r).f32x4Mul();
  }
  f.set(p);
  // e^r = p r^2 + r + 1
  f.get(p).get(r).f32x4Mul().get(r).f32x4Mul().get(r).f32x4Add().f32x4Const(1).f32x4Add().set(p);
  // 2^n: (n + 127) << 23 as float bits
  f.get(n).i32x4TruncSatF32x4S().i32x4Const(127).i32x4Add().i32Const(23).i32x4Shl().set(n);
  f.get(p).get(n).f32x4Mul();
  f.get(lo).v128Andnot().set(out);
}

/** Activation ops the wasm kernels implement (same names as ops/activation.ts ActivationOp). */
export type WasmActivation = 'gelu' | 'geluTanh' | 'quickGelu' | 'silu' | 'relu';

/** Integer codes of the activations, as passed to the emitted functions (0 = none). */
export const ACT_CODE: Record<WasmActivation, number> = { gelu: 1, geluTanh: 2, quickGelu: 3, silu: 4, relu: 5 };

const NR_ERFC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
];
const SQRT_2_OVER_PI = 0.7978845608028654;

/** x / (1 + exp(-k x')) where x' = arg (a local): the sigmoid-gated forms. Result in `out`. */
function emitSigmoidGate(f: FuncBuilder, t: Temps, x: number, arg: number, out: number): void {
  const e = t.v('act.e');
  f.get(arg).f32x4Neg().set(e);
  emitExp(f, t, e, e);
  f.get(x).get(e).f32x4Const(1).f32x4Add().f32x4Div().set(out);
}

/** out = act(x) lane-wise (x, out: v128 locals; out may equal x). */
export function emitActivation(f: FuncBuilder, t: Temps, act: WasmActivation, x: number, out: number): void {
  const a = t.v('act.a');
  switch (act) {
    case 'relu':
      // x < 0 ? 0 : x, like torch.relu (clamp_min): NaN and -0 pass through (f32x4.max would turn -0 into +0)
      f.get(x).get(x).f32x4Const(0).f32x4Lt().v128Andnot().set(out);
      return;
    case 'silu':
      emitSigmoidGate(f, t, x, x, out);
      return;
    case 'quickGelu':
      f.get(x).f32x4Const(1.702).f32x4Mul().set(a);
      emitSigmoidGate(f, t, x, a, out);
      return;
    case 'geluTanh':
      // 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3): no cancellation near 0.
      f.get(x).get(x).f32x4Mul().f32x4Const(0.044715).f32x4Mul().f32x4Const(1).f32x4Add().get(x).f32x4Mul();
      f.f32x4Const(2 * SQRT_2_OVER_PI).f32x4Mul().set(a);
      emitSigmoidGate(f, t, x, a, out);
      return;
    case 'gelu': {
      const z = t.v('gelu.z');
      const tt = t.v('gelu.t');
      const q = t.v('gelu.q');
      // z = |x| / sqrt 2; t = 1 / (1 + z/2)
      f.get(x).f32x4Abs().f32x4Const(Math.SQRT1_2).f32x4Mul().set(z);
      f.f32x4Const(1).get(z).f32x4Const(0.5).f32x4Mul().f32x4Const(1).f32x4Add().f32x4Div().set(tt);
      // q = -z^2 + (c0 + t (c1 + t (c2 + ...)))
      f.f32x4Const(NR_ERFC[NR_ERFC.length - 1]!);
      for (let i = NR_ERFC.length - 2; i >= 0; i--) f.get(tt).f32x4Mul().f32x4Const(NR_ERFC[i]!).f32x4Add();
      f.get(z).get(z).f32x4Mul().f32x4Sub().set(q);
      emitExp(f, t, q, q);
      f.get(q).get(tt).f32x4Mul().set(q); // erfc(z)
      // 1 + erf(x/sqrt2) = x < 0 ? erfc(z) : 2 - erfc(z)
      f.get(q).f32x4Const(2).get(q).f32x4Sub();
      f.get(x).f32x4Const(0).f32x4Lt().v128Bitselect();
      f.get(x).f32x4Mul().f32x4Const(0.5).f32x4Mul().set(out);
      return;
    }
  }
}
