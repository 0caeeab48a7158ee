// Hugging Face config.json -> EncoderConfig for model_type vit, deit, clip, clip_vision_model, siglip,
// siglip_vision_model, dinov2, dinov2_with_registers. Optimized for explicitness: every field that changes the
// math is read here, with the defaults of the HF config classes (configuration_vit.py, configuration_deit.py,
// configuration_clip.py, configuration_siglip.py, configuration_dinov2.py, configuration_dinov2_with_registers.py).

import { ConfigError } from './errors.js';
import { Fields, LIMITS, countLabels, readId2label } from './fields.js';
import type { BlockConfig, EncoderConfig, HeadConfig, Pooling, TextTowerConfig } from './types.js';
import { CLIP, DEIT, DINOV2, SIGLIP, VIT, dinov2WithRegisters } from '../families/structures.js';
import type { FamilyStructure } from '../families/structures.js';

export const HF_MODEL_TYPES = [
  'vit',
  'deit',
  'clip',
  'clip_vision_model',
  'siglip',
  'siglip_vision_model',
  'dinov2',
  'dinov2_with_registers',
] as const;

/** The dimensions shared by all HF vision configs, with the family's defaults for optional fields. */
interface VisionDefaults {
  act: string;
  eps: number;
  mlp?: number;
  qkvBias: boolean;
}

function readBlock(f: Fields, d: VisionDefaults, mlpFromRatio = false): BlockConfig {
  // hidden/layers/heads are required: a config without them would silently become a ViT-Base.
  const hidden = f.int('hidden_size', LIMITS.hidden);
  const layers = f.int('num_hidden_layers', LIMITS.layers);
  const heads = f.int('num_attention_heads', LIMITS.heads);
  let headDim: number;
  if (f.has('attention_head_size')) {
    // Non-standard key (not read by transformers) used by real checkpoints whose heads are wider than
    // hidden/heads: inner width heads*headDim then differs from hidden.
    headDim = f.int('attention_head_size', LIMITS.hidden);
  } else {
    if (hidden % heads !== 0) {
      throw new ConfigError(`${f.where}: hidden_size ${hidden} is not a multiple of num_attention_heads ${heads} (and no attention_head_size is given)`);
    }
    headDim = hidden / heads;
  }
  if (heads * headDim > LIMITS.hidden) throw new ConfigError(`${f.where}: attention width ${heads}x${headDim} exceeds ${LIMITS.hidden}`);
  let mlp: number;
  if (mlpFromRatio) {
    const ratio = f.num('mlp_ratio', 4);
    mlp = Math.trunc(hidden * ratio); // Dinov2MLP: int(hidden_size * mlp_ratio)
    if (!(mlp >= 1 && mlp <= LIMITS.mlp)) throw new ConfigError(`${f.where}: mlp_ratio ${ratio} gives an MLP width of ${mlp}`);
  } else {
    mlp = f.int('intermediate_size', LIMITS.mlp, d.mlp);
  }
  const eps = f.num('layer_norm_eps', d.eps);
  if (!(eps > 0 && eps < 1)) throw new ConfigError(`${f.where}: layer_norm_eps must be in (0, 1), found ${eps}`);
  return {
    hidden,
    layers,
    heads,
    headDim,
    mlp,
    act: f.str('hidden_act', d.act),
    eps,
    qkvBias: f.bool('qkv_bias', d.qkvBias),
    layerScale: false,
  };
}

function readGeometry(f: Fields): { imageSize: [number, number]; patchSize: number; channels: number; grid: [number, number] } {
  const imageSize = f.size2('image_size');
  const patchSize = f.int('patch_size', LIMITS.imageSide);
  const channels = f.int('num_channels', LIMITS.channels, 3);
  if (patchSize > imageSize[0] || patchSize > imageSize[1]) {
    throw new ConfigError(`${f.where}: patch_size ${patchSize} is larger than image_size ${imageSize.join('x')}`);
  }
  return { imageSize, patchSize, channels, grid: [Math.floor(imageSize[0] / patchSize), Math.floor(imageSize[1] / patchSize)] };
}

function architectureOf(f: Fields, dflt: string): string {
  const a = f.obj['architectures'];
  if (a === undefined || a === null) return dflt;
  if (!Array.isArray(a) || a.length === 0 || typeof a[0] !== 'string') {
    throw new ConfigError(`${f.where}: "architectures" must be a non-empty list of class names`);
  }
  return a[0];
}

function unsupportedArch(f: Fields, arch: string, supported: string[]): never {
  throw new ConfigError(`${f.where}: architecture ${arch} is not supported (expected one of ${supported.join(', ')})`);
}

