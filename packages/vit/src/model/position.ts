// Position-embedding resizing for inputs of another size, matching HF `interpolate_pos_encoding` exactly:
// torch F.interpolate bicubic (align_corners=False) with `size=` (ViTEmbeddings, CLIPVisionEmbeddings,
// SiglipVisionEmbeddings, Dinov2Embeddings in current transformers), the older `scale_factor=(h+0.1)/s` form
// (Dinov2 before the size= fix, Meta's dinov2 interpolate_offset=0.1), and the antialiased bicubic of
// Dinov2WithRegistersEmbeddings / timm resample_abs_pos_embed. Optimized for readability: the table is tiny
// (grid x D), so this is a plain separable resampler in float64. Kernel semantics: ATen UpSample.h
// (area_pixel_compute_source_index, cubic_convolution1/2 with A = -0.75) and UpSampleKernel.cpp
// (antialias: PIL-style filter with a = -0.5, support 2 * max(scale, 1), weights normalised).

import { Tensor, fromArray } from '@patchwise/tensor';
import type { PosInterpolation } from '../config/types.js';

/** One output coordinate's taps: source indices and weights. */
interface Taps {
  idx: number[];
  w: number[];
}

const A = -0.75; // torch upsample_bicubic2d

function cubic1(x: number): number {
  return ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
}
function cubic2(x: number): number {
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
}

/** torch bicubic, align_corners=False: `scale` maps output to input coordinates (in/out, or 1/scale_factor). */
function bicubicTaps(inSize: number, outSize: number, scale: number): Taps[] {
  const out: Taps[] = [];
  for (let i = 0; i < outSize; i++) {
    const src = scale * (i + 0.5) - 0.5; // not clamped for cubic (area_pixel_compute_source_index)
    const x0 = Math.floor(src);
    const t = src - x0;
    const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    const idx = [x0 - 1, x0, x0 + 1, x0 + 2].map((j) => Math.min(Math.max(j, 0), inSize - 1));
    out.push({ idx, w });
  }
  return out;
}

/** PIL-style antialiased bicubic (a = -0.5), torch `antialias=True` (_upsample_bicubic2d_aa). */
function aaFilter(x: number): number {
  const a = -0.5;
  const ax = Math.abs(x);
  if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
  return 0;
}

function antialiasTaps(inSize: number, outSize: number, scale: number): Taps[] {
  const support = 2 * Math.max(scale, 1);
  const invscale = scale >= 1 ? 1 / scale : 1;
  const out: Taps[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    const idx: number[] = [];
    const w: number[] = [];
    let total = 0;
    for (let j = xmin; j < xmax; j++) {
      const v = aaFilter((j - center + 0.5) * invscale);
      idx.push(j);
      w.push(v);
      total += v;
    }
    out.push({ idx, w: w.map((v) => (total !== 0 ? v / total : 0)) });
  }
  return out;
}

/**
 * Resizes a [rows*cols, D] grid of vectors (row-major, height first) to [outRows*outCols, D].
 * 'legacy' uses HF's old `scale_factor = (out + 0.1) / in`, for which torch maps coordinates with
 * 1 / scale_factor instead of in / out (the output size is still floor(in * scale_factor) = out).
 */
export function resizeGrid(grid: Tensor, rows: number, cols: number, outRows: number, outCols: number, mode: PosInterpolation): Tensor<'float32'> {
  const D = grid.shape[1]!;
  const dense = grid.contiguous();
  const src = dense.data() as Float32Array;
  const base = dense.offset;
  const taps = (inSize: number, outSize: number): Taps[] => {
    if (mode === 'dinov2-registers') return antialiasTaps(inSize, outSize, inSize / outSize);
    // ATen compute_scales_value: float(1 / scale_factor) when a scale factor is given, else float(in / out).
    const scale = Math.fround(mode === 'legacy' ? 1 / ((outSize + 0.1) / inSize) : inSize / outSize);
    return bicubicTaps(inSize, outSize, scale);
  };
  const ty = taps(rows, outRows);
  const tx = taps(cols, outCols);
  const out = new Float32Array(outRows * outCols * D);
  const acc = new Float64Array(D);
  for (let oy = 0; oy < outRows; oy++) {
    for (let ox = 0; ox < outCols; ox++) {
      acc.fill(0);
      const { idx: iy, w: wy } = ty[oy]!;
      const { idx: ix, w: wx } = tx[ox]!;
      for (let a = 0; a < iy.length; a++) {
        for (let b = 0; b < ix.length; b++) {
          const w = wy[a]! * wx[b]!;
          const p = base + (iy[a]! * cols + ix[b]!) * D;
          for (let d = 0; d < D; d++) acc[d]! += w * src[p + d]!;
        }
      }
      out.set(acc, (oy * outCols + ox) * D);
    }
  }
  return fromArray(out, [outRows * outCols, D]);
}

/**
 * The position table actually added for a (gh x gw) patch grid from an input of H x W pixels:
 * [prefixRows + gh*gw, D]. HF returns the stored table unchanged when the patch count matches and H == W.
 */
export function positionTable(
  pos: Tensor,
  prefixRows: number,
  grid: readonly [number, number],
  gh: number,
  gw: number,
  height: number,
  width: number,
  mode: PosInterpolation,
): Tensor {
  const stored = grid[0] * grid[1];
  if (gh * gw === stored && height === width) return pos; // [P, D]
  const patchRows = pos.narrow(0, prefixRows, stored); // [s*s, D]
  const resized = resizeGrid(patchRows, grid[0], grid[1], gh, gw, mode); // [gh*gw, D]
  if (prefixRows === 0) return resized;
  const D = pos.shape[1]!;
  const out = new Float32Array((prefixRows + gh * gw) * D);
  out.set(pos.narrow(0, 0, prefixRows).toArray()); // CLS (and distillation) rows unchanged
  out.set(resized.data(), prefixRows * D);
  return fromArray(out, [prefixRows + gh * gw, D]);
}
