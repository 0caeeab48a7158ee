// Finding and loading the model a command runs: --model as a local folder or a hub id (io resolveModel), the
// bundled default otherwise; its image pipeline (preprocessor_config.json, a timm pretrained_cfg, or the
// family's defaults at the model's image size) and, for CLIP, its tokenizer. Optimized for one clear error
// per mistake (missing folder, no config.json, no weights) before any tensor is read.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePreprocessorConfig, preprocessFromTimmConfig, resolveModel } from '@patchwise/io';
import type { PreprocessConfig, ProcessorFamily } from '@patchwise/io';
import type { EncoderConfig } from '../config/types.js';
import { loadModel } from '../model/load.js';
import type { VisionModel } from '../model/vision.js';
import { CliError } from './errors.js';

/**
 * The bundled default model. Resolved from this module's own location so that it works from src/cli (tests,
 * tsx) and from dist/cli (the built bin) alike: both are two levels below the package root.
 */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../assets/models/vit-fashion-mnist', import.meta.url));

/** The bundled sample images (assets/samples/*.png). */
export const SAMPLES_DIR = fileURLToPath(new URL('../../assets/samples', import.meta.url));

async function statOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fsp.stat(p);
  } catch {
    return null;
  }
}

/**
 * --model -> a local folder holding config.json. A path that exists must be a folder with config.json; a
 * string that does not exist is tried as a hub id (download into the HF cache, or the cache when offline).
 */
export async function resolveModelDir(arg: string | undefined, opts: { progress?: boolean } = {}): Promise<string> {
  if (arg === undefined) return DEFAULT_MODEL_DIR;
  const st = await statOrNull(arg);
  let dir: string;
  if (st !== null) {
    if (!st.isDirectory()) {
      throw new CliError(`model ${arg}: expected a folder (config.json + model.safetensors), found a file`);
    }
    dir = arg;
  } else {
    dir = await resolveModel(arg, { progress: opts.progress ?? true });
  }
  if ((await statOrNull(path.join(dir, 'config.json'))) === null) {
    throw new CliError(`model folder ${dir} has no config.json (expected config.json + model.safetensors [+ preprocessor_config.json])`);
  }
  return dir;
}

/** How output files and --json name the bundled model (its folder differs between installs). */
export const BUNDLED_MODEL_NAME = 'bundled:vit-fashion-mnist';

export interface LoadedModel {
  /** The model as the user named it (the --model argument as given), or BUNDLED_MODEL_NAME: for outputs. */
  readonly name: string;
  /** The local folder it was loaded from (a hub id resolves to its snapshot folder in the HF cache). */
  readonly dir: string;
  readonly model: VisionModel;
  /** The image pipeline that turns image files into this model's pixel_values. */
  readonly preprocess: PreprocessConfig;
}

const PROCESSOR_FAMILY: Readonly<Record<EncoderConfig['family'], ProcessorFamily | 'dinov2' | undefined>> = {
  vit: 'vit',
  deit: 'deit',
  clip: 'clip',
  siglip: 'siglip',
  dinov2: 'dinov2',
  timm: undefined,
};

/**
 * The model's preprocessing, in order of preference: its preprocessor_config.json; for timm, the
 * pretrained_cfg inside config.json; else the family's processor defaults, resized to the model's own
 * image_size (a folder without a processor file is usually a small or custom model whose config is the only
 * statement of its input size; HF's 224 default would be wrong for it).
 */
export async function preprocessFor(model: Pick<VisionModel, 'config' | 'preprocessor'>, dir: string): Promise<PreprocessConfig> {
  const cfg = model.config;
  const family = PROCESSOR_FAMILY[cfg.family];
  const source = path.join(dir, 'preprocessor_config.json');
  if (model.preprocessor !== null && model.preprocessor !== undefined) {
    return parsePreprocessorConfig(model.preprocessor, { family, numChannels: cfg.channels, source });
  }
  if (cfg.family === 'timm') {
    const configPath = path.join(dir, 'config.json');
    return preprocessFromTimmConfig(JSON.parse(await fsp.readFile(configPath, 'utf8')) as unknown, { source: configPath });
  }
  const [height, width] = cfg.imageSize;
  return parsePreprocessorConfig(
    { size: { height, width }, crop_size: { height, width }, do_center_crop: false },
    { family: family ?? 'vit', numChannels: cfg.channels, source: `${dir} (no preprocessor_config.json: family defaults at ${height}x${width})` },
  );
}

/** Resolves --model and loads the model with its image pipeline. */
export async function loadCliModel(arg: string | undefined): Promise<LoadedModel> {
  const dir = await resolveModelDir(arg);
  const model = await loadModel(dir);
  return { name: arg ?? BUNDLED_MODEL_NAME, dir, model, preprocess: await preprocessFor(model, dir) };
}

/** Fails unless the model has a CLIP text tower (CLIPModel); `what` names the command. */
export function requireTextTower(lm: LoadedModel, what: string): void {
  if (!lm.model.hasText) {
    throw new CliError(
      `${what} needs a model with a text tower (CLIPModel); ${lm.dir} is ${lm.model.config.architecture} (${lm.model.config.family})`,
    );
  }
}

/** Context length for the model's text tower: CLIP's 77, or fewer when the position table is shorter. */
export function textContextLength(model: VisionModel): number {
  return Math.min(77, model.config.text?.maxPositions ?? 77);
}
