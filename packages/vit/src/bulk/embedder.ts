// What a bulk job runs per batch: pixel_values [B, C, H, W] -> embeddings [B, D], with the image pipeline
// that makes those pixel_values. loadEmbedder wires up a model folder or hub id exactly as `patchwise embed`
// does (same preprocessing, same --pool choices and default), so bulk and single-image embeddings agree.

import { zeros } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import type { PreprocessConfig } from '@patchwise/io';
import { loadCliModel } from '../cli/model.js';
import { defaultPool, pooled, POOLS } from '../cli/pool.js';
import type { Pool } from '../cli/pool.js';
import { BulkError } from './errors.js';

export { POOLS };
export type { Pool };

export interface Embedder {
  /** Names the model in the output metadata: the --model argument as given, so it is the same on every machine. */
  readonly model: string;
  /** Which vector (cls, mean, pooler, projected): recorded in the metadata. */
  readonly pool: string;
  /** Embedding width D. */
  readonly dim: number;
  /** Image file -> pixel_values pipeline for this model. */
  readonly preprocess: PreprocessConfig;
  /** pixel_values [B, C, H, W] -> embeddings [B, D] float32. Each row must depend only on its own image. */
  embed(pixels: Tensor): Tensor;
}

/** The name recorded for the bundled default model (its folder differs between installs). */
export const BUNDLED_MODEL_NAME = 'bundled:vit-fashion-mnist';

/**
 * Loads `model` (folder or hub id; the bundled model when undefined) and fixes the pooling: `pool`, or the
 * model's default one, found with a probe forward pass on one zero image (which also gives D).
 */
export async function loadEmbedder(model?: string, pool?: Pool): Promise<Embedder> {
  if (pool !== undefined && !(POOLS as readonly string[]).includes(pool)) {
    throw new BulkError('usage', `--pool must be one of ${POOLS.join('|')}, got '${pool}'`);
  }
  const lm = await loadCliModel(model);
  const cfg = lm.model.config;
  const [h, w] = cfg.imageSize;
  const probeOut = lm.model.forward(zeros([1, cfg.channels, h, w])); // [1, C, H, W] -> outputs
  const chosen: Pool = pool ?? defaultPool(probeOut, cfg);
  const probe = pooled(probeOut, cfg, chosen); // [1, D]
  return {
    model: model ?? BUNDLED_MODEL_NAME,
    pool: chosen,
    dim: probe.shape[1]!,
    preprocess: lm.preprocess,
    embed: (pixels) => pooled(lm.model.forward(pixels), cfg, chosen), // [B, D]
  };
}
