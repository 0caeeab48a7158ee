// Center crop of HWC uint8 images, with zero (or per-channel fill) padding when the crop is larger.
// Two rounding conventions exist and they disagree when (size - crop) is odd, so both are implemented:
// 'hf' matches transformers image_transforms.center_crop (top = (h - ch) // 2, pad top = ceil(dh / 2));
// 'torchvision' matches torchvision.transforms.functional.center_crop / timm center_crop_or_pad
// (pad left = dw // 2, then top = round((h - ch) / 2) with Python's round-half-to-even).

import { PreprocessError } from './errors.js';
import { checkU8Image, type U8Image } from './image-u8.js';
import { pyRound } from './python-math.js';

export type CropRounding = 'hf' | 'torchvision';

export interface CenterCropOptions {
  rounding?: CropRounding;
  /** Per-channel value of padded pixels (timm crop_mode 'border' pads with round(255 * mean)); default 0. */
  fill?: readonly number[];
}

/** Copies the window [top, top + h) x [left, left + w) of `img`; pixels outside `img` take `fill`. */
function window(img: U8Image, top: number, left: number, h: number, w: number, fill: readonly number[]): U8Image {
  const ch = img.channels;
  const out = new Uint8Array(h * w * ch);
  for (let y = 0; y < h; y++) {
    const sy = y + top;
    for (let x = 0; x < w; x++) {
      const sx = x + left;
      const o = (y * w + x) * ch;
      if (sy >= 0 && sy < img.height && sx >= 0 && sx < img.width) {
        const i = (sy * img.width + sx) * ch;
        for (let c = 0; c < ch; c++) out[o + c] = img.data[i + c]!;
      } else {
        for (let c = 0; c < ch; c++) out[o + c] = fill[c]!;
      }
    }
  }
  return { width: w, height: h, channels: ch, data: out };
}

/**
 * Window origin (top or left) of a centered crop of length `crop` in an axis of length `size`, in the
 * coordinates of the unpadded image (negative when padding is added before it).
 */
export function centerCropOrigin(size: number, crop: number, rounding: CropRounding): number {
  if (rounding === 'hf') {
    if (crop <= size) return Math.floor((size - crop) / 2);
    // HF pads the axis to `crop` with ceil(d / 2) zeros before the image; its window then starts at
    // floor((size - crop) / 2) + ceil(d / 2) = 0 of the padded axis, i.e. -ceil(d / 2) of the image.
    return -Math.ceil((crop - size) / 2);
  }
  if (crop <= size) return pyRound((size - crop) / 2);
  // torchvision pads floor(d / 2) before; the padded axis then equals the crop, so the window starts there.
  return -Math.floor((crop - size) / 2);
}

/**
 * Crop the centered `height` x `width` window; pads with `fill` (default 0) where the crop is larger than the
 * image. Output is a new HWC uint8 image.
 */
export function centerCrop(img: U8Image, height: number, width: number, opts: CenterCropOptions = {}): U8Image {
  checkU8Image(img, 'centerCrop');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PreprocessError(`centerCrop: expected a positive integer crop size, found ${width}x${height}`);
  }
  const rounding = opts.rounding ?? 'hf';
  const fill = opts.fill ?? new Array<number>(img.channels).fill(0);
  if (fill.length !== img.channels || !fill.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    throw new PreprocessError(`centerCrop: expected ${img.channels} fill values in 0..255, found [${fill.join(', ')}]`);
  }
  const top = centerCropOrigin(img.height, height, rounding);
  const left = centerCropOrigin(img.width, width, rounding);
  return window(img, top, left, height, width, fill);
}
