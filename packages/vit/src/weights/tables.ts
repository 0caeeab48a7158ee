// Checkpoint names as data (STYLE.md #10): one [from, to, layout?] table per source format, mapping each
// checkpoint tensor onto the canonical names of canonical.ts. `{p}` is the backbone prefix found in the file
// (e.g. "vit.", "deit.", "", "vision_model."), `{i}` a layer index. Sources: HF transformers modeling_vit.py,
// modeling_deit.py, modeling_clip.py, modeling_siglip.py, modeling_dinov2(_with_registers).py; timm
// vision_transformer.py (fused qkv: rows [q | k | v]).

import type { Family } from '../config/types.js';

/**
 * How a source tensor's layout differs from the canonical one:
 * - 'lead1' / 'lead2': one or two extra leading size-1 dims ([1, P, D] -> [P, D]; [1, 1, D] -> [D]).
 * - 'split3': rows [a | b | c] of the source become three canonical tensors (timm qkv, SigLIP in_proj).
 */
export type Layout = 'lead1' | 'lead2' | 'split3';

/** [checkpoint name pattern, canonical name (three names for split3), layout]. */
export type NameRule = readonly [from: string, to: string | readonly [string, string, string], layout?: Layout];

export interface NameTable {
  /** Human name of the format, for error messages. */
  format: string;
  /** A tensor whose name, minus this suffix, gives the backbone prefix {p}. */
  anchor: string;
  rules: readonly NameRule[];
  /** Checkpoint tensors that are not parameters at inference and are skipped (regular expressions). */
  ignore: readonly RegExp[];
}

const linear = (from: string, to: string, bias = true): NameRule[] =>
  bias ? [[`${from}.weight`, `${to}.weight`], [`${from}.bias`, `${to}.bias`]] : [[`${from}.weight`, `${to}.weight`]];
const norm = (from: string, to: string): NameRule[] => linear(from, to);

// HF ViT / DeiT encoder layer (ViTLayer: layernorm_before -> attention -> residual; layernorm_after -> MLP).
const hfVitLayer = (L: string): NameRule[] => [
  ...norm(`${L}.layernorm_before`, 'layers.{i}.norm1'),
  ...linear(`${L}.attention.attention.query`, 'layers.{i}.q'),
  ...linear(`${L}.attention.attention.key`, 'layers.{i}.k'),
  ...linear(`${L}.attention.attention.value`, 'layers.{i}.v'),
  ...linear(`${L}.attention.output.dense`, 'layers.{i}.o'),
  ...norm(`${L}.layernorm_after`, 'layers.{i}.norm2'),
  ...linear(`${L}.intermediate.dense`, 'layers.{i}.fc1'),
  ...linear(`${L}.output.dense`, 'layers.{i}.fc2'),
];

// CLIP / SigLIP encoder layer (CLIPEncoderLayer: layer_norm1 -> self_attn -> residual; layer_norm2 -> mlp).
const clipLayer = (L: string, out: string): NameRule[] => [
  ...norm(`${L}.layer_norm1`, `${out}.norm1`),
  ...linear(`${L}.self_attn.q_proj`, `${out}.q`),
  ...linear(`${L}.self_attn.k_proj`, `${out}.k`),
  ...linear(`${L}.self_attn.v_proj`, `${out}.v`),
  ...linear(`${L}.self_attn.out_proj`, `${out}.o`),
  ...norm(`${L}.layer_norm2`, `${out}.norm2`),
  ...linear(`${L}.mlp.fc1`, `${out}.fc1`),
  ...linear(`${L}.mlp.fc2`, `${out}.fc2`),
];

const POSITION_IDS = /(^|\.)position_ids$/;

export const HF_VIT: NameTable = {
  format: 'HF ViT',
  anchor: 'embeddings.patch_embeddings.projection.weight',
  rules: [
    ...linear('{p}embeddings.patch_embeddings.projection', 'patch'),
    ['{p}embeddings.cls_token', 'cls', 'lead2'],
    ['{p}embeddings.position_embeddings', 'pos', 'lead1'],
    ...hfVitLayer('{p}encoder.layer.{i}'),
    ...norm('{p}layernorm', 'final_norm'),
    ...linear('{p}pooler.dense', 'pooler'),
    ...linear('classifier', 'classifier'),
  ],
  ignore: [POSITION_IDS, /(^|\.)embeddings\.mask_token$/],
};

