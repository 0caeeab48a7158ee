// Shape/data-movement op front-ends: concat, stack, split (views), indexSelect, pad (constant), where.
// Thin: validate with typed errors, allocate with empty(), dispatch to the active backend's kernel.
// Semantics match torch.cat, torch.stack, torch.split, torch.index_select, torch.nn.functional.pad
// (constant mode, pads listed from the last dim backwards) and torch.where (broadcasting all three operands).

import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, empty, normAxis } from '../tensor.js';
import type { DType } from '../storage.js';
import { getKernel } from '../registry.js';
import { broadcastShapes, broadcastTo } from '../broadcast.js';
// Importing the ref kernel module also registers the kernels (side effect).
import '../kernels/ref/shape.js';

export type { ConcatKernel, IndexSelectKernel, PadKernel, WhereKernel } from '../kernels/ref/shape.js';

/** Joins tensors along an existing axis (torch.cat). All must share dtype, rank and every other dim. */
export function concat<D extends DType>(tensors: readonly Tensor<D>[], axis = 0): Tensor<D> {
  if (tensors.length === 0) throw new ShapeError('concat: expected at least one tensor, got none');
  const first = tensors[0]!;
  const ax = normAxis(axis, first.rank);
  let total = 0;
  tensors.forEach((t, i) => {
    if (t.dtype !== first.dtype) throw new DTypeError(`concat: tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
    const same = t.rank === first.rank && t.shape.every((d, k) => k === ax || d === first.shape[k]);
    if (!same) {
      throw new ShapeError(`concat along axis ${axis}: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape.map((d, k) => (k === ax ? -1 : d)))} (-1 = any)`);
    }
    total += t.shape[ax]!;
  });
  const shape = [...first.shape];
  shape[ax] = total;
  const out = empty(shape, first.dtype as 'float32') as unknown as Tensor<D>;
  getKernel('concat')(tensors, ax, out);
  return out;
}

/** Joins same-shaped tensors along a new axis (torch.stack); axis may be -1 .. rank. */
export function stack<D extends DType>(tensors: readonly Tensor<D>[], axis = 0): Tensor<D> {
  if (tensors.length === 0) throw new ShapeError('stack: expected at least one tensor, got none');
  const first = tensors[0]!;
  const ax = normAxis(axis, first.rank + 1);
  tensors.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, tensor 0 has ${fmtShape(first.shape)}; all must match`);
    }
  });
  return concat(tensors.map((t) => t.unsqueeze(ax)), ax);
}

/**
 * Splits along `axis` into views (no copy), like torch.split: a number gives chunks of that size (the last
 * may be smaller); an array gives the exact sizes, which must sum to the dim.
 */
export function split<D extends DType>(x: Tensor<D>, sizes: number | readonly number[], axis = 0): Tensor<D>[] {
  const ax = normAxis(axis, x.rank);
  const dim = x.shape[ax]!;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new ShapeError(`split: chunk size must be a positive integer, got ${sizes}`);
    parts = [];
    for (let s = 0; s < dim; s += sizes) parts.push(Math.min(sizes, dim - s));
    if (dim === 0) parts.push(0); // torch.split of an empty dim returns one empty chunk
  } else {
    parts = [...sizes];
    const sum = parts.reduce((a, b) => a + b, 0);
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || sum !== dim) {
      throw new ShapeError(`split: sizes ${fmtShape(parts)} must be non-negative integers summing to dim ${axis} of ${fmtShape(x.shape)} (${dim}), they sum to ${sum}`);
    }
  }
  const out: Tensor<D>[] = [];
  let start = 0;
  for (const p of parts) {
    out.push(x.narrow(ax, start, p));
    start += p;
  }
  return out;
}

