// Pictures of learned parameters, as in the ViT paper's figure 7 (Dosovitskiy et al. 2021): the patch
// projection's filters (each output channel's [C, p, p] weights as a tiny image) and the cosine similarity of
// each position embedding with all the others (one small map per patch position, tiled in grid order).
// Optimized for being read at a glance in docs; plain loops over 8-bit RGB.

import type { Image8 } from '@patchwise/io';
import { ShapeError } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { VIRIDIS, lutIndex } from './colormap.js';

/** An RGB canvas filled with one colour. */
function canvas(width: number, height: number, rgb: readonly [number, number, number]): Image8 {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, channels: 3, data };
}

function fillCell(img: Image8, x0: number, y0: number, size: number, rgb: readonly number[]): void {
  for (let y = y0; y < y0 + size; y++) {
    for (let x = x0; x < x0 + size; x++) for (let c = 0; c < 3; c++) img.data[(y * img.width + x) * 3 + c] = rgb[c]!;
  }
}

/**
 * The patch-embedding filters: weight [D, C, p, p] -> a grid of D tiles (ceil(sqrt(D)) per row), each p x p
 * enlarged `scale` times with a 1-pixel orange gap. Each filter is scaled by its own largest |w| so that 0 is mid
 * gray, +max white, -max black (gray for C = 1, colour for C = 3: what the filter responds to most).
 */
export function projectionFiltersImage(weight: Tensor, scale = 6): Image8 {
  if (weight.rank !== 4) throw new ShapeError(`projection filters: expected a conv weight [D, C, p, p], got [${weight.shape.join(', ')}]`);
  const [D, C, p] = weight.shape as [number, number, number, number];
  const w = weight.contiguous().toArray();
  const cols = Math.ceil(Math.sqrt(D));
  const rows = Math.ceil(D / cols);
  const cell = p * scale;
  const img = canvas(cols * (cell + 1) + 1, rows * (cell + 1) + 1, [255, 140, 0]); // orange gaps: white and black are weights
  for (let d = 0; d < D; d++) {
    const base = d * C * p * p;
    let max = 0;
    for (let i = 0; i < C * p * p; i++) max = Math.max(max, Math.abs(w[base + i]!));
    const x0 = 1 + (d % cols) * (cell + 1);
    const y0 = 1 + Math.floor(d / cols) * (cell + 1);
    for (let ky = 0; ky < p; ky++) {
      for (let kx = 0; kx < p; kx++) {
        const rgb = [0, 1, 2].map((c) => {
          const v = w[base + (Math.min(c, C - 1) * p + ky) * p + kx]!; // gray filters repeat their one channel
          return Math.round(127.5 + (max > 0 ? (127.5 * v) / max : 0));
        });
        fillCell(img, x0 + kx * scale, y0 + ky * scale, scale, rgb);
      }
    }
  }
  return img;
}

/**
 * Cosine similarity between position embeddings: the table [prefixRows + gh*gw, D] -> a gh x gw grid of tiles,
 * tile (r, c) showing the similarity of patch position (r, c) with every patch position (viridis, -1..1 mapped
 * to 0..1), each cell `cell` pixels. Learned 2-D structure shows up as a bright spot that moves with the tile.
 */
export function positionSimilarityImage(pos: Tensor, prefixRows: number, gh: number, gw: number, cell = 4): Image8 {
  const N = gh * gw;
  if (pos.rank !== 2 || pos.shape[0] !== prefixRows + N) {
    throw new ShapeError(`position similarity: expected a table [${prefixRows} + ${gh}x${gw}, D], got [${pos.shape.join(', ')}]`);
  }
  const D = pos.shape[1]!;
  const t = pos.contiguous().toArray();
  const unit: Float64Array[] = [];
  for (let i = 0; i < N; i++) {
    const row = Float64Array.from(t.subarray((prefixRows + i) * D, (prefixRows + i + 1) * D));
    const n = Math.hypot(...row) || 1;
    unit.push(row.map((v) => v / n));
  }
  const tile = gw * cell;
  const img = canvas(gw * (tile + 2) + 2, gh * (gh * cell + 2) + 2, [255, 255, 255]);
  for (let i = 0; i < N; i++) {
    const x0 = 2 + (i % gw) * (tile + 2);
    const y0 = 2 + Math.floor(i / gw) * (gh * cell + 2);
    for (let j = 0; j < N; j++) {
      let dot = 0;
      for (let k = 0; k < D; k++) dot += unit[i]![k]! * unit[j]![k]!;
      const k3 = lutIndex((dot + 1) / 2) * 3;
      fillCell(img, x0 + (j % gw) * cell, y0 + Math.floor(j / gw) * cell, cell, [VIRIDIS[k3]!, VIRIDIS[k3 + 1]!, VIRIDIS[k3 + 2]!]);
    }
  }
  return img;
}
