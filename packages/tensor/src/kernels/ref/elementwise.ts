// Reference kernels for elementwise ops: unary math (neg, abs, exp, log, sqrt, rsqrt, tanh, erf, sigmoid) and
// binary arithmetic (add, sub, mul, div, pow, maximum, minimum) over strided operands already broadcast to
// the output shape. Optimized for readability (one scalar function per op, one strided loop); this is the
// oracle and, since these ops are memory-bound and rare in the ViT, also the only kernel. Semantics follow
// torch's CPU kernels (aten/src/ATen/native/BinaryOps.cpp, UnaryOps.cpp): NaN propagates, pow(1, NaN) = 1.

import { registerKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';

/** out[i] = f(a[i], b[i]); `a` and `b` already have out's shape (broadcast dims have stride 0). */
export type BinaryKernel = (a: Tensor, b: Tensor, out: Tensor) => void;
/** out[i] = f(x[i]); `x` has out's shape. */
export type UnaryKernel = (x: Tensor, out: Tensor) => void;

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export const UNARY_OPS = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'erf', 'sigmoid'] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];
export type UnaryOpName = (typeof UNARY_OPS)[number];

declare module '../../registry.js' {
  interface KernelMap {
    add: BinaryKernel;
    sub: BinaryKernel;
    mul: BinaryKernel;
    div: BinaryKernel;
    pow: BinaryKernel;
    maximum: BinaryKernel;
    minimum: BinaryKernel;
    neg: UnaryKernel;
    abs: UnaryKernel;
    exp: UnaryKernel;
    log: UnaryKernel;
    sqrt: UnaryKernel;
    rsqrt: UnaryKernel;
    tanh: UnaryKernel;
    erf: UnaryKernel;
    sigmoid: UnaryKernel;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Strided loops. All dims but the last advance like an odometer; the last dim is the inner loop. Math is
// done in float64 (JS numbers) and rounded once on the store into the Float32Array, which for + - * / and
// sqrt gives exactly the correctly rounded float32 result (float64 has > 2*24+2 bits, so the double rounding
// is innocuous), the same value torch computes in float32.

/** Calls f on every element of `out`'s index space, writing f(a, b) to out. */
export function binaryLoop(a: Tensor, b: Tensor, out: Tensor, f: (x: number, y: number) => number): void {
  const n = out.size;
  if (n === 0) return;
  const A = a.data();
  const B = b.data();
  const O = out.data();
  const rank = out.rank;
  if (rank === 0) {
    O[out.offset] = f(A[a.offset]!, B[b.offset]!);
    return;
  }
  const shape = out.shape;
  const last = shape[rank - 1]!;
  const sa = a.strides[rank - 1]!;
  const sb = b.strides[rank - 1]!;
  const so = out.strides[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let pa = a.offset;
  let pb = b.offset;
  let po = out.offset;
  for (let r = n / last; r > 0; r--) {
    for (let j = 0; j < last; j++) O[po + j * so] = f(A[pa + j * sa]!, B[pb + j * sb]!);
    for (let d = rank - 2; d >= 0; d--) {
      pa += a.strides[d]!;
      pb += b.strides[d]!;
      po += out.strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      pa -= a.strides[d]! * shape[d]!;
      pb -= b.strides[d]! * shape[d]!;
      po -= out.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** out[i] = f(c[i], a[i], b[i]) for three operands of out's shape (used by `where`). */
export function ternaryLoop(c: Tensor, a: Tensor, b: Tensor, out: Tensor, f: (z: number, x: number, y: number) => number): void {
  const n = out.size;
  if (n === 0) return;
  const C = c.data();
  const A = a.data();
  const B = b.data();
  const O = out.data();
  const rank = out.rank;
  if (rank === 0) {
    O[out.offset] = f(C[c.offset]!, A[a.offset]!, B[b.offset]!);
    return;
  }
  const shape = out.shape;
  const last = shape[rank - 1]!;
  const sc = c.strides[rank - 1]!;
  const sa = a.strides[rank - 1]!;
  const sb = b.strides[rank - 1]!;
  const so = out.strides[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let pc = c.offset;
  let pa = a.offset;
  let pb = b.offset;
  let po = out.offset;
  for (let r = n / last; r > 0; r--) {
    for (let j = 0; j < last; j++) O[po + j * so] = f(C[pc + j * sc]!, A[pa + j * sa]!, B[pb + j * sb]!);
    for (let d = rank - 2; d >= 0; d--) {
      pc += c.strides[d]!;
      pa += a.strides[d]!;
      pb += b.strides[d]!;
      po += out.strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      pc -= c.strides[d]! * shape[d]!;
      pa -= a.strides[d]! * shape[d]!;
      pb -= b.strides[d]! * shape[d]!;
      po -= out.strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** out[i] = f(x[i]). */
export function unaryLoop(x: Tensor, out: Tensor, f: (v: number) => number): void {
  binaryLoop(x, x, out, (v) => f(v));
}

// ---------------------------------------------------------------------------------------------------------
// Scalar functions.

/** C99 / torch pow: pow(1, y) = 1 and pow(-1, +-inf) = 1 even for NaN/inf y, where JS Math.pow gives NaN. */
export function powScalar(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** maximum/minimum propagate NaN (torch.maximum), unlike a plain comparison. */
function maxScalar(x: number, y: number): number {
  return x !== x || y !== y ? NaN : Math.max(x, y);
}
function minScalar(x: number, y: number): number {
  return x !== x || y !== y ? NaN : Math.min(x, y);
}

/** Logistic sigmoid; exp(-x) overflows to inf for x < -709, giving exactly 0 as torch does in float32. */
function sigmoidScalar(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

// --- erf in float64 -------------------------------------------------------------------------------------
// Source of the approximation (no copied coefficients; everything is derived at module load):
//  - |x| < 0.5: the Maclaurin series erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
//    (Abramowitz & Stegun 7.1.5), 14 terms: the next term is < 0.25^14/14! ~ 1e-19 relative.
//  - 0.5 <= |x| < 6: piecewise Chebyshev interpolants of degree 20 on intervals of width 0.5. Their values at
//    the Chebyshev nodes are computed once, at load, from the everywhere-convergent series of positive terms
//    erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))  (A&S 7.1.6), summed to float64
//    precision (no cancellation; the running product of ~x^2+40 terms costs ~1e-14 relative). erf is entire,
//    so degree 20 on a width-0.5 interval interpolates well below that (checked in test/elementwise-erf.test.ts).
//  - |x| >= 6: +-1 (erfc(6) = 2.2e-17, below half an ulp of 1 in float64).
// The result is within ~1e-14 relative of erf(x), so rounding it to float32 gives the correctly rounded
// float32 value except in rare near-tie cases; torch.erf (a float32 polynomial) is within 1 float32 ulp.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf(x) by A&S 7.1.6 (slow, ~x^2 + 40 terms): used only to build the Chebyshev tables, and by tests. */
export function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 2000; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-18) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

const TAYLOR_TERMS = 14;
const taylor: number[] = [];
{
  let fact = 1;
  for (let n = 0; n < TAYLOR_TERMS; n++) {
    if (n > 0) fact *= n;
    taylor.push(((n % 2 === 0 ? 1 : -1) * TWO_OVER_SQRT_PI) / (fact * (2 * n + 1)));
  }
}

const CHEB_LO = 0.5;
const CHEB_HI = 6;
const CHEB_WIDTH = 0.5;
const CHEB_DEGREE = 20;
/** Chebyshev coefficients per interval: erf(x) ~ sum_k c[k] T_k(t), t = map of x to [-1, 1]. */
const chebCoeffs: Float64Array[] = [];
{
  const n = CHEB_DEGREE + 1;
  for (let lo = CHEB_LO; lo < CHEB_HI - 1e-12; lo += CHEB_WIDTH) {
    const mid = lo + CHEB_WIDTH / 2;
    const half = CHEB_WIDTH / 2;
    const fvals = new Float64Array(n);
    for (let j = 0; j < n; j++) fvals[j] = erfSeries(mid + half * Math.cos((Math.PI * (j + 0.5)) / n));
    const c = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += fvals[j]! * Math.cos((Math.PI * k * (j + 0.5)) / n);
      c[k] = (2 / n) * s;
    }
    c[0] = c[0]! / 2;
    chebCoeffs.push(c);
  }
}

/** erf(x) in float64, accurate to ~1e-14 relative (see the note above for the method). NaN gives NaN. */
export function erfScalar(x: number): number {
  const ax = Math.abs(x);
  if (ax < CHEB_LO) {
    // Odd Taylor polynomial in Horner form on x^2.
    const x2 = x * x;
    let s = taylor[TAYLOR_TERMS - 1]!;
    for (let n = TAYLOR_TERMS - 2; n >= 0; n--) s = s * x2 + taylor[n]!;
    return x * s;
  }
  if (ax >= CHEB_HI) return x > 0 ? 1 : -1;
  if (ax !== ax) return NaN;
  const i = Math.floor((ax - CHEB_LO) / CHEB_WIDTH);
  const c = chebCoeffs[i]!;
  const t = (ax - (CHEB_LO + i * CHEB_WIDTH)) / (CHEB_WIDTH / 2) - 1;
  // Clenshaw recurrence for sum c[k] T_k(t).
  let b1 = 0;
  let b2 = 0;
  for (let k = CHEB_DEGREE; k >= 1; k--) {
    const b0 = 2 * t * b1 - b2 + c[k]!;
    b2 = b1;
    b1 = b0;
  }
  const r = t * b1 - b2 + c[0]!;
  return x < 0 ? -r : r;
}

// ---------------------------------------------------------------------------------------------------------
// Registration. Integer variants (int32 in, int32 out) exist for the ops where they are exact: add, sub, mul
// (Math.imul: wraps like int32 arithmetic instead of losing bits past 2^53), maximum, minimum, neg, abs.

const floatBinary: Record<BinaryOpName, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: powScalar,
  maximum: maxScalar,
  minimum: minScalar,
};

const intBinary: Partial<Record<BinaryOpName, (x: number, y: number) => number>> = {
  add: (x, y) => (x + y) | 0,
  sub: (x, y) => (x - y) | 0,
  mul: (x, y) => Math.imul(x, y),
  maximum: Math.max,
  minimum: Math.min,
};

const floatUnary: Record<UnaryOpName, (v: number) => number> = {
  neg: (v) => -v,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (v) => 1 / Math.sqrt(v),
  tanh: Math.tanh,
  erf: erfScalar,
  sigmoid: sigmoidScalar,
};

const intUnary: Partial<Record<UnaryOpName, (v: number) => number>> = {
  neg: (v) => -v | 0,
  abs: (v) => Math.abs(v) | 0,
};

/** Ops whose int32 form is defined (the front-end rejects int32 operands for the others). */
export function hasIntForm(op: BinaryOpName | UnaryOpName): boolean {
  return op in intBinary || op in intUnary;
}

for (const op of BINARY_OPS) {
  const ff = floatBinary[op];
  const fi = intBinary[op];
  registerKernel(op, 'ref', (a, b, out) => binaryLoop(a, b, out, out.dtype === 'int32' && fi ? fi : ff));
}
for (const op of UNARY_OPS) {
  const ff = floatUnary[op];
  const fi = intUnary[op];
  registerKernel(op, 'ref', (x, out) => unaryLoop(x, out, out.dtype === 'int32' && fi ? fi : ff));
}
