// Reductions on awkward sizes (1, 3, 7, 13, 31) and every axis subset of a 3-D tensor, contiguous and permuted,
// against a brute-force float64 loop written here over get() (an independent oracle: no shared code path).
// Both sum in float64 over the reduced axes in row-major order, so equality is exact (not order luck).
import { describe, expect, it } from 'vitest';
import { tensor, sum, mean, max, min, argmax, variance, Tensor } from '@patchwise/tensor';
import { rand } from './helpers.js';

/** For each kept-index tuple (row-major over the kept dims), the values over the reduced axes (row-major). */
function groups(x: Tensor, axes: number[]): number[][] {
  const kept = [...Array(x.rank).keys()].filter((d) => !axes.includes(d));
  const order = [...kept, ...axes]; // kept dims in the outer loops
  const idx = new Array<number>(x.rank).fill(0);
  const out: number[][] = [];
  let current: number[] = [];
  let lastKey = '';
  const walk = (k: number): void => {
    if (k === order.length) {
      const key = kept.map((d) => idx[d]).join(',');
      if (key !== lastKey || out.length === 0) {
        current = [];
        out.push(current);
        lastKey = key;
      }
      current.push(x.get(...idx));
      return;
    }
    for (let i = 0; i < x.shape[order[k]!]!; i++) {
      idx[order[k]!] = i;
      walk(k + 1);
    }
  };
  walk(0);
  return out;
}

const shapes = [
  [1, 3, 7],
  [13, 1, 31],
  [7, 13, 3],
];
const axisSets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

describe('reductions on awkward sizes vs brute force', () => {
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const base = rand(shape, n, 2); // values in [-2, 2)
    // A non-contiguous view with the same shape: build a reversed-axes tensor and permute it back.
    const rev = tensor(base.permute(2, 1, 0).toArray(), [shape[2]!, shape[1]!, shape[0]!]).permute(2, 1, 0);
    for (const x of [base, rev]) {
      for (const axes of axisSets) {
        it(`${JSON.stringify(shape)} ${x.isContiguous() ? 'contiguous' : 'permuted'} axes ${JSON.stringify(axes)}`, () => {
          const g = groups(x, axes);
          const f32 = (v: number): number => Math.fround(v);
          const s = g.map((vs) => vs.reduce((a, b) => a + b, 0));
          expect(Array.from(sum(x, axes).toArray())).toEqual(s.map(f32));
          expect(Array.from(mean(x, axes).toArray())).toEqual(s.map((v, i) => f32(v / g[i]!.length)));
          expect(Array.from(max(x, axes).toArray())).toEqual(g.map((vs) => Math.max(...vs)));
          expect(Array.from(min(x, axes).toArray())).toEqual(g.map((vs) => Math.min(...vs)));
          const vr = g.map((vs, i) => {
            const m = s[i]! / vs.length;
            return f32(vs.reduce((a, v) => a + (v - m) ** 2, 0) / vs.length);
          });
          expect(Array.from(variance(x, axes).toArray())).toEqual(vr);
          if (axes.length === 1) {
            expect(Array.from(argmax(x, axes[0]).toArray())).toEqual(g.map((vs) => vs.indexOf(Math.max(...vs))));
          }
          expect(sum(x, axes, true).shape).toEqual(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
        });
      }
    }
  }
});
