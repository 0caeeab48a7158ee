// Reduction op front-ends: sum, mean, max, min, argmax and variance along one axis, several axes or all of
// them, with keepdim. Thin: validate, allocate with empty(), dispatch to the active backend's kernel.
// Semantics match torch.sum / mean / amax / amin / argmax / var (dim=None reduces everything; an empty
// axis list reduces nothing, like NumPy's axis=() rather than torch's legacy dim=[] = all).

import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, empty, normAxis } from '../tensor.js';
import type { DType } from '../storage.js';
import { getKernel } from '../registry.js';
import type { OpName } from '../registry.js';
// Importing the ref kernel module also registers the kernels (side effect).
import '../kernels/ref/reduce.js';

export type { ReduceKernel, VarianceKernel } from '../kernels/ref/reduce.js';

/** Sorted, unique, non-negative axes; undefined = all. A 0-d tensor accepts axis 0 / -1 (as torch does). */
function resolveAxes(op: string, x: Tensor, axis: number | readonly number[] | undefined): number[] {
  if (axis === undefined) return [...Array(x.rank).keys()];
  const list = typeof axis === 'number' ? [axis] : [...axis];
  if (x.rank === 0) {
    if (list.every((a) => a === 0 || a === -1)) return [];
    throw new ShapeError(`${op}: axis ${fmtShape(list)} is out of range for a 0-d tensor`);
  }
  const axes = list.map((a) => normAxis(a, x.rank));
  if (new Set(axes).size !== axes.length) throw new ShapeError(`${op}: axis ${fmtShape(list)} repeats a dimension`);
  return axes.sort((a, b) => a - b);
}

/** Output shape: reduced dims removed, or kept with size 1. */
function reducedShape(x: Tensor, axes: readonly number[], keepdim: boolean): number[] {
  const shape: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (keepdim) shape.push(1);
  });
  return shape;
}

function reduce(
  op: 'sum' | 'mean' | 'max' | 'min' | 'argmax',
  x: Tensor,
  axis: number | readonly number[] | undefined,
  keepdim: boolean,
  opts: { intInput: boolean; outDType: DType | 'same'; needsElements: boolean },
): Tensor {
  if (x.dtype === 'int32' && !opts.intInput) throw new DTypeError(`${op}: expected a float32 tensor, got int32 ${fmtShape(x.shape)}`);
  const axes = resolveAxes(op, x, axis);
  if (opts.needsElements && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot reduce over a size-0 dim of ${fmtShape(x.shape)} (axis ${fmtShape(axes)}): the result is undefined`);
  }
  const dtype = opts.outDType === 'same' ? x.dtype : opts.outDType;
  const out = empty(reducedShape(x, axes, keepdim), dtype as 'float32');
  getKernel(op satisfies OpName)(x, axes, out);
  return out;
}

type Axis = number | readonly number[];

/** Sum over `axis` (all dims when undefined); float64 accumulation, so it is the correctly rounded sum. */
export function sum(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  return reduce('sum', x, axis, keepdim, { intInput: false, outDType: 'float32', needsElements: false });
}

/** Mean over `axis`; the mean of zero elements is NaN (as torch). */
export function mean(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  return reduce('mean', x, axis, keepdim, { intInput: false, outDType: 'float32', needsElements: false });
}

/** Maximum value over `axis` (torch.amax); NaN if any element is NaN. float32 or int32. */
export function max(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  return reduce('max', x, axis, keepdim, { intInput: true, outDType: 'same', needsElements: true });
}

/** Minimum value over `axis` (torch.amin); NaN if any element is NaN. float32 or int32. */
export function min(x: Tensor, axis?: Axis, keepdim = false): Tensor {
  return reduce('min', x, axis, keepdim, { intInput: true, outDType: 'same', needsElements: true });
}

/**
 * Index of the maximum along one axis, as int32 (torch.argmax): the first index among ties, and the first
 * NaN counts as the maximum. With axis undefined, the index into the row-major flattened tensor.
 */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor<'int32'> {
  if (Array.isArray(axis)) throw new ShapeError(`argmax: expected a single axis or undefined, got ${fmtShape(axis as number[])}`);
  return reduce('argmax', x, axis, keepdim, { intInput: true, outDType: 'int32', needsElements: true }) as Tensor<'int32'>;
}

export interface VarianceOptions {
  keepdim?: boolean;
  /** Subtracted from the element count in the divisor: 0 = biased/population (default, as layerNorm), 1 = unbiased (Bessel). */
  correction?: number;
}

/** Variance over `axis`: sum((x - mean)^2) / (n - correction); NaN when n <= correction (as torch.var). */
export function variance(x: Tensor, axis?: Axis, opts: VarianceOptions = {}): Tensor {
  const { keepdim = false, correction = 0 } = opts;
  if (x.dtype !== 'float32') throw new DTypeError(`variance: expected a float32 tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  if (!Number.isInteger(correction) || correction < 0) throw new ShapeError(`variance: correction must be a non-negative integer, got ${correction}`);
  const axes = resolveAxes('variance', x, axis);
  const out = empty(reducedShape(x, axes, keepdim));
  getKernel('variance')(x, axes, correction, out);
  return out;
}