/** Parses a HF config.json object (already JSON-parsed) into an EncoderConfig. */
export function parseHfConfig(f: Fields): EncoderConfig {
  if (!f.has('model_type')) {
    throw new ConfigError(`${f.where}: missing field "model_type" (expected one of ${HF_MODEL_TYPES.join(', ')}; or a timm config with "architecture")`);
  }
  const modelType = f.str('model_type');
  switch (modelType) {
    case 'vit':
      return parseVit(f);
    case 'deit':
      return parseDeit(f);
    case 'clip':
      return parseClip(f);
    case 'clip_vision_model':
      return parseClipVision(f, architectureOf(f, 'CLIPVisionModel'), null);
    case 'siglip':
      return { ...parseSiglipVision(f.sub('vision_config'), 'SiglipModel'), modelType };
    case 'siglip_vision_model':
      return parseSiglipVision(f, architectureOf(f, 'SiglipVisionModel'));
    case 'dinov2':
    case 'dinov2_with_registers':
      return parseDinov2(f, modelType);
    default:
      throw new ConfigError(`${f.where}: model_type "${modelType}" is not supported (expected one of ${HF_MODEL_TYPES.join(', ')})`);
  }
}

const VIT_DEFAULTS: VisionDefaults = { act: 'gelu', eps: 1e-12, mlp: 3072, qkvBias: true };

function classifierHead(f: Fields): { head: HeadConfig; id2label: string[] | null } {
  const n = countLabels(f) ?? 2; // PretrainedConfig default num_labels = 2
  return { head: { kind: 'classifier', numClasses: n }, id2label: readId2label(f, n) };
}

function visionBase(f: Fields, block: BlockConfig, family: EncoderConfig['family'], modelType: string, architecture: string) {
  const g = readGeometry(f);
  return {
    ...block,
    family,
    modelType,
    architecture,
    imageSize: g.imageSize,
    patchSize: g.patchSize,
    channels: g.channels,
    grid: g.grid,
  };
}

// modeling_vit.py: ViTModel (pooler = tanh(dense(CLS)) when add_pooling_layer) and ViTForImageClassification
// (ViTModel(add_pooling_layer=False) + classifier on the normed CLS token).
function parseVit(f: Fields): EncoderConfig {
  const arch = architectureOf(f, 'ViTModel');
  const b = visionBase(f, readBlock(f, VIT_DEFAULTS), 'vit', 'vit', arch);
  let pooling: Pooling;
  let head: HeadConfig = { kind: 'none' };
  let id2label: string[] | null = null;
  if (arch === 'ViTForImageClassification') {
    pooling = 'cls';
    ({ head, id2label } = classifierHead(f));
  } else if (arch === 'ViTModel') {
    pooling = 'pooler-dense-tanh';
  } else {
    unsupportedArch(f, arch, ['ViTModel', 'ViTForImageClassification']);
  }
  return finish(b, { ...VIT, pooling, head, id2label, poolerAct: f.str('pooler_act', 'tanh') });
}

// modeling_deit.py: embeddings [CLS, DIST, patches] + positions for all; WithTeacher averages the two heads.
function parseDeit(f: Fields): EncoderConfig {
  const arch = architectureOf(f, 'DeiTModel');
  const b = visionBase(f, readBlock(f, VIT_DEFAULTS), 'deit', 'deit', arch);
  let pooling: Pooling = 'cls';
  let head: HeadConfig = { kind: 'none' };
  let id2label: string[] | null = null;
  if (arch === 'DeiTForImageClassificationWithTeacher') {
    const c = classifierHead(f);
    head = { kind: 'distilled', numClasses: (c.head as { numClasses: number }).numClasses };
    id2label = c.id2label;
  } else if (arch === 'DeiTForImageClassification') {
    ({ head, id2label } = classifierHead(f));
  } else if (arch === 'DeiTModel') {
    pooling = 'pooler-dense-tanh';
  } else {
    unsupportedArch(f, arch, ['DeiTModel', 'DeiTForImageClassification', 'DeiTForImageClassificationWithTeacher']);
  }
  return finish(b, { ...DEIT, pooling, head, id2label, poolerAct: f.str('pooler_act', 'tanh') });
}

const CLIP_VISION_DEFAULTS: VisionDefaults = { act: 'quick_gelu', eps: 1e-5, mlp: 3072, qkvBias: true };

// modeling_clip.py CLIPVisionTransformer: pre_layrnorm on the embeddings, post_layernorm on the pooled CLS only,
// patch conv without bias, visual_projection without bias (CLIPVisionModelWithProjection, CLIPModel).
function parseClipVision(f: Fields, arch: string, projectionDimTop: number | null): EncoderConfig {
  const supported = ['CLIPVisionModel', 'CLIPVisionModelWithProjection', 'CLIPModel'];
  if (!supported.includes(arch)) unsupportedArch(f, arch, supported);
  const b = visionBase(f, readBlock(f, CLIP_VISION_DEFAULTS), 'clip', 'clip_vision_model', arch);
  const withProj = arch !== 'CLIPVisionModel';
  const projectionDim = withProj ? (projectionDimTop ?? f.int('projection_dim', LIMITS.hidden, 512)) : null;
  return finish(b, {
    ...CLIP,
    head: projectionDim !== null ? { kind: 'projection', projectionDim } : { kind: 'none' },
    id2label: null,
    projectionDim,
  });
}

