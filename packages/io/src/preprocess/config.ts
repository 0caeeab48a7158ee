// PreprocessConfig: one plain-data description of an image pipeline, read from a Hugging Face
// `preprocessor_config.json` or a timm `pretrained_cfg`, with each family's defaults filled in as data.
// Matches transformers models/{vit,deit,clip,bit,siglip}/image_processing_*.py (__init__ defaults, size dict
// handling via image_processing_utils.get_size_dict) and timm data/transforms_factory.py transforms_imagenet_eval.

import { PreprocessConfigError } from './errors.js';
import { isPilResample, type PilResample } from './filters.js';
import type { CropRounding } from './crop.js';
import type { PixelMath } from './pixel-values.js';
import { pyRound } from './python-math.js';

/** How the image is resized before any crop. */
export type ResizeSpec =
  /** Resize to exactly height x width (HF size {height, width}). */
  | { kind: 'exact'; height: number; width: number }
  /** Shortest edge to `size`, the other to int(size * long / short) (HF default_to_square=False, torchvision Resize(int)). */
  | { kind: 'shortest_edge'; size: number }
  /**
   * timm ResizeKeepRatio: scale both edges by one ratio, min(h/H, w/W) (longest 0) or max (longest 1), each edge
   * rounded with Python's round (half to even).
   */
  | { kind: 'keep_ratio'; height: number; width: number; longest: 0 | 1 };

export interface PreprocessConfig {
  /** `image_processor_type` as read (e.g. 'ViTImageProcessor'), or 'timm'. */
  processorType: string;
  doResize: boolean;
  resize: ResizeSpec;
  resample: PilResample;
  doCenterCrop: boolean;
  cropSize: { height: number; width: number };
  /** 'hf' (floor, pad ceil(d/2) first) or 'torchvision' (round half even, pad floor(d/2) first). */
  cropRounding: CropRounding;
  /** Per-channel value of padding added by the crop (timm crop_mode 'border'); undefined = 0. */
  cropFill?: number[];
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: number[];
  imageStd: number[];
  /** Whether the processor itself converts inputs to RGB (HF do_convert_rgb). The HF pipeline's load_image always does. */
  doConvertRgb: boolean;
  /** Channels the model takes: 3 (RGB) or 1 (mode L kept, e.g. a num_channels 1 ViT). */
  channels: 1 | 3;
  /** Rescale/normalize arithmetic: HF numpy or torchvision ToTensor/Normalize. */
  pixelMath: PixelMath;
}

export const IMAGENET_STANDARD_MEAN = [0.5, 0.5, 0.5];
export const IMAGENET_STANDARD_STD = [0.5, 0.5, 0.5];
export const IMAGENET_DEFAULT_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_DEFAULT_STD = [0.229, 0.224, 0.225];
export const OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

export type ProcessorFamily = 'vit' | 'deit' | 'clip' | 'bit' | 'siglip';

/** Per-family defaults (the processors' __init__ defaults) and how an int `size` is read. */
interface FamilyDefaults {
  className: string;
  size: ResizeSpec;
  /** get_size_dict(int): {height, width} when true, {shortest_edge} when false. */
  intSizeIsSquare: boolean;
  /** Whether the family's resize() accepts {shortest_edge} (CLIP, BiT) or only {height, width}. */
  acceptsShortestEdge: boolean;
  resample: PilResample;
  doCenterCrop: boolean;
  cropSize: { height: number; width: number };
  mean: number[];
  std: number[];
  doConvertRgb: boolean;
}

const FAMILY_DEFAULTS: Readonly<Record<ProcessorFamily, FamilyDefaults>> = {
  vit: {
    className: 'ViTImageProcessor', size: { kind: 'exact', height: 224, width: 224 }, intSizeIsSquare: true,
    acceptsShortestEdge: false, resample: 2, doCenterCrop: false, cropSize: { height: 224, width: 224 },
    mean: IMAGENET_STANDARD_MEAN, std: IMAGENET_STANDARD_STD, doConvertRgb: false,
  },
  deit: {
    className: 'DeiTImageProcessor', size: { kind: 'exact', height: 256, width: 256 }, intSizeIsSquare: true,
    acceptsShortestEdge: false, resample: 3, doCenterCrop: true, cropSize: { height: 224, width: 224 },
    mean: IMAGENET_STANDARD_MEAN, std: IMAGENET_STANDARD_STD, doConvertRgb: false,
  },
  clip: {
    className: 'CLIPImageProcessor', size: { kind: 'shortest_edge', size: 224 }, intSizeIsSquare: false,
    acceptsShortestEdge: true, resample: 3, doCenterCrop: true, cropSize: { height: 224, width: 224 },
    mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD, doConvertRgb: true,
  },
  bit: {
    className: 'BitImageProcessor', size: { kind: 'shortest_edge', size: 224 }, intSizeIsSquare: false,
    acceptsShortestEdge: true, resample: 3, doCenterCrop: true, cropSize: { height: 224, width: 224 },
    mean: OPENAI_CLIP_MEAN, std: OPENAI_CLIP_STD, doConvertRgb: true,
  },
  siglip: {
    // Older transformers: do_convert_rgb None (off); the newest sets True. Inputs from load_image are RGB either way.
    className: 'SiglipImageProcessor', size: { kind: 'exact', height: 224, width: 224 }, intSizeIsSquare: true,
    acceptsShortestEdge: false, resample: 3, doCenterCrop: false, cropSize: { height: 224, width: 224 },
    mean: IMAGENET_STANDARD_MEAN, std: IMAGENET_STANDARD_STD, doConvertRgb: false,
  },
};

