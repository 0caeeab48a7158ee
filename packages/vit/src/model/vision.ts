// VisionModel: the ONE encoder forward pass for every family, read top to bottom: embeddings -> (pre-norm) ->
// blocks -> final norm -> pooling -> head, with HF output names. Family differences come from EncoderConfig
// (data), never from branches on the family name. Optimized for readability; weights are packed once here.
// Matches HF ViTModel / ViTForImageClassification, DeiT*, CLIPVisionModel(WithProjection) / CLIPModel,
// SiglipVisionModel, Dinov2Model / Dinov2WithRegistersModel, and timm VisionTransformer.forward.

import { div, add, linear, matmul, mul, resolveActivation, scalar } from '@patchwise/tensor';
import type { LinearWeights, Tensor } from '@patchwise/tensor';
import { numPrefixTokens } from '../config/types.js';
import type { EncoderConfig, Family, PosInterpolation } from '../config/types.js';
import type { WeightSet } from '../weights/map.js';
import { embed, prepareEmbeddings } from './embeddings.js';
import type { EmbeddingWeights } from './embeddings.js';
import { linearOf, norm, normOf, prepareLayers, runStack } from './encoder.js';
import type { LayerHook, LayerWeights, Norm } from './encoder.js';
import { denseTanhPooler, l2Normalize, mapHead, meanTokens, token } from './heads.js';
import type { MapHeadWeights } from './heads.js';
import { prepareTextTower, runTextTower } from './clip-text.js';
import type { TextTowerWeights } from './clip-text.js';

export interface ForwardOptions {
  /** Return hidden_states.0..L (embeddings output, then each layer before the final norm). */
  outputHiddenStates?: boolean;
  /** Compute and return attentions.0..L-1 ([B, H, T, T] softmax probabilities). */
  outputAttentions?: boolean;
  /**
   * Called after each block with its output (and its attention when outputAttentions is set). Costs one
   * `if` per layer when absent (STYLE.md #12). The tensors are the model's own: do not modify them.
   */
  onLayer?: LayerHook;
  /**
   * Position-table resizing for inputs of another size; default: the config's (HF's current behaviour for the
   * family). 'legacy' reproduces the older +0.1 scale-factor interpolation some checkpoints were validated with.
   */
  interpolation?: PosInterpolation;
  /** CLIPModel only: token ids [N, S] (int32) to run the text tower and score images against texts. */
  inputIds?: Tensor;
  /** CLIPModel only: padding mask [N, S] (1 = token, 0 = padding). */
  attentionMask?: Tensor;
}

/** Any heads present in a checkpoint, packed. */
interface HeadWeights {
  pooler: LinearWeights | null;
  fcNorm: Norm | null;
  map: MapHeadWeights | null;
  classifier: LinearWeights | null;
  distClassifier: LinearWeights | null;
  projection: LinearWeights | null;
}

export class VisionModel {
  readonly config: EncoderConfig;
  /** Raw preprocessor_config.json (parsed JSON) when the model folder had one, else null. */
  readonly preprocessor: unknown;
  /** Canonical float32 weights (names of weights/canonical.ts), for inspection. */
  readonly weights: WeightSet;
  private readonly emb: EmbeddingWeights;
  private readonly preNorm: Norm | null;
  private readonly layers: LayerWeights[];
  private readonly finalNorm: Norm | null;
  private readonly heads: HeadWeights;
  private readonly text: TextTowerWeights | null;
  private readonly logitScale: number | null;

  constructor(config: EncoderConfig, weights: WeightSet, preprocessor: unknown = null) {
    const cfg = config;
    this.config = cfg;
    this.weights = weights;
    this.preprocessor = preprocessor;
    const ws = weights;
    this.emb = prepareEmbeddings(ws, cfg);
    this.preNorm = cfg.preNorm ? normOf(ws, 'pre_norm') : null;
    this.layers = prepareLayers(ws, '', cfg);
    this.finalNorm = cfg.finalNorm !== 'none' ? normOf(ws, 'final_norm') : null;
    const h = cfg.head;
    this.heads = {
      pooler: cfg.pooling === 'pooler-dense-tanh' ? linearOf(ws, 'pooler') : null,
      fcNorm: cfg.pooling === 'avg-with-fc-norm' ? normOf(ws, 'fc_norm') : null,
      map:
        cfg.pooling === 'map'
          ? {
              probe: ws.get('map.probe')!,
              q: linearOf(ws, 'map.q'),
              k: linearOf(ws, 'map.k'),
              v: linearOf(ws, 'map.v'),
              out: linearOf(ws, 'map.o'),
              norm: normOf(ws, 'map.norm'),
              fc1: linearOf(ws, 'map.fc1'),
              fc2: linearOf(ws, 'map.fc2'),
            }
          : null,
      classifier: h.kind === 'classifier' || h.kind === 'distilled' ? linearOf(ws, 'classifier') : null,
      distClassifier: h.kind === 'distilled' ? linearOf(ws, 'dist_classifier') : null,
      projection: h.kind === 'projection' ? linearOf(ws, 'projection', false) : null,
    };
    this.text = cfg.text ? prepareTextTower(ws, cfg.text, cfg.projectionDim !== null) : null;
    this.logitScale = cfg.text ? ws.get('logit_scale')!.toArray()[0]! : null;
  }

  get family(): Family {
    return this.config.family;
  }

  /** True when the model has a CLIP text tower (CLIPModel). */
  get hasText(): boolean {
    return this.text !== null;
  }

