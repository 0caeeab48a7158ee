// Loading a model: config.json -> EncoderConfig, checkpoint tensors -> validated canonical float32 weights ->
// VisionModel (weights packed once). From a folder (Node) or from in-memory bytes (browser demo). Optimized for
// clear errors: ConfigError / WeightsError / SafetensorsError name the file, field or tensor.
// Folder layout as HF save_pretrained writes it: config.json, model.safetensors (or the sharded index),
// preprocessor_config.json (optional).

import { openCheckpoint, parseSafetensors } from '@patchwise/io';
import { fromArray } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { parseConfig } from '../config/index.js';
import type { EncoderConfig } from '../config/types.js';
import { canonicalShapes } from '../weights/canonical.js';
import { assembleWeights, planWeights } from '../weights/map.js';
import type { WeightPlan, WeightSet } from '../weights/map.js';
import { FAMILIES } from '../families/index.js';
import { VisionModel } from './vision.js';

/** A checkpoint reader as @patchwise/io provides it (tensors are decoded on request). */
export interface CheckpointReader {
  names(): string[];
  info(name: string): { readonly dtype: string; readonly shape: readonly number[] };
  /** `into`, when the reader supports it, receives the decoded float32 values (no separate allocation). */
  tensor(name: string, into?: Float32Array): Promise<Tensor> | Tensor;
}

/**
 * Adjusts the config to heads that a checkpoint may legitimately omit: a ViTModel / DeiTModel saved without
 * its pooler (HF would initialise one randomly; we drop pooler_output instead of inventing weights).
 */
export function adaptToCheckpoint(cfg: EncoderConfig, names: readonly string[]): EncoderConfig {
  if (cfg.pooling === 'pooler-dense-tanh' && !names.some((n) => n.endsWith('pooler.dense.weight'))) {
    return { ...cfg, pooling: 'none' };
  }
  return cfg;
}

/** Validates and converts every tensor of `reader` for `cfg` (throws one WeightsError naming every problem). */
export async function loadWeights(cfg: EncoderConfig, reader: CheckpointReader, where: string): Promise<WeightSet> {
  const expected = canonicalShapes(cfg);
  // Names, shapes and dtypes are checked from the header before any tensor data is read.
  const plan = planWeights(reader, FAMILIES[cfg.family].names, expected, { layers: cfg.layers, textLayers: cfg.text?.layers ?? 0, where });
  const read = new Map<string, Tensor>();
  const into = qkvDestinations(plan.rules, expected);
  for (const n of plan.sources) {
    const dst = into.get(n);
    if (dst === undefined) {
      read.set(n, await reader.tensor(n)); // F16 / BF16 decoded to float32 by the reader
      continue;
    }
    const t = await reader.tensor(n, dst);
    // A reader that ignores `into` returned its own array: copy it into place (same values either way).
    if (t.data() !== dst) {
      const c = t.contiguous();
      dst.set(c.data().subarray(c.offset, c.offset + c.size));
    }
    read.set(n, fromArray(dst, t.shape));
  }
  return assembleWeights(plan, (n) => read.get(n)!);
}

/**
 * One float32 buffer per layer for its q, k and v (weights; biases separately), each source read into its third:
 * prepareLayers then fuses them into the [3 * inner, D] projection without copying (ViT-B: 85 MB less to allocate
 * and copy at load). Only for separate q/k/v sources stored in the canonical shape.
 */
function qkvDestinations(rules: WeightPlan['rules'], expected: ReadonlyMap<string, readonly number[]>): Map<string, Float32Array> {
  const sourceOf = new Map<string, string>();
  for (const r of rules) if (r.to.length === 1 && r.layout === undefined) sourceOf.set(r.to[0]!, r.from);
  const out = new Map<string, Float32Array>();
  for (const canon of sourceOf.keys()) {
    const m = /^(.*layers\.\d+\.)q\.(weight|bias)$/.exec(canon);
    if (!m) continue;
    const names = ['q', 'k', 'v'].map((p) => `${m[1]}${p}.${m[2]}`);
    const shapes = names.map((c) => expected.get(c));
    const sources = names.map((c) => sourceOf.get(c));
    if (sources.some((x) => x === undefined) || shapes.some((x) => x === undefined || x.join() !== shapes[0]!.join())) continue;
    const size = shapes[0]!.reduce((a, b) => a * b, 1);
    const buf = new Float32Array(3 * size);
    sources.forEach((src, j) => out.set(src!, buf.subarray(j * size, (j + 1) * size)));
  }
  return out;
}

/** Builds a model from a parsed config and an opened checkpoint. */
export async function buildModel(cfg: EncoderConfig, reader: CheckpointReader, where: string, preprocessor: unknown = null): Promise<VisionModel> {
  const adapted = adaptToCheckpoint(cfg, reader.names());
  const weights = await loadWeights(adapted, reader, where);
  return new VisionModel(adapted, weights, preprocessor);
}

/** In-memory model files (e.g. picked in a browser). Strings are JSON text; objects are parsed JSON. */
export interface ModelFiles {
  config: string | object;
  /** model.safetensors bytes. */
  weights: Uint8Array;
  preprocessor?: string | object | null;
  /** Name used in error messages (default 'model.safetensors'). */
  name?: string;
}

/** Loads a model from bytes already in memory (no file system: usable in browsers). */
export async function loadModelFromFiles(files: ModelFiles): Promise<VisionModel> {
  const name = files.name ?? 'model.safetensors';
  const cfg = parseConfig(files.config, 'config.json');
  const reader = parseSafetensors(files.weights, name);
  const pre = typeof files.preprocessor === 'string' ? (JSON.parse(files.preprocessor) as unknown) : (files.preprocessor ?? null);
  return buildModel(cfg, reader, name, pre);
}

/**
 * Loads a model folder: config.json, model.safetensors (or model.safetensors.index.json + shards) and
 * preprocessor_config.json when present (kept as parsed JSON on `model.preprocessor`).
 */
export async function loadModel(dir: string): Promise<VisionModel> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const configPath = path.join(dir, 'config.json');
  let configText: string;
  try {
    configText = await fs.readFile(configPath, 'utf8');
  } catch (e) {
    throw new Error(`${configPath}: cannot read the model config (${(e as Error).message}); expected a folder with config.json and model.safetensors`);
  }
  const cfg = parseConfig(configText, configPath);
  let pre: unknown = null;
  const prePath = path.join(dir, 'preprocessor_config.json');
  try {
    pre = JSON.parse(await fs.readFile(prePath, 'utf8')) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${prePath}: ${(e as Error).message}`);
  }
  const reader = await openCheckpoint(dir);
  try {
    return await buildModel(cfg, reader, reader.file, pre);
  } finally {
    await reader.close();
  }
}