/** Class names (current, legacy FeatureExtractor, and Fast variants) -> family. */
const TYPE_TO_FAMILY: ReadonlyMap<string, ProcessorFamily> = new Map<string, ProcessorFamily>([
  ['ViTImageProcessor', 'vit'], ['ViTImageProcessorFast', 'vit'], ['ViTFeatureExtractor', 'vit'],
  ['DeiTImageProcessor', 'deit'], ['DeiTImageProcessorFast', 'deit'], ['DeiTFeatureExtractor', 'deit'],
  ['CLIPImageProcessor', 'clip'], ['CLIPImageProcessorFast', 'clip'], ['CLIPFeatureExtractor', 'clip'],
  ['BitImageProcessor', 'bit'], ['BitImageProcessorFast', 'bit'],
  ['SiglipImageProcessor', 'siglip'], ['SiglipImageProcessorFast', 'siglip'],
]);

export const KNOWN_PROCESSOR_TYPES: readonly string[] = [...TYPE_TO_FAMILY.keys()];

export interface ParsePreprocessorOptions {
  /** Family to use when the JSON names no processor type ('dinov2' reads as 'bit', as DINOv2 uses BitImageProcessor). */
  family?: ProcessorFamily | 'dinov2';
  /** The model's num_channels (config.json); 1 keeps grayscale (mode L) input. Default 3. */
  numChannels?: number;
  /** Name of the file, for error messages. */
  source?: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function where(source: string | undefined): string {
  return source ? ` in ${source}` : '';
}

function posInt(v: unknown, field: string, src: string | undefined): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new PreprocessConfigError(`${field}${where(src)}: expected a positive integer, found ${JSON.stringify(v)}`, field);
  }
  return v;
}

function bool(j: Json, field: string, dflt: boolean, src: string | undefined): boolean {
  const v = j[field];
  if (v === undefined || v === null) return dflt; // HF treats None as "use the default"
  if (typeof v !== 'boolean') {
    throw new PreprocessConfigError(`${field}${where(src)}: expected true/false, found ${JSON.stringify(v)}`, field);
  }
  return v;
}

function numberList(j: Json, field: string, dflt: number[], channels: number, src: string | undefined): number[] {
  const v = j[field];
  if (v === undefined || v === null) return dflt.length === channels ? dflt.slice() : dflt.slice(0, channels);
  // A scalar mean/std broadcasts over channels (HF normalize accepts a float).
  const list = typeof v === 'number' ? new Array<number>(channels).fill(v) : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new PreprocessConfigError(`${field}${where(src)}: expected a number or a list of numbers, found ${JSON.stringify(v)}`, field);
  }
  if (list.length !== channels) {
    throw new PreprocessConfigError(
      `${field}${where(src)}: expected ${channels} values (one per channel), found ${list.length}`, field,
    );
  }
  return list as number[];
}

/** get_size_dict + the family's resize(): JSON `size` -> ResizeSpec. */
function readSize(v: unknown, fam: FamilyDefaults, src: string | undefined): ResizeSpec {
  if (v === undefined || v === null) return fam.size;
  if (typeof v === 'number') {
    const s = posInt(v, 'size', src);
    return fam.intSizeIsSquare ? { kind: 'exact', height: s, width: s } : { kind: 'shortest_edge', size: s };
  }
  if (Array.isArray(v) && v.length === 2) {
    return { kind: 'exact', height: posInt(v[0], 'size[0]', src), width: posInt(v[1], 'size[1]', src) };
  }
  if (isObject(v)) {
    if ('height' in v || 'width' in v) {
      return { kind: 'exact', height: posInt(v.height, 'size.height', src), width: posInt(v.width, 'size.width', src) };
    }
    if ('shortest_edge' in v) {
      if (!fam.acceptsShortestEdge) {
        throw new PreprocessConfigError(
          `size${where(src)}: ${fam.className} resizes to {"height", "width"}; found ${JSON.stringify(v)}`, 'size',
        );
      }
      // CLIP/BiT resize() reads only shortest_edge; a longest_edge next to it is ignored there too.
      return { kind: 'shortest_edge', size: posInt(v.shortest_edge, 'size.shortest_edge', src) };
    }
  }
  throw new PreprocessConfigError(
    `size${where(src)}: expected an int, [h, w], {"height", "width"} or {"shortest_edge"}, found ${JSON.stringify(v)}`, 'size',
  );
}