export const HF_DEIT: NameTable = {
  format: 'HF DeiT',
  anchor: HF_VIT.anchor,
  rules: [
    ...linear('{p}embeddings.patch_embeddings.projection', 'patch'),
    ['{p}embeddings.cls_token', 'cls', 'lead2'],
    ['{p}embeddings.distillation_token', 'dist', 'lead2'],
    ['{p}embeddings.position_embeddings', 'pos', 'lead1'],
    ...hfVitLayer('{p}encoder.layer.{i}'),
    ...norm('{p}layernorm', 'final_norm'),
    ...linear('{p}pooler.dense', 'pooler'),
    // DeiTForImageClassificationWithTeacher: two heads; DeiTForImageClassification: `classifier` only.
    ...linear('cls_classifier', 'classifier'),
    ...linear('classifier', 'classifier'),
    ...linear('distillation_classifier', 'dist_classifier'),
  ],
  ignore: [POSITION_IDS, /(^|\.)embeddings\.mask_token$/],
};

export const HF_DINOV2: NameTable = {
  format: 'HF DINOv2',
  anchor: HF_VIT.anchor,
  rules: [
    ...linear('{p}embeddings.patch_embeddings.projection', 'patch'),
    ['{p}embeddings.cls_token', 'cls', 'lead2'],
    ['{p}embeddings.register_tokens', 'registers', 'lead1'],
    ['{p}embeddings.position_embeddings', 'pos', 'lead1'],
    // Dinov2Layer: norm1 -> attention -> layer_scale1 -> residual; norm2 -> mlp -> layer_scale2 -> residual.
    ...norm('{p}encoder.layer.{i}.norm1', 'layers.{i}.norm1'),
    ...linear('{p}encoder.layer.{i}.attention.attention.query', 'layers.{i}.q'),
    ...linear('{p}encoder.layer.{i}.attention.attention.key', 'layers.{i}.k'),
    ...linear('{p}encoder.layer.{i}.attention.attention.value', 'layers.{i}.v'),
    ...linear('{p}encoder.layer.{i}.attention.output.dense', 'layers.{i}.o'),
    ['{p}encoder.layer.{i}.layer_scale1.lambda1', 'layers.{i}.ls1'],
    ...norm('{p}encoder.layer.{i}.norm2', 'layers.{i}.norm2'),
    ...linear('{p}encoder.layer.{i}.mlp.fc1', 'layers.{i}.fc1'),
    ...linear('{p}encoder.layer.{i}.mlp.fc2', 'layers.{i}.fc2'),
    ['{p}encoder.layer.{i}.layer_scale2.lambda1', 'layers.{i}.ls2'],
    ...norm('{p}layernorm', 'final_norm'),
  ],
  ignore: [POSITION_IDS, /(^|\.)embeddings\.mask_token$/],
};

export const TIMM_VIT: NameTable = {
  format: 'timm VisionTransformer',
  anchor: 'patch_embed.proj.weight',
  rules: [
    ...linear('{p}patch_embed.proj', 'patch'),
    ['{p}cls_token', 'cls', 'lead2'],
    ['{p}reg_token', 'registers', 'lead1'],
    ['{p}pos_embed', 'pos', 'lead1'],
    ...norm('{p}norm_pre', 'pre_norm'),
    ...norm('{p}blocks.{i}.norm1', 'layers.{i}.norm1'),
    // Attention.forward: qkv(x).reshape(B, N, 3, heads, hd): rows [0, D) = q, [D, 2D) = k, [2D, 3D) = v.
    ['{p}blocks.{i}.attn.qkv.weight', ['layers.{i}.q.weight', 'layers.{i}.k.weight', 'layers.{i}.v.weight'], 'split3'],
    ['{p}blocks.{i}.attn.qkv.bias', ['layers.{i}.q.bias', 'layers.{i}.k.bias', 'layers.{i}.v.bias'], 'split3'],
    ...linear('{p}blocks.{i}.attn.proj', 'layers.{i}.o'),
    ['{p}blocks.{i}.ls1.gamma', 'layers.{i}.ls1'],
    ...norm('{p}blocks.{i}.norm2', 'layers.{i}.norm2'),
    ...linear('{p}blocks.{i}.mlp.fc1', 'layers.{i}.fc1'),
    ...linear('{p}blocks.{i}.mlp.fc2', 'layers.{i}.fc2'),
    ['{p}blocks.{i}.ls2.gamma', 'layers.{i}.ls2'],
    ...norm('{p}norm', 'final_norm'),
    ...norm('{p}fc_norm', 'fc_norm'),
    ...linear('{p}head', 'classifier'),
  ],
  ignore: [],
};

