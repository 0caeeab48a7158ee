// matmul (torch.matmul semantics, batched with broadcast batch dims, views accepted) and linear layers in
// PyTorch weight layout with weights prepared once (`prepareLinear`) and packed lazily per backend.
// Optimized for a stable, backend-agnostic kernel API; kernels: kernels/ref/matmul.ts, kernels/js/gemm.ts.
// Semantics: torch.matmul, torch.nn.functional.linear (y = x W^T + b), optional fused activation epilogue.

import { Tensor, empty, numel } from '../tensor.js';
import { ShapeError, fmtShape } from '../errors.js';
import { getKernel, registerKernel } from '../registry.js';
import type { BackendName } from '../registry.js';
import type { ActivationOp } from './activation.js';
import { refLinear, refLinearPack, refMatmul } from '../kernels/ref/matmul.js';
import { jsLinear, jsLinearPack, jsMatmul } from '../kernels/js/gemm.js';

/**
 * Kernel of matmul: out[..., i, j] = sum_k a[..., i, k] * b[..., k, j].
 * a: [...batch, M, K], b: [...batch, K, N], with the SAME batch shape as out (the front-end expands broadcast
 * dims to stride 0), any strides (transposed views included). out: contiguous float32 [...batch, M, N].
 * K may be 0 (the kernel writes zeros); M, N and the batch are >= 1.
 */
export type MatmulKernel = (a: Tensor<'float32'>, b: Tensor<'float32'>, out: Tensor<'float32'>) => void;

/**
 * Kernel of linear: out[i, j] = act(sum_k x[i, k] * W[j, k] + bias[j]), the activation applied to the float32
 * rounded pre-activation. x: [M, K] with any strides; out: contiguous [M, N]; M, N >= 1, K >= 0.
 * A backend keeps its packed form of W in `w.packed.get(backend)`, creating it on first use.
 */
export type LinearKernel = (x: Tensor<'float32'>, w: LinearWeights, out: Tensor<'float32'>, act: ActivationOp | null) => void;

/** Packs `w` for the kernel's backend now (stores it in w.packed); a no-op when already packed. */
export type LinearPackKernel = (w: LinearWeights) => void;

declare module '../registry.js' {
  interface KernelMap {
    matmul: MatmulKernel;
    linear: LinearKernel;
    linearPack: LinearPackKernel;
  }
}

registerKernel('matmul', 'ref', refMatmul);
registerKernel('linear', 'ref', refLinear);
registerKernel('linearPack', 'ref', refLinearPack);
registerKernel('matmul', 'js', jsMatmul);
registerKernel('linear', 'js', jsLinear);
registerKernel('linearPack', 'js', jsLinearPack);

/**
 * Weights of a linear layer, prepared once at load: the original W [out, in] and bias [out], plus each
 * backend's packed copy (e.g. the js backend's column panels, the wasm backend's copy in wasm memory), keyed by
 * backend name and created by that backend's kernel on first use. Treat W and bias as immutable afterwards:
 * the packed copies are not invalidated.
 */
export class LinearWeights {
  readonly weight: Tensor<'float32'>;
  readonly bias: Tensor<'float32'> | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Backend name -> that backend's packed form (opaque to everyone else). */
  readonly packed = new Map<BackendName, unknown>();

  constructor(weight: Tensor<'float32'>, bias: Tensor<'float32'> | null) {
    this.weight = weight;
    this.bias = bias;
    this.outFeatures = weight.shape[0]!;
    this.inFeatures = weight.shape[1]!;
  }
}

export interface PrepareLinearOptions {
  /** Pack now for the active backend instead of on the first call (default false). */
  pack?: boolean;
}

/** Validates W [out, in] (and bias [out]) and wraps them for repeated linear() calls. */
export function prepareLinear(weight: Tensor, bias?: Tensor | null, options: PrepareLinearOptions = {}): LinearWeights {
  const w = weight.assertDType('float32', 'prepareLinear weight');
  if (w.rank !== 2) throw new ShapeError(`prepareLinear: weight must be [out_features, in_features], got ${fmtShape(w.shape)}`);
  let b: Tensor<'float32'> | null = null;
  if (bias) {
    b = bias.assertDType('float32', 'prepareLinear bias');
    if (b.rank !== 1 || b.shape[0] !== w.shape[0]) {
      throw new ShapeError(`prepareLinear: bias must be [${w.shape[0]}] for weight ${fmtShape(w.shape)}, got ${fmtShape(b.shape)}`);
    }
  }
  const lw = new LinearWeights(w, b);
  if (options.pack) getKernel('linearPack')(lw);
  return lw;
}

