// Scaled dot-product attention front-end: softmax(q k^T * scale + mask) v over [B, H, T, Dh] views, optionally
// returning the probabilities. Optimized for a stable, backend-agnostic kernel API (the wasm backend and worker
// threads split it by heads); kernels: kernels/ref/attention.ts, kernels/js/attention.ts.
// Semantics: HF eager attention (ViTSelfAttention, CLIPAttention with an additive causal/padding mask).

import { Tensor, empty } from '../tensor.js';
import { ShapeError, fmtShape } from '../errors.js';
import { getKernel, registerKernel } from '../registry.js';
import { refAttention } from '../kernels/ref/attention.js';
import { jsAttention } from '../kernels/js/attention.js';

export interface AttentionKernelArgs {
  /** Multiplies q k^T before the mask is added. */
  scale: number;
  /** Additive mask viewed at [B, H, Tq, Tk] (broadcast dims have stride 0), or null. */
  mask: Tensor<'float32'> | null;
  /** When not null: contiguous [B, H, Tq, Tk] that receives the softmax probabilities. */
  probs: Tensor<'float32'> | null;
}

/**
 * Kernel of attention: out[b, h] = softmax(q[b, h] k[b, h]^T * scale + mask[b, h]) v[b, h].
 * q [B, H, Tq, Dh], k [B, H, Tk, Dh], v [B, H, Tk, Dv], any strides; out contiguous [B, H, Tq, Dv].
 * All sizes >= 1.
 */
export type AttentionKernel = (
  q: Tensor<'float32'>,
  k: Tensor<'float32'>,
  v: Tensor<'float32'>,
  out: Tensor<'float32'>,
  args: AttentionKernelArgs,
) => void;

declare module '../registry.js' {
  interface KernelMap {
    attention: AttentionKernel;
  }
}

registerKernel('attention', 'ref', refAttention);
registerKernel('attention', 'js', jsAttention);

export interface AttentionOptions {
  /** Default 1 / sqrt(Dh). */
  scale?: number;
  /** Additive mask broadcastable to [B, H, Tq, Tk] (0 keeps, -inf or a large negative drops). */
  mask?: Tensor | null;
  /** Also return the probabilities [B, H, Tq, Tk] (HF output_attentions). */
  returnProbs?: boolean;
}

export interface AttentionResult {
  /** [B, H, Tq, Dv] */
  output: Tensor<'float32'>;
  /** [B, H, Tq, Tk], or null unless returnProbs. */
  probs: Tensor<'float32'> | null;
}

/** softmax(q k^T * scale + mask) v for q [B, H, Tq, Dh], k [B, H, Tk, Dh], v [B, H, Tk, Dv] (views welcome). */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): AttentionResult {
  const qf = q.assertDType('float32', 'attention q');
  const kf = k.assertDType('float32', 'attention k');
  const vf = v.assertDType('float32', 'attention v');
  const shapes = `q ${fmtShape(qf.shape)}, k ${fmtShape(kf.shape)}, v ${fmtShape(vf.shape)}`;
  if (qf.rank !== 4 || kf.rank !== 4 || vf.rank !== 4) throw new ShapeError(`attention: q, k, v must be [B, H, T, Dh], got ${shapes}`);
  const [B, H, Tq, Dh] = qf.shape as [number, number, number, number];
  const Tk = kf.shape[2]!;
  const Dv = vf.shape[3]!;
  if (kf.shape[0] !== B || vf.shape[0] !== B || kf.shape[1] !== H || vf.shape[1] !== H) {
    throw new ShapeError(`attention: q, k, v must share B and H, got ${shapes}`);
  }
  if (kf.shape[3] !== Dh) throw new ShapeError(`attention: k must have head dim ${Dh} like q, got ${shapes}`);
  if (vf.shape[2] !== Tk) throw new ShapeError(`attention: v must have ${Tk} positions like k, got ${shapes}`);
  let mask: Tensor<'float32'> | null = null;
  if (options.mask) {
    const m = options.mask.assertDType('float32', 'attention mask');
    const target = [B, H, Tq, Tk];
    const ok = m.rank <= 4 && m.shape.every((d, i) => d === 1 || d === target[i + 4 - m.rank]);
    if (!ok) throw new ShapeError(`attention: mask ${fmtShape(m.shape)} does not broadcast to [B, H, Tq, Tk] = ${fmtShape(target)}`);
    mask = m.expand(target);
  }
  const scale = options.scale ?? 1 / Math.sqrt(Dh);
  const output = empty([B, H, Tq, Dv]);
  const probs = options.returnProbs ? empty([B, H, Tq, Tk]) : null;
  if (output.size === 0 && (probs === null || probs.size === 0)) return { output, probs };
  if (Tk === 0) return { output, probs }; // softmax over nothing: zero output, as torch's empty matmul gives
  getKernel('attention')(qf, kf, vf, output, { scale, mask, probs });
  return { output, probs };
}
