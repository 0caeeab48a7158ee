// Reductions: hand-computed sums/means/extrema/variances (arithmetic in comments), axis sets and keepdim,
// NaN and empty-dim behaviour like torch, non-contiguous inputs, and float64 accumulation accuracy.
import { describe, expect, it } from 'vitest';
import {
  tensor, intTensor, arange, zeros, full, scalar, Tensor,
  sum, mean, max, min, argmax, variance, ShapeError, DTypeError,
} from '@patchwise/tensor';

const vals = (t: Tensor): number[] => Array.from(t.toArray());

describe('sum / mean', () => {
  const x = arange(0, 6).view(2, 3); // [[0,1,2],[3,4,5]]
  it('over one axis, several, all; keepdim', () => {
    expect(vals(sum(x, 0))).toEqual([3, 5, 7]); // 0+3, 1+4, 2+5
    expect(vals(sum(x, -1))).toEqual([3, 12]); // 0+1+2, 3+4+5
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).get()).toBe(15);
    expect(sum(x, [0, 1]).get()).toBe(15);
    expect(sum(x, 1, true).shape).toEqual([2, 1]);
    expect(sum(x, undefined, true).shape).toEqual([1, 1]);
    expect(vals(mean(x, 1))).toEqual([1, 4]); // 3/3, 12/3
    expect(mean(x).get()).toBe(2.5); // 15/6
  });

  it('middle axis of a 3-D tensor and a non-contiguous (permuted, sliced) input', () => {
    const y = arange(0, 24).view(2, 3, 4); // y[i,j,k] = 12i + 4j + k
    // sum over j: 3*(12i + k) + (0+4+8) = 36i + 3k + 12
    expect(vals(sum(y, 1))).toEqual([12, 15, 18, 21, 48, 51, 54, 57]);
    const p = y.permute(2, 0, 1).slice(0, 1, 4, 2); // k in {1,3}: [2, 2, 3]
    // sum over (i, j) for fixed k: sum_i sum_j (12i + 4j + k) = 3*12 + 2*12 + 6k = 60 + 6k
    expect(vals(sum(p, [1, 2]))).toEqual([66, 78]);
    expect(vals(mean(p, [2, 1]))).toEqual([11, 13]); // (60 + 6k)/6 = 10 + k
  });

  it('empty reductions: sum = 0, mean = NaN (torch); empty axis list reduces nothing', () => {
    expect(vals(sum(zeros([2, 0]), 1))).toEqual([0, 0]);
    expect(vals(mean(zeros([2, 0]), 1)).every(Number.isNaN)).toBe(true);
    expect(sum(zeros([0, 3]), 1).shape).toEqual([0]);
    expect(vals(sum(tensor([1, 2]), []))).toEqual([1, 2]);
    expect(sum(scalar(4), 0).get()).toBe(4); // 0-d accepts axis 0
  });

  it('accumulates in float64: 2^24 + 1 + 1 + ... is exact where a float32 running sum stalls', () => {
    // float32 running sum: 16777216 + 1 = 16777216 (ties to even), so it would stay at 2^24.
    // Exact: 2^24 + 100 = 16777316, representable in float32 (even).
    const x = tensor([16777216, ...new Array<number>(100).fill(1)]);
    expect(sum(x).get()).toBe(16777316);
    expect(mean(full([1000], 0.1)).get()).toBe(Math.fround(0.1)); // 1000 * fround(0.1) / 1000 rounds back
  });

  it('NaN propagates; inf - inf = NaN', () => {
    expect(Number.isNaN(sum(tensor([1, NaN])).get())).toBe(true);
    expect(Number.isNaN(sum(tensor([Infinity, -Infinity])).get())).toBe(true);
    expect(sum(tensor([Infinity, 1])).get()).toBe(Infinity);
  });

  it('typed errors: int32 input, repeated or out-of-range axis', () => {
    expect(() => sum(intTensor([1]))).toThrow(DTypeError);
    expect(() => sum(zeros([2, 2]), [1, -1])).toThrow(ShapeError);
    expect(() => sum(zeros([2, 2]), 2)).toThrow(ShapeError);
  });
});

