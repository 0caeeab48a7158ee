// timm Hugging Face Hub config.json (timm/models/_hub.py save_config_for_hf: architecture, num_classes,
// global_pool, label_names, model_args, pretrained_cfg) -> EncoderConfig for timm's VisionTransformer
// (timm/models/vision_transformer.py). Dimensions come from model_args (kwargs that override the entrypoint's
// defaults) or from the standard vit_<size>_patch<p>_<img> entrypoint names.

import { ConfigError } from './errors.js';
import { Fields, LIMITS, describe } from './fields.js';
import { finish } from './hf.js';
import type { EncoderConfig, HeadConfig, Pooling } from './types.js';

/** Standard widths of timm's vit_* / deit_* entrypoints: embed_dim, depth, num_heads (mlp_ratio 4). */
const SIZES: Record<string, { embed: number; depth: number; heads: number }> = {
  tiny: { embed: 192, depth: 12, heads: 3 },
  small: { embed: 384, depth: 12, heads: 6 },
  medium: { embed: 512, depth: 12, heads: 8 },
  base: { embed: 768, depth: 12, heads: 12 },
  large: { embed: 1024, depth: 24, heads: 16 },
  huge: { embed: 1280, depth: 32, heads: 16 },
};

const NAME = /^(?:vit|deit)_(tiny|small|medium|base|large|huge)_patch(\d+)_(\d+)(?:$|[._])/;

/** True when a config.json object is in timm's hub format. */
export function isTimmConfig(f: Fields): boolean {
  return f.has('architecture') && !f.has('model_type');
}

export function parseTimmConfig(f: Fields): EncoderConfig {
  const arch = f.str('architecture');
  const args = f.optSub('model_args') ?? new Fields({}, `${f.where}: model_args`);
  const m = NAME.exec(arch);
  if (/clip|siglip|dinov2|reg\d|distilled|gap|rope|so400m/.test(arch)) {
    throw new ConfigError(`${f.where}: timm architecture "${arch}" is not supported (expected a plain vit_<size>_patch<p>_<img> VisionTransformer)`);
  }
  const std = m ? SIZES[m[1]!]! : null;
  const need = (key: string, fromName: number | undefined, max: number): number => {
    if (args.has(key)) return args.int(key, max);
    if (fromName !== undefined) return fromName;
    throw new ConfigError(
      `${f.where}: cannot tell "${key}" for architecture "${arch}": it is neither in model_args nor a standard vit_<size>_patch<p>_<img> name`,
    );
  };
  const hidden = need('embed_dim', std?.embed, LIMITS.hidden);
  const layers = need('depth', std?.depth, LIMITS.layers);
  const heads = need('num_heads', std?.heads, LIMITS.heads);
  const patchSize = need('patch_size', m ? Number(m[2]) : undefined, LIMITS.imageSide);
  const pcfg = f.optSub('pretrained_cfg');
  let imgFromCfg: number | undefined;
  if (pcfg?.has('input_size')) {
    const s = pcfg.obj['input_size'];
    if (!Array.isArray(s) || s.length !== 3 || typeof s[1] !== 'number') {
      throw new ConfigError(`${f.where}: pretrained_cfg.input_size must be [C, H, W], found ${describe(s)}`);
    }
    imgFromCfg = s[1];
  }
  const imageSize = args.has('img_size') ? args.size2('img_size') : ((): [number, number] => {
    const s = m ? Number(m[3]) : imgFromCfg;
    if (s === undefined) throw new ConfigError(`${f.where}: cannot tell the image size of "${arch}" (no model_args.img_size, no size in the name)`);
    return [s, s];
  })();
  const channels = args.int('in_chans', LIMITS.channels, 3);
  if (hidden % heads !== 0) throw new ConfigError(`${f.where}: embed_dim ${hidden} is not a multiple of num_heads ${heads}`);
  const mlpRatio = args.num('mlp_ratio', 4);
  const mlp = Math.trunc(hidden * mlpRatio); // timm Mlp(hidden_features=int(dim * mlp_ratio))
  if (!(mlp >= 1 && mlp <= LIMITS.mlp)) throw new ConfigError(`${f.where}: mlp_ratio ${mlpRatio} gives an MLP width of ${mlp}`);

  const classToken = args.bool('class_token', true);
  const globalPool = args.str('global_pool', f.str('global_pool', 'token'));
  const regTokens = args.int('reg_tokens', 1024, 0, 0);
  const noEmbedClass = args.bool('no_embed_class', false);
  const preNorm = args.bool('pre_norm', false);
  const initValues = args.has('init_values') ? args.num('init_values') : null;
  if (args.has('qk_norm') && args.bool('qk_norm')) throw new ConfigError(`${f.where}: model_args.qk_norm=true is not supported`);
  // VisionTransformer.__init__: use_fc_norm = global_pool in ('avg', 'avgmax', 'max') if fc_norm is None.
  const fcNormArg = args.obj['fc_norm'];
  if (fcNormArg !== undefined && fcNormArg !== null && typeof fcNormArg !== 'boolean') {
    throw new ConfigError(`${f.where}: model_args.fc_norm must be true, false or null, found ${describe(fcNormArg)}`);
  }
  let pooling: Pooling;
  let finalNorm: EncoderConfig['finalNorm'] = 'all';
  if (globalPool === 'token') {
    if (!classToken) throw new ConfigError(`${f.where}: global_pool "token" needs class_token=true`);
    pooling = 'cls';
  } else if (globalPool === 'avg') {
    const useFcNorm = fcNormArg === undefined || fcNormArg === null ? true : fcNormArg;
    pooling = useFcNorm ? 'avg-with-fc-norm' : 'mean';
    if (useFcNorm) finalNorm = 'none';
  } else if (globalPool === '') {
    pooling = 'none';
  } else {
    throw new ConfigError(`${f.where}: global_pool "${globalPool}" is not supported (expected "token", "avg" or "")`);
  }
  const numClasses = f.int('num_classes', LIMITS.classes, 1000, 0);
  let head: HeadConfig = { kind: 'none' };
  let id2label: string[] | null = null;
  if (numClasses > 0 && pooling !== 'none') {
    head = { kind: 'classifier', numClasses };
    const names = f.obj['label_names'];
    id2label = Array.from({ length: numClasses }, (_, i) => `LABEL_${i}`);
    if (Array.isArray(names)) names.slice(0, numClasses).forEach((n, i) => (id2label![i] = String(n)));
  }
  const act = args.str('act_layer', 'gelu');
  const grid: [number, number] = [Math.floor(imageSize[0] / patchSize), Math.floor(imageSize[1] / patchSize)];
  return finish(
    {
      hidden,
      layers,
      heads,
      headDim: hidden / heads,
      mlp,
      act,
      eps: 1e-6, // timm: norm_layer = partial(nn.LayerNorm, eps=1e-6); not stored in the files
      qkvBias: args.bool('qkv_bias', true),
      layerScale: initValues !== null,
      family: 'timm',
      modelType: 'timm',
      architecture: arch,
      imageSize,
      patchSize,
      channels,
      grid,
    },
    {
      patchBias: !preNorm, // timm: PatchEmbed(bias=not pre_norm)
      tokens: { cls: classToken, distillation: false, registers: regTokens },
      prefixRows: noEmbedClass ? 0 : (classToken ? 1 : 0) + regTokens,
      interpolation: 'dinov2-registers', // timm resample_abs_pos_embed: bicubic, antialias=True
      preNorm,
      finalNorm,
      pooling,
      head,
      id2label,
    },
  );
}
