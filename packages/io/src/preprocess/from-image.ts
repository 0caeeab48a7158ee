// Glue from encoded image files to pixel_values: decode (../image, EXIF orientation applied like HF
// load_image), PIL convert('RGB') or convert('L') for 1-channel models, then the PIL-exact pipeline.
// Thin on purpose: decoding and mode conversion belong to ../image; this file only wires them up.

import type { Tensor } from '@patchwise/tensor';
import { decodeImage, loadImageFile } from '../image/decode.js';
import { toL, toRGB } from '../image/convert.js';
import type { DecodeOptions, DecodedImage } from '../image/types.js';
import type { PreprocessConfig } from './config.js';
import type { U8Image } from './image-u8.js';
import { preprocess } from './pipeline.js';

/** A decoded image in the mode the model takes: RGB (3 channels) or L (1 channel), like PIL convert(). */
export function toModelMode(img: DecodedImage, config: PreprocessConfig): U8Image {
  return config.channels === 1 ? toL(img) : toRGB(img);
}

/** Encoded PNG/JPEG bytes -> pixel_values [B, C, H, W]. */
export function preprocessImageBytes(
  images: readonly Uint8Array[], config: PreprocessConfig, opts: DecodeOptions = {},
): Tensor<'float32'> {
  return preprocess(images.map((b) => toModelMode(decodeImage(b, opts), config)), config);
}

/** Image files (Node) -> pixel_values [B, C, H, W]; decode errors name the file. */
export async function preprocessImageFiles(
  paths: readonly string[], config: PreprocessConfig, opts: Omit<DecodeOptions, 'fileName'> = {},
): Promise<Tensor<'float32'>> {
  const imgs: U8Image[] = [];
  for (const p of paths) imgs.push(toModelMode(await loadImageFile(p, opts), config));
  return preprocess(imgs, config);
}
