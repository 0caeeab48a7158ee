// Binary ops with broadcasting on awkward shapes (1, 3, 7, 13, 31) and strided operands (step slices,
// transposes, expands) against a brute-force loop over output indices written here with get().
import { describe, expect, it } from 'vitest';
import { tensor, add, sub, mul, div, pow, maximum, minimum, where, Tensor } from '@patchwise/tensor';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2 || 0.5;
  });
}

/** Element of `t` at output index `idx` under NumPy broadcasting (trailing alignment, size-1 dims repeat). */
function at(t: Tensor, idx: number[]): number {
  const lead = idx.length - t.rank;
  return t.get(...t.shape.map((d, i) => (d === 1 ? 0 : idx[lead + i]!)));
}

function* indices(shape: number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    const idx: number[] = [];
    let r = k;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx.unshift(r % shape[d]!);
      r = Math.floor(r / shape[d]!);
    }
    yield idx;
  }
}

const pairs: [string, () => Tensor, () => Tensor][] = [
  ['[7,1,13] with [3,1]', () => tensor(seeded(91, 1), [7, 1, 13]), () => tensor(seeded(3, 2), [3, 1])],
  ['[1] with [31]', () => tensor([1.5]), () => tensor(seeded(31, 3))],
  ['transposed [13,3] with step-sliced [3]', () => tensor(seeded(39, 4), [3, 13]).transpose(), () => tensor(seeded(9, 5)).slice(0, 1, 9, 3)],
  ['expanded [7,13] with permuted [1,7,13]', () => tensor(seeded(13, 6), [1, 13]).expand(7, 13), () => tensor(seeded(91, 7), [13, 1, 7]).permute(1, 2, 0)],
  ['[3,1,7] sliced from [3,2,7] with [31,1,1,1]', () => tensor(seeded(42, 8), [3, 2, 7]).narrow(1, 1, 1), () => tensor(seeded(31, 9), [31, 1, 1, 1])],
];

const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
  ['pow', pow, (x, y) => Math.pow(Math.abs(x), y)],
  ['maximum', maximum, Math.max],
  ['minimum', minimum, Math.min],
];

describe('broadcast binary ops vs brute force', () => {
  for (const [name, mkA, mkB] of pairs) {
    it(name, () => {
      const a = mkA();
      const b = mkB();
      for (const [op, f, ref] of ops) {
        const lhs = op === 'pow' ? absOf(a) : a; // negative ** fraction is NaN, tested elsewhere
        const r = f(lhs, b);
        const want: number[] = [];
        for (const idx of indices([...r.shape])) want.push(Math.fround(ref(at(a, idx), at(b, idx))));
        expect(Array.from(r.toArray()), op).toEqual(want);
      }
      // where with the same broadcasting: pick a where a > b
      const c = sub(a, b);
      const w = where(c, a, b);
      const want: number[] = [];
      for (const idx of indices([...w.shape])) want.push(at(c, idx) !== 0 ? at(a, idx) : at(b, idx));
      expect(Array.from(w.toArray())).toEqual(want);
    });
  }
});

/** |a| as a tensor (the pow reference takes Math.abs of the base). */
function absOf(a: Tensor): Tensor {
  return maximum(a, mul(a, -1));
}
