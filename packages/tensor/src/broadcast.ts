// NumPy/PyTorch broadcasting: the shape two or more operands broadcast to, and a stride-0 view of an operand
// at that shape. Optimized for readability; kernels then iterate one output shape with per-operand strides.
// Semantics match NumPy "General broadcasting rules" / torch.broadcast_shapes (align trailing dims; a dim of
// size 1 stretches; a size-0 dim broadcasts with 1 and gives 0).

import { ShapeError, fmtShape } from './errors.js';
import type { Tensor } from './tensor.js';
import type { DType } from './storage.js';

/**
 * The broadcast shape of `shapes` (torch.broadcast_shapes). Dims are aligned from the right; each output
 * dim is the common size where the inputs agree or are 1. Throws ShapeError naming every shape otherwise.
 */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const lead = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[lead + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[lead + i] = d;
      else {
        throw new ShapeError(
          `shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together: dim ${i - s.length} has sizes ${o} and ${d}`,
        );
      }
    }
  }
  return out;
}

/** `t` viewed at the broadcast shape `shape` (stride 0 on stretched dims); no copy. */
export function broadcastTo<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  // expand() checks the sizes and raises ShapeError for a dim that is neither equal nor 1.
  return t.expand(shape);
}
