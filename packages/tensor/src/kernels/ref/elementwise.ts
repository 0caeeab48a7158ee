// Reference kernels for elementwise ops: unary math (neg, abs, exp, log, sqrt, rsqrt, tanh, erf, sigmoid) and
// binary arithmetic (add, sub, mul, div, pow, maximum, minimum) over strided operands already broadcast to
// the output shape. Optimized for readability (one scalar function per op, one strided loop); this is the
// oracle and, since these ops are memory-bound and rare in the ViT, also the only kernel. Semantics follow
// torch's CPU kernels (aten/src/ATen/native/BinaryOps.cpp, UnaryOps.cpp): NaN propagates, pow(1, NaN) = 1.

import { registerKernel } from '../../registry.js';
import { erf as erfScalar } from '../math.js';
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
// One scalar erf serves every kernel (elementwise erf and the GELUs): kernels/math.ts, accurate to ~2e-15
// relative, so rounding it to float32 gives the correctly rounded value except in rare near-ties (torch.erf,
// a float32 polynomial, is within 1 ulp of that: test/elementwise-erf.test.ts).
export { erfScalar };

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
