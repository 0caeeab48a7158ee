// Fast pure-TS layerNorm, row-fused: per row one pass for the sum, one for the centred sum of squares (two-pass
// in float64: as cheap as Welford here and more accurate), one to normalize with the affine folded in.
// Readable version: kernels/ref/norm.ts. Semantics: torch.nn.functional.layer_norm (biased variance).

import type { Tensor } from '../../tensor.js';

/** A length-n dense float32 copy of a 1-D tensor, or null. */
function dense1d(t: Tensor<'float32'> | null): Float32Array | null {
  if (t === null) return null;
  if (t.strides[0] === 1) return t.data().subarray(t.offset, t.offset + t.shape[0]!);
  return t.toArray();
}

export function jsLayerNorm(
  x: Tensor<'float32'>,
  weight: Tensor<'float32'> | null,
  bias: Tensor<'float32'> | null,
  out: Tensor<'float32'>,
  eps: number,
): void {
  const [rows, D] = [x.shape[0]!, x.shape[1]!];
  // Rows with unit stride are read in place; otherwise one dense copy first.
  const xc = x.strides[1] === 1 || D === 1 ? x : x.contiguous();
  const X = xc.data();
  const rs = xc.strides[0]!;
  const O = out.data();
  const W = dense1d(weight);
  const B = dense1d(bias);
  for (let r = 0; r < rows; r++) {
    const xo = xc.offset + r * rs;
    const oo = out.offset + r * D;
    let sum = 0;
    for (let j = 0; j < D; j++) sum += X[xo + j]!;
    const mean = sum / D;
    let sq = 0;
    for (let j = 0; j < D; j++) {
      const d = X[xo + j]! - mean;
      sq += d * d;
    }
    const rstd = 1 / Math.sqrt(sq / D + eps);
    if (W !== null && B !== null) {
      for (let j = 0; j < D; j++) O[oo + j] = (X[xo + j]! - mean) * rstd * W[j]! + B[j]!;
    } else if (W !== null) {
      for (let j = 0; j < D; j++) O[oo + j] = (X[xo + j]! - mean) * rstd * W[j]!;
    } else if (B !== null) {
      for (let j = 0; j < D; j++) O[oo + j] = (X[xo + j]! - mean) * rstd + B[j]!;
    } else {
      for (let j = 0; j < D; j++) O[oo + j] = (X[xo + j]! - mean) * rstd;
    }
  }
}
