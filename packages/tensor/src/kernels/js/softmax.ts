// Fast pure-TS softmax / logSoftmax over the last axis, row-fused: one max pass, one pass that writes exp(x - m)
// into the output while summing it, one scaling pass; contiguous rows are read directly, others copied per row.
// Readable version: kernels/ref/softmax.ts. Semantics: torch.softmax / torch.log_softmax.

import type { Tensor } from '../../tensor.js';
import { forEachRow } from '../ref/softmax.js';

/** Softmax (or logSoftmax) of n values at X[xo + j*s] into O[o .. o+n). Exported for the attention kernel. */
export function softmaxRow(X: Float32Array, xo: number, s: number, n: number, O: Float32Array, o: number, log: boolean): void {
  let m = -Infinity;
  for (let j = 0, p = xo; j < n; j++, p += s) {
    const v = X[p]!;
    if (v > m) m = v;
    else if (v !== v) {
      m = v; // NaN: the whole row becomes NaN (x - NaN)
      break;
    }
  }
  if (log) {
    let sum = 0;
    for (let j = 0, p = xo; j < n; j++, p += s) sum += Math.exp(X[p]! - m);
    const ls = Math.log(sum);
    // (x - m) - ls, in this order: x = m = -0 must give +0 like torch, which (x - (m + ls)) would not.
    for (let j = 0, p = xo; j < n; j++, p += s) O[o + j] = X[p]! - m - ls;
    return;
  }
  let sum = 0;
  for (let j = 0, p = xo; j < n; j++, p += s) {
    const e = Math.exp(X[p]! - m);
    O[o + j] = e;
    sum += e;
  }
  // O holds exp rounded to float32; multiplying by the float64 inverse keeps the result within 1 ulp of ref.
  const inv = 1 / sum;
  for (let j = 0; j < n; j++) O[o + j] = O[o + j]! * inv;
}

export function jsSoftmax(x: Tensor<'float32'>, out: Tensor<'float32'>, log: boolean): void {
  const n = x.shape[x.rank - 1]!;
  const s = x.strides[x.rank - 1]!;
  const X = x.data();
  const O = out.data();
  const oo = out.offset;
  if (x.isContiguous()) {
    const rows = out.size / n;
    for (let r = 0; r < rows; r++) softmaxRow(X, x.offset + r * n, 1, n, O, oo + r * n, log);
    return;
  }
  forEachRow(x, (off, row) => softmaxRow(X, off, s, n, O, oo + row * n, log));
}
