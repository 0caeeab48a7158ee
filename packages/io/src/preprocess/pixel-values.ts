// uint8 HWC images -> float32 pixel_values [B, C, H, W]: rescale, normalize, HWC -> CHW, batch.
// Bit-exact first: every arithmetic step is rounded to float32 exactly where the reference rounds.
// 'hf' matches transformers image_transforms.rescale (float64 multiply, then astype(float32)) and normalize
// ((x - float32(mean)) / float32(std) in float32); 'torchvision' matches ToTensor (float32 x / 255) and
// Normalize (float32 sub_, div_), as timm's eval transform does.

import { Tensor, fromArray } from '@patchwise/tensor';
import { PreprocessError } from './errors.js';
import { checkU8Image, type U8Image } from './image-u8.js';

export type PixelMath = 'hf' | 'torchvision';

export interface PixelValueOptions {
  doRescale: boolean;
  /** HF: multiplier applied in float64 (1/255 = 0.00392156862745098). torchvision: must be 1/255 (ToTensor). */
  rescaleFactor: number;
  doNormalize: boolean;
  /** One value per channel. */
  mean: readonly number[];
  std: readonly number[];
  math?: PixelMath;
}

/**
 * Per-channel lookup table: `lut[c * 256 + v]` is the float32 pixel value of uint8 `v` in channel `c`.
 * Every step of the pipeline is a pure function of (c, v), so a 256-entry table per channel is exact and
 * makes the image loop a gather.
 */
export function pixelValueLut(channels: number, opts: PixelValueOptions): Float32Array {
  const math = opts.math ?? 'hf';
  if (opts.doNormalize && (opts.mean.length !== channels || opts.std.length !== channels)) {
    throw new PreprocessError(
      `pixel values: expected ${channels} mean/std values (one per channel), found ${opts.mean.length}/${opts.std.length}`,
    );
  }
  if (math === 'torchvision' && opts.doRescale && opts.rescaleFactor !== 1 / 255) {
    throw new PreprocessError(`pixel values: torchvision ToTensor divides by 255; found rescale factor ${opts.rescaleFactor}`);
  }
  const f = Math.fround;
  const lut = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    const m = f(opts.mean[c] ?? 0);
    const s = f(opts.std[c] ?? 1);
    for (let v = 0; v < 256; v++) {
      let x: number;
      if (!opts.doRescale) x = v;
      else if (math === 'hf') x = f(v * opts.rescaleFactor); // float64 product, one rounding to float32
      else x = f(v / 255); // float32 division (v and 255 are exact in float32; IEEE division rounds once)
      // Each float32 op via double then fround: double rounding is harmless for + - * / of float32 operands.
      if (opts.doNormalize) x = f(f(x - m) / s);
      lut[c * 256 + v] = x;
    }
  }
  return lut;
}

/**
 * Stacks same-size HWC uint8 images into float32 pixel_values `[B, C, H, W]` (the model input layout).
 */
export function toPixelValues(images: readonly U8Image[], opts: PixelValueOptions): Tensor<'float32'> {
  if (images.length === 0) throw new PreprocessError('toPixelValues: expected at least one image, found none');
  const first = images[0]!;
  images.forEach((img, i) => checkU8Image(img, `toPixelValues: image ${i}`));
  const { width: W, height: H, channels: C } = first;
  images.forEach((img, i) => {
    if (img.width !== W || img.height !== H || img.channels !== C) {
      throw new PreprocessError(
        `toPixelValues: image ${i} is ${img.width}x${img.height}x${img.channels}, expected ${W}x${H}x${C} like image 0 (a batch must share one size)`,
      );
    }
  });
  const lut = pixelValueLut(C, opts);
  const plane = H * W;
  const out = new Float32Array(images.length * C * plane);
  images.forEach((img, b) => {
    const src = img.data;
    for (let c = 0; c < C; c++) {
      const o = (b * C + c) * plane; // out[b, c, :, :]
      const lc = c * 256;
      for (let p = 0; p < plane; p++) out[o + p] = lut[lc + src[p * C + c]!]!; // src[y, x, c]
    }
  });
  return fromArray(out, [images.length, C, H, W]); // [B, C, H, W]
}
