// Shared helpers for the tensor tests: seeded random inputs, the elementwise closeness check (which reports
// max-abs, NMSE and the worst element on failure), and the list of backends to test for an op.
// Optimized for one definition of each: the tolerances themselves stay in tolerances.ts (STYLE.md #9).
import { expect } from 'vitest';
import { Tensor, tensor, fromArray, backendsOf, type BackendName } from '@patchwise/tensor';
import type { Tolerance } from './tolerances.js';

/** xorshift32 (Marsaglia 2003): a deterministic stream of uint32 values. Seed 0 becomes 1 (0 is a fixed point). */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** Deterministic float32 values u * scale + shift, u uniform in [-1, 1) (xorshift32 from `seed`). */
export function rand(shape: number[], seed: number, scale = 1, shift = 0): Tensor<'float32'> {
  const next = xorshift32(seed);
  const d = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < d.length; i++) d[i] = (next() / 2 ** 31 - 1) * scale + shift;
  return fromArray(d, shape);
}

/**
 * Small integers round(4u) in [-4, 4], u as in rand(). GEMM results on them are exact in any summation order
 * while every product and partial sum stays below 2^24 (K up to ~10^6), so fast kernels compare with TOL.exact.
 */
export function randInt(shape: number[], seed: number): Tensor<'float32'> {
  const next = xorshift32(seed);
  const d = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < d.length; i++) d[i] = Math.round((next() / 2 ** 31 - 1) * 4);
  return fromArray(d, shape);
}

/** The registered backends of `op` other than 'ref' (the oracle they are compared with). */
export function fastBackendsOf(op: string): BackendName[] {
  return backendsOf(op).filter((b) => b !== 'ref');
}

/** Row-major multi-index of flat element `i` of `shape`, e.g. [1, 0, 2]. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/**
 * Every element within |got - want| <= tol.abs + tol.rel * |want|, or the same value (NaN = NaN, inf = inf),
 * and the same shape. `want` may be a nested array (hand-computed values). A failure names the worst element
 * (largest excess over its allowance; a NaN on one side only counts as the worst), the number outside, and
 * max-abs and NMSE (sum (got - want)^2 / sum want^2 over finite elements) to size the error.
 */
export function expectClose(got: Tensor, want: Tensor | readonly unknown[], tol: Tolerance, what: string): void {
  const wt = want instanceof Tensor ? want : tensor(want);
  expect(got.shape, `${what}: shape`).toEqual(wt.shape);
  const g = got.toArray();
  const w = wt.toArray();
  let outside = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  let maxAbs = 0;
  let err = 0;
  let energy = 0;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const wi = w[i]!;
    const diff = Math.abs(gi - wi);
    if (Number.isFinite(diff)) {
      maxAbs = Math.max(maxAbs, diff);
      err += diff * diff;
      energy += wi * wi;
    }
    if (Object.is(gi, wi) || diff <= tol.abs + tol.rel * Math.abs(wi)) continue;
    outside++;
    const excess = Number.isNaN(diff) ? Infinity : diff - (tol.abs + tol.rel * Math.abs(wi));
    if (excess > worstExcess || worst < 0) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (outside > 0) {
    const nmse = energy > 0 ? err / energy : err > 0 ? Infinity : 0;
    expect.fail(
      `${what}: ${outside} of ${w.length} elements outside abs ${tol.abs} + rel ${tol.rel} * |want|; worst at ` +
        `[${unravel(worst, wt.shape).join(', ')}]: got ${g[worst]}, expected ${w[worst]}; max-abs ${maxAbs}, NMSE ${nmse}`,
    );
  }
}
