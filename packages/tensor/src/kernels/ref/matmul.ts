// Reference matmul and linear kernels: the triple loop, accumulating in float64, reading operands through
// their strides. Optimized for readability; the oracle for kernels/js/gemm.ts and the wasm GEMM.
// Semantics: torch.matmul (batched, broadcast batch dims) and torch.nn.functional.linear (W is [out, in]).

import type { Tensor } from '../../tensor.js';
import type { LinearWeights } from '../../ops/matmul.js';
import type { ActivationOp } from '../../ops/activation.js';
import { ACTIVATION_SCALARS } from '../math.js';

/**
 * Calls fn(aOffset, bOffset, outOffset) for every batch index of out [...batch, M, N], where a and b have the
 * same batch shape as out (broadcast dims have stride 0) and out is contiguous.
 */
export function forEachBatch(
  a: Tensor,
  b: Tensor,
  out: Tensor,
  fn: (aOff: number, bOff: number, outOff: number) => void,
): void {
  const nb = out.rank - 2;
  const batchShape = out.shape.slice(0, nb);
  let count = 1;
  for (const d of batchShape) count *= d;
  const matSize = out.shape[nb]! * out.shape[nb + 1]!;
  const idx = new Array<number>(nb).fill(0);
  for (let t = 0; t < count; t++) {
    let ao = a.offset;
    let bo = b.offset;
    for (let d = 0; d < nb; d++) {
      ao += idx[d]! * a.strides[d]!;
      bo += idx[d]! * b.strides[d]!;
    }
    fn(ao, bo, out.offset + t * matSize);
    for (let d = nb - 1; d >= 0; d--) {
      if (++idx[d]! < batchShape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]. a: [...batch, M, K], b: [...batch, K, N]; out contiguous. */
export function refMatmul(a: Tensor<'float32'>, b: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const r = out.rank;
  const M = out.shape[r - 2]!;
  const N = out.shape[r - 1]!;
  const K = a.shape[r - 1]!;
  const [sam, sak] = [a.strides[r - 2]!, a.strides[r - 1]!];
  const [sbk, sbn] = [b.strides[r - 2]!, b.strides[r - 1]!];
  const A = a.data();
  const B = b.data();
  const C = out.data();
  forEachBatch(a, b, out, (ao, bo, co) => {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += A[ao + i * sam + k * sak]! * B[bo + k * sbk + j * sbn]!;
        C[co + i * N + j] = sum;
      }
    }
  });
}

/**
 * out[i, j] = act(sum_k x[i, k] * W[j, k] + bias[j]). x: [M, K] (any strides), W: [N, K], out: contiguous [M, N].
 * The ref backend keeps no packed form.
 */
export function refLinear(x: Tensor<'float32'>, w: LinearWeights, out: Tensor<'float32'>, act: ActivationOp | null): void {
  const [M, K] = [x.shape[0]!, x.shape[1]!];
  const N = w.outFeatures;
  const X = x.data();
  const W = w.weight.data();
  const [sxm, sxk] = [x.strides[0]!, x.strides[1]!];
  const [swn, swk] = [w.weight.strides[0]!, w.weight.strides[1]!];
  const bias = w.bias;
  const Bd = bias?.data();
  const f = act === null ? null : ACTIVATION_SCALARS[act];
  const C = out.data();
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += X[x.offset + i * sxm + k * sxk]! * W[w.weight.offset + j * swn + k * swk]!;
      if (bias && Bd) sum += Bd[bias.offset + j * bias.strides[0]!]!;
      C[out.offset + i * N + j] = f ? f(Math.fround(sum)) : sum;
    }
  }
}

/** The ref backend has nothing to pack. */
export function refLinearPack(_w: LinearWeights): void {}
