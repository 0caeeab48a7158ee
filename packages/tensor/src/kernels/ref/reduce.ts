// Reference kernels for reductions (sum, mean, max, min, argmax, variance) over any set of axes.
// Optimized for readability: the reduced axes are permuted to the end and copied dense, so every output
// element reduces one contiguous row. Sums use float64 accumulators (see `sumRow`). Semantics match torch.sum,
// torch.mean, torch.amax/amin (NaN propagates), torch.argmax (NaN counts as the maximum, first index wins) and
// torch.var(correction=0|1) (two-pass: mean first, then squared deviations).

import { registerKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';
import type { AnyArray } from '../../storage.js';

/** Reduces `x` over `axes` (sorted, unique, already normalized) into the dense `out` of the kept dims. */
export type ReduceKernel = (x: Tensor, axes: readonly number[], out: Tensor) => void;
/** Like ReduceKernel, dividing the squared deviations by (n - correction). */
export type VarianceKernel = (x: Tensor, axes: readonly number[], correction: number, out: Tensor) => void;

declare module '../../registry.js' {
  interface KernelMap {
    sum: ReduceKernel;
    mean: ReduceKernel;
    max: ReduceKernel;
    min: ReduceKernel;
    argmax: ReduceKernel;
    variance: VarianceKernel;
  }
}

/**
 * x's elements as `outer` rows of `inner` contiguous values: row r holds the reduced elements of output
 * element r (kept dims in order, then reduced dims in order, row-major).
 */
export function reductionRows(x: Tensor, axes: readonly number[]): { data: AnyArray; outer: number; inner: number } {
  const kept = [...Array(x.rank).keys()].filter((d) => !axes.includes(d));
  const data = x.permute([...kept, ...axes]).toArray();
  let inner = 1;
  for (const a of axes) inner *= x.shape[a]!;
  const outer = inner === 0 ? kept.reduce((n, d) => n * x.shape[d]!, 1) : data.length / inner;
  return { data, outer, inner };
}

/**
 * Sum of data[start .. start+n) in a float64 accumulator. Why float64: a float32 running sum of n terms
 * drifts by up to ~n * 6e-8 relative (0.05% at n = 150k), and its error depends on the order of summation.
 * The float64 sum of float32 inputs is exact-ish (error ~n * 1e-16), so after one rounding to float32 it is
 * the correctly rounded sum in practice: an order-independent oracle for the fast kernels, and at least as
 * accurate as torch's float32 cascade summation.
 */
function sumRow(data: AnyArray, start: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += data[start + i]!;
  return s;
}

export const refSum: ReduceKernel = (x, axes, out) => {
  const { data, outer, inner } = reductionRows(x, axes);
  const o = out.data();
  for (let r = 0; r < outer; r++) o[out.offset + r] = sumRow(data, r * inner, inner);
};

export const refMean: ReduceKernel = (x, axes, out) => {
  const { data, outer, inner } = reductionRows(x, axes);
  const o = out.data();
  for (let r = 0; r < outer; r++) o[out.offset + r] = sumRow(data, r * inner, inner) / inner; // 0/0 = NaN for empty, as torch
};

function extremum(sign: 1 | -1): ReduceKernel {
  return (x, axes, out) => {
    const { data, outer, inner } = reductionRows(x, axes);
    const o = out.data();
    for (let r = 0; r < outer; r++) {
      let best = data[r * inner]!;
      for (let i = 1; i < inner && best === best; i++) {
        const v = data[r * inner + i]!;
        if (v !== v || (v - best) * sign > 0) best = v; // a NaN wins and stops the scan (torch.amax propagates NaN)
      }
      o[out.offset + r] = best;
    }
  };
}

export const refMax = extremum(1);
export const refMin = extremum(-1);

export const refArgmax: ReduceKernel = (x, axes, out) => {
  const { data, outer, inner } = reductionRows(x, axes);
  const o = out.data();
  for (let r = 0; r < outer; r++) {
    let bi = 0;
    let best = data[r * inner]!;
    for (let i = 1; i < inner && best === best; i++) {
      const v = data[r * inner + i]!;
      if (v !== v || v > best) {
        best = v; // strict '>' keeps the first index among ties; the first NaN wins (torch treats NaN as max)
        bi = i;
      }
    }
    o[out.offset + r] = bi;
  }
};

export const refVariance: VarianceKernel = (x, axes, correction, out) => {
  const { data, outer, inner } = reductionRows(x, axes);
  const o = out.data();
  for (let r = 0; r < outer; r++) {
    const start = r * inner;
    const mean = sumRow(data, start, inner) / inner;
    let ss = 0;
    for (let i = 0; i < inner; i++) {
      const d = data[start + i]! - mean;
      ss += d * d;
    }
    o[out.offset + r] = ss / Math.max(0, inner - correction); // 0/0 = NaN when n <= correction, as torch.var
  }
};

registerKernel('sum', 'ref', refSum);
registerKernel('mean', 'ref', refMean);
registerKernel('max', 'ref', refMax);
registerKernel('min', 'ref', refMin);
registerKernel('argmax', 'ref', refArgmax);
registerKernel('variance', 'ref', refVariance);
