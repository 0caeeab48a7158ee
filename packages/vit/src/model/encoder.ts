// The transformer stack shared by every family (and by the CLIP text tower): pre-norm blocks of multi-head
// self-attention and an MLP, each on a residual branch, optionally scaled by LayerScale. Optimized for being read
// top to bottom; speed comes from the tensor ops (packed GEMM with fused activation, fused attention).
// Matches HF ViTLayer (modeling_vit.py), CLIPEncoderLayer (modeling_clip.py), SiglipEncoderLayer
// (modeling_siglip.py), Dinov2Layer (modeling_dinov2.py) and timm Block (vision_transformer.py).

import { HeapStorage, addInPlace, attention, concat, fromArray, layerNorm, linear, mul, prepareLinear, resolveActivation } from '@patchwise/tensor';
import type { ActivationOp, LinearWeights, Tensor } from '@patchwise/tensor';
import type { BlockConfig } from '../config/types.js';
import type { WeightSet } from '../weights/map.js';

export interface Norm {
  weight: Tensor;
  bias: Tensor;
}

/** One block's weights, converted and packed once at load. */
export interface LayerWeights {
  norm1: Norm;
  /** q, k and v fused into one [3 * inner, D] projection: one GEMM instead of three. */
  qkv: LinearWeights;
  out: LinearWeights;
  /** LayerScale of the attention branch [D] (DINOv2), or null. */
  ls1: Tensor | null;
  norm2: Norm;
  fc1: LinearWeights;
  fc2: LinearWeights;
  /** LayerScale of the MLP branch [D], or null. */
  ls2: Tensor | null;
}

/** What the per-layer hook sees: the layer's output (before any final norm) and, if computed, its attention. */
export interface LayerEvent {
  /** [B, T, D] */
  hidden: Tensor;
  /** [B, H, T, T] softmax probabilities, or null unless attentions were asked for. */
  attention: Tensor | null;
}

export type LayerHook = (layer: number, event: LayerEvent) => void;

function need(ws: WeightSet, name: string): Tensor {
  const t = ws.get(name);
  if (!t) throw new Error(`internal: canonical weight ${name} was not loaded`);
  return t;
}

export function normOf(ws: WeightSet, name: string): Norm {
  return { weight: need(ws, `${name}.weight`), bias: need(ws, `${name}.bias`) };
}

export function linearOf(ws: WeightSet, name: string, bias = true): LinearWeights {
  return prepareLinear(need(ws, `${name}.weight`), bias ? need(ws, `${name}.bias`) : null);
}

/**
 * concat(parts, 0) for the q/k/v fusion at load. Dense float32 parts that already lie back to back in one buffer
 * (loadWeights reads q, k, v that way; timm's fused qkv is split into such views) become a view of it, no copy;
 * other dense float32 parts are copied with one typed-array `set` each (the generic concat kernel copies element
 * by element: ~90 ms of ViT-B's load). Anything else goes to concat.
 */
function stackRows(parts: Tensor[]): Tensor {
  const first = parts[0]!;
  const rest = first.shape.slice(1);
  const same = (t: Tensor): boolean => t.dtype === 'float32' && t.isContiguous() && t.rank === first.rank && t.shape.every((d, i) => i === 0 || d === first.shape[i]);
  if (!parts.every(same)) return concat(parts, 0);
  let rows = 0;
  let size = 0;
  for (const t of parts) {
    rows += t.shape[0]!;
    size += t.size;
  }
  const data0 = first.data();
  const start = data0.byteOffset + first.offset * 4;
  let next = start;
  const adjacent = parts.every((t) => {
    const d = t.data();
    const at = d.byteOffset + t.offset * 4;
    next += t.size * 4;
    // JS-heap storages only: a view into a wasm memory must not outlive a grow (storage.ts).
    return t.storage instanceof HeapStorage && d.buffer === data0.buffer && at === next - t.size * 4;
  });
  if (adjacent && data0 instanceof Float32Array) return fromArray(new Float32Array(data0.buffer, start, size), [rows, ...rest]);
  const out = new Float32Array(size);
  let at = 0;
  for (const t of parts) {
    out.set(t.data().subarray(t.offset, t.offset + t.size), at);
    at += t.size;
  }
  return fromArray(out, [rows, ...rest]);
}

/** Packs the blocks' weights (canonical names `${prefix}layers.{i}.*`). */
export function prepareLayers(ws: WeightSet, prefix: string, cfg: BlockConfig): LayerWeights[] {
  const layers: LayerWeights[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const l = `${prefix}layers.${i}.`;
    const w = stackRows([need(ws, `${l}q.weight`), need(ws, `${l}k.weight`), need(ws, `${l}v.weight`)]); // [3*inner, D]
    const b = cfg.qkvBias ? stackRows([need(ws, `${l}q.bias`), need(ws, `${l}k.bias`), need(ws, `${l}v.bias`)]) : null; // [3*inner]
    // Keep q, k, v in the weight set as views of the fused copy, so the separate arrays can be freed.
    const inner = cfg.heads * cfg.headDim;
    ['q', 'k', 'v'].forEach((p, j) => {
      ws.set(`${l}${p}.weight`, w.narrow(0, j * inner, inner));
      if (b) ws.set(`${l}${p}.bias`, b.narrow(0, j * inner, inner));
    });
    layers.push({
      norm1: normOf(ws, `${l}norm1`),
      qkv: prepareLinear(w, b),
      out: linearOf(ws, `${l}o`),
      ls1: cfg.layerScale ? need(ws, `${l}ls1`) : null,
      norm2: normOf(ws, `${l}norm2`),
      fc1: linearOf(ws, `${l}fc1`),
      fc2: linearOf(ws, `${l}fc2`),
      ls2: cfg.layerScale ? need(ws, `${l}ls2`) : null,
    });
  }
  return layers;
}