function readCropSize(v: unknown, dflt: { height: number; width: number }, src: string | undefined): { height: number; width: number } {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'number') {
    const s = posInt(v, 'crop_size', src);
    return { height: s, width: s };
  }
  if (Array.isArray(v) && v.length === 2) {
    return { height: posInt(v[0], 'crop_size[0]', src), width: posInt(v[1], 'crop_size[1]', src) };
  }
  if (isObject(v) && ('height' in v || 'width' in v)) {
    return { height: posInt(v.height, 'crop_size.height', src), width: posInt(v.width, 'crop_size.width', src) };
  }
  throw new PreprocessConfigError(`crop_size${where(src)}: expected an int or {"height", "width"}, found ${JSON.stringify(v)}`, 'crop_size');
}

function readChannels(n: number | undefined, src: string | undefined): 1 | 3 {
  if (n === undefined || n === 3) return 3;
  if (n === 1) return 1;
  throw new PreprocessConfigError(`num_channels${where(src)}: expected 1 or 3, found ${n}`, 'num_channels');
}

/**
 * Reads a Hugging Face `preprocessor_config.json` (parsed object or JSON text) into a PreprocessConfig,
 * filling each missing field with the processor family's default. Throws PreprocessConfigError for an
 * unknown `image_processor_type` / `feature_extractor_type` or a malformed field.
 */
