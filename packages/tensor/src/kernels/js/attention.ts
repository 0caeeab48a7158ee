// Fast pure-TS attention: for each (batch, head), q k^T through the packed GEMM into one [Tq, Tk] scores block,
// scale + mask + softmax per row in place, then probs v through the packed GEMM straight into the output.
// Only one head's scores exist at a time unless probabilities are requested. Readable version:
// kernels/ref/attention.ts. Semantics: HF eager attention (ViTSelfAttention, CLIPAttention).

import type { Tensor } from '../../tensor.js';
import type { AttentionKernelArgs } from '../../ops/attention.js';
import { gemmPacked, packPanels } from './gemm.js';
import { softmaxRow } from './softmax.js';

export function jsAttention(
  q: Tensor<'float32'>,
  k: Tensor<'float32'>,
  v: Tensor<'float32'>,
  out: Tensor<'float32'>,
  { scale, mask, probs }: AttentionKernelArgs,
): void {
  const [B, H, Tq, Dh] = [q.shape[0]!, q.shape[1]!, q.shape[2]!, q.shape[3]!];
  const [Tk, Dv] = [k.shape[2]!, v.shape[3]!];
  const Q = q.data();
  const Kd = k.data();
  const Vd = v.data();
  const O = out.data();
  const Md = mask?.data();
  const Pd = probs?.data();
  const headScores = probs ? null : new Float32Array(Tq * Tk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      // Scores for this head: [Tq, Tk], either a slice of the requested probs or the scratch block.
      const S = Pd ?? headScores!;
      const sOff = probs ? probs.offset + bh * Tq * Tk : 0;
      // k^T as a [Dh, Tk] right operand: element (d, j) = k[b, h, j, d].
      const kOff = k.offset + b * k.strides[0]! + h * k.strides[1]!;
      const kPanels = packPanels(Kd, kOff, k.strides[3]!, k.strides[2]!, Dh, Tk);
      const qOff = q.offset + b * q.strides[0]! + h * q.strides[1]!;
      gemmPacked(Tq, Q, qOff, q.strides[2]!, q.strides[3]!, kPanels, S, sOff, Tk); // [Tq, Dh] @ [Dh, Tk]
      const mOff = mask ? mask.offset + b * mask.strides[0]! + h * mask.strides[1]! : 0;
      for (let i = 0; i < Tq; i++) {
        const row = sOff + i * Tk;
        if (mask && Md) {
          const mi = mOff + i * mask.strides[2]!;
          const mj = mask.strides[3]!;
          for (let j = 0; j < Tk; j++) S[row + j] = S[row + j]! * scale + Md[mi + j * mj]!;
        } else {
          for (let j = 0; j < Tk; j++) S[row + j] = S[row + j]! * scale;
        }
        softmaxRow(S, row, 1, Tk, S, row, false);
      }
      // v as a [Tk, Dv] right operand.
      const vOff = v.offset + b * v.strides[0]! + h * v.strides[1]!;
      const vPanels = packPanels(Vd, vOff, v.strides[2]!, v.strides[3]!, Tk, Dv);
      gemmPacked(Tq, S, sOff, Tk, 1, vPanels, O, out.offset + bh * Tq * Dv, Dv); // [Tq, Tk] @ [Tk, Dv]
    }
  }
}
