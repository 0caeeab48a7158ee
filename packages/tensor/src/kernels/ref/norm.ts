// Reference layerNorm over the last dim of a [rows, D] view: two-pass mean and biased variance in float64,
// then (x - mean) / sqrt(var + eps) * weight + bias. Optimized for readability; the oracle for
// kernels/js/norm.ts. Semantics: torch.nn.functional.layer_norm (biased variance, eps inside the sqrt).

import type { Tensor } from '../../tensor.js';

export function refLayerNorm(
  x: Tensor<'float32'>,
  weight: Tensor<'float32'> | null,
  bias: Tensor<'float32'> | null,
  out: Tensor<'float32'>,
  eps: number,
): void {
  const [rows, D] = [x.shape[0]!, x.shape[1]!];
  const X = x.data();
  const O = out.data();
  const W = weight?.data();
  const B = bias?.data();
  const at = (r: number, j: number): number => X[x.offset + r * x.strides[0]! + j * x.strides[1]!]!;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < D; j++) sum += at(r, j);
    const mean = sum / D;
    let sq = 0;
    for (let j = 0; j < D; j++) sq += (at(r, j) - mean) ** 2;
    const variance = sq / D;
    const rstd = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < D; j++) {
      let y = (at(r, j) - mean) * rstd;
      if (weight && W) y *= W[weight.offset + j * weight.strides[0]!]!;
      if (bias && B) y += B[bias.offset + j * bias.strides[0]!]!;
      O[out.offset + r * D + j] = y;
    }
  }
}
