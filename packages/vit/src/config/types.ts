// EncoderConfig: the one canonical, plain-data description of a vision (or CLIP text) transformer that every
// checkpoint format is parsed into. Optimized for being read: each field is a fact that changes the math, named
// for what it does rather than for any one source format (HF ViTConfig / CLIPVisionConfig / SiglipVisionConfig /
// Dinov2Config, timm VisionTransformer kwargs).

/** Checkpoint family: selects the weight-name table and nothing else in the forward pass. */
export type Family = 'vit' | 'deit' | 'timm' | 'clip' | 'siglip' | 'dinov2';

/**
 * How the learned position table is resized for another input size.
 * - 'hf': torch bicubic (A = -0.75, align_corners=False) with `size=(H/p, W/p)` (current HF ViT, DeiT, CLIP,
 *   SigLIP, DINOv2), skipped when the patch count matches and H == W.
 * - 'legacy': bicubic with `scale_factor=((h + 0.1)/s, (w + 0.1)/s)` (older HF DINOv2 and Meta's original code).
 * - 'dinov2-registers': antialiased bicubic with `size=` (HF Dinov2WithRegistersEmbeddings, timm's default).
 */
export type PosInterpolation = 'hf' | 'legacy' | 'dinov2-registers';

/**
 * Where the final LayerNorm goes: 'all' = every token (ViT `layernorm`, SigLIP `post_layernorm`, DINOv2),
 * 'pooled' = only the pooled vector (CLIP `post_layernorm` on CLS), 'none' = no final norm (timm with fc_norm).
 */
export type FinalNorm = 'all' | 'pooled' | 'none';

/**
 * How one vector per image is made from the tokens.
 * - 'cls': token 0 (after the final norm, or normed afterwards when finalNorm is 'pooled').
 * - 'normed-cls': token 0 of the normed sequence, exposed as pooler_output (DINOv2).
 * - 'mean': mean over the non-prefix tokens of the normed sequence (timm avg without fc_norm).
 * - 'avg-with-fc-norm': mean over non-prefix tokens, then `fc_norm` (timm avg with fc_norm).
 * - 'pooler-dense-tanh': tanh(dense(token 0)) (HF ViTPooler / DeiTPooler).
 * - 'map': SigLIP multi-head attention pooling with a learned probe.
 * - 'none': no pooled vector.
 */
export type Pooling = 'cls' | 'normed-cls' | 'mean' | 'avg-with-fc-norm' | 'pooler-dense-tanh' | 'map' | 'none';

/** What sits on the pooled vector (or, for 'distilled', on tokens 0 and 1). */
export type HeadConfig =
  | { kind: 'none' }
  | { kind: 'classifier'; numClasses: number }
  | { kind: 'distilled'; numClasses: number }
  | { kind: 'projection'; projectionDim: number };

export interface PrefixTokens {
  /** A learned CLS token at index 0. */
  cls: boolean;
  /** DeiT's distillation token at index 1. */
  distillation: boolean;
  /** DINOv2 / timm register tokens, placed after CLS (and distillation). */
  registers: number;
}

export interface PositionConfig {
  /**
   * How many leading prefix tokens have a row in the table (1 for CLS, 2 for CLS + distillation, 0 for SigLIP
   * or timm no_embed_class). Prefix tokens after these (DINOv2 registers) get no position: they are inserted
   * after the positions are added.
   */
  prefixRows: number;
  /** The patch grid the table was trained at (rows, cols). */
  grid: [number, number];
  interpolation: PosInterpolation;
}

/** The transformer stack shared by vision and text towers. */
export interface BlockConfig {
  hidden: number;
  layers: number;
  heads: number;
  /** Per-head width; heads * headDim may differ from hidden (non-standard `attention_head_size`). */
  headDim: number;
  /** MLP inner width. */
  mlp: number;
  /** HF activation name (gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, relu, silu...). */
  act: string;
  eps: number;
  qkvBias: boolean;
  /** DINOv2 / timm LayerScale on both residual branches. */
  layerScale: boolean;
}

export interface TextTowerConfig extends BlockConfig {
  vocabSize: number;
  maxPositions: number;
  eosTokenId: number;
  padTokenId: number | null;
  bosTokenId: number | null;
}

export interface EncoderConfig extends BlockConfig {
  family: Family;
  /** HF model_type or 'timm'. */
  modelType: string;
  /** HF architectures[0] or the timm architecture name. */
  architecture: string;
  /** Trained input size (height, width). */
  imageSize: [number, number];
  patchSize: number;
  channels: number;
  patchBias: boolean;
  tokens: PrefixTokens;
  position: PositionConfig;
  /** CLIP's `pre_layrnorm` over the embeddings before the first block. */
  preNorm: boolean;
  finalNorm: FinalNorm;
  pooling: Pooling;
  head: HeadConfig;
  /** Labels by class index when the head is a classifier. */
  id2label: string[] | null;
  /** CLIP text tower and scoring (CLIPModel only). */
  text: TextTowerConfig | null;
  /** Shared image-text space width (CLIP projection_dim). */
  projectionDim: number | null;
  /** ViTPooler activation (HF `pooler_act`, default tanh). */
  poolerAct: string;
}

/** Number of prefix tokens (CLS, distillation, registers) in the sequence. */
export function numPrefixTokens(cfg: EncoderConfig): number {
  return (cfg.tokens.cls ? 1 : 0) + (cfg.tokens.distillation ? 1 : 0) + cfg.tokens.registers;
}
