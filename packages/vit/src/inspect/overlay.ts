// Pictures of what the encoder sees: a patch map colour-mapped and alpha-blended over the image (smoothly
// upsampled to the image's own size), and the model input drawn large with its patch grid.
// Optimized for plain, dependency-free pixel loops on 8-bit HWC images (encode them with @patchwise/io
// encodePNG, or put them on a canvas). Matches the usual "heatmap over image" recipe (jacobgil/vit-explain
// show_mask_on_image), with viridis instead of jet.

import type { Image8, U8Image } from '@patchwise/io';
import { VIRIDIS, lutIndex, normalize01 } from './colormap.js';
import type { Box } from './region.js';
import type { PatchMap } from './rollout.js';
import { upsampleBilinear } from './upsample.js';

/** Sample `c` of pixel `p` of a 1/3/4-channel image as RGB (gray replicated; alpha ignored). */
function rgbAt(img: U8Image, p: number, c: number): number {
  return img.channels < 3 ? img.data[p * img.channels]! : img.data[p * img.channels + c]!;
}

export interface OverlayOptions {
  /** Weight of the colour map (0 = image only, 1 = heat only). Default 0.5. */
  alpha?: number;
  /** Where the patch grid lies in the image (see inputRegion); default the whole image. */
  region?: Box;
  /** Min-max scale the map to [0, 1] first (default true); false expects values already in [0, 1]. */
  normalize?: boolean;
}

/**
 * image (H x W, 1/3/4 channels) + patch map -> RGB image of the same size: viridis(map) blended with the image.
 * Pixels outside `region` (the part of the image the model never saw, e.g. cropped away) are shown dimmed.
 */
export function overlayHeatmap(image: U8Image, map: PatchMap, opts: OverlayOptions = {}): Image8 {
  const alpha = opts.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`overlay alpha must be in [0, 1], got ${alpha}`);
  const { width: W, height: H } = image;
  const values = opts.normalize === false ? map.values : normalize01(map.values);
  const heat = upsampleBilinear(values, map.gridH, map.gridW, H, W, opts.region); // [H * W], NaN outside region
  const out = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    const v = heat[p]!;
    for (let c = 0; c < 3; c++) {
      const px = rgbAt(image, p, c);
      out[p * 3 + c] = Number.isNaN(v) ? px >> 1 : Math.round((1 - alpha) * px + alpha * VIRIDIS[lutIndex(v) * 3 + c]!);
    }
  }
  return { width: W, height: H, channels: 3, data: out };
}

/** The patch map alone as a viridis picture of `width` x `height` (smooth), e.g. for a colour legend-free figure. */
export function heatmapImage(map: PatchMap, width: number, height: number): Image8 {
  const heat = upsampleBilinear(normalize01(map.values), map.gridH, map.gridW, height, width);
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const k = lutIndex(heat[p]!) * 3;
    out[p * 3] = VIRIDIS[k]!;
    out[p * 3 + 1] = VIRIDIS[k + 1]!;
    out[p * 3 + 2] = VIRIDIS[k + 2]!;
  }
  return { width, height, channels: 3, data: out };
}

/** Nearest-neighbour enlargement by an integer factor, as RGB (so small model inputs are visible in docs). */
export function enlarge(image: U8Image, scale: number): Image8 {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`enlarge: scale must be an integer >= 1, got ${scale}`);
  const W = image.width * scale;
  const H = image.height * scale;
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) {
      const p = sy * image.width + Math.floor(x / scale);
      for (let c = 0; c < 3; c++) out[(y * W + x) * 3 + c] = rgbAt(image, p, c);
    }
  }
  return { width: W, height: H, channels: 3, data: out };
}

/** Integer factor that brings the longer side to at least `target` pixels (1 when already that large). */
export function displayScale(width: number, height: number, target = 224): number {
  return Math.max(1, Math.ceil(target / Math.max(width, height)));
}

/**
 * The model input enlarged `scale` times with the patch grid drawn on it: 1-pixel lines every `patch * scale`
 * pixels (orange, readable on both dark and light images). input [h, w, C] -> RGB [h * scale, w * scale].
 */
export function patchGridImage(input: U8Image, patch: number, scale: number): Image8 {
  const img = enlarge(input, scale);
  const step = patch * scale;
  const line = [255, 140, 0];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const onLine = x % step === 0 || y % step === 0 || x === img.width - 1 || y === img.height - 1;
      if (!onLine) continue;
      for (let c = 0; c < 3; c++) img.data[(y * img.width + x) * 3 + c] = line[c]!;
    }
  }
  return img;
}
