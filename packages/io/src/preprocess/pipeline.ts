// The whole image -> pixel_values pipeline driven by a PreprocessConfig: resize, center crop, rescale,
// normalize, HWC -> CHW, batch. Readability first; the heavy lifting is in resize.ts.
// Matches the order of transformers ViT/DeiT/CLIP/BiT/SigLIP `preprocess` (resize -> center_crop -> rescale ->
// normalize) and timm transforms_imagenet_eval; output sizes follow image_transforms.get_resize_output_image_size
// (default_to_square=False) / torchvision _compute_resized_output_size, which agree.

import type { Tensor } from '@patchwise/tensor';
import type { PreprocessConfig, ResizeSpec } from './config.js';
import { pyRound } from './python-math.js';
import { centerCrop } from './crop.js';
import { PreprocessError } from './errors.js';
import { checkU8Image, type U8Image } from './image-u8.js';
import { toPixelValues } from './pixel-values.js';
import { resizeU8 } from './resize.js';

/** Output size of the resize step for an input of `height` x `width`. */
export function resizeOutputSize(height: number, width: number, spec: ResizeSpec): { height: number; width: number } {
  switch (spec.kind) {
    case 'exact':
      return { height: spec.height, width: spec.width };
    case 'shortest_edge': {
      // short edge -> size; long edge -> int(size * long / short): a float64 product and quotient, truncated.
      const portrait = width <= height;
      const short = portrait ? width : height;
      const long = portrait ? height : width;
      const newLong = Math.trunc((spec.size * long) / short);
      return portrait ? { height: newLong, width: spec.size } : { height: spec.size, width: newLong };
    }
    case 'keep_ratio': {
      // timm ResizeKeepRatio.get_params: one ratio for both edges, each edge round()ed (half to even).
      const rh = height / spec.height;
      const rw = width / spec.width;
      const ratio = Math.max(rh, rw) * spec.longest + Math.min(rh, rw) * (1 - spec.longest);
      return { height: pyRound(height / ratio), width: pyRound(width / ratio) };
    }
  }
}

/**
 * The uint8 part of the pipeline for one image: resize (PIL-exact) then center crop. Returns HWC uint8,
 * i.e. the bytes that HF/timm turn into pixel_values.
 */
export function preprocessU8(img: U8Image, config: PreprocessConfig): U8Image {
  checkU8Image(img, 'preprocess');
  if (img.channels !== config.channels) {
    throw new PreprocessError(
      `preprocess: the model takes ${config.channels}-channel images (${config.channels === 3 ? 'RGB' : 'L'}), found ${img.channels} channels; ` +
        `convert first (PIL convert('${config.channels === 3 ? 'RGB' : 'L'}'), see the image helpers toRGB/toL)`,
    );
  }
  let cur = img;
  if (config.doResize) {
    const { height, width } = resizeOutputSize(cur.height, cur.width, config.resize);
    cur = resizeU8(cur, width, height, config.resample); // [h, w, C]
  }
  if (config.doCenterCrop) {
    const opts = config.cropFill ? { rounding: config.cropRounding, fill: config.cropFill } : { rounding: config.cropRounding };
    cur = centerCrop(cur, config.cropSize.height, config.cropSize.width, opts); // [crop_h, crop_w, C]
  }
  return cur;
}

/**
 * Images (HWC uint8 with `config.channels` channels) -> pixel_values `[B, C, H, W]` float32, bit-exact with
 * the HF PIL-backed processor (or timm's eval transform for a timm config).
 */
export function preprocess(images: readonly U8Image[], config: PreprocessConfig): Tensor<'float32'> {
  const prepared = images.map((img) => preprocessU8(img, config));
  return toPixelValues(prepared, {
    doRescale: config.doRescale,
    rescaleFactor: config.rescaleFactor,
    doNormalize: config.doNormalize,
    mean: config.imageMean,
    std: config.imageStd,
    math: config.pixelMath,
  }); // [B, C, H, W]
}
