// Reference activation kernels: gather the input in row-major order, then apply the scalar function.
// Optimized for readability; the oracle for kernels/js/activation.ts and the wasm kernels.
// Semantics: torch.nn.functional.gelu (approximate 'none' / 'tanh'), silu, relu; HF QuickGELUActivation.

import { copyStrided } from '../../tensor.js';
import type { Tensor } from '../../tensor.js';
import { geluScalar, geluTanhScalar, quickGeluScalar, reluScalar, siluScalar } from '../math.js';

/** out (contiguous, same shape as x) = f(x) elementwise; x may have any strides. */
function mapUnary(f: (v: number) => number, x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const o = out.data();
  copyStrided(x, o, out.offset);
  for (let i = out.offset, end = out.offset + out.size; i < end; i++) o[i] = f(o[i]!);
}

export function refGelu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  mapUnary(geluScalar, x, out);
}
export function refGeluTanh(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  mapUnary(geluTanhScalar, x, out);
}
export function refQuickGelu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  mapUnary(quickGeluScalar, x, out);
}
export function refSilu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  mapUnary(siluScalar, x, out);
}
export function refRelu(x: Tensor<'float32'>, out: Tensor<'float32'>): void {
  mapUnary(reluScalar, x, out);
}