export function parsePreprocessorConfig(json: unknown, opts: ParsePreprocessorOptions = {}): PreprocessConfig {
  const src = opts.source;
  let j: unknown = json;
  if (typeof j === 'string') {
    try {
      j = JSON.parse(j) as unknown;
    } catch (e) {
      throw new PreprocessConfigError(`preprocessor config${where(src)}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObject(j)) throw new PreprocessConfigError(`preprocessor config${where(src)}: expected a JSON object`);
  const typeField = j.image_processor_type !== undefined ? 'image_processor_type' : 'feature_extractor_type';
  const typeName = j[typeField];
  let family: ProcessorFamily;
  if (typeName !== undefined && typeName !== null) {
    if (typeof typeName !== 'string') {
      throw new PreprocessConfigError(`${typeField}${where(src)}: expected a string, found ${JSON.stringify(typeName)}`, typeField);
    }
    const f = TYPE_TO_FAMILY.get(typeName);
    if (f === undefined) {
      throw new PreprocessConfigError(
        `${typeField}${where(src)}: unknown image processor "${typeName}"; supported: ${KNOWN_PROCESSOR_TYPES.join(', ')}`, typeField,
      );
    }
    family = f;
  } else if (opts.family !== undefined) {
    family = opts.family === 'dinov2' ? 'bit' : opts.family;
  } else {
    throw new PreprocessConfigError(
      `preprocessor config${where(src)}: no image_processor_type or feature_extractor_type, and no family given`, 'image_processor_type',
    );
  }
  const fam = FAMILY_DEFAULTS[family];
  const channels = readChannels(opts.numChannels, src);
  const resample = j.resample ?? fam.resample;
  if (!isPilResample(resample)) {
    throw new PreprocessConfigError(`resample${where(src)}: expected a PIL filter id 0..5, found ${JSON.stringify(resample)}`, 'resample');
  }
  const rescale = j.rescale_factor ?? 1 / 255;
  if (typeof rescale !== 'number' || !Number.isFinite(rescale)) {
    throw new PreprocessConfigError(`rescale_factor${where(src)}: expected a number, found ${JSON.stringify(rescale)}`, 'rescale_factor');
  }
  const doNormalize = bool(j, 'do_normalize', true, src);
  return {
    processorType: typeof typeName === 'string' ? typeName : fam.className,
    doResize: bool(j, 'do_resize', true, src),
    resize: readSize(j.size, fam, src),
    resample,
    doCenterCrop: bool(j, 'do_center_crop', fam.doCenterCrop, src),
    cropSize: readCropSize(j.crop_size, fam.cropSize, src),
    cropRounding: 'hf',
    doRescale: bool(j, 'do_rescale', true, src),
    rescaleFactor: rescale,
    doNormalize,
    imageMean: numberList(j, 'image_mean', fam.mean, channels, src),
    imageStd: numberList(j, 'image_std', fam.std, channels, src),
    // A 1-channel model keeps mode L (converting to RGB would break it), whatever the JSON says.
    doConvertRgb: channels === 3 && bool(j, 'do_convert_rgb', fam.doConvertRgb, src),
    channels,
    pixelMath: 'hf',
  };
}

// --- timm -------------------------------------------------------------------------------------------------

const TIMM_INTERPOLATION: ReadonlyMap<string, PilResample> = new Map<string, PilResample>([
  ['nearest', 0], ['lanczos', 1], ['bilinear', 2], ['bicubic', 3], ['box', 4], ['hamming', 5],
]);

/** timm DEFAULT_CROP_PCT. */
export const TIMM_DEFAULT_CROP_PCT = 0.875;

/**
 * Reads a timm `pretrained_cfg` (or a timm hub `config.json` holding one under `pretrained_cfg`) into the
 * eval pipeline timm builds: Resize(floor(size / crop_pct)) on the shortest edge with the given
 * interpolation (torchvision -> PIL resize), CenterCrop(size) with torchvision rounding, ToTensor, Normalize.
 */
export function preprocessFromTimmConfig(cfg: unknown, opts: { source?: string } = {}): PreprocessConfig {
  const src = opts.source;
  if (!isObject(cfg)) throw new PreprocessConfigError(`timm pretrained_cfg${where(src)}: expected a JSON object`);
  const c: Json = isObject(cfg.pretrained_cfg) ? cfg.pretrained_cfg : cfg;
  const inputSize = c.input_size ?? [3, 224, 224];
  if (!Array.isArray(inputSize) || inputSize.length !== 3) {
    throw new PreprocessConfigError(`input_size${where(src)}: expected [C, H, W], found ${JSON.stringify(inputSize)}`, 'input_size');
  }
  const nch = posInt(inputSize[0], 'input_size[0]', src);
  const channels = readChannels(nch, src);
  const H = posInt(inputSize[1], 'input_size[1]', src);
  const W = posInt(inputSize[2], 'input_size[2]', src);
  const interp = c.interpolation ?? 'bicubic';
  const resample = typeof interp === 'string' ? TIMM_INTERPOLATION.get(interp) : undefined;
  if (resample === undefined) {
    throw new PreprocessConfigError(
      `interpolation${where(src)}: expected one of ${[...TIMM_INTERPOLATION.keys()].join(', ')}, found ${JSON.stringify(interp)}`, 'interpolation',
    );
  }
  // `crop_pct or DEFAULT_CROP_PCT`: null and 0 both fall back.
  const cropPct = c.crop_pct === undefined || c.crop_pct === null || c.crop_pct === 0 ? TIMM_DEFAULT_CROP_PCT : c.crop_pct;
  if (typeof cropPct !== 'number' || !(cropPct > 0)) {
    throw new PreprocessConfigError(`crop_pct${where(src)}: expected a positive number, found ${JSON.stringify(cropPct)}`, 'crop_pct');
  }
  if (c.crop_border_pixels) {
    throw new PreprocessConfigError(`crop_border_pixels${where(src)}: not supported (found ${JSON.stringify(c.crop_border_pixels)})`, 'crop_border_pixels');
  }
  const mean = numberList(c, 'mean', IMAGENET_DEFAULT_MEAN, channels, src);
  const std = numberList(c, 'std', IMAGENET_DEFAULT_STD, channels, src);
  const scaleH = Math.floor(H / cropPct);
  const scaleW = Math.floor(W / cropPct);
  const mode = c.crop_mode ?? 'center';
  let resize: ResizeSpec;
  let cropFill: number[] | undefined;
  if (mode === 'squash') {
    resize = { kind: 'exact', height: scaleH, width: scaleW };
  } else if (mode === 'border') {
    resize = { kind: 'keep_ratio', height: scaleH, width: scaleW, longest: 1 };
    cropFill = mean.map((m) => pyRound(255 * m));
  } else if (mode === 'center') {
    resize = scaleH === scaleW ? { kind: 'shortest_edge', size: scaleH } : { kind: 'keep_ratio', height: scaleH, width: scaleW, longest: 0 };
  } else {
    throw new PreprocessConfigError(`crop_mode${where(src)}: expected center, squash or border, found ${JSON.stringify(mode)}`, 'crop_mode');
  }
  const out: PreprocessConfig = {
    processorType: 'timm',
    doResize: true,
    resize,
    resample,
    doCenterCrop: true,
    cropSize: { height: H, width: W },
    cropRounding: 'torchvision',
    doRescale: true,
    rescaleFactor: 1 / 255,
    doNormalize: true,
    imageMean: mean,
    imageStd: std,
    doConvertRgb: channels === 3,
    channels,
    pixelMath: 'torchvision',
  };
  if (cropFill) out.cropFill = cropFill;
  return out;
}