const CLIP_TEXT_RULES: NameRule[] = [
  ['text_model.embeddings.token_embedding.weight', 'text.token'],
  ['text_model.embeddings.position_embedding.weight', 'text.pos'],
  ...clipLayer('text_model.encoder.layers.{i}', 'text.layers.{i}'),
  ...norm('text_model.final_layer_norm', 'text.final_norm'),
  ['text_projection.weight', 'text.projection.weight'],
  ['logit_scale', 'logit_scale'],
];

export const HF_CLIP: NameTable = {
  format: 'HF CLIP',
  anchor: 'embeddings.patch_embedding.weight',
  rules: [
    ['{p}embeddings.class_embedding', 'cls'],
    ['{p}embeddings.patch_embedding.weight', 'patch.weight'],
    ['{p}embeddings.position_embedding.weight', 'pos'],
    ...norm('{p}pre_layrnorm', 'pre_norm'), // sic: HF's spelling
    ...clipLayer('{p}encoder.layers.{i}', 'layers.{i}'),
    ...norm('{p}post_layernorm', 'final_norm'),
    ['visual_projection.weight', 'projection.weight'],
    ...CLIP_TEXT_RULES,
  ],
  ignore: [POSITION_IDS],
};

export const HF_SIGLIP: NameTable = {
  format: 'HF SigLIP',
  anchor: 'embeddings.patch_embedding.weight',
  rules: [
    ...linear('{p}embeddings.patch_embedding', 'patch'),
    ['{p}embeddings.position_embedding.weight', 'pos'],
    ...clipLayer('{p}encoder.layers.{i}', 'layers.{i}'),
    ...norm('{p}post_layernorm', 'final_norm'),
    // SiglipMultiheadAttentionPoolingHead: probe [1, 1, D]; nn.MultiheadAttention in_proj = [W_q; W_k; W_v].
    ['{p}head.probe', 'map.probe', 'lead2'],
    ['{p}head.attention.in_proj_weight', ['map.q.weight', 'map.k.weight', 'map.v.weight'], 'split3'],
    ['{p}head.attention.in_proj_bias', ['map.q.bias', 'map.k.bias', 'map.v.bias'], 'split3'],
    ...linear('{p}head.attention.out_proj', 'map.o'),
    ...norm('{p}head.layernorm', 'map.norm'),
    ...linear('{p}head.mlp.fc1', 'map.fc1'),
    ...linear('{p}head.mlp.fc2', 'map.fc2'),
  ],
  // SiglipModel checkpoints also hold the text tower and the sigmoid-loss scale/bias, unused by the vision side.
  ignore: [POSITION_IDS, /^text_model\./, /^logit_(scale|bias)$/],
};

/** The table of each family. */
export const NAME_TABLES: Record<Family, NameTable> = {
  vit: HF_VIT,
  deit: HF_DEIT,
  dinov2: HF_DINOV2,
  timm: TIMM_VIT,
  clip: HF_CLIP,
  siglip: HF_SIGLIP,
};

/** LLaVA multi_modal_projector (modeling_llava.py LlavaMultiModalProjector), legacy hub and current names. */
export const LLAVA_PROJECTOR_RULES: readonly NameRule[] = [
  ...linear('{p}multi_modal_projector.linear_1', 'linear_1'),
  ...linear('{p}multi_modal_projector.linear_2', 'linear_2'),
];
