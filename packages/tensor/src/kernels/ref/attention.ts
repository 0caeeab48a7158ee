// Reference scaled dot-product attention, composed from the reference kernels: scores = (q k^T) * scale + mask,
// probs = softmax(scores), out = probs v, materialising all of [B, H, Tq, Tk]. Optimized for readability; the
// oracle for kernels/js/attention.ts. Semantics: HF eager attention (ViTSelfAttention, CLIPAttention).

import { empty } from '../../tensor.js';
import type { Tensor } from '../../tensor.js';
import type { AttentionKernelArgs } from '../../ops/attention.js';
import { refMatmul } from './matmul.js';
import { refSoftmax } from './softmax.js';

export function refAttention(
  q: Tensor<'float32'>,
  k: Tensor<'float32'>,
  v: Tensor<'float32'>,
  out: Tensor<'float32'>,
  { scale, mask, probs }: AttentionKernelArgs,
): void {
  const [B, H, Tq] = [q.shape[0]!, q.shape[1]!, q.shape[2]!];
  const Tk = k.shape[2]!;
  const scores = empty([B, H, Tq, Tk]);
  refMatmul(q, k.transpose(2, 3), scores); // [B, H, Tq, Dh] @ [B, H, Dh, Tk] -> [B, H, Tq, Tk]
  const S = scores.data();
  const M = mask?.data();
  let p = 0;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Tq; i++) {
        for (let j = 0; j < Tk; j++, p++) {
          let s = S[p]! * scale;
          if (mask && M) s += M[mask.offset + b * mask.strides[0]! + h * mask.strides[1]! + i * mask.strides[2]! + j * mask.strides[3]!]!;
          S[p] = s;
        }
      }
    }
  }
  const P = probs ?? empty([B, H, Tq, Tk]);
  refSoftmax(scores, P, false); // over Tk
  refMatmul(P, v, out); // [B, H, Tq, Tk] @ [B, H, Tk, Dv] -> [B, H, Tq, Dv]
}
