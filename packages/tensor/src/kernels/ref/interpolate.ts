// Reference kernel for 2-D resampling of [N, C, H, W] tensors: nearest, bilinear, bicubic (A = -0.75), and
// the antialiased bilinear/bicubic filters (support widened by the downscale factor, cubic A = -0.5).
// Optimized for readability: each axis gets a list of (source index, weight) taps per output index, and every
// output is sum_y wy * sum_x wx * x[y, x]. Semantics match torch.nn.functional.interpolate on CPU
// (aten/src/ATen/native/UpSample.h area_pixel_compute_scale / area_pixel_compute_source_index and
// native/cpu/UpSampleKernel.cpp HelperInterpNearest/Linear/Cubic and _compute_indices_min_size_weights_aa).

import { registerKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';

export type InterpolateMode = 'nearest' | 'bilinear' | 'bicubic';

/** What the kernel needs besides the tensors: the output size is out's shape. */
export interface InterpolatePlan {
  mode: InterpolateMode;
  alignCorners: boolean;
  antialias: boolean;
  /** The user's scale factor per axis [h, w] when given (torch passes it to the kernel), else undefined. */
  scaleFactors: readonly [number | undefined, number | undefined];
}

/** x: [N, C, H, W] (any strides) -> out: [N, C, h, w] (contiguous). */
export type InterpolateKernel = (x: Tensor, plan: InterpolatePlan, out: Tensor) => void;

declare module '../../registry.js' {
  interface KernelMap {
    interpolate2d: InterpolateKernel;
  }
}

/** Source taps of one output index along one axis. */
export interface Taps {
  index: number[];
  weight: number[];
}

// torch computes coordinates in float32 (opmath_t of float). Rounding each step with fround reproduces its
// source indices exactly (checked with a ramp probe), which matters where a coordinate lands on an integer
// (floor would flip). Weights are computed in float64 and rounded once; torch evaluates the cubic polynomial in
// float32, whose cancellation leaves its weights up to ~2e-6 off the exact ones (see test/tolerances.ts).
const f32 = Math.fround;

/**
 * Source-coordinate scale (UpSample.h area_pixel_compute_scale): with align_corners, (in-1)/(out-1) (0 when
 * out = 1); otherwise 1/scale_factor when the user gave one (torch does NOT use in/out then), else in/out.
 */
export function areaPixelScale(inSize: number, outSize: number, alignCorners: boolean, scaleFactor: number | undefined): number {
  if (alignCorners) return outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : 0;
  if (scaleFactor !== undefined && scaleFactor > 0) return f32(1 / scaleFactor);
  return f32(inSize / outSize);
}

/**
 * Source coordinate of output index i (UpSample.h area_pixel_compute_source_index): scale*i with
 * align_corners, else scale*(i+0.5)-0.5 (pixel centres), clamped at 0 except for cubic.
 */
export function areaPixelSourceIndex(scale: number, i: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return f32(scale * i);
  const src = f32(f32(scale * (i + 0.5)) - 0.5);
  return !cubic && src < 0 ? 0 : src;
}

/** Keys' cubic convolution kernel with parameter A (A = -0.75 torch/OpenCV bicubic, -0.5 PIL/antialias). */
export function cubicKernel(x: number, A: number): number {
  const ax = Math.abs(x);
  if (ax < 1) return ((A + 2) * ax - (A + 3)) * ax * ax + 1;
  if (ax < 2) return ((A * ax - 5 * A) * ax + 8 * A) * ax - 4 * A;
  return 0;
}

function triangleKernel(x: number): number {
  const ax = Math.abs(x);
  return ax < 1 ? 1 - ax : 0;
}

const clampIndex = (i: number, size: number): number => Math.min(Math.max(i, 0), size - 1);

/** Taps of every output index along one axis of size inSize -> outSize. */
export function axisTaps(inSize: number, outSize: number, plan: InterpolatePlan, scaleFactor: number | undefined): Taps[] {
  const taps: Taps[] = [];
  const { mode, alignCorners, antialias } = plan;
  if (antialias && mode !== 'nearest') {
    // torch's separable AA kernel skips an axis whose size does not change (identity).
    if (inSize === outSize) {
      for (let i = 0; i < outSize; i++) taps.push({ index: [i], weight: [1] });
      return taps;
    }
    return antialiasTaps(inSize, outSize, mode === 'bicubic' ? 4 : 2, mode === 'bicubic' ? (x) => cubicKernel(x, -0.5) : triangleKernel, areaPixelScale(inSize, outSize, alignCorners, scaleFactor));
  }
  const scale = areaPixelScale(inSize, outSize, alignCorners, scaleFactor);
  for (let i = 0; i < outSize; i++) {
    if (mode === 'nearest') {
      // HelperInterpNearest: floor(scale * i), the legacy (not "nearest-exact") rule. (torch's channels-last
      // kernel short-cuts out == in and out == 2*in; that agrees unless a scaleFactor contradicts the sizes.)
      taps.push({ index: [Math.min(Math.floor(f32(scale * i)), inSize - 1)], weight: [1] });
    } else if (mode === 'bilinear') {
      if (inSize === outSize) {
        taps.push({ index: [i], weight: [1] }); // compute_source_index_and_lambda: same size = copy, whatever the scale
        continue;
      }
      const src = areaPixelSourceIndex(scale, i, alignCorners, false);
      const i0 = Math.min(Math.floor(src), inSize - 1);
      const l1 = Math.min(Math.max(f32(src - i0), 0), 1);
      const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
      taps.push({ index: [i0, i1], weight: [f32(1 - l1), l1] });
    } else {
      // Bicubic: 4 neighbours i0-1 .. i0+2, clamped to the edge; t = fractional position in [0, 1).
      const src = areaPixelSourceIndex(scale, i, alignCorners, true);
      const i0 = Math.min(Math.floor(src), inSize - 1);
      const t = Math.min(Math.max(f32(src - i0), 0), 1);
      const A = -0.75;
      taps.push({
        index: [-1, 0, 1, 2].map((k) => clampIndex(i0 + k, inSize)),
        weight: [cubicKernel(t + 1, A), cubicKernel(t, A), cubicKernel(1 - t, A), cubicKernel(2 - t, A)].map(f32),
      });
    }
  }
  return taps;
}

/**
 * Antialiased taps (UpSampleKernel.cpp _compute_indices_min_size_weights_aa, after PIL's Resample.c): the
 * filter of half-width interpSize/2 is stretched by the downscale factor (scale >= 1), so every input pixel
 * under an output pixel contributes; weights are normalized to sum to 1. Upscaling keeps the unit filter.
 */
function antialiasTaps(inSize: number, outSize: number, interpSize: number, filter: (x: number) => number, scale: number): Taps[] {
  const support = scale >= 1 ? f32(interpSize * 0.5 * scale) : interpSize * 0.5;
  const invscale = scale >= 1 ? f32(1 / scale) : 1;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const taps: Taps[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = f32(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f32(center - support) + 0.5), 0);
    const xsize = Math.min(Math.max(Math.min(Math.trunc(f32(center + support) + 0.5), inSize) - xmin, 0), maxTaps);
    const index: number[] = [];
    const weight: number[] = [];
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const w = filter(f32((j + xmin - center + 0.5) * invscale));
      index.push(xmin + j);
      weight.push(w);
      total += w;
    }
    taps.push({ index, weight: weight.map((w) => f32(total !== 0 ? w / total : w)) });
  }
  return taps;
}

export const refInterpolate2d: InterpolateKernel = (x, plan, out) => {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, , h, w] = out.shape as [number, number, number, number];
  const tapsY = axisTaps(H, h, plan, plan.scaleFactors[0]);
  const tapsX = axisTaps(W, w, plan, plan.scaleFactors[1]);
  const src = x.data();
  const dst = out.data();
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  let o = out.offset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * s0 + c * s1;
      for (let oy = 0; oy < h; oy++) {
        const ty = tapsY[oy]!;
        for (let ox = 0; ox < w; ox++) {
          const tx = tapsX[ox]!;
          let acc = 0; // float64: out = sum_y wy * (sum_x wx * x[y, x]), rounded once on the store
          for (let a = 0; a < ty.index.length; a++) {
            const row = base + ty.index[a]! * s2;
            let rowSum = 0;
            for (let b = 0; b < tx.index.length; b++) rowSum += tx.weight[b]! * src[row + tx.index[b]! * s3]!;
            acc += ty.weight[a]! * rowSum;
          }
          dst[o++] = acc;
        }
      }
    }
  }
};

registerKernel('interpolate2d', 'ref', refInterpolate2d);