export interface LinearOptions {
  /** An activation fused into the GEMM epilogue (applied after the bias), e.g. 'gelu' for an MLP fc1. */
  activation?: ActivationOp | null;
}

/**
 * y = x W^T + b: x [..., in] -> [..., out] (torch.nn.functional.linear). `w` is either prepared weights (reused
 * packing; then the bias comes from prepareLinear and `bias` must be omitted) or a raw W [out, in] tensor.
 */
export function linear(x: Tensor, w: LinearWeights | Tensor, bias?: Tensor | null, options: LinearOptions = {}): Tensor<'float32'> {
  let lw: LinearWeights;
  if (w instanceof LinearWeights) {
    if (bias) throw new ShapeError('linear: pass the bias to prepareLinear() when using LinearWeights, not to linear()');
    lw = w;
  } else {
    lw = prepareLinear(w, bias);
  }
  const xf = x.assertDType('float32', 'linear input');
  if (xf.rank < 1 || xf.shape[xf.rank - 1] !== lw.inFeatures) {
    throw new ShapeError(`linear: input ${fmtShape(xf.shape)} must end in in_features=${lw.inFeatures} (weight [${lw.outFeatures}, ${lw.inFeatures}])`);
  }
  const lead = xf.shape.slice(0, -1);
  const rows = numel(lead);
  const out = empty([...lead, lw.outFeatures]);
  if (rows === 0 || lw.outFeatures === 0) return out;
  // [..., in] -> [rows, in]: a view when the leading dims merge (the usual case), else a copy.
  const x2 = xf.reshape([rows, lw.inFeatures]);
  getKernel('linear')(x2, lw, out.view([rows, lw.outFeatures]), options.activation ?? null);
  return out;
}

/**
 * Matrix product with torch.matmul semantics: 1-D x 1-D is a dot product (0-d result); a 1-D left operand is
 * a row vector and a 1-D right operand a column vector (the added dim is removed from the result); otherwise
 * the last two dims multiply and the leading (batch) dims broadcast. Any views are accepted.
 */
export function matmul(a: Tensor, b: Tensor): Tensor<'float32'> {
  const af = a.assertDType('float32', 'matmul left operand');
  const bf = b.assertDType('float32', 'matmul right operand');
  if (af.rank === 0 || bf.rank === 0) {
    throw new ShapeError(`matmul: both operands need at least 1 dim, got ${fmtShape(af.shape)} and ${fmtShape(bf.shape)}`);
  }
  const a2 = af.rank === 1 ? af.unsqueeze(0) : af; // [K] -> [1, K]
  const b2 = bf.rank === 1 ? bf.unsqueeze(1) : bf; // [K] -> [K, 1]
  const M = a2.shape[a2.rank - 2]!;
  const K = a2.shape[a2.rank - 1]!;
  const N = b2.shape[b2.rank - 1]!;
  if (b2.shape[b2.rank - 2] !== K) {
    throw new ShapeError(`matmul: ${fmtShape(af.shape)} @ ${fmtShape(bf.shape)}: inner dims differ (${K} vs ${b2.shape[b2.rank - 2]})`);
  }
  const batch = broadcastBatch(a2.shape.slice(0, -2), b2.shape.slice(0, -2), af.shape, bf.shape);
  const out = empty([...batch, M, N]);
  if (out.size > 0) getKernel('matmul')(a2.expand([...batch, M, K]), b2.expand([...batch, K, N]), out);
  const shape = [...batch];
  if (af.rank > 1) shape.push(M);
  if (bf.rank > 1) shape.push(N);
  return out.view(shape);
}

/** Broadcasts two batch shapes (NumPy rules), naming both operand shapes on failure. */
function broadcastBatch(x: readonly number[], y: readonly number[], aShape: readonly number[], bShape: readonly number[]): number[] {
  const rank = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dx = x[i - (rank - x.length)] ?? 1;
    const dy = y[i - (rank - y.length)] ?? 1;
    if (dx !== dy && dx !== 1 && dy !== 1) {
      throw new ShapeError(`matmul: batch dims of ${fmtShape(aShape)} and ${fmtShape(bShape)} do not broadcast (${dx} vs ${dy})`);
    }
    out.push(dx === 1 ? dy : dx);
  }
  return out;
}

