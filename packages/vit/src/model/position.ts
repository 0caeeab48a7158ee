// Position-embedding resizing for inputs of another size, matching HF `interpolate_pos_encoding` exactly:
// torch F.interpolate bicubic (align_corners=False) with `size=` (ViTEmbeddings, CLIPVisionEmbeddings,
// SiglipVisionEmbeddings, Dinov2Embeddings in current transformers), the older `scale_factor=(h+0.1)/s` form
// (Dinov2 before the size= fix, Meta's dinov2 interpolate_offset=0.1), and the antialiased bicubic of
// Dinov2WithRegistersEmbeddings / timm resample_abs_pos_embed. The resampling itself is the tensor package's
// torch-exact `interpolate2d`; this file only lays the table out as the [1, D, rows, cols] image torch resizes.

import { Tensor, concat, interpolate2d } from '@patchwise/tensor';
import type { PosInterpolation } from '../config/types.js';

/**
 * Resizes a [rows*cols, D] grid of vectors (row-major, height first) to [outRows*outCols, D].
 * 'legacy' passes HF's old `scale_factor = (out + 0.1) / in`, for which torch maps coordinates with
 * 1 / scale_factor instead of in / out (the output size is still floor(in * scale_factor) = out).
 */
export function resizeGrid(grid: Tensor, rows: number, cols: number, outRows: number, outCols: number, mode: PosInterpolation): Tensor<'float32'> {
  const D = grid.shape[1]!;
  const image = grid.view(1, rows, cols, D).permute(0, 3, 1, 2); // [1, D, rows, cols], as HF reshapes+permutes it
  const resized =
    mode === 'legacy'
      ? interpolate2d(image, { scaleFactor: [(outRows + 0.1) / rows, (outCols + 0.1) / cols], mode: 'bicubic', alignCorners: false })
      : interpolate2d(image, { size: [outRows, outCols], mode: 'bicubic', alignCorners: false, antialias: mode === 'dinov2-registers' });
  // [1, D, outRows, outCols] -> [outRows * outCols, D]
  return resized.permute(0, 2, 3, 1).reshape(outRows * outCols, D) as Tensor<'float32'>;
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
  return concat([pos.narrow(0, 0, prefixRows), resized], 0); // CLS (and distillation) rows unchanged: [P', D]
}
