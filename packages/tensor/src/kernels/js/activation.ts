// Fast pure-TS activation kernels: one pass over a contiguous source with the scalar function inlined by V8
// (monomorphic call sites, one loop per function). Readable version: kernels/ref/activation.ts.
// Semantics: torch.nn.functional.gelu (approximate 'none' / 'tanh'), silu, relu; HF QuickGELUActivation.

import type { Tensor } from '../../tensor.js';
import { erf, quickGeluScalar, reluScalar, siluScalar } from '../math.js';

/** The elements of x as a dense array plus offset: x's own storage when contiguous, else a packed copy. */
function denseSource(x: Tensor<'float32'>): { src: Float32Array; off: number } {
  if (x.isContiguous()) return { src: x.data(), off: x.offset };
  return { src: x.toArray(), off: 0 };
}

export function jsGelu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const { src, off } = denseSource(x);
  const o = out.data();
  const n = out.size;
  const oo = out.offset;
  for (let i = 0; i < n; i++) {
    const v = src[off + i]!;
    o[oo + i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
  }
}

/**
 * 0.5 x (1 + tanh(u)) rewritten as x / (1 + exp(-2u)) (the identity 1 + tanh(u) = 2 sigmoid(2u)): one exp
 * instead of Math.tanh, which V8 evaluates several times slower. Same value up to float64 rounding.
 */
export function jsGeluTanh(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const { src, off } = denseSource(x);
  const o = out.data();
  const n = out.size;
  const oo = out.offset;
  const c2 = -2 * 0.7978845608028654; // -2 sqrt(2/pi)
  for (let i = 0; i < n; i++) {
    const v = src[off + i]!;
    o[oo + i] = v / (1 + Math.exp(c2 * (v + 0.044715 * v * v * v)));
  }
}

export function jsQuickGelu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const { src, off } = denseSource(x);
  const o = out.data();
  const n = out.size;
  const oo = out.offset;
  for (let i = 0; i < n; i++) o[oo + i] = quickGeluScalar(src[off + i]!);
}

export function jsSilu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const { src, off } = denseSource(x);
  const o = out.data();
  const n = out.size;
  const oo = out.offset;
  for (let i = 0; i < n; i++) o[oo + i] = siluScalar(src[off + i]!);
}

export function jsRelu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const { src, off } = denseSource(x);
  const o = out.data();
  const n = out.size;
  const oo = out.offset;
  for (let i = 0; i < n; i++) o[oo + i] = reluScalar(src[off + i]!);
}
