// softmax and logSoftmax front-ends along any axis (kernels work on the last axis; other axes are moved there).
// Optimized for a stable, backend-agnostic kernel API; kernels: kernels/ref/softmax.ts, kernels/js/softmax.ts.
// Semantics: torch.softmax / torch.log_softmax (stable; an all -inf row gives NaN; NaN propagates in its row).

import { Tensor, empty, normAxis } from '../tensor.js';
import { ShapeError } from '../errors.js';
import { getKernel, registerKernel } from '../registry.js';
import { refSoftmax } from '../kernels/ref/softmax.js';
import { jsSoftmax } from '../kernels/js/softmax.js';

/**
 * Kernel of softmax over the LAST axis: x [..., n] with any strides (rank >= 1, n >= 1, at least one row);
 * out: contiguous float32 of x's shape. log=true computes logSoftmax.
 */
export type SoftmaxKernel = (x: Tensor<'float32'>, out: Tensor<'float32'>, log: boolean) => void;

declare module '../registry.js' {
  interface KernelMap {
    softmax: SoftmaxKernel;
  }
}

registerKernel('softmax', 'ref', refSoftmax);
registerKernel('softmax', 'js', jsSoftmax);

function runSoftmax(x: Tensor, axis: number, log: boolean, what: string): Tensor<'float32'> {
  const xf = x.assertDType('float32', what);
  if (xf.rank === 0) {
    // torch.softmax of a 0-d tensor is 1 (log: 0), or NaN for NaN/inf inputs; treat it as a 1-element row.
    if (axis !== 0 && axis !== -1) throw new ShapeError(`${what}: axis ${axis} is out of range for a 0-d tensor`);
    return runSoftmax(xf.reshape([1]), 0, log, what).reshape([]);
  }
  const ax = normAxis(axis, xf.rank);
  const last = xf.rank - 1;
  // Move the axis last as a view; the kernel reads any strides.
  const xt = ax === last ? xf : xf.transpose(ax, last);
  const out = empty(xt.shape);
  if (out.size > 0) getKernel('softmax')(xt, out, log);
  return ax === last ? out : out.transpose(ax, last).contiguous();
}

/** exp(x - max) / sum(exp(x - max)) along `axis` (default last), like torch.softmax. */
export function softmax(x: Tensor, axis = -1): Tensor<'float32'> {
  return runSoftmax(x, axis, false, 'softmax');
}

/** (x - max) - log(sum(exp(x - max))) along `axis` (default last), like torch.log_softmax. */
export function logSoftmax(x: Tensor, axis = -1): Tensor<'float32'> {
  return runSoftmax(x, axis, true, 'logSoftmax');
}
