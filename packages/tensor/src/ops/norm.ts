// layerNorm front-end: normalizes over the trailing `normalizedShape` dims, optional elementwise affine.
// Optimized for a stable, backend-agnostic kernel API; kernels: kernels/ref/norm.ts, kernels/js/norm.ts.
// Semantics: torch.nn.functional.layer_norm (biased variance, eps inside the sqrt, default eps 1e-5).

import { Tensor, empty, numel } from '../tensor.js';
import { ShapeError, fmtShape } from '../errors.js';
import { getKernel, registerKernel } from '../registry.js';
import { refLayerNorm } from '../kernels/ref/norm.js';
import { jsLayerNorm } from '../kernels/js/norm.js';

/**
 * Kernel of layerNorm over the last dim: x [rows, D] with any strides (rows, D >= 1); weight and bias [D]
 * (any stride) or null; out: contiguous float32 [rows, D].
 */
export type LayerNormKernel = (
  x: Tensor<'float32'>,
  weight: Tensor<'float32'> | null,
  bias: Tensor<'float32'> | null,
  out: Tensor<'float32'>,
  eps: number,
) => void;

declare module '../registry.js' {
  interface KernelMap {
    layerNorm: LayerNormKernel;
  }
}

registerKernel('layerNorm', 'ref', refLayerNorm);
registerKernel('layerNorm', 'js', jsLayerNorm);

/**
 * (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims given by `normalizedShape` (a number means
 * the last dim), with the biased variance, like torch.nn.functional.layer_norm. weight and bias have shape
 * normalizedShape.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor<'float32'> {
  const xf = x.assertDType('float32', 'layerNorm input');
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const tail = xf.shape.slice(xf.rank - ns.length);
  if (ns.length === 0 || ns.length > xf.rank || tail.some((d, i) => d !== ns[i])) {
    throw new ShapeError(`layerNorm: normalizedShape ${fmtShape(ns)} must match the trailing dims of the input ${fmtShape(xf.shape)}`);
  }
  const D = numel(ns);
  const affine = (t: Tensor | null | undefined, what: string): Tensor<'float32'> | null => {
    if (!t) return null;
    const tf = t.assertDType('float32', `layerNorm ${what}`);
    if (tf.rank !== ns.length || tf.shape.some((d, i) => d !== ns[i])) {
      throw new ShapeError(`layerNorm: ${what} must have shape ${fmtShape(ns)}, got ${fmtShape(tf.shape)}`);
    }
    return tf.reshape([D]);
  };
  const w = affine(weight, 'weight');
  const b = affine(bias, 'bias');
  const out = empty(xf.shape);
  if (out.size === 0) return out;
  const rows = out.size / D;
  getKernel('layerNorm')(xf.reshape([rows, D]), w, b, out.view([rows, D]), eps);
  return out;
}
