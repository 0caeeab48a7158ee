// layerNorm: hand-computed values (biased variance, eps inside the sqrt), affine, multi-dim normalizedShape,
// precision on a large mean, edge cases, and fast backends vs ref on awkward sizes and non-contiguous views.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, intTensor, layerNorm, withBackend, ShapeError, DTypeError } from '@patchwise/tensor';
import { TOL } from './tolerances.js';
import { rand, expectClose, fastBackendsOf } from './helpers.js';

const fastBackends = fastBackendsOf('layerNorm');

describe('layerNorm: hand-computed', () => {
  for (const be of ['ref', ...fastBackends]) {
    it(`[1, 2, 3] with and without affine (${be})`, () => {
      withBackend(be, () => {
        // mean 2, biased var (1 + 0 + 1) / 3 = 2/3, 1/sqrt(2/3 + 1e-5) = 1.2247357
        expectClose(layerNorm(tensor([[1, 2, 3]]), 3), [[-1.2247357, 0, 1.2247357]], TOL.f32Hand, 'plain');
        // * [2, 1, 0.5] + [0, 1, -1] -> [-2.4494714, 1, -0.3876322]
        const y = layerNorm(tensor([[1, 2, 3]]), [3], tensor([2, 1, 0.5]), tensor([0, 1, -1]));
        expectClose(y, [[-2.4494714, 1, -0.3876322]], TOL.f32Hand, 'affine');
        // eps = 1: 1/sqrt(2/3 + 1) = 0.7745967
        expectClose(layerNorm(tensor([[1, 2, 3]]), 3, null, null, 1), [[-0.7745967, 0, 0.7745967]], TOL.f32Hand, 'eps 1');
      });
    });

    it(`normalizes over two trailing dims (${be})`, () => {
      withBackend(be, () => {
        // [[0, 2], [4, 6]]: mean 3, var (9 + 1 + 1 + 9) / 4 = 5, 1/sqrt(5 + 1e-5) = 0.4472131
        const y = layerNorm(tensor([[[0, 2], [4, 6]]]), [2, 2]);
        expectClose(y.reshape([4]), [-1.3416393, -0.4472131, 0.4472131, 1.3416393], TOL.f32Hand, '2 dims');
      });
    });

    it(`constant rows, large means, size-1 and size-0 (${be})`, () => {
      withBackend(be, () => {
        // x - mean = 0 exactly, so 0 whatever eps
        expect(layerNorm(tensor([[7, 7, 7, 7]]), 4).toNested()).toEqual([[0, 0, 0, 0]]);
        // D = 1: always 0 (then + bias)
        expect(layerNorm(tensor([[3], [-2]]), 1, null, tensor([0.5])).toNested()).toEqual([[0.5], [0.5]]);
        // mean 10002 with spread 1: two-pass float64 keeps full precision (torch 1.13's float32 kernel gives
        // [-1.2247521, -1.6e-5, 1.2247192] here: ours is the exact value, within its f32Model tolerance of it)
        expectClose(layerNorm(tensor([[10001, 10002, 10003]]), 3), [[-1.2247357, 0, 1.2247357]], TOL.f32Hand, 'large mean');
        expect(layerNorm(rand([0, 5], 1), 5).shape).toEqual([0, 5]);
        // NaN poisons its row
        // row 2: mean 2, var 1, 1/sqrt(1 + 1e-5) = 0.999995
        expectClose(layerNorm(tensor([[1, NaN], [1, 3]]), 2), [[NaN, NaN], [-0.999995, 0.999995]], TOL.f32Hand, 'NaN row');
      });
    });
  }

  it('errors name the shapes', () => {
    expect(() => layerNorm(rand([2, 3], 1), 4)).toThrow(/\[4\].*\[2, 3\]/);
    expect(() => layerNorm(rand([2, 3], 1), 3, rand([4], 2))).toThrow(ShapeError);
    expect(() => layerNorm(rand([2, 3], 1), [2, 3, 1])).toThrow(ShapeError);
    expect(() => layerNorm(intTensor([[1, 2]]), 2)).toThrow(DTypeError);
  });
});

describe('layerNorm: fast backends vs ref', () => {
  for (const be of fastBackends) {
    it(`${be}: awkward widths and views`, () => {
      for (const D of [1, 3, 7, 13, 31, 65, 197, 768, 769]) {
        const x = rand([7, D], D, 3, 0.5);
        const w = rand([D], D + 1);
        const b = rand([D], D + 2);
        for (const [ww, bb] of [[null, null], [w, b], [w, null], [null, b]] as const) {
          const want = withBackend('ref', () => layerNorm(x, D, ww, bb));
          expectClose(withBackend(be, () => layerNorm(x, D, ww, bb)), want, TOL.f32Kernel, `${be} D=${D}`);
        }
      }
      const views: [string, Tensor][] = [
        ['transposed', rand([31, 5], 1).transpose()],
        ['strided', rand([4, 90], 2).slice(1, 3, 90, 2)],
        ['expanded', rand([1, 13], 3).expand(6, 13)],
        ['[B,T,D] permuted', rand([13, 2, 8], 4).permute(1, 0, 2)],
      ];
      for (const [name, x] of views) {
        const D = x.shape[x.rank - 1]!;
        const w = rand([2 * D], 5).slice(0, 0, 2 * D, 2);
        expectClose(withBackend(be, () => layerNorm(x, D, w, w)), withBackend('ref', () => layerNorm(x, D, w, w)), TOL.f32Kernel, `${be} ${name}`);
      }
    });
  }
});