/** LayerNorm over the last dim with a block's eps. */
export function norm(x: Tensor, n: Norm, eps: number): Tensor {
  return layerNorm(x, x.shape[x.rank - 1]!, n.weight, n.bias, eps);
}

/**
 * Multi-head self-attention of one block: x [B, T, D] -> [B, T, D] (before the residual), plus the
 * probabilities [B, H, T, T] when `wantProbs`. `mask` is additive, broadcastable to [B, H, T, T].
 */
export function selfAttention(x: Tensor, w: LayerWeights, cfg: BlockConfig, mask: Tensor | null, wantProbs: boolean): { out: Tensor; probs: Tensor | null } {
  const [B, T] = x.shape as [number, number, number];
  const H = cfg.heads;
  const Dh = cfg.headDim;
  const qkv = linear(x, w.qkv); // [B, T, 3 * H * Dh]
  const heads = qkv.view(B, T, 3, H, Dh).permute(2, 0, 3, 1, 4); // [3, B, H, T, Dh] (a view)
  const { output, probs } = attention(heads.select(0, 0), heads.select(0, 1), heads.select(0, 2), {
    scale: 1 / Math.sqrt(Dh), // HF: scores / sqrt(attention_head_size)
    mask,
    returnProbs: wantProbs,
  }); // output [B, H, T, Dh]
  const merged = output.permute(0, 2, 1, 3).reshape(B, T, H * Dh); // [B, T, inner]
  return { out: linear(merged, w.out), probs }; // [B, T, D]
}

/** The MLP branch: fc2(act(fc1(x))), the activation fused into fc1's GEMM. x [B, T, D] -> [B, T, D]. */
export function mlp(x: Tensor, fc1: LinearWeights, fc2: LinearWeights, act: ActivationOp): Tensor {
  const h = linear(x, fc1, null, { activation: act }); // [B, T, M]
  return linear(h, fc2); // [B, T, D]
}

/**
 * One pre-norm block, as HF ViTLayer / Dinov2Layer / CLIPEncoderLayer compute it:
 *   x = x + ls1 * attn(norm1(x));  x = x + ls2 * mlp(norm2(x))
 * Returns a new tensor (the input is left untouched: it may be a stored hidden state).
 */
export function block(x: Tensor, w: LayerWeights, cfg: BlockConfig, act: ActivationOp, mask: Tensor | null, wantProbs: boolean): { x: Tensor; probs: Tensor | null } {
  const { out: a, probs } = selfAttention(norm(x, w.norm1, cfg.eps), w, cfg, mask, wantProbs); // [B, T, D]
  const h = w.ls1 ? mul(a, w.ls1) : a; // LayerScale: per-channel [D] scaling of the branch
  addInPlace(h, x); // h = branch + residual (same sum as HF's attention_output + hidden_states)
  const m = mlp(norm(h, w.norm2, cfg.eps), w.fc1, w.fc2, act); // [B, T, D]
  const y = w.ls2 ? mul(m, w.ls2) : m;
  addInPlace(y, h);
  return { x: y, probs };
}

export interface StackOptions {
  mask?: Tensor | null;
  /** Keep every layer's input/output: hidden_states.0 (the input) .. hidden_states.L. */
  hiddenStates?: boolean;
  attentions?: boolean;
  onLayer?: LayerHook;
}

export interface StackResult {
  /** [B, T, D]: the last layer's output (before any final norm). */
  last: Tensor;
  hidden: Tensor[];
  attentions: Tensor[];
}

/** Runs all blocks over x [B, T, D]. The hook and the stored states cost nothing when not asked for. */
export function runStack(x: Tensor, layers: readonly LayerWeights[], cfg: BlockConfig, opts: StackOptions = {}): StackResult {
  const act = resolveActivation(cfg.act);
  const hidden: Tensor[] = opts.hiddenStates ? [x] : [];
  const attentions: Tensor[] = [];
  const wantProbs = opts.attentions === true;
  for (let i = 0; i < layers.length; i++) {
    const r = block(x, layers[i]!, cfg, act, opts.mask ?? null, wantProbs); // [B, T, D]
    x = r.x;
    if (opts.hiddenStates) hidden.push(x);
    if (r.probs) attentions.push(r.probs);
    if (opts.onLayer) opts.onLayer(i, { hidden: x, attention: r.probs });
  }
  return { last: x, hidden, attentions };
}
