// interpolate2d against torch.nn.functional.interpolate (tools/torch-refs/interpolate.py ->
// test/data/interpolate/cases.json, torch 1.13 CPU float32), hand-computed bilinear cases, and edge cases.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, arange, full, intTensor, interpolate2d, ShapeError, DTypeError, Tensor } from '@patchwise/tensor';
import type { Interpolate2dOptions } from '@patchwise/tensor';
import { TOL } from './tolerances.js';

interface Case {
  name: string;
  inputShape: number[];
  input: number[];
  options: Interpolate2dOptions;
  outputShape: number[];
  output: number[];
}
const data = JSON.parse(readFileSync(fileURLToPath(new URL('./data/interpolate/cases.json', import.meta.url)), 'utf8')) as { cases: Case[] };
const vals = (t: Tensor): number[] => Array.from(t.toArray());

describe('interpolate2d vs torch', () => {
  for (const c of data.cases) {
    it(c.name, () => {
      const x = tensor(Float32Array.from(c.input), c.inputShape);
      const y = interpolate2d(x, c.options);
      expect(y.shape).toEqual(c.outputShape);
      const got = y.toArray();
      // nearest copies values: exact. Others: float32 rounding of torch's weights (see TOL.f32Resample).
      const tol = c.options.mode === 'nearest' ? TOL.exact : TOL.f32Resample;
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        const want = c.output[i]!;
        worst = Math.max(worst, Math.abs(got[i]! - want) - tol.rel * Math.abs(want));
      }
      expect(worst).toBeLessThanOrEqual(tol.abs);
    });
  }
});

describe('interpolate2d by hand', () => {
  it('bilinear align_corners 2x2 -> 3x3 puts the averages between corners', () => {
    // [[0,1],[2,3]] -> edges at midpoints (0+1)/2 = 0.5, (0+2)/2 = 1, ..., centre (0+1+2+3)/4 = 1.5
    const y = interpolate2d(tensor([0, 1, 2, 3], [1, 1, 2, 2]), { size: [3, 3], mode: 'bilinear', alignCorners: true });
    expect(vals(y)).toEqual([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });

  it('bilinear half-pixel 1x2 -> 1x4: src = 0.5*(i + 0.5) - 0.5 = [-0.25 -> 0, 0.25, 0.75, 1.25]', () => {
    // in [0, 4]: 0 | 0.75*0 + 0.25*4 = 1 | 0.25*0 + 0.75*4 = 3 | past the last pixel -> 4
    const y = interpolate2d(tensor([0, 4], [1, 1, 1, 2]), { size: [1, 4], mode: 'bilinear' });
    expect(vals(y)).toEqual([0, 1, 3, 4]);
  });

  it('nearest 1x3 -> 1x5: floor(i * 3/5) = [0, 0, 1, 1, 2]', () => {
    const y = interpolate2d(tensor([7, 8, 9], [1, 1, 1, 3]), { size: [1, 5], mode: 'nearest' });
    expect(vals(y)).toEqual([7, 7, 8, 8, 9]);
  });

  it('bicubic and antialias keep a constant image constant (weights sum to 1)', () => {
    const x = full([1, 1, 9, 7], 2.5);
    for (const opts of [
      { size: [20, 5], mode: 'bicubic' },
      { size: [4, 3], mode: 'bicubic', antialias: true },
      { scaleFactor: 1.7, mode: 'bilinear', alignCorners: true },
    ] as Interpolate2dOptions[]) {
      for (const v of vals(interpolate2d(x, opts))) expect(Math.abs(v - 2.5)).toBeLessThan(1e-6);
    }
  });
});

describe('interpolate2d inputs and errors', () => {
  it('non-contiguous input (a [1, h, w, D] position table permuted to [1, D, h, w]) equals the contiguous copy', () => {
    const table = arange(0, 4 * 5 * 3).view(1, 4, 5, 3).permute(0, 3, 1, 2); // [1, 3, 4, 5], strides [60, 1, 15, 3]
    expect(table.isContiguous()).toBe(false);
    const opts: Interpolate2dOptions = { size: [7, 6], mode: 'bicubic', antialias: false };
    expect(vals(interpolate2d(table, opts))).toEqual(vals(interpolate2d(table.contiguous(), opts)));
    const aa: Interpolate2dOptions = { size: [3, 2], mode: 'bicubic', antialias: true };
    expect(vals(interpolate2d(table, aa))).toEqual(vals(interpolate2d(table.contiguous(), aa)));
  });

  it('N = 0 gives an empty output; typed errors for bad arguments', () => {
    expect(interpolate2d(full([0, 2, 3, 3], 1), { size: [5, 5], mode: 'bilinear' }).shape).toEqual([0, 2, 5, 5]);
    const x = full([1, 1, 4, 4], 1);
    expect(() => interpolate2d(full([4, 4], 1), { size: [2, 2], mode: 'bilinear' })).toThrow(ShapeError);
    expect(() => interpolate2d(x, { mode: 'bilinear' })).toThrow(/exactly one of size and scaleFactor/);
    expect(() => interpolate2d(x, { size: [2, 2], scaleFactor: 2, mode: 'bilinear' })).toThrow(ShapeError);
    expect(() => interpolate2d(x, { size: [2, 2], mode: 'nearest', alignCorners: false })).toThrow(ShapeError);
    expect(() => interpolate2d(x, { size: [2, 2], mode: 'nearest', antialias: true })).toThrow(ShapeError);
    expect(() => interpolate2d(x, { scaleFactor: 0.1, mode: 'bilinear' })).toThrow(/empty/);
    expect(() => interpolate2d(x, { size: [0, 2], mode: 'bilinear' })).toThrow(ShapeError);
    expect(() => interpolate2d(intTensor([1, 2, 3, 4], [1, 1, 2, 2]), { size: [2, 2], mode: 'bilinear' })).toThrow(DTypeError);
  });
});
