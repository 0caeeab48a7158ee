// Vision embeddings: patch projection (the Conv2d with kernel = stride = patch written as im2col + one GEMM),
// prefix tokens (CLS, DeiT distillation, DINOv2 registers) and learned position embeddings, resized for other
// input sizes. Optimized for readability. Matches HF ViTEmbeddings / DeiTEmbeddings / CLIPVisionEmbeddings /
// SiglipVisionEmbeddings / Dinov2(WithRegisters)Embeddings and timm VisionTransformer._pos_embed.

import { ShapeError, add, concat, empty, linear, prepareLinear } from '@patchwise/tensor';
import type { LinearWeights, Tensor } from '@patchwise/tensor';
import type { EncoderConfig, PosInterpolation } from '../config/types.js';
import type { WeightSet } from '../weights/map.js';
import { positionTable } from './position.js';

export interface EmbeddingWeights {
  /** Conv weight [D, C, p, p] flattened to [D, C*p*p] (+ bias [D] or none for CLIP). */
  patch: LinearWeights;
  /** Prefix tokens in sequence order (CLS, distillation, registers): [numPrefix, D]; null when there are none. */
  prefix: Tensor | null;
  /** Stored position table [prefixRows + gh*gw, D]. */
  pos: Tensor;
}

export function prepareEmbeddings(ws: WeightSet, cfg: EncoderConfig): EmbeddingWeights {
  const D = cfg.hidden;
  const w = ws.get('patch.weight')!; // [D, C, p, p]
  const patch = prepareLinear(w.reshape(D, cfg.channels * cfg.patchSize * cfg.patchSize), cfg.patchBias ? ws.get('patch.bias')! : null);
  const parts: Tensor[] = [];
  if (cfg.tokens.cls) parts.push(ws.get('cls')!.reshape(1, D));
  if (cfg.tokens.distillation) parts.push(ws.get('dist')!.reshape(1, D));
  if (cfg.tokens.registers > 0) parts.push(ws.get('registers')!);
  return { patch, prefix: parts.length > 0 ? concat(parts, 0) : null, pos: ws.get('pos')! };
}

/**
 * im2col for a stride = kernel = p convolution: pixels [B, C, H, W] -> patches [B * gh * gw, C * p * p], each
 * row the patch's values in (c, ky, kx) order, i.e. the conv weight's flattening order. Pixels beyond the last
 * full patch are dropped, as Conv2d does.
 */
export function im2col(pixels: Tensor, p: number): { cols: Tensor<'float32'>; gh: number; gw: number } {
  const [B, C, H, W] = pixels.shape as [number, number, number, number];
  const gh = Math.floor(H / p);
  const gw = Math.floor(W / p);
  const x = pixels.contiguous();
  const src = x.data() as Float32Array;
  const base = x.offset;
  const K = C * p * p;
  const cols = empty([B * gh * gw, K]);
  const dst = cols.data();
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < p; ky++) {
            const row = base + ((b * C + c) * H + gy * p + ky) * W + gx * p;
            for (let kx = 0; kx < p; kx++) dst[o++] = src[row + kx]!;
          }
        }
      }
    }
  }
  return { cols, gh, gw };
}

/** pixels [B, C, H, W] -> tokens [B, numPrefix + gh*gw, D] (the input of the first block). */
export function embed(pixels: Tensor, w: EmbeddingWeights, cfg: EncoderConfig, interpolation?: PosInterpolation): { x: Tensor; gh: number; gw: number; pos: Tensor } {
  if (pixels.rank !== 4 || pixels.shape[1] !== cfg.channels) {
    throw new ShapeError(`pixel_values must be [B, ${cfg.channels}, H, W], got [${pixels.shape.join(', ')}]`);
  }
  const [B, , H, W] = pixels.shape as [number, number, number, number];
  const p = cfg.patchSize;
  if (H < p || W < p) throw new ShapeError(`pixel_values ${H}x${W} is smaller than one ${p}x${p} patch`);
  const D = cfg.hidden;
  const { cols, gh, gw } = im2col(pixels, p); // [B*N, C*p*p]
  const N = gh * gw;
  const patches = linear(cols, w.patch).view(B, N, D); // [B, N, D]

  const P1 = cfg.position.prefixRows; // prefix tokens that have a position row
  const pos = positionTable(w.pos, P1, cfg.position.grid, gh, gw, H, W, interpolation ?? cfg.position.interpolation); // [P1 + N, D]
  const parts: Tensor[] = [];
  if (w.prefix) {
    const nPrefix = w.prefix.shape[0]!;
    if (P1 > 0) parts.push(add(w.prefix.narrow(0, 0, P1), pos.narrow(0, 0, P1)).unsqueeze(0).expand(B, P1, D)); // [B, P1, D]
    // Registers (DINOv2) are inserted after the positions are added: they get none.
    if (nPrefix > P1) parts.push(w.prefix.narrow(0, P1, nPrefix - P1).unsqueeze(0).expand(B, nPrefix - P1, D));
  }
  parts.push(add(patches, pos.narrow(0, P1, N))); // [B, N, D]
  return { x: parts.length === 1 ? parts[0]! : concat(parts, 1), gh, gw, pos }; // [B, T, D]
}
