// What makes each family different, as DATA over the one encoder: patch bias, prefix tokens, which of them have
// position rows, interpolation, pre-norm, where the final norm goes, and pooling. The config parsers combine
// these with the dimensions read from config.json. Sources: HF transformers modeling_vit.py, modeling_deit.py,
// modeling_clip.py, modeling_siglip.py, modeling_dinov2.py, modeling_dinov2_with_registers.py.

import type { FinalNorm, Pooling, PosInterpolation, PrefixTokens } from '../config/types.js';

export interface FamilyStructure {
  /** The patch Conv2d has a bias (CLIP's has none). */
  patchBias: boolean;
  tokens: PrefixTokens;
  /** Leading prefix tokens that have a position row (the rest, e.g. registers, get none). */
  prefixRows: number;
  interpolation: PosInterpolation;
  /** LayerNorm over the embeddings before the first block (CLIP `pre_layrnorm`). */
  preNorm: boolean;
  finalNorm: FinalNorm;
  pooling: Pooling;
}

/** ViTEmbeddings: [CLS, patches] + positions; ViTModel norms every token; the classifier reads the normed CLS. */
export const VIT: FamilyStructure = {
  patchBias: true,
  tokens: { cls: true, distillation: false, registers: 0 },
  prefixRows: 1,
  interpolation: 'hf',
  preNorm: false,
  finalNorm: 'all',
  pooling: 'cls',
};

/** DeiTEmbeddings: [CLS, DIST, patches], positions cover both special tokens. */
export const DEIT: FamilyStructure = {
  ...VIT,
  tokens: { cls: true, distillation: true, registers: 0 },
  prefixRows: 2,
};

/** CLIPVisionTransformer: bias-free patch conv, pre_layrnorm, post_layernorm on the pooled CLS only. */
export const CLIP: FamilyStructure = {
  patchBias: false,
  tokens: { cls: true, distillation: false, registers: 0 },
  prefixRows: 1,
  interpolation: 'hf',
  preNorm: true,
  finalNorm: 'pooled',
  pooling: 'cls',
};

/** SiglipVisionTransformer: no CLS, post_layernorm on all tokens, attention-pooling head. */
export const SIGLIP: FamilyStructure = {
  patchBias: true,
  tokens: { cls: false, distillation: false, registers: 0 },
  prefixRows: 0,
  interpolation: 'hf',
  preNorm: false,
  finalNorm: 'all',
  pooling: 'map',
};

/** Dinov2Model: normed sequence, pooler_output = normed CLS (LayerScale is a block option, set by the parser). */
export const DINOV2: FamilyStructure = {
  ...VIT,
  pooling: 'normed-cls',
};

/** Dinov2WithRegistersModel: registers after CLS without positions; antialiased interpolation. */
export function dinov2WithRegisters(registers: number): FamilyStructure {
  return { ...DINOV2, tokens: { cls: true, distillation: false, registers }, interpolation: 'dinov2-registers' };
}
