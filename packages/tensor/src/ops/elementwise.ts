// Elementwise op front-ends: binary add/sub/mul/div/pow/maximum/minimum with NumPy broadcasting and scalar
// operands, unary neg/abs/exp/log/sqrt/rsqrt/tanh/erf/sigmoid, and addInPlace for residual connections.
// Thin: validate, allocate with empty(), dispatch to the active backend's kernel. Semantics match torch.add etc.
// (broadcasting of torch.broadcast_shapes; a JS number acts like a Python scalar: rounded to the tensor dtype).

import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { Tensor, empty } from '../tensor.js';
import type { DType } from '../storage.js';
import { getKernel } from '../registry.js';
import { broadcastShapes, broadcastTo } from '../broadcast.js';
// Importing the ref kernel module also registers the kernels (side effect).
import { hasIntForm } from '../kernels/ref/elementwise.js';
import type { BinaryOpName, UnaryOpName } from '../kernels/ref/elementwise.js';

export { broadcastShapes } from '../broadcast.js';
/** erf of a float64 number, accurate to ~1e-14 relative (for fused kernels such as exact GELU). */
export { erfScalar } from '../kernels/ref/elementwise.js';
export type { BinaryKernel, UnaryKernel } from '../kernels/ref/elementwise.js';

type Operand = Tensor | number;

/** The dtype of a binary op's result: float32, or int32 when every operand is int32 / an integer number. */
function resultDType(op: BinaryOpName, a: Operand, b: Operand): DType {
  const tensors = [a, b].filter((x): x is Tensor => x instanceof Tensor);
  const dts = new Set(tensors.map((t) => t.dtype));
  if (dts.size > 1) {
    throw new DTypeError(`${op}: operands have dtypes ${[...dts].join(' and ')}; both must be float32 or both int32`);
  }
  if (!dts.has('int32')) return 'float32';
  const numbers = [a, b].filter((x): x is number => typeof x === 'number');
  if (!hasIntForm(op) || numbers.some((n) => !Number.isInteger(n))) {
    throw new DTypeError(
      `${op}: int32 operands are only supported by add, sub, mul, maximum, minimum with integer scalars; got op ${op} with ${numbers.join(', ') || 'int32 tensors'}`,
    );
  }
  return 'int32';
}

/** A JS number as a 0-d tensor of `dtype` (rounded to float32 or truncated to int32, as torch casts scalars). */
function scalarOf(value: number, dtype: DType): Tensor {
  const t = empty([], dtype as 'float32');
  t.data()[0] = value;
  return t;
}

function binary(op: BinaryOpName, a: Operand, b: Operand): Tensor {
  const dtype = resultDType(op, a, b);
  const ta = typeof a === 'number' ? scalarOf(a, dtype) : a;
  const tb = typeof b === 'number' ? scalarOf(b, dtype) : b;
  const shape = broadcastShapes(ta.shape, tb.shape);
  const out = empty(shape, dtype as 'float32');
  getKernel(op)(broadcastTo(ta, shape), broadcastTo(tb, shape), out);
  return out;
}

/** a + b, broadcasting (torch.add). */
export function add(a: Operand, b: Operand): Tensor {
  return binary('add', a, b);
}
/** a - b, broadcasting (torch.sub). */
export function sub(a: Operand, b: Operand): Tensor {
  return binary('sub', a, b);
}
/** a * b, broadcasting (torch.mul). */
export function mul(a: Operand, b: Operand): Tensor {
  return binary('mul', a, b);
}
/** a / b, true division in float32 (torch.div); x/0 = +-inf, 0/0 = NaN. */
export function div(a: Operand, b: Operand): Tensor {
  return binary('div', a, b);
}
/** a ** b (torch.pow): pow(1, y) = 1 and pow(x, 0) = 1 even for NaN, negative base ** fraction = NaN. */
export function pow(a: Operand, b: Operand): Tensor {
  return binary('pow', a, b);
}
/** Elementwise max; NaN if either is NaN (torch.maximum). */
export function maximum(a: Operand, b: Operand): Tensor {
  return binary('maximum', a, b);
}
/** Elementwise min; NaN if either is NaN (torch.minimum). */
export function minimum(a: Operand, b: Operand): Tensor {
  return binary('minimum', a, b);
}

function unary(op: UnaryOpName, x: Tensor): Tensor {
  if (x.dtype === 'int32' && !hasIntForm(op)) {
    throw new DTypeError(`${op}: expected a float32 tensor, got int32 ${fmtShape(x.shape)} (only neg and abs take int32)`);
  }
  const out = empty(x.shape, x.dtype as 'float32');
  getKernel(op)(x, out);
  return out;
}

export function neg(x: Tensor): Tensor {
  return unary('neg', x);
}
export function abs(x: Tensor): Tensor {
  return unary('abs', x);
}
export function exp(x: Tensor): Tensor {
  return unary('exp', x);
}
/** Natural log: log(0) = -inf, log(negative) = NaN. */
export function log(x: Tensor): Tensor {
  return unary('log', x);
}
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', x);
}
/** 1 / sqrt(x): rsqrt(0) = inf, rsqrt(-0) = -inf (as torch). */
export function rsqrt(x: Tensor): Tensor {
  return unary('rsqrt', x);
}
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x);
}
/** Gauss error function, matching torch.erf to float32 rounding (see kernels/ref/elementwise.ts). */
export function erf(x: Tensor): Tensor {
  return unary('erf', x);
}
/** 1 / (1 + exp(-x)). */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x);
}

/**
 * dst += src in place, with src broadcast to dst's shape (residual connections). dst may be a strided view
 * but must not have broadcast (stride-0) dims, and src must not partially overlap dst. Returns dst.
 */
export function addInPlace<T extends Tensor>(dst: T, src: Tensor | number): T {
  if (typeof src !== 'number' && src.dtype !== dst.dtype) {
    throw new DTypeError(`addInPlace: src is ${src.dtype}, dst is ${dst.dtype}; they must match`);
  }
  if (typeof src === 'number' && dst.dtype === 'int32' && !Number.isInteger(src)) {
    throw new DTypeError(`addInPlace: cannot add the non-integer ${src} to an int32 tensor in place`);
  }
  const s = typeof src === 'number' ? scalarOf(src, dst.dtype) : src;
  const shape = broadcastShapes(dst.shape, s.shape);
  if (shape.length !== dst.rank || shape.some((d, i) => d !== dst.shape[i])) {
    throw new ShapeError(`addInPlace: src ${fmtShape(s.shape)} does not broadcast to dst ${fmtShape(dst.shape)} (result would be ${fmtShape(shape)})`);
  }
  if (dst.shape.some((d, i) => d > 1 && dst.strides[i] === 0)) {
    throw new ShapeError(`addInPlace: dst ${fmtShape(dst.shape)} has broadcast (stride 0) dims ${fmtShape(dst.strides)}; writing to it would alias`);
  }
  getKernel('add')(dst, broadcastTo(s, shape), dst);
  return dst;
}
