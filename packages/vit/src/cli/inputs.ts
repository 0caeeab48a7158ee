// Inputs of the image commands: image files (decoded, EXIF-oriented and preprocessed by @patchwise/io exactly as
// the HF processor would), or a tensor file holding `pixel_values` [B, C, H, W] (and, for CLIP, `input_ids` /
// `attention_mask`) as a Python user dumps them. Optimized for bounded memory: images are read in batches.

import { promises as fsp } from 'node:fs';
import { openSafetensors, preprocessImageFiles } from '@patchwise/io';
import type { PreprocessConfig } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import type { ParsedArgs } from './args.js';
import { optString } from './args.js';
import { CliError, UsageError } from './errors.js';
import type { LoadedModel } from './model.js';

/** Images per forward pass when reading files: bounds memory for long argument lists. */
export const DEFAULT_BATCH = 16;

export interface InputBatch {
  /** One name per row of `pixels`: the image path, or `<file>[i]` for rows of a --pixels file. */
  readonly names: string[];
  /** [B, C, H, W] float32 */
  readonly pixels: Tensor;
}

/** What a --pixels file held besides pixel_values (CLIP text inputs). */
export interface PixelFile {
  readonly batch: InputBatch;
  readonly inputIds: Tensor | null;
  readonly attentionMask: Tensor | null;
}

/** Checks that every path is a readable regular file before any decoding starts (one clear error). */
export async function checkImageFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    let st;
    try {
      st = await fsp.stat(p);
    } catch {
      throw new CliError(`image ${p}: no such file`);
    }
    if (!st.isFile()) throw new CliError(`image ${p}: expected an image file (PNG or JPEG), found a ${st.isDirectory() ? 'directory' : 'special file'}`);
  }
}

/** Reads `pixel_values` (and `input_ids` / `attention_mask` when present) from a safetensors file. */
export async function readPixelFile(file: string, lm: LoadedModel): Promise<PixelFile> {
  if (!(await fsp.stat(file).then((s) => s.isFile(), () => false))) throw new CliError(`--pixels ${file}: no such file`);
  const st = await openSafetensors(file);
  try {
    if (!st.has('pixel_values')) {
      throw new CliError(`${file}: expected a tensor named pixel_values [B, C, H, W], found ${st.names().join(', ') || 'no tensors'}`);
    }
    const pixels = await st.tensor('pixel_values');
    const C = lm.model.config.channels;
    if (pixels.rank !== 4 || pixels.dtype !== 'float32') {
      throw new CliError(`${file}: pixel_values must be a float tensor [B, C, H, W], found ${pixels.dtype} [${pixels.shape.join(', ')}]`);
    }
    if (pixels.shape[1] !== C) {
      throw new CliError(`${file}: pixel_values has ${pixels.shape[1]} channels; the model takes ${C} ([B, ${C}, H, W])`);
    }
    const names = Array.from({ length: pixels.shape[0]! }, (_, i) => `${file}[${i}]`);
    const inputIds = st.has('input_ids') ? await st.tensor('input_ids') : null;
    const attentionMask = st.has('attention_mask') ? await st.tensor('attention_mask') : null;
    if (attentionMask !== null && inputIds === null) throw new CliError(`${file}: has attention_mask but no input_ids`);
    return { batch: { names, pixels }, inputIds, attentionMask };
  } finally {
    await st.close();
  }
}

/** Decodes and preprocesses image files in batches of `batchSize`. */
export async function* imageBatches(paths: readonly string[], pc: PreprocessConfig, batchSize = DEFAULT_BATCH): AsyncGenerator<InputBatch> {
  for (let i = 0; i < paths.length; i += batchSize) {
    const names = paths.slice(i, i + batchSize);
    yield { names, pixels: await preprocessImageFiles(names, pc) };
  }
}

/**
 * The inputs of an image command: positional image files, or --pixels F. Exactly one of the two. Returns the
 * batches to run and, for --pixels, the text inputs found in the file.
 */
export async function commandInputs(
  args: ParsedArgs,
  lm: LoadedModel,
  opts: { batchSize?: number; single?: boolean } = {},
): Promise<{ batches: AsyncIterable<InputBatch>; text: { inputIds: Tensor; attentionMask: Tensor | null } | null }> {
  const pixelsFile = optString(args, 'pixels');
  const images = args.positionals;
  if (pixelsFile !== undefined && images.length > 0) throw new UsageError('give image files or --pixels, not both');
  if (pixelsFile === undefined && images.length === 0) throw new UsageError('no input: give one or more image files (or --pixels F.safetensors)');
  if (opts.single && images.length > 1) throw new UsageError(`expected one image, got ${images.length}`);
  if (pixelsFile !== undefined) {
    const pf = await readPixelFile(pixelsFile, lm);
    if (opts.single && pf.batch.pixels.shape[0] !== 1) {
      throw new CliError(`${pixelsFile}: expected pixel_values for one image ([1, C, H, W]), found [${pf.batch.pixels.shape.join(', ')}]`);
    }
    const batches = (async function* () {
      yield pf.batch;
    })();
    return { batches, text: pf.inputIds ? { inputIds: pf.inputIds, attentionMask: pf.attentionMask } : null };
  }
  await checkImageFiles(images);
  return { batches: imageBatches(images, lm.preprocess, opts.batchSize), text: null };
}

/** All batches concatenated into one list of names and one list of per-batch results. */
export async function collect<T>(batches: AsyncIterable<InputBatch>, fn: (b: InputBatch) => T): Promise<{ names: string[]; results: T[] }> {
  const names: string[] = [];
  const results: T[] = [];
  for await (const b of batches) {
    names.push(...b.names);
    results.push(fn(b));
  }
  return { names, results };
}
