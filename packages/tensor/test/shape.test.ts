// concat/stack/split/indexSelect/pad/where against hand-computed results (torch.cat, torch.stack,
// torch.split, torch.index_select, F.pad constant, torch.where), on contiguous and strided inputs.
import { describe, expect, it } from 'vitest';
import {
  tensor, intTensor, arange, zeros, Tensor,
  concat, stack, split, indexSelect, pad, where, ShapeError, DTypeError,
} from '@patchwise/tensor';

const vals = (t: Tensor): number[] => Array.from(t.toArray());

describe('concat / stack', () => {
  it('concat along axis 0 and 1', () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    expect(vals(concat([a, b], 0))).toEqual([1, 2, 3, 4, 5, 6]); // [[1,2],[3,4],[5,6]]
    const c = tensor([[7], [8]]);
    const r = concat([a, c], -1); // [[1,2,7],[3,4,8]]
    expect(r.shape).toEqual([2, 3]);
    expect(vals(r)).toEqual([1, 2, 7, 3, 4, 8]);
  });

  it('concat of non-contiguous views and size-0 parts', () => {
    const x = arange(0, 6).view(2, 3).transpose(); // [[0,3],[1,4],[2,5]]
    const e = zeros([0, 2]);
    const r = concat([e, x, e, x.slice(0, 2, 3)], 0); // rows: x, then [2,5]
    expect(r.shape).toEqual([4, 2]);
    expect(vals(r)).toEqual([0, 3, 1, 4, 2, 5, 2, 5]);
  });

  it('concat int32 keeps int32; mismatches throw typed errors', () => {
    const r = concat([intTensor([1, 2]), intTensor([3])]);
    expect(r.dtype).toBe('int32');
    expect(vals(r)).toEqual([1, 2, 3]);
    expect(() => concat([tensor([[1, 2]]), tensor([[1, 2, 3]])], 0)).toThrow(ShapeError);
    expect(() => concat([tensor([1]), intTensor([1])] as Tensor[])).toThrow(DTypeError);
    expect(() => concat([])).toThrow(ShapeError);
  });

  it('stack adds a new axis at 0, middle or end', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(stack([a, b]).shape).toEqual([2, 2]);
    expect(vals(stack([a, b], 0))).toEqual([1, 2, 3, 4]); // [[1,2],[3,4]]
    const r = stack([a, b], -1); // [[1,3],[2,4]]
    expect(r.shape).toEqual([2, 2]);
    expect(vals(r)).toEqual([1, 3, 2, 4]);
    expect(stack([intTensor([1]), intTensor([2])], 1).dtype).toBe('int32');
    expect(() => stack([a, tensor([1, 2, 3])])).toThrow(ShapeError);
  });
});

describe('split', () => {
  it('chunk size: last chunk smaller; the parts are views', () => {
    const x = arange(0, 7);
    const parts = split(x, 3); // [0,1,2] [3,4,5] [6]
    expect(parts.map((p) => p.shape[0])).toEqual([3, 3, 1]);
    expect(parts.map(vals)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(parts[1]!.storage).toBe(x.storage);
  });

  it('explicit sizes along axis 1 of a 2-D tensor (qkv style)', () => {
    const x = arange(0, 12).view(2, 6);
    const [q, k, v] = split(x, [1, 2, 3], -1);
    expect(vals(q!)).toEqual([0, 6]);
    expect(vals(k!)).toEqual([1, 2, 7, 8]);
    expect(vals(v!)).toEqual([3, 4, 5, 9, 10, 11]);
    expect(() => split(x, [1, 2], 1)).toThrow(ShapeError); // 1 + 2 != 6
    expect(() => split(x, 0, 1)).toThrow(ShapeError);
  });
});

describe('indexSelect', () => {
  it('rows and columns, repeated and out-of-order indices', () => {
    const x = arange(0, 6).view(3, 2); // [[0,1],[2,3],[4,5]]
    expect(vals(indexSelect(x, 0, [2, 0, 2]))).toEqual([4, 5, 0, 1, 4, 5]);
    const r = indexSelect(x, 1, intTensor([1])); // [[1],[3],[5]]
    expect(r.shape).toEqual([3, 1]);
    expect(vals(r)).toEqual([1, 3, 5]);
    expect(indexSelect(x, 0, []).shape).toEqual([0, 2]);
  });

  it('strided input and int32 data (an embedding lookup)', () => {
    const table = intTensor([10, 11, 12, 13, 14, 15], [3, 2]).transpose(); // [[10,12,14],[11,13,15]]
    expect(vals(indexSelect(table, 1, [2, 1]))).toEqual([14, 12, 15, 13]);
  });

  it('out-of-range, negative and non-int32 indices are errors', () => {
    const x = zeros([3, 2]);
    expect(() => indexSelect(x, 0, [3])).toThrow(/index 3.*size 3/);
    expect(() => indexSelect(x, 0, [-1])).toThrow(ShapeError);
    expect(() => indexSelect(x, 0, tensor([0]))).toThrow(DTypeError);
  });
});

describe('pad', () => {
  it('last dim only, then last two dims (torch order: last dim first)', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(vals(pad(x, [1, 0]))).toEqual([0, 1, 2, 0, 3, 4]); // [[0,1,2],[0,3,4]]
    const r = pad(x, [0, 1, 1, 0], 9); // one 9 column right, one 9 row on top: [[9,9,9],[1,2,9],[3,4,9]]
    expect(r.shape).toEqual([3, 3]);
    expect(vals(r)).toEqual([9, 9, 9, 1, 2, 9, 3, 4, 9]);
  });

  it('negative pads crop, and pads on a strided view', () => {
    const x = arange(0, 5); // [0,1,2,3,4]
    expect(vals(pad(x, [-1, -2]))).toEqual([1, 2]);
    expect(vals(pad(x, [-2, 1], 7))).toEqual([2, 3, 4, 7]);
    const t = arange(0, 4).view(2, 2).transpose(); // [[0,2],[1,3]]
    expect(vals(pad(t, [1, 1]))).toEqual([0, 0, 2, 0, 0, 1, 3, 0]);
    expect(() => pad(x, [-3, -3])).toThrow(ShapeError);
    expect(() => pad(x, [1])).toThrow(ShapeError);
    expect(pad(intTensor([1]), [1, 0], 5).dtype).toBe('int32');
  });
});

describe('where', () => {
  it('selects with broadcasting and scalars; NaN condition is true', () => {
    const cond = tensor([1, 0, NaN, -0]); // -0 == 0 is false
    expect(vals(where(cond, tensor([1, 2, 3, 4]), tensor([5, 6, 7, 8])))).toEqual([1, 6, 3, 8]);
    const c = intTensor([[1], [0]]); // [2,1] broadcast with [3]
    const r = where(c, arange(0, 3), -1); // [[0,1,2],[-1,-1,-1]]
    expect(r.shape).toEqual([2, 3]);
    expect(vals(r)).toEqual([0, 1, 2, -1, -1, -1]);
  });

  it('keeps NaN values and int32 dtype; rejects mixed dtypes', () => {
    expect(Number.isNaN(where(tensor([1]), NaN, 0).get(0))).toBe(true);
    expect(where(tensor([0]), intTensor([1]), 2).dtype).toBe('int32');
    expect(() => where(tensor([0]), intTensor([1]), tensor([1]))).toThrow(DTypeError);
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), 0)).toThrow(ShapeError);
  });
});