/** Picks entries along `axis` (torch.index_select): out.select(axis, k) = x.select(axis, indices[k]). */
export function indexSelect<D extends DType>(x: Tensor<D>, axis: number, indices: Tensor | readonly number[]): Tensor<D> {
  const ax = normAxis(axis, x.rank);
  let idx: Int32Array;
  if (indices instanceof Tensor) {
    if (indices.dtype !== 'int32') throw new DTypeError(`indexSelect: indices must be an int32 tensor, got ${indices.dtype}`);
    if (indices.rank > 1) throw new ShapeError(`indexSelect: indices must be 0-d or 1-D, got shape ${fmtShape(indices.shape)}`);
    idx = indices.toArray() as Int32Array;
  } else {
    idx = Int32Array.from(indices);
    indices.forEach((v, k) => {
      if (!Number.isInteger(v)) throw new ShapeError(`indexSelect: index ${k} is ${v}, not an integer`);
    });
  }
  const dim = x.shape[ax]!;
  idx.forEach((v, k) => {
    if (v < 0 || v >= dim) throw new ShapeError(`indexSelect: index ${v} (position ${k}) is out of range for dim ${axis} of size ${dim} in ${fmtShape(x.shape)}`);
  });
  const shape = [...x.shape];
  shape[ax] = idx.length;
  const out = empty(shape, x.dtype as 'float32') as unknown as Tensor<D>;
  getKernel('indexSelect')(x, ax, idx, out);
  return out;
}

/**
 * Constant padding like torch.nn.functional.pad: `pads` = [before_last, after_last, before_2nd_last,
 * after_2nd_last, ...] (pairs from the last dim backwards); negative values crop. Returns a new tensor.
 */
export function pad<D extends DType>(x: Tensor<D>, pads: readonly number[], value = 0): Tensor<D> {
  if (pads.length % 2 !== 0 || pads.length / 2 > x.rank) {
    throw new ShapeError(`pad: expected an even number of pads covering at most ${x.rank} dims of ${fmtShape(x.shape)}, got ${fmtShape(pads)}`);
  }
  if (pads.some((p) => !Number.isInteger(p))) throw new ShapeError(`pad: pads must be integers, got ${fmtShape(pads)}`);
  if (x.dtype === 'int32' && !Number.isInteger(value)) throw new DTypeError(`pad: value ${value} is not an integer, but x is int32`);
  const perDim: [number, number][] = x.shape.map(() => [0, 0]);
  for (let k = 0; k < pads.length / 2; k++) perDim[x.rank - 1 - k] = [pads[2 * k]!, pads[2 * k + 1]!];
  const shape = x.shape.map((d, i) => d + perDim[i]![0] + perDim[i]![1]);
  if (shape.some((d) => d < 0)) {
    throw new ShapeError(`pad: pads ${fmtShape(pads)} crop ${fmtShape(x.shape)} to a negative size ${fmtShape(shape)}`);
  }
  const out = empty(shape, x.dtype as 'float32') as unknown as Tensor<D>;
  getKernel('pad')(x, perDim, value, out);
  return out;
}

/**
 * cond ? a : b elementwise (torch.where), broadcasting cond, a and b together. cond is any tensor (nonzero =
 * true, NaN counts as true); a and b are tensors of one dtype or numbers (which take the tensor's dtype).
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const tensors = [a, b].filter((v): v is Tensor => v instanceof Tensor);
  const dts = new Set(tensors.map((t) => t.dtype));
  if (dts.size > 1) throw new DTypeError(`where: a is ${(a as Tensor).dtype}, b is ${(b as Tensor).dtype}; they must match`);
  const dtype: DType = dts.has('int32') ? 'int32' : 'float32';
  const toTensor = (v: Tensor | number, name: string): Tensor => {
    if (v instanceof Tensor) return v;
    if (dtype === 'int32' && !Number.isInteger(v)) throw new DTypeError(`where: ${name} = ${v} is not an integer, but the other operand is int32`);
    const t = empty([], dtype as 'float32');
    t.data()[0] = v;
    return t;
  };
  const ta = toTensor(a, 'a');
  const tb = toTensor(b, 'b');
  const shape = broadcastShapes(cond.shape, ta.shape, tb.shape);
  const out = empty(shape, dtype as 'float32');
  getKernel('where')(broadcastTo(cond, shape), broadcastTo(ta, shape), broadcastTo(tb, shape), out);
  return out;
}
