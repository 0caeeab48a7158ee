// softmax / logSoftmax: hand-computed values, any axis, the named edge cases of tfjs softmax_test (overflow,
// underflow, all -inf, NaN, size-1 and size-0 dims, -0), and fast backends vs ref on awkward sizes and views.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, intTensor, softmax, logSoftmax, withBackend, ShapeError, DTypeError } from '@patchwise/tensor';
import { TOL } from './tolerances.js';
import { rand, expectClose, fastBackendsOf } from './helpers.js';

const fastBackends = fastBackendsOf('softmax');
const F32 = (v: number): number => Math.fround(v);

describe('softmax: hand-computed and edge cases', () => {
  for (const be of ['ref', ...fastBackends]) {
    it(`[1, 2, 3] (${be})`, () => {
      withBackend(be, () => {
        // exp(x - 3) / (e^-2 + e^-1 + 1): 0.1353353/1.5032147, 0.3678794/1.5032147, 1/1.5032147
        expectClose(softmax(tensor([1, 2, 3])), [0.09003057, 0.24472847, 0.66524096], TOL.f32Hand, 'softmax');
        // x - 3 - log(1.5032147) = x - 3 - 0.4076059644 (within half a float32 ulp: rel 6e-8)
        expectClose(logSoftmax(tensor([1, 2, 3])), [-2.4076059644, -1.4076059644, -0.4076059644], TOL.f32HalfUlp, 'logSoftmax');
      });
    });

    it(`axis 0 and axis 1 of a 2-D tensor (${be})`, () => {
      withBackend(be, () => {
        const x = tensor([[0, Math.log(3)], [Math.log(3), 0]]);
        // rows: [1, 3] / 4 and [3, 1] / 4; columns: same by symmetry
        expectClose(softmax(x, 1), [[0.25, 0.75], [0.75, 0.25]], TOL.f32Hand, 'axis 1');
        expectClose(softmax(x, 0), [[0.25, 0.75], [0.75, 0.25]], TOL.f32Hand, 'axis 0');
        const y = tensor([[0, 0], [Math.log(3), 0]]); // columns: [1, 3]/4 and [1, 1]/2
        expectClose(softmax(y, 0), [[0.25, 0.5], [0.75, 0.5]], TOL.f32Hand, 'axis 0 asym');
        expectClose(softmax(y, -2), [[0.25, 0.5], [0.75, 0.5]], TOL.f32Hand, 'axis -2');
      });
    });

    it(`overflow (1e30) and underflow (-1e30) stay finite (${be})`, () => {
      withBackend(be, () => {
        // x - max: [0, -1e30] -> exp: [1, 0]
        expect(softmax(tensor([1e30, 0])).toNested()).toEqual([1, 0]);
        expect(softmax(tensor([-1e30, 0])).toNested()).toEqual([0, 1]);
        expect(softmax(tensor([1e30, 1e30])).toNested()).toEqual([0.5, 0.5]);
        // log: [0, -1e30] - log(1) ; [-1e30, 0]
        expect(logSoftmax(tensor([1e30, 0])).toNested()).toEqual([0, F32(-1e30)]);
        expect(logSoftmax(tensor([-1e30, 0])).toNested()).toEqual([F32(-1e30), 0]);
      });
    });

    it(`-inf entries get 0; a row of all -inf is NaN like torch (${be})`, () => {
      withBackend(be, () => {
        expect(softmax(tensor([-Infinity, 0, -Infinity])).toNested()).toEqual([0, 1, 0]);
        expect(logSoftmax(tensor([-Infinity, 0])).toNested()).toEqual([-Infinity, 0]);
        // max = -inf, x - max = -inf - -inf = NaN
        const r = softmax(tensor([[-Infinity, -Infinity], [0, 0]]));
        expect(r.toNested()).toEqual([[NaN, NaN], [0.5, 0.5]]);
        expect(logSoftmax(tensor([-Infinity, -Infinity])).toNested()).toEqual([NaN, NaN]);
      });
    });

    it(`NaN poisons its row only; +inf gives NaN (${be})`, () => {
      withBackend(be, () => {
        expect(softmax(tensor([[1, NaN, 2], [1, 1, 1]])).toNested()).toEqual([[NaN, NaN, NaN], [1 / 3, 1 / 3, 1 / 3].map(F32)]);
        expect(softmax(tensor([NaN, 1])).toNested()).toEqual([NaN, NaN]);
        expect(logSoftmax(tensor([2, NaN])).toNested()).toEqual([NaN, NaN]);
        // inf - inf = NaN for the max element, then the sum is NaN
        expect(softmax(tensor([Infinity, 1])).toNested()).toEqual([NaN, NaN]);
      });
    });

    it(`size-1, size-0 dims, 0-d and -0 (${be})`, () => {
      withBackend(be, () => {
        expect(softmax(tensor([[5], [-7]])).toNested()).toEqual([[1], [1]]); // one element per row
        expect(logSoftmax(tensor([[5]])).toNested()).toEqual([[0]]);
        expect(softmax(rand([0, 4], 1)).shape).toEqual([0, 4]);
        expect(softmax(rand([3, 0], 1)).shape).toEqual([3, 0]);
        expect(softmax(tensor([2]).reshape([])).get()).toBe(1);
        expect(softmax(tensor([-0, 0])).toNested()).toEqual([0.5, 0.5]); // -0 and +0 are equal inputs
        expect(Object.is(logSoftmax(tensor([-0])).get(0), 0)).toBe(true); // -0 - (-0) - log 1 = +0
      });
    });
  }

  it('errors', () => {
    expect(() => softmax(tensor([1, 2]), 1)).toThrow(ShapeError);
    expect(() => softmax(intTensor([1, 2]))).toThrow(DTypeError);
  });
});

describe('softmax: fast backends vs ref', () => {
  for (const be of fastBackends) {
    it(`${be}: awkward row lengths, scales and views`, () => {
      for (const n of [1, 3, 7, 13, 31, 65, 197, 769]) {
        for (const scale of [1, 30]) {
          const x = rand([5, n], n + scale, scale);
          for (const log of [false, true]) {
            const f = log ? logSoftmax : softmax;
            expectClose(withBackend(be, () => f(x)), withBackend('ref', () => f(x)), TOL.f32Kernel, `${be} n=${n} scale=${scale} log=${log}`);
          }
        }
      }
      const views: [string, Tensor, number][] = [
        ['transposed', rand([13, 7], 1).transpose(), -1],
        ['strided slice', rand([6, 40], 2).slice(1, 1, 40, 3), -1],
        ['expanded', rand([1, 9], 3).expand(4, 9), -1],
        ['middle axis', rand([3, 65, 5], 4), 1],
        ['scores [B,H,T,T] axis -1', rand([2, 3, 13, 13], 5, 8).permute(0, 2, 1, 3), -1],
      ];
      for (const [name, x, axis] of views) {
        for (const f of [softmax, logSoftmax]) {
          expectClose(withBackend(be, () => f(x, axis)), withBackend('ref', () => f(x, axis)), TOL.f32Kernel, `${be} ${name}`);
        }
      }
    });
  }
});
