// broadcastShapes follows torch.broadcast_shapes: trailing dims aligned, 1 stretches, 0 pairs only with 0 or 1.
import { describe, expect, it } from 'vitest';
import { broadcastShapes, ShapeError } from '@patchwise/tensor';

describe('broadcastShapes', () => {
  it('aligns trailing dims and stretches 1s', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes([5], [])).toEqual([5]); // a 0-d scalar broadcasts to anything
    expect(broadcastShapes([], [])).toEqual([]);
    expect(broadcastShapes()).toEqual([]);
    expect(broadcastShapes([1, 1], [1])).toEqual([1, 1]);
    expect(broadcastShapes([7, 1, 3], [1, 5, 1], [3])).toEqual([7, 5, 3]); // three operands
  });

  it('size-0 dims: 0 with 1 gives 0; 0 with 2 is an error', () => {
    expect(broadcastShapes([0, 3], [1, 3])).toEqual([0, 3]);
    expect(broadcastShapes([0], [1])).toEqual([0]);
    expect(() => broadcastShapes([0], [2])).toThrow(ShapeError);
  });

  it('incompatible shapes throw a ShapeError naming both shapes', () => {
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(ShapeError);
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(/\[2, 3\] and \[4, 3\]/);
  });
});
