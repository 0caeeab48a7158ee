// Poolers and heads over the encoder's tokens: CLS / mean / timm avg + fc_norm, HF ViTPooler (dense + tanh),
// CLIP post_layernorm + visual_projection, SigLIP multi-head attention pooling (MAP), classifiers and the DeiT
// distilled pair. Optimized for readability. Matches HF modeling_vit.py ViTPooler, modeling_deit.py
// DeiTForImageClassificationWithTeacher, modeling_clip.py CLIPVisionTransformer, modeling_siglip.py
// SiglipMultiheadAttentionPoolingHead, modeling_dinov2.py Dinov2Model, and timm VisionTransformer.forward_head.

import { activation, addInPlace, attention, div, linear, mean, mul, sqrt, sum, tanh } from '@patchwise/tensor';
import type { ActivationOp, LinearWeights, Tensor } from '@patchwise/tensor';
import { mlp, norm } from './encoder.js';
import type { Norm } from './encoder.js';

/** Token `i` of every row: x [B, T, D] -> [B, D] (a view). */
export function token(x: Tensor, i: number): Tensor {
  return x.select(1, i);
}

/** Mean over tokens start..T-1: x [B, T, D] -> [B, D] (timm global_pool='avg' over non-prefix tokens). */
export function meanTokens(x: Tensor, start: number): Tensor {
  return mean(x.narrow(1, start, x.shape[1]! - start), 1); // [B, D]
}

/** HF ViTPooler / DeiTPooler: act(dense(x[:, 0])), act = config.pooler_act (tanh). x [B, T, D] -> [B, D]. */
export function denseTanhPooler(x: Tensor, dense: LinearWeights, act: string): Tensor {
  const h = linear(token(x, 0), dense); // [B, D]
  return act === 'tanh' ? tanh(h) : activation(act, h);
}

/** x / ||x||_2 along the last dim (CLIP _get_vector_norm): [N, P] -> [N, P]. */
export function l2Normalize(x: Tensor): Tensor {
  const n = sqrt(sum(mul(x, x), -1, true)); // [N, 1]
  return div(x, n);
}

export interface MapHeadWeights {
  /** The learned probe [D]: the only query. */
  probe: Tensor;
  q: LinearWeights;
  k: LinearWeights;
  v: LinearWeights;
  out: LinearWeights;
  norm: Norm;
  fc1: LinearWeights;
  fc2: LinearWeights;
}

/**
 * SigLIP attention-pooling head: a = MHA(query = probe, keys = values = x); out = a + mlp(layernorm(a)).
 * x [B, T, D] -> [B, D]. The probe's projection is shared by the batch (nn.MultiheadAttention in_proj [q; k; v]).
 */
export function mapHead(x: Tensor, w: MapHeadWeights, heads: number, eps: number, act: ActivationOp): Tensor {
  const [B, T, D] = x.shape as [number, number, number];
  const Dh = D / heads;
  const q = linear(w.probe.reshape(1, D), w.q) // [1, D]
    .view(1, heads, 1, Dh)
    .expand(B, heads, 1, Dh); // [B, H, 1, Dh]
  const k = linear(x, w.k).view(B, T, heads, Dh).permute(0, 2, 1, 3); // [B, H, T, Dh]
  const v = linear(x, w.v).view(B, T, heads, Dh).permute(0, 2, 1, 3); // [B, H, T, Dh]
  const { output } = attention(q, k, v, { scale: 1 / Math.sqrt(Dh) }); // [B, H, 1, Dh]
  const a = linear(output.permute(0, 2, 1, 3).reshape(B, 1, D), w.out); // [B, 1, D]
  const m = mlp(norm(a, w.norm, eps), w.fc1, w.fc2, act); // [B, 1, D]
  addInPlace(m, a); // residual from the attention output (not from the probe)
  return m.reshape(B, D); // [B, D]
}
