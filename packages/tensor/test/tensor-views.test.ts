// Views copy nothing and agree with hand-computed layouts (strides in elements, row-major like torch).
import { describe, expect, it } from 'vitest';
import { tensor, arange, ShapeError } from '@patchwise/tensor';

describe('Tensor views', () => {
  it('reshape/permute/slice keep storage and give the right elements', () => {
    const x = arange(0, 24).view(2, 3, 4); // x[i,j,k] = 12i + 4j + k
    expect(x.strides).toEqual([12, 4, 1]);
    const p = x.permute(2, 0, 1); // p[k,i,j] = x[i,j,k]
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.storage).toBe(x.storage);
    expect(p.get(3, 1, 2)).toBe(12 + 8 + 3); // 23
    expect(p.isContiguous()).toBe(false);
    const s = x.slice(2, 1, 4, 2); // k in {1, 3}
    expect(s.shape).toEqual([2, 3, 2]);
    expect(Array.from(s.toArray().subarray(0, 4))).toEqual([1, 3, 5, 7]);
    expect(() => p.view(24)).toThrow(ShapeError);
    expect(Array.from(p.reshape(24).toArray().subarray(0, 3))).toEqual([0, 4, 8]); // k=0: i=0, j=0,1,2
  });

  it('expand gives stride 0 and broadcast values', () => {
    const r = tensor([1, 2, 3], [1, 3]).expand(2, 3);
    expect(r.strides).toEqual([0, 1]);
    expect(Array.from(r.toArray())).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('view merges and splits contiguous chunks of a transposed tensor', () => {
    const x = arange(0, 24).view(2, 3, 4).transpose(0, 1); // [3, 2, 4], strides [4, 12, 1]
    const v = x.view(3, 2, 2, 2); // split last dim: allowed
    expect(v.strides).toEqual([4, 12, 2, 1]);
    expect(() => x.view(6, 4)).toThrow(ShapeError); // merging dims 0,1 is not possible
  });
});
