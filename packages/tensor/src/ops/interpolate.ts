// interpolate2d: resizes [N, C, H, W] tensors like torch.nn.functional.interpolate (nearest, bilinear, bicubic;
// align_corners; size or scale_factor; antialias) — the ViT position-embedding resizer (HF ViT: bicubic,
// size=; DINOv2 with registers: antialias=True; legacy DINOv2: scale_factor=(h + 0.1)/sqrt(N)).
// Thin front-end: validate, compute the output size as torch/nn/functional.py does, dispatch to the kernel.

import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { empty } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { getKernel } from '../registry.js';
// Importing the ref kernel module also registers the kernel (side effect).
import '../kernels/ref/interpolate.js';
import type { InterpolateMode, InterpolatePlan } from '../kernels/ref/interpolate.js';

export type { InterpolateKernel, InterpolateMode, InterpolatePlan } from '../kernels/ref/interpolate.js';

export interface Interpolate2dOptions {
  /** Output [h, w]. Exactly one of size and scaleFactor must be given. */
  size?: readonly [number, number];
  /**
   * Multiplier for [H, W] (one number = both). The output size is floor(in * scaleFactor) and, as in torch
   * (recompute_scale_factor unset), source coordinates use 1/scaleFactor rather than in/out.
   */
  scaleFactor?: number | readonly [number, number];
  mode: InterpolateMode;
  /** Map corner pixel centres onto each other (torch align_corners); bilinear/bicubic only. Default false. */
  alignCorners?: boolean;
  /** Antialiased (PIL-style) filter when downscaling; bilinear/bicubic only. Default false. */
  antialias?: boolean;
  /** torch recompute_scale_factor=True: derive coordinates from in/out sizes even when scaleFactor is given. */
  recomputeScaleFactor?: boolean;
}

/** Resizes x: [N, C, H, W] -> [N, C, h, w] exactly like torch.nn.functional.interpolate (float32). */
export function interpolate2d(x: Tensor, options: Interpolate2dOptions): Tensor {
  const { size, scaleFactor, mode, alignCorners, antialias = false, recomputeScaleFactor = false } = options;
  if (x.dtype !== 'float32') throw new DTypeError(`interpolate2d: expected a float32 tensor, got ${x.dtype}`);
  if (x.rank !== 4) throw new ShapeError(`interpolate2d: expected x of shape [N, C, H, W], got ${fmtShape(x.shape)}`);
  if (mode !== 'nearest' && mode !== 'bilinear' && mode !== 'bicubic') {
    throw new ShapeError(`interpolate2d: mode must be 'nearest', 'bilinear' or 'bicubic', got '${String(mode)}'`);
  }
  if (mode === 'nearest' && alignCorners !== undefined) {
    throw new ShapeError(`interpolate2d: alignCorners can only be set with mode 'bilinear' or 'bicubic' (as torch), got mode 'nearest'`);
  }
  if (mode === 'nearest' && antialias) throw new ShapeError(`interpolate2d: antialias needs mode 'bilinear' or 'bicubic', got 'nearest'`);
  if ((size === undefined) === (scaleFactor === undefined)) {
    throw new ShapeError(`interpolate2d: give exactly one of size and scaleFactor (got ${size === undefined ? 'neither' : 'both'})`);
  }
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (H === 0 || W === 0) throw new ShapeError(`interpolate2d: input spatial size must be non-empty, got ${fmtShape(x.shape)}`);

  let outH: number;
  let outW: number;
  let factors: [number | undefined, number | undefined] = [undefined, undefined];
  if (size !== undefined) {
    if (size.length !== 2 || !size.every((s) => Number.isInteger(s) && s > 0)) {
      throw new ShapeError(`interpolate2d: size must be two positive integers [h, w], got ${fmtShape(size)}`);
    }
    [outH, outW] = size;
  } else {
    const sf: [number, number] = typeof scaleFactor === 'number' ? [scaleFactor, scaleFactor] : [scaleFactor![0], scaleFactor![1]];
    if (!sf.every((s) => Number.isFinite(s) && s > 0)) throw new ShapeError(`interpolate2d: scaleFactor must be positive, got ${fmtShape(sf)}`);
    // torch/nn/functional.py and ATen compute_output_size: floor(float(in) * scale) in float64.
    outH = Math.floor(H * sf[0]);
    outW = Math.floor(W * sf[1]);
    if (outH <= 0 || outW <= 0) {
      throw new ShapeError(`interpolate2d: scaleFactor ${fmtShape(sf)} turns ${H}x${W} into an empty ${outH}x${outW} output`);
    }
    if (!recomputeScaleFactor) factors = sf;
  }
  const plan: InterpolatePlan = { mode, alignCorners: alignCorners ?? false, antialias, scaleFactors: factors };
  const out = empty([N, C, outH, outW]);
  getKernel('interpolate2d')(x, plan, out);
  return out;
}
