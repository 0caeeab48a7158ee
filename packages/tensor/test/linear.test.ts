// linear / prepareLinear: hand-computed y = x W^T + b, weights packed once per backend and reused, fused
// activation epilogues, fast backends vs ref on awkward sizes and non-contiguous x and W, and errors.
import { describe, expect, it } from 'vitest';
import {
  tensor, linear, prepareLinear, gelu, withBackend, getBackend, ShapeError, LinearWeights,
} from '@patchwise/tensor';
import { TOL } from './tolerances.js';
import { rand, expectClose, fastBackendsOf } from './helpers.js';

const fastBackends = fastBackendsOf('linear');

describe('linear: hand-computed', () => {
  for (const be of ['ref', ...fastBackends]) {
    it(`y = x W^T + b (${be})`, () => {
      withBackend(be, () => {
        const x = tensor([[1, 2], [-1, 0.5]]); // [2, in=2]
        const W = tensor([[1, 0], [0, 1], [1, 1]]); // [out=3, in=2]
        const b = tensor([0.5, -1, 0]);
        // row 0: [1 + 0.5, 2 - 1, 1 + 2 + 0] ; row 1: [-1 + 0.5, 0.5 - 1, -1 + 0.5]
        expect(linear(x, W, b).toNested()).toEqual([[1.5, 1, 3], [-0.5, -0.5, -0.5]]);
        // no bias, 3-D input [1, 2, 2] -> [1, 2, 3]
        expect(linear(x.unsqueeze(0), W).toNested()).toEqual([[[1, 2, 3], [-1, 0.5, -0.5]]]);
        // fused relu: max(., 0) of the first result
        const lw = prepareLinear(W, b);
        expect(linear(x, lw, null, { activation: 'relu' }).toNested()).toEqual([[1.5, 1, 3], [0, 0, 0]]);
      });
    });
  }
});

describe('linear: prepared weights', () => {
  for (const be of fastBackends) {
    it(`${be}: packs once at prepare time and reuses the packed form`, () => {
      withBackend(be, () => {
        const lw = prepareLinear(rand([9, 5], 1), rand([9], 2), { pack: true });
        expect(lw).toBeInstanceOf(LinearWeights);
        expect(lw.packed.has(getBackend())).toBe(true);
        const packed = lw.packed.get(getBackend());
        const y1 = linear(rand([3, 5], 3), lw);
        const y2 = linear(rand([3, 5], 3), lw);
        expect(lw.packed.get(getBackend())).toBe(packed); // not repacked
        expect(y2.toNested()).toEqual(y1.toNested());
      });
    });

    it(`${be}: packs lazily on first use`, () => {
      withBackend(be, () => {
        const lw = prepareLinear(rand([4, 3], 1));
        expect(lw.packed.size).toBe(0);
        linear(rand([2, 3], 2), lw);
        expect(lw.packed.has(getBackend())).toBe(true);
      });
    });
  }

  it('ref keeps no packed form', () => {
    withBackend('ref', () => {
      const lw = prepareLinear(rand([4, 3], 1), null, { pack: true });
      linear(rand([2, 3], 2), lw);
      expect(lw.packed.size).toBe(0);
    });
  });
});

describe('linear: fast backends vs ref', () => {
  const sizes = [1, 3, 7, 13, 31, 65, 197, 769];
  for (const be of fastBackends) {
    it(`${be}: awkward sizes, with and without bias and epilogues`, () => {
      const shapes: [number, number, number][] = [];
      for (const s of sizes) shapes.push([s, 13, 7], [7, s, 13], [13, 7, s]);
      shapes.push([197, 768, 65], [31, 300, 9]);
      for (const [M, K, N] of shapes) {
        const x = rand([M, K], M + K);
        const W = rand([N, K], N * 3 + K);
        const b = rand([N], N);
        for (const act of [null, 'gelu', 'geluTanh', 'quickGelu', 'silu', 'relu'] as const) {
          if (act !== null && M * N > 5000) continue; // epilogues on the small shapes only: keeps the test short
          const want = withBackend('ref', () => linear(x, prepareLinear(W, b), null, { activation: act }));
          const got = withBackend(be, () => linear(x, prepareLinear(W, b), null, { activation: act }));
          expectClose(got, want, TOL.f32Kernel, `${be} ${M}x${K}x${N} act=${act}`);
        }
        const want = withBackend('ref', () => linear(x, W));
        expectClose(withBackend(be, () => linear(x, W)), want, TOL.f32Kernel, `${be} ${M}x${K}x${N} no bias`);
      }
    });

    it(`${be}: non-contiguous x, W and bias`, () => {
      const x = rand([3, 20, 17], 1).transpose(0, 1).slice(2, 0, 17, 2); // [20, 3, 9], strided
      const W = rand([9, 11], 2).transpose(); // [11, 9] with strides [1, 11]
      const b = rand([22], 3).slice(0, 0, 22, 2); // [11], stride 2
      const want = withBackend('ref', () => linear(x, W, b));
      expectClose(withBackend(be, () => linear(x, W, b)), want, TOL.f32Kernel, `${be} views`);
    });
  }

  it('a fused epilogue equals the activation applied afterwards (ref)', () => {
    withBackend('ref', () => {
      const x = rand([5, 6], 1);
      const lw = prepareLinear(rand([4, 6], 2), rand([4], 3));
      expectClose(linear(x, lw, null, { activation: 'gelu' }), gelu(linear(x, lw)), TOL.exact, 'fused gelu');
    });
  });
});

describe('linear: edge cases and errors', () => {
  it('size-0 rows and in_features = 0', () => {
    expect(linear(rand([0, 4], 1), rand([3, 4], 2)).shape).toEqual([0, 3]);
    // in = 0: empty sums, so y = b
    expect(linear(rand([2, 0], 1), rand([3, 0], 2), tensor([1, 2, 3])).toNested()).toEqual([[1, 2, 3], [1, 2, 3]]);
  });

  it('errors name the shapes', () => {
    expect(() => linear(rand([2, 5], 1), rand([3, 4], 2))).toThrow(/in_features=4/);
    expect(() => prepareLinear(rand([3, 4], 1), rand([4], 2))).toThrow(ShapeError);
    expect(() => prepareLinear(rand([3], 1))).toThrow(ShapeError);
    expect(() => linear(rand([2, 4], 1), prepareLinear(rand([3, 4], 2)), rand([3], 3))).toThrow(/prepareLinear/);
  });
});
