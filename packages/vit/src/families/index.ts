// Family adapters: thin DATA records over the one encoder (model/vision.ts). Each says which HF / timm classes it
// covers, which checkpoint name table maps its tensors, its structure (tokens, norm placement, pooling:
// structures.ts), the outputs it produces and the vector `embed` should return by default. Nothing here runs a
// forward pass. See docs/architecture.md ("adding a family") for how the pieces fit.

import type { Family } from '../config/types.js';
import { HF_CLIP, HF_DEIT, HF_DINOV2, HF_SIGLIP, HF_VIT, LLAVA_PROJECTOR_RULES, TIMM_VIT } from '../weights/tables.js';
import type { NameRule, NameTable } from '../weights/tables.js';
import { CLIP, DEIT, DINOV2, SIGLIP, VIT, dinov2WithRegisters } from './structures.js';
import type { FamilyStructure } from './structures.js';

export * from './structures.js';

export interface FamilyAdapter {
  family: Family;
  /** Classes (HF architectures / timm) this adapter loads. */
  classes: readonly string[];
  /** config.json model_type values (or 'timm' for timm hub configs). */
  modelTypes: readonly string[];
  names: NameTable;
  /** Default structure; the parser may change pooling / head per architecture (documented in config/hf.ts). */
  structure: FamilyStructure;
  /** Activation the family's checkpoints normally use (config hidden_act overrides). */
  activation: string;
  /** Output used by `embed` when no --pool is given. */
  embedOutput: 'pooler_output' | 'image_embeds' | 'pre_logits' | 'cls';
  /** Upstream source the semantics follow. */
  source: string;
}

export const FAMILIES: Readonly<Record<Family, FamilyAdapter>> = {
  vit: {
    family: 'vit',
    classes: ['ViTModel', 'ViTForImageClassification'],
    modelTypes: ['vit'],
    names: HF_VIT,
    structure: VIT,
    activation: 'gelu',
    embedOutput: 'cls',
    source: 'transformers/models/vit/modeling_vit.py',
  },
  deit: {
    family: 'deit',
    classes: ['DeiTModel', 'DeiTForImageClassification', 'DeiTForImageClassificationWithTeacher'],
    modelTypes: ['deit'],
    names: HF_DEIT,
    structure: DEIT,
    activation: 'gelu',
    embedOutput: 'cls',
    source: 'transformers/models/deit/modeling_deit.py',
  },
  timm: {
    family: 'timm',
    classes: ['timm VisionTransformer (vit_*, deit_* without distillation)'],
    modelTypes: ['timm'],
    names: TIMM_VIT,
    structure: { ...VIT, interpolation: 'dinov2-registers' },
    activation: 'gelu',
    embedOutput: 'pre_logits',
    source: 'timm/models/vision_transformer.py',
  },
  clip: {
    family: 'clip',
    classes: ['CLIPVisionModel', 'CLIPVisionModelWithProjection', 'CLIPModel'],
    modelTypes: ['clip', 'clip_vision_model'],
    names: HF_CLIP,
    structure: CLIP,
    activation: 'quick_gelu',
    embedOutput: 'image_embeds',
    source: 'transformers/models/clip/modeling_clip.py',
  },
  siglip: {
    family: 'siglip',
    classes: ['SiglipVisionModel', 'SiglipModel (vision side)'],
    modelTypes: ['siglip', 'siglip_vision_model'],
    names: HF_SIGLIP,
    structure: SIGLIP,
    activation: 'gelu_pytorch_tanh',
    embedOutput: 'pooler_output',
    source: 'transformers/models/siglip/modeling_siglip.py',
  },
  dinov2: {
    family: 'dinov2',
    classes: ['Dinov2Model', 'Dinov2WithRegistersModel'],
    modelTypes: ['dinov2', 'dinov2_with_registers'],
    names: HF_DINOV2,
    structure: DINOV2,
    activation: 'gelu',
    embedOutput: 'pooler_output',
    source: 'transformers/models/dinov2/modeling_dinov2.py, dinov2_with_registers/modeling_dinov2_with_registers.py',
  },
};

/** The register variant of DINOv2 differs only in data. */
export const DINOV2_WITH_REGISTERS = (registers: number): FamilyStructure => dinov2WithRegisters(registers);

/** LLaVA visual tokens: a CLIP vision tower + multi_modal_projector (modeling_llava.py). */
export interface LlavaAdapter {
  /** Index into hidden_states (L + 1 entries); HF default -2. */
  featureLayer: number;
  /** 'default' drops the CLS token, 'full' keeps it. */
  strategy: 'default' | 'full';
  projectorAct: string;
  names: readonly NameRule[];
}

export const LLAVA: LlavaAdapter = {
  featureLayer: -2,
  strategy: 'default',
  projectorAct: 'gelu',
  names: LLAVA_PROJECTOR_RULES,
};

/** Reads vision_feature_layer / vision_feature_select_strategy / projector_hidden_act from a LLaVA config.json. */
export function llavaSettings(config: unknown): LlavaAdapter {
  const c = (config ?? {}) as Record<string, unknown>;
  const layer = c['vision_feature_layer'];
  const strategy = c['vision_feature_select_strategy'];
  const act = c['projector_hidden_act'];
  if (layer !== undefined && !Number.isInteger(layer)) {
    throw new Error(`llava config: vision_feature_layer must be an integer (a list of layers is not supported), found ${JSON.stringify(layer)}`);
  }
  if (strategy !== undefined && strategy !== 'default' && strategy !== 'full') {
    throw new Error(`llava config: vision_feature_select_strategy must be "default" or "full", found ${JSON.stringify(strategy)}`);
  }
  return {
    ...LLAVA,
    featureLayer: (layer as number | undefined) ?? LLAVA.featureLayer,
    strategy: (strategy as 'default' | 'full' | undefined) ?? LLAVA.strategy,
    projectorAct: typeof act === 'string' ? act : LLAVA.projectorAct,
  };
}

/** The adapter of a model's family. */
export function familyOf(family: Family): FamilyAdapter {
  return FAMILIES[family];
}
