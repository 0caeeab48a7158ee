// CLIP text tower: token + position embeddings, the shared transformer stack under a causal mask (combined with
// the padding attention_mask when given), final_layer_norm on every position, pooling at the EOS token, and
// text_projection. Optimized for readability. Matches HF modeling_clip.py CLIPTextEmbeddings /
// CLIPTextTransformer.forward / CLIPModel.get_text_features.

import { ShapeError, add, fromArray, indexSelect, linear } from '@patchwise/tensor';
import type { LinearWeights, Tensor } from '@patchwise/tensor';
import type { TextTowerConfig } from '../config/types.js';
import type { WeightSet } from '../weights/map.js';
import { linearOf, norm, normOf, prepareLayers, runStack } from './encoder.js';
import type { LayerHook, LayerWeights, Norm } from './encoder.js';

/** The id of `<|endoftext|>` in OpenAI's CLIP vocabulary (also its largest id). */
export const CLIP_EOT_ID = 49407;

/** float32's most negative finite value: what HF puts at masked scores (torch.finfo(float32).min). */
const MASKED = -3.4028234663852886e38;

export interface TextTowerWeights {
  token: Tensor; // [V, D]
  pos: Tensor; // [S_max, D]
  layers: LayerWeights[];
  finalNorm: Norm;
  projection: LinearWeights | null;
}

export function prepareTextTower(ws: WeightSet, cfg: TextTowerConfig, withProjection: boolean): TextTowerWeights {
  return {
    token: ws.get('text.token')!,
    pos: ws.get('text.pos')!,
    layers: prepareLayers(ws, 'text.', cfg),
    finalNorm: normOf(ws, 'text.final_norm'),
    projection: withProjection ? linearOf(ws, 'text.projection', false) : null,
  };
}

/**
 * Additive mask [N, 1, S, S]: query i may attend to key j iff j <= i (causal) and attention_mask[n, j] != 0.
 * HF adds the causal and the padding masks; both use finfo.min, so a blocked score is (at most) finfo.min.
 */
export function textAttentionMask(N: number, S: number, attentionMask: Tensor | null): Tensor {
  const m = new Float32Array(N * S * S);
  const pad = attentionMask ? attentionMask.toArray() : null;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const blocked = j > i || (pad !== null && pad[n * S + j] === 0);
        m[(n * S + i) * S + j] = blocked ? MASKED : 0;
      }
    }
  }
  return fromArray(m, [N, 1, S, S]);
}

/**
 * The position pooled for each row. HF CLIPTextTransformer: when the ids are OpenAI's (every row's largest id is
 * <|endoftext|> = 49407, and legacy configs say eos_token_id 2) it takes argmax(input_ids) — the first EOT, as
 * torch.argmax returns the first maximum; otherwise the first position whose id equals eos_token_id (0 if none).
 */
export function eosPositions(ids: Tensor, eosTokenId: number): number[] {
  const [N, S] = ids.shape as [number, number];
  const a = ids.toArray();
  const rows = Array.from({ length: N }, (_, n) => a.subarray(n * S, (n + 1) * S));
  const argmax = (r: ArrayLike<number>): number => {
    let best = 0;
    for (let j = 1; j < r.length; j++) if (r[j]! > r[best]!) best = j;
    return best;
  };
  const openai = rows.every((r) => r[argmax(r)] === CLIP_EOT_ID) || eosTokenId === 2;
  return rows.map((r) => {
    if (openai) return argmax(r);
    const j = Array.prototype.indexOf.call(r, eosTokenId) as number;
    return j < 0 ? 0 : j;
  });
}

export interface TextOptions {
  attentionMask?: Tensor | null;
  outputHiddenStates?: boolean;
  outputAttentions?: boolean;
  onLayer?: LayerHook;
}

/** ids [N, S] (int32) -> text_last_hidden_state [N, S, D], text_pooler_output [N, D], text_features [N, P]. */
export function runTextTower(ids: Tensor, w: TextTowerWeights, cfg: TextTowerConfig, opts: TextOptions = {}): Record<string, Tensor> {
  if (ids.rank !== 2) throw new ShapeError(`input_ids must be [N, S], got [${ids.shape.join(', ')}]`);
  const [N, S] = ids.shape as [number, number];
  if (S > cfg.maxPositions) throw new ShapeError(`input_ids has ${S} positions; this text tower has ${cfg.maxPositions}`);
  const mask = opts.attentionMask ?? null;
  if (mask && (mask.rank !== 2 || mask.shape[0] !== N || mask.shape[1] !== S)) {
    throw new ShapeError(`attention_mask must be [${N}, ${S}] like input_ids, got [${mask.shape.join(', ')}]`);
  }
  const flat = ids.dtype === 'int32' ? ids.reshape(N * S) : fromArray(Int32Array.from(ids.toArray()), [N * S]);
  const tok = indexSelect(w.token, 0, flat).view(N, S, cfg.hidden); // [N, S, D]
  const x = add(tok, w.pos.narrow(0, 0, S)); // [N, S, D]: position ids are arange(S)
  const st = runStack(x, w.layers, cfg, {
    mask: textAttentionMask(N, S, mask), // [N, 1, S, S]
    hiddenStates: opts.outputHiddenStates,
    attentions: opts.outputAttentions,
    onLayer: opts.onLayer,
  });
  const seq = norm(st.last, w.finalNorm, cfg.eps); // [N, S, D]: final_layer_norm on every position
  const eos = eosPositions(ids, cfg.eosTokenId);
  const pooled = indexSelect(seq.reshape(N * S, cfg.hidden), 0, eos.map((j, n) => n * S + j)); // [N, D]
  const out: Record<string, Tensor> = {
    text_last_hidden_state: seq,
    text_pooler_output: pooled,
    text_eos_positions: fromArray(Int32Array.from(eos), [N]),
  };
  if (w.projection) out['text_features'] = linear(pooled, w.projection); // [N, P], no bias
  st.hidden.forEach((h, i) => (out[`text_hidden_states.${i}`] = h));
  st.attentions.forEach((a, i) => (out[`text_attentions.${i}`] = a));
  return out;
}
