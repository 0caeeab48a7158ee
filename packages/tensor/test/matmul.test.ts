// matmul: hand-computed products, torch.matmul shape rules (1-D operands, broadcast batch dims), every
// non-ref backend against the ref kernel on awkward sizes and on non-contiguous views, size-0 dims, errors.
import { describe, expect, it } from 'vitest';
import { Tensor, tensor, intTensor, matmul, withBackend, ShapeError, DTypeError } from '@patchwise/tensor';
import { TOL } from './tolerances.js';
import { rand, expectClose, fastBackendsOf } from './helpers.js';

const fastBackends = fastBackendsOf('matmul');

describe('matmul: hand-computed', () => {
  for (const be of ['ref', ...fastBackends]) {
    it(`2x2 @ 2x2 and transposed views (${be})`, () => {
      withBackend(be, () => {
        const a = tensor([[1, 2], [3, 4]]);
        const b = tensor([[5, 6], [7, 8]]);
        // [1*5+2*7, 1*6+2*8; 3*5+4*7, 3*6+4*8]
        expect(matmul(a, b).toNested()).toEqual([[19, 22], [43, 50]]);
        // a @ b^T: [1*5+2*6, 1*7+2*8; 3*5+4*6, 3*7+4*8]
        expect(matmul(a, b.transpose()).toNested()).toEqual([[17, 23], [39, 53]]);
        // a^T @ b: [1*5+3*7, 1*6+3*8; 2*5+4*7, 2*6+4*8]
        expect(matmul(a.transpose(), b).toNested()).toEqual([[26, 30], [38, 44]]);
      });
    });

    it(`1-D operands follow torch.matmul (${be})`, () => {
      withBackend(be, () => {
        const u = tensor([1, 2, 3]);
        const dot = matmul(u, tensor([4, 5, 6])); // 4 + 10 + 18
        expect(dot.shape).toEqual([]);
        expect(dot.get()).toBe(32);
        const m = tensor([[1, 0], [0, 1], [1, 1]]); // [3, 2]
        const vm = matmul(u, m); // [1+3, 2+3]
        expect(vm.shape).toEqual([2]);
        expect(vm.toNested()).toEqual([4, 5]);
        const mv = matmul(m.transpose(), u); // [2, 3] @ [3] = [1+3, 2+3]
        expect(mv.shape).toEqual([2]);
        expect(mv.toNested()).toEqual([4, 5]);
        const bv = matmul(tensor([[[1, 2]], [[3, 4]]]), tensor([1, 1])); // [2, 1, 2] @ [2] -> [2, 1]: [3], [7]
        expect(bv.toNested()).toEqual([[3], [7]]);
      });
    });

    it(`broadcasts batch dims (${be})`, () => {
      withBackend(be, () => {
        const a = rand([2, 1, 3, 4], 1);
        const b = rand([5, 4, 2], 2);
        const c = matmul(a, b);
        expect(c.shape).toEqual([2, 5, 3, 2]);
        // Independent check with get(): c[i, j] = a[i, 0] @ b[j]
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 5; j++)
            for (let r = 0; r < 3; r++)
              for (let q = 0; q < 2; q++) {
                let s = 0;
                for (let k = 0; k < 4; k++) s += a.get(i, 0, r, k) * b.get(j, k, q);
                expect(c.get(i, j, r, q)).toBeCloseTo(s, 6);
              }
      });
    });
  }
});

describe('matmul: fast backends vs ref', () => {
  const sizes = [1, 3, 7, 13, 31, 65, 197, 769];
  const shapes: [number, number, number][] = [];
  for (const s of sizes) shapes.push([s, 13, 7], [7, s, 13], [13, 7, s]);
  shapes.push([197, 769, 65], [65, 31, 197], [4, 300, 9]); // K > the 256 K-block, N not a multiple of 8
  for (const be of fastBackends) {
    it(`${be}: awkward M x K x N`, () => {
      for (const [M, K, N] of shapes) {
        const a = rand([M, K], M * 31 + K);
        const b = rand([K, N], K * 17 + N);
        const want = withBackend('ref', () => matmul(a, b));
        expectClose(withBackend(be, () => matmul(a, b)), want, TOL.f32Kernel, `${be} ${M}x${K}x${N}`);
      }
    });

    it(`${be}: non-contiguous views (transposed, sliced, expanded, batched)`, () => {
      const ref = (x: Tensor, y: Tensor): Tensor => withBackend('ref', () => matmul(x, y));
      const fast = (x: Tensor, y: Tensor): Tensor => withBackend(be, () => matmul(x, y));
      const cases: [string, Tensor, Tensor][] = [
        ['a^T, b^T', rand([65, 13], 1).transpose(), rand([31, 65], 2).transpose()],
        ['strided slices', rand([40, 30], 3).slice(0, 1, 40, 3).slice(1, 0, 30, 2), rand([15, 20], 4).slice(1, 2, 19)],
        ['expanded rows (stride 0)', rand([1, 9], 5).expand(7, 9), rand([9, 11], 6)],
        ['broadcast batch of views', rand([3, 1, 12, 5], 7).transpose(-1, -2), rand([4, 12, 6], 8).slice(0, 0, 4, 1)],
        ['permuted heads [B,H,T,D]', rand([2, 9, 3, 8], 9).permute(0, 2, 1, 3), rand([2, 9, 3, 8], 10).permute(0, 2, 3, 1)],
      ];
      for (const [name, x, y] of cases) expectClose(fast(x, y), ref(x, y), TOL.f32Kernel, `${be} ${name}`);
    });
  }
});

describe('matmul: edge cases', () => {
  for (const be of ['ref', ...fastBackends]) {
    it(`size-0 and size-1 dims (${be})`, () => {
      withBackend(be, () => {
        expect(matmul(rand([0, 4], 1), rand([4, 3], 2)).shape).toEqual([0, 3]);
        expect(matmul(rand([2, 4], 1), rand([4, 0], 2)).shape).toEqual([2, 0]);
        expect(matmul(rand([0, 2, 4], 1), rand([4, 3], 2)).shape).toEqual([0, 2, 3]);
        // K = 0: an empty sum is 0 everywhere
        expect(matmul(rand([2, 0], 1), rand([0, 3], 2)).toNested()).toEqual([[0, 0, 0], [0, 0, 0]]);
        // 1x1x1: 2 * -3
        expect(matmul(tensor([[2]]), tensor([[-3]])).toNested()).toEqual([[-6]]);
      });
    });

    it(`NaN and inf propagate (${be})`, () => {
      withBackend(be, () => {
        const c = matmul(tensor([[NaN, 1], [1, 1]]), tensor([[1, 0], [Infinity, 1]]));
        // row 0: [NaN*1 + 1*inf, NaN*0 + 1*1] = [NaN, NaN]; row 1: [1 + inf, 0 + 1] = [inf, 1]
        expect(c.toNested()).toEqual([[NaN, NaN], [Infinity, 1]]);
      });
    });
  }

  it('errors name the shapes', () => {
    expect(() => matmul(rand([2, 3], 1), rand([4, 5], 2))).toThrow(ShapeError);
    expect(() => matmul(rand([2, 3], 1), rand([4, 5], 2))).toThrow(/\[2, 3\] @ \[4, 5\]/);
    expect(() => matmul(rand([2, 2, 3], 1), rand([3, 3, 5], 2))).toThrow(/batch dims/);
    expect(() => matmul(tensor([]).reshape([]), rand([3], 2))).toThrow(ShapeError);
    expect(() => matmul(intTensor([[1]]), rand([1, 1], 2))).toThrow(DTypeError);
  });
});
