// Reference softmax / logSoftmax over the last axis: per row, max, then sum of exp(x - max), in float64.
// Optimized for readability; the oracle for kernels/js/softmax.ts. Semantics: torch.softmax / log_softmax
// (max-subtracted; a row of all -inf gives NaN; NaN anywhere in a row makes the whole row NaN).

import type { Tensor } from '../../tensor.js';

/** Calls fn(rowOffset) for every row (all dims but the last) of x, in row-major order. */
export function forEachRow(x: Tensor, fn: (rowOffset: number, rowIndex: number) => void): void {
  const r = x.rank;
  const outer = r <= 1 ? 1 : x.shape.slice(0, r - 1).reduce((p, d) => p * d, 1);
  const idx = new Array<number>(Math.max(0, r - 1)).fill(0);
  for (let t = 0; t < outer; t++) {
    let off = x.offset;
    for (let d = 0; d < r - 1; d++) off += idx[d]! * x.strides[d]!;
    fn(off, t);
    for (let d = r - 2; d >= 0; d--) {
      if (++idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/**
 * out[..., j] = exp(x[..., j] - m) / sum_k exp(x[..., k] - m), m = max_k x[..., k]; with log=true,
 * out = (x - m) - log(sum). x: any strides, rank >= 1; out: contiguous, same shape.
 */
export function refSoftmax(x: Tensor<'float32'>, out: Tensor<'float32'>, log: boolean): void {
  const n = x.shape[x.rank - 1]!;
  const s = x.strides[x.rank - 1]!;
  const X = x.data();
  const O = out.data();
  forEachRow(x, (off, row) => {
    const o = out.offset + row * n;
    let m = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = X[off + j * s]!;
      // NaN > m is false, so track NaN explicitly: it must reach every output of the row.
      if (v > m || v !== v) m = v;
      if (m !== m) break;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(X[off + j * s]! - m);
    // All -inf: m = -inf and x - m = NaN, so every output is NaN, as in torch.
    if (log) {
      const ls = Math.log(sum);
      for (let j = 0; j < n; j++) O[o + j] = X[off + j * s]! - m - ls;
    } else {
      for (let j = 0; j < n; j++) O[o + j] = Math.exp(X[off + j * s]! - m) / sum;
    }
  });
}
