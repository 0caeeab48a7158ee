// Reference kernels for data-movement ops: concat, indexSelect, constant pad and where. Optimized for
// readability: each is written as strided copies between views (narrow/select) of the input and output, so
// the only loop is the shared strided loop of ./elementwise.ts. Semantics: torch.cat, torch.index_select,
// torch.nn.functional.pad(mode='constant'), torch.where.

import { registerKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';
import { ternaryLoop, unaryLoop } from './elementwise.js';

/** Writes `inputs` one after another along `axis` of `out` (shapes already validated). */
export type ConcatKernel = (inputs: readonly Tensor[], axis: number, out: Tensor) => void;
/** out.select(axis, k) = x.select(axis, indices[k]) (indices already range-checked). */
export type IndexSelectKernel = (x: Tensor, axis: number, indices: Int32Array, out: Tensor) => void;
/** `pads[d] = [before, after]` for every dim d of x (negative = crop); out is filled with `value` around x. */
export type PadKernel = (x: Tensor, pads: readonly (readonly [number, number])[], value: number, out: Tensor) => void;
/** out = cond != 0 ? a : b, all operands already broadcast to out's shape. */
export type WhereKernel = (cond: Tensor, a: Tensor, b: Tensor, out: Tensor) => void;

declare module '../../registry.js' {
  interface KernelMap {
    concat: ConcatKernel;
    indexSelect: IndexSelectKernel;
    pad: PadKernel;
    where: WhereKernel;
  }
}

/** Copies the elements of `src` into `dst` (same shape, any strides, same dtype). */
export function copyInto(src: Tensor, dst: Tensor): void {
  unaryLoop(src, dst, (v) => v);
}

export const refConcat: ConcatKernel = (inputs, axis, out) => {
  let start = 0;
  for (const t of inputs) {
    const len = t.shape[axis]!;
    copyInto(t, out.narrow(axis, start, len));
    start += len;
  }
};

export const refIndexSelect: IndexSelectKernel = (x, axis, indices, out) => {
  for (let k = 0; k < indices.length; k++) copyInto(x.select(axis, indices[k]!), out.select(axis, k));
};

export const refPad: PadKernel = (x, pads, value, out) => {
  out.data().fill(value, out.offset, out.offset + out.size); // out is a fresh contiguous tensor
  // The part of x that survives (negative pads crop it) and where it lands in out.
  let src = x;
  let dst = out;
  for (let d = 0; d < x.rank; d++) {
    const [before, after] = pads[d]!;
    const srcStart = Math.max(0, -before);
    const srcEnd = x.shape[d]! - Math.max(0, -after);
    const len = Math.max(0, srcEnd - srcStart);
    src = src.narrow(d, Math.min(srcStart, x.shape[d]!), len);
    dst = dst.narrow(d, Math.min(Math.max(0, before), out.shape[d]! - len), len);
  }
  copyInto(src, dst);
};

export const refWhere: WhereKernel = (cond, a, b, out) => {
  ternaryLoop(cond, a, b, out, (c, x, y) => (c !== 0 ? x : y)); // NaN is nonzero, so it selects a (as torch)
};

registerKernel('concat', 'ref', refConcat);
registerKernel('indexSelect', 'ref', refIndexSelect);
registerKernel('pad', 'ref', refPad);
registerKernel('where', 'ref', refWhere);