const CLIP_TEXT_DEFAULTS: VisionDefaults = { act: 'quick_gelu', eps: 1e-5, mlp: 2048, qkvBias: true };

/** CLIPTextConfig (configuration_clip.py defaults: vocab 49408, 77 positions, eos 49407, pad 1, bos 49406). */
export function parseClipText(f: Fields): TextTowerConfig {
  const block = readBlock(f, CLIP_TEXT_DEFAULTS);
  return {
    ...block,
    vocabSize: f.int('vocab_size', LIMITS.vocab, 49408),
    maxPositions: f.int('max_position_embeddings', LIMITS.positions, 77),
    eosTokenId: f.int('eos_token_id', LIMITS.vocab, 49407, 0),
    padTokenId: f.int('pad_token_id', LIMITS.vocab, 1, 0),
    bosTokenId: f.int('bos_token_id', LIMITS.vocab, 49406, 0),
  };
}

// CLIPModel: vision_config + text_config + top-level projection_dim, logit_scale in the weights.
function parseClip(f: Fields): EncoderConfig {
  const arch = architectureOf(f, 'CLIPModel');
  if (arch !== 'CLIPModel') unsupportedArch(f, arch, ['CLIPModel']);
  const projectionDim = f.int('projection_dim', LIMITS.hidden, 512);
  const vision = parseClipVision(f.sub('vision_config'), 'CLIPModel', projectionDim);
  const text = parseClipText(f.sub('text_config'));
  return { ...vision, modelType: 'clip', text };
}

const SIGLIP_DEFAULTS: VisionDefaults = { act: 'gelu_pytorch_tanh', eps: 1e-6, mlp: 3072, qkvBias: true };

// modeling_siglip.py SiglipVisionTransformer: no CLS, patch bias, post_layernorm on all tokens, MAP head
// (SiglipMultiheadAttentionPoolingHead) when vision_use_head (default true).
function parseSiglipVision(f: Fields, arch: string): EncoderConfig {
  const supported = ['SiglipVisionModel', 'SiglipModel'];
  if (!supported.includes(arch)) unsupportedArch(f, arch, supported);
  const b = visionBase(f, readBlock(f, SIGLIP_DEFAULTS), 'siglip', 'siglip_vision_model', arch);
  const useHead = f.bool('vision_use_head', true);
  return finish(b, { ...SIGLIP, pooling: useHead ? 'map' : 'none', head: { kind: 'none' }, id2label: null });
}

const DINOV2_DEFAULTS: VisionDefaults = { act: 'gelu', eps: 1e-6, qkvBias: true };

// modeling_dinov2.py / modeling_dinov2_with_registers.py: layerscale on both branches, pooler = normed CLS;
// registers are inserted after the positions are added and the register model interpolates with antialias.
function parseDinov2(f: Fields, modelType: string): EncoderConfig {
  const withRegisters = modelType === 'dinov2_with_registers';
  const dflt = withRegisters ? 'Dinov2WithRegistersModel' : 'Dinov2Model';
  const arch = architectureOf(f, dflt);
  if (arch !== dflt) unsupportedArch(f, arch, [dflt]);
  if (f.bool('use_swiglu_ffn', false)) {
    throw new ConfigError(`${f.where}: use_swiglu_ffn=true (SwiGLU MLP, DINOv2 giant) is not supported (expected false)`);
  }
  const block = { ...readBlock(f, DINOV2_DEFAULTS, true), layerScale: true };
  const b = visionBase(f, block, 'dinov2', modelType, arch);
  const registers = withRegisters ? f.int('num_register_tokens', 1024, 4, 0) : 0;
  return finish(b, { ...(withRegisters ? dinov2WithRegisters(registers) : DINOV2), head: { kind: 'none' }, id2label: null });
}

interface Rest extends FamilyStructure {
  head: HeadConfig;
  id2label: string[] | null;
  projectionDim?: number | null;
  poolerAct?: string;
}

/** Joins the block/geometry part with the family's structural choices. */
export function finish(b: BlockConfig & { family: EncoderConfig['family']; modelType: string; architecture: string; imageSize: [number, number]; patchSize: number; channels: number; grid: [number, number] }, r: Rest): EncoderConfig {
  const { grid, ...rest } = b;
  return {
    ...rest,
    patchBias: r.patchBias,
    tokens: r.tokens,
    position: { prefixRows: r.prefixRows, grid, interpolation: r.interpolation },
    preNorm: r.preNorm,
    finalNorm: r.finalNorm,
    pooling: r.pooling,
    head: r.head,
    id2label: r.id2label,
    text: null,
    projectionDim: r.projectionDim ?? null,
    poolerAct: r.poolerAct ?? 'tanh',
  };
}