describe('max / min / argmax', () => {
  const x = tensor([[3, 7, 7], [-1, -5, 2]]);
  it('values and first index among ties', () => {
    expect(vals(max(x, 1))).toEqual([7, 2]);
    expect(vals(min(x, 0))).toEqual([-1, -5, 2]);
    expect(max(x).get()).toBe(7);
    const a = argmax(x, 1); // row 0: 7 at 1 and 2 -> 1; row 1: 2 at index 2
    expect(a.dtype).toBe('int32');
    expect(vals(a)).toEqual([1, 2]);
    expect(vals(argmax(x, 0))).toEqual([0, 0, 0]); // 3 > -1, 7 > -5, 7 > 2
    expect(argmax(x).get()).toBe(1); // flat index of the first 7
    expect(argmax(x, 1, true).shape).toEqual([2, 1]);
  });

  it('NaN: max/min propagate it, argmax returns the first NaN', () => {
    const y = tensor([[1, NaN, 5, NaN], [NaN, 0, 0, 0]]);
    expect(vals(max(y, 1)).every(Number.isNaN)).toBe(true);
    expect(vals(min(y, 1)).every(Number.isNaN)).toBe(true);
    expect(vals(argmax(y, 1))).toEqual([1, 0]);
    expect(max(tensor([-Infinity, -Infinity])).get()).toBe(-Infinity);
  });

  it('int32 input keeps int32 for max/min; strided input', () => {
    const i = intTensor([[4, 9], [8, 1]]).transpose(); // [[4,8],[9,1]]
    expect(max(i, 1).dtype).toBe('int32');
    expect(vals(max(i, 1))).toEqual([8, 9]);
    expect(vals(argmax(i, 1))).toEqual([1, 0]);
  });

  it('size-0 reduction dims are errors (torch: no identity for max); size-1 is the element', () => {
    expect(() => max(zeros([2, 0]), 1)).toThrow(ShapeError);
    expect(() => argmax(zeros([0]))).toThrow(ShapeError);
    expect(max(zeros([0, 2]), 1).shape).toEqual([0]); // nothing to reduce per output, no outputs
    expect(vals(min(tensor([[5], [6]]), 1))).toEqual([5, 6]);
  });
});

describe('variance', () => {
  it('biased by default, unbiased with correction 1', () => {
    // [1,2,3,4]: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5 -> 5/4 = 1.25, 5/3
    const x = tensor([1, 2, 3, 4]);
    expect(variance(x).get()).toBe(1.25);
    expect(variance(x, 0, { correction: 1 }).get()).toBe(Math.fround(5 / 3));
  });

  it('per row with keepdim, on a transposed input', () => {
    const x = tensor([[1, 10], [3, 10], [5, 10]]).transpose(); // [[1,3,5],[10,10,10]]
    // row 0: mean 3, (4+0+4)/3 = 8/3; row 1: 0
    const v = variance(x, 1, { keepdim: true });
    expect(v.shape).toEqual([2, 1]);
    expect(vals(v)).toEqual([Math.fround(8 / 3), 0]);
  });

  it('two-pass: a large offset does not destroy the result', () => {
    // 1e4 + [0, 1]: the exact variance is 0.25; E[x^2] - E[x]^2 in float32 would give 0 or garbage
    expect(variance(tensor([10000, 10001])).get()).toBe(0.25);
  });

  it('n <= correction gives NaN (torch.var); a single element has biased variance 0', () => {
    expect(Number.isNaN(variance(tensor([3]), 0, { correction: 1 }).get())).toBe(true);
    expect(variance(tensor([3])).get()).toBe(0);
    expect(Number.isNaN(variance(zeros([0])).get())).toBe(true);
  });
});
