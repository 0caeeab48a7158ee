// Picture helpers for per-patch maps (`where`; also usable by `attention`): the model's view of the image
// recovered from pixel_values, a patch grid upsampled bilinearly to the picture size, a perceptual colour map,
// and alpha blending into an 8-bit RGB image for encodePNG. Optimized for readability (plain loops).

import type { Image8, PreprocessConfig } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';

/**
 * pixel_values [1, C, H, W] back to 8-bit RGB: x * std + mean, divided by the rescale factor (the inverse of
 * the processor's rescale + normalize), clamped to 0..255. Grayscale is repeated to RGB.
 */
export function viewFromPixels(px: Tensor, pc: PreprocessConfig): Image8 {
  const [, C, H, W] = px.shape as [number, number, number, number];
  const a = px.contiguous().toArray();
  const data = new Uint8Array(H * W * 3);
  for (let c = 0; c < 3; c++) {
    const src = Math.min(c, C - 1);
    const mean = pc.doNormalize ? (pc.imageMean[src] ?? 0) : 0;
    const std = pc.doNormalize ? (pc.imageStd[src] ?? 1) : 1;
    const scale = pc.doRescale ? pc.rescaleFactor : 1;
    for (let i = 0; i < H * W; i++) {
      const v = (a[src * H * W + i]! * std + mean) / scale;
      data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width: W, height: H, channels: 3, data };
}

/** Nearest-neighbour enlargement by an integer factor (keeps the pixels of small images crisp). */
export function enlarge(img: Image8, factor: number): Image8 {
  if (factor === 1) return img;
  const W = img.width * factor;
  const H = img.height * factor;
  const ch = img.channels;
  const data = new Uint8Array(W * H * ch);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (Math.floor(y / factor) * img.width + Math.floor(x / factor)) * ch;
      for (let c = 0; c < ch; c++) data[(y * W + x) * ch + c] = img.data[s + c]!;
    }
  }
  return { width: W, height: H, channels: img.channels, data };
}

/**
 * A [gh, gw] grid (row-major) resized to [H, W] bilinearly with half-pixel centres (align_corners=False),
 * edges clamped: each output pixel reads the four patch centres around it.
 */
export function upsampleGrid(grid: ArrayLike<number>, gh: number, gw: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  const coord = (d: number, n: number, N: number): [number, number, number] => {
    const s = Math.max(0, ((d + 0.5) * n) / N - 0.5);
    const i0 = Math.min(Math.floor(s), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    return [i0, i1, s - i0];
  };
  for (let y = 0; y < H; y++) {
    const [y0, y1, fy] = coord(y, gh, H);
    for (let x = 0; x < W; x++) {
      const [x0, x1, fx] = coord(x, gw, W);
      const top = grid[y0 * gw + x0]! * (1 - fx) + grid[y0 * gw + x1]! * fx;
      const bot = grid[y1 * gw + x0]! * (1 - fx) + grid[y1 * gw + x1]! * fx;
      out[y * W + x] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}

/** Anchors of a dark-blue -> teal -> yellow colour map (close to viridis), t in [0, 1]. */
const ANCHORS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** t in [0, 1] -> RGB, piecewise linear between the anchors. */
export function colormap(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (ANCHORS.length - 1);
  const i = Math.min(Math.floor(u), ANCHORS.length - 2);
  const f = u - i;
  const a = ANCHORS[i]!;
  const b = ANCHORS[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as [number, number, number];
}

/**
 * The overlay: values scaled to [0, 1] by (v - lo) / (hi - lo), coloured, and blended over the grayscale of
 * `base` with weight `alpha` (the picture stays readable under the colours).
 */
export function overlay(base: Image8, values: Float32Array, lo: number, hi: number, alpha = 0.55): Image8 {
  const { width: W, height: H } = base;
  const data = new Uint8Array(W * H * 3);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < W * H; i++) {
    const s = i * base.channels;
    const gray = base.channels >= 3 ? 0.299 * base.data[s]! + 0.587 * base.data[s + 1]! + 0.114 * base.data[s + 2]! : base.data[s]!;
    const col = colormap((values[i]! - lo) / span);
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round((1 - alpha) * gray + alpha * col[c]!);
  }
  return { width: W, height: H, channels: 3, data };
}