  /**
   * pixel_values [B, C, H, W] -> HF-named outputs: last_hidden_state, pooler_output / pre_logits, logits,
   * image_embeds..., and with options hidden_states.i, attentions.i and the CLIP text/scoring outputs.
   */
  forward(pixelValues: Tensor, opts: ForwardOptions = {}): Record<string, Tensor> {
    const cfg = this.config;
    const out: Record<string, Tensor> = {};

    // 1. Patches, prefix tokens, positions: [B, C, H, W] -> [B, T, D]
    let x = embed(pixelValues, this.emb, cfg, opts.interpolation).x;
    // 2. CLIP's pre_layrnorm (hidden_states.0 is taken after it)
    if (this.preNorm) x = norm(x, this.preNorm, cfg.eps); // [B, T, D]
    // 3. The blocks: [B, T, D] -> [B, T, D]
    const st = runStack(x, this.layers, cfg, {
      hiddenStates: opts.outputHiddenStates,
      attentions: opts.outputAttentions,
      onLayer: opts.onLayer,
    });
    // 4. Final norm on every token (ViT, DeiT, SigLIP, DINOv2, timm token pooling); CLIP norms only the pooled CLS.
    const seq = this.finalNorm && cfg.finalNorm === 'all' ? norm(st.last, this.finalNorm, cfg.eps) : st.last; // [B, T, D]
    out['last_hidden_state'] = seq;

    // 5. One vector per image: [B, T, D] -> [B, D]
    const pooled = this.pool(seq);
    if (pooled) {
      const exposeAsPooler =
        cfg.pooling === 'pooler-dense-tanh' || cfg.pooling === 'normed-cls' || cfg.pooling === 'map' || cfg.finalNorm === 'pooled';
      if (cfg.family === 'timm') out['pre_logits'] = pooled;
      else if (exposeAsPooler) out['pooler_output'] = pooled;
    }

    // 6. Heads
    const hw = this.heads;
    if (cfg.head.kind === 'distilled') {
      // DeiTForImageClassificationWithTeacher: CLS head on token 0, distillation head on token 1, their mean.
      const cls = linear(token(seq, 0), hw.classifier!); // [B, K]
      const dist = linear(token(seq, 1), hw.distClassifier!); // [B, K]
      out['logits'] = div(add(cls, dist), 2);
      out['cls_logits'] = cls;
      out['distillation_logits'] = dist;
    } else if (cfg.head.kind === 'classifier' && pooled) {
      out['logits'] = linear(pooled, hw.classifier!); // [B, K]
    } else if (cfg.head.kind === 'projection' && pooled) {
      const feats = linear(pooled, hw.projection!); // [B, P], no bias
      if (this.text) {
        out['image_features'] = feats; // CLIPModel.get_image_features
        out['image_embeds'] = l2Normalize(feats); // CLIPOutput.image_embeds
      } else {
        out['image_embeds'] = feats; // CLIPVisionModelWithProjection: not normalised
      }
    }

    st.hidden.forEach((h, i) => (out[`hidden_states.${i}`] = h));
    st.attentions.forEach((a, i) => (out[`attentions.${i}`] = a));

    // 7. CLIPModel: text tower and image-text logits
    if (opts.inputIds) {
      Object.assign(out, this.encodeText(opts.inputIds, { attentionMask: opts.attentionMask, outputHiddenStates: opts.outputHiddenStates }));
    }
    if (opts.inputIds && out['image_embeds'] && out['text_embeds']) Object.assign(out, this.score(out['image_embeds'], out['text_embeds']));
    return out;
  }

  /** The family's pooling of the (normed) sequence [B, T, D] -> [B, D], or null for 'none'. */
  private pool(seq: Tensor): Tensor | null {
    const cfg = this.config;
    switch (cfg.pooling) {
      case 'cls':
        // CLIP: post_layernorm on the pooled CLS only
        return cfg.finalNorm === 'pooled' ? norm(token(seq, 0), this.finalNorm!, cfg.eps) : token(seq, 0);
      case 'normed-cls':
        return token(seq, 0);
      case 'mean':
        return meanTokens(seq, numPrefixTokens(cfg));
      case 'avg-with-fc-norm':
        return norm(meanTokens(seq, numPrefixTokens(cfg)), this.heads.fcNorm!, cfg.eps);
      case 'pooler-dense-tanh':
        return denseTanhPooler(seq, this.heads.pooler!, cfg.poolerAct);
      case 'map':
        return mapHead(seq, this.heads.map!, cfg.heads, cfg.eps, resolveActivation(cfg.act));
      case 'none':
        return null;
    }
  }

  /** CLIP text side: input_ids [N, S] (+ attention_mask) -> text_* outputs, text_features and text_embeds. */
  encodeText(inputIds: Tensor, opts: { attentionMask?: Tensor | null; outputHiddenStates?: boolean; onLayer?: LayerHook } = {}): Record<string, Tensor> {
    if (!this.text || !this.config.text) throw new Error(`${this.config.architecture} has no text tower (expected a CLIPModel checkpoint)`);
    const out = runTextTower(inputIds, this.text, this.config.text, opts);
    if (out['text_features']) out['text_embeds'] = l2Normalize(out['text_features']);
    return out;
  }

  /** CLIPModel scoring: logits_per_text = exp(logit_scale) * text_embeds @ image_embeds^T; per_image = its transpose. */
  score(imageEmbeds: Tensor, textEmbeds: Tensor): { logits_per_image: Tensor; logits_per_text: Tensor; logit_scale: Tensor } {
    if (this.logitScale === null) throw new Error(`${this.config.architecture} has no logit_scale (expected a CLIPModel checkpoint)`);
    const scale = Math.exp(this.logitScale);
    const perText = mul(matmul(textEmbeds, imageEmbeds.transpose(0, 1)), scale); // [N_text, N_image]
    return { logits_per_text: perText, logits_per_image: perText.transpose(0, 1).contiguous(), logit_scale: scalar(this.logitScale) };
  }
}
