// Tensor = storage + layout (shape, strides in elements, offset) + dtype, in PyTorch's row-major order.
// Optimized for readability: every view (reshape, permute, slice, expand...) builds a new layout over the same
// storage and copies nothing; `contiguous()` copies only when the layout is not already row-major dense.
// Semantics follow torch.Tensor views (stride rules of torch.Tensor.view / expand / narrow).

import { ShapeError, DTypeError, fmtShape } from './errors.js';
import { allocStorage, HeapStorage, dtypeOfArray } from './storage.js';
import type { ArrayFor, DType, Storage, AnyArray } from './storage.js';

/** Row-major (C-order) strides of a shape, counted in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Number of elements of a shape (1 for a 0-d scalar, 0 if any dimension is 0). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid shape ${fmtShape(shape)}: dimensions must be non-negative integers`);
  }
}

/** Resolves a possibly negative axis (-1 = last) against a rank, throwing ShapeError when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeError(`axis ${axis} is out of range for a tensor of rank ${rank} (expected ${-rank}..${rank - 1})`);
  }
  return a;
}

export class Tensor<D extends DType = DType> {
  readonly storage: Storage<D>;
  readonly shape: readonly number[];
  /** Strides in elements; 0 for broadcast (expanded) dimensions. */
  readonly strides: readonly number[];
  /** Index of element [0, 0, ...] in the storage. */
  readonly offset: number;

  constructor(storage: Storage<D>, shape: readonly number[], strides?: readonly number[], offset = 0) {
    checkShape(shape);
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    if (this.strides.length !== this.shape.length) {
      throw new ShapeError(`strides ${fmtShape(this.strides)} do not match shape ${fmtShape(this.shape)}`);
    }
  }

  get dtype(): D {
    return this.storage.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return numel(this.shape);
  }

  /** True when the elements are dense and row-major starting at `offset` (size-1 dims may have any stride). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d === 1) continue;
      if (this.strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  /** The storage's typed array. Indices into it are offset + sum(index[i] * strides[i]). */
  data(): ArrayFor<D> {
    return this.storage.view();
  }

  /** Element at a full index (negative indices count from the end). For tests and debugging, not hot loops. */
  get(...index: number[]): number {
    if (index.length !== this.rank) throw new ShapeError(`get() needs ${this.rank} indices, got ${index.length}`);
    let p = this.offset;
    for (let i = 0; i < index.length; i++) {
      const d = this.shape[i]!;
      const ix = index[i]! < 0 ? index[i]! + d : index[i]!;
      if (ix < 0 || ix >= d) throw new ShapeError(`index ${index[i]} is out of range for dim ${i} of size ${d}`);
      p += ix * this.strides[i]!;
    }
    return this.data()[p]!;
  }

  /** A dense row-major copy of the elements as a new typed array (always a copy). */
  toArray(): ArrayFor<D> {
    const n = this.size;
    const out = (this.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n)) as ArrayFor<D>;
    copyStrided(this, out);
    return out;
  }

  /** Nested JS arrays, like torch.Tensor.tolist(). */
  toNested(): unknown {
    const flat = this.toArray();
    const build = (dim: number, start: number): unknown => {
      if (dim === this.rank) return flat[start];
      const inner = numel(this.shape.slice(dim + 1));
      const res: unknown[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) res.push(build(dim + 1, start + i * inner));
      return res;
    };
    return build(0, 0);
  }

  /** This tensor if already contiguous, else a dense copy. */
  contiguous(): Tensor<D> {
    if (this.isContiguous()) return this;
    return this.clone();
  }

  /** A dense copy with its own storage. */
  clone(): Tensor<D> {
    const out = this.toArray();
    return new Tensor(new HeapStorage(this.dtype, out), this.shape);
  }

  /**
   * A view with a new shape (one dim may be -1). Works without copying when the strides allow it (the same
   * rule as torch.Tensor.view); otherwise throws ShapeError. Use `reshape` to copy when needed.
   */
  view(...shapeArg: number[] | [readonly number[]]): Tensor<D> {
    const shape = inferShape(flattenShapeArg(shapeArg), this.size);
    const strides = viewStrides(this.shape, this.strides, shape);
    if (strides === null) {
      throw new ShapeError(
        `view ${fmtShape(this.shape)} -> ${fmtShape(shape)} is impossible without a copy for strides ${fmtShape(this.strides)}; call contiguous() first or use reshape()`,
      );
    }
    return new Tensor(this.storage, shape, strides, this.offset);
  }

  /** Like view(), but copies when the strides do not allow a view (torch.reshape). */
  reshape(...shapeArg: number[] | [readonly number[]]): Tensor<D> {
    const shape = inferShape(flattenShapeArg(shapeArg), this.size);
    const strides = viewStrides(this.shape, this.strides, shape);
    if (strides !== null) return new Tensor(this.storage, shape, strides, this.offset);
    return this.clone().view(shape);
  }

  /** Reorders dimensions: out.shape[i] = this.shape[dims[i]]. */
  permute(...dimsArg: number[] | [readonly number[]]): Tensor<D> {
    const dims = flattenShapeArg(dimsArg).map((d) => normAxis(d, this.rank));
    if (dims.length !== this.rank || new Set(dims).size !== dims.length) {
      throw new ShapeError(`permute needs a permutation of 0..${this.rank - 1}, got ${fmtShape(dims)}`);
    }
    return new Tensor(
      this.storage,
      dims.map((d) => this.shape[d]!),
      dims.map((d) => this.strides[d]!),
      this.offset,
    );
  }

  /** Swaps two dimensions (default: the last two, i.e. a matrix transpose). */
  transpose(a = -2, b = -1): Tensor<D> {
    const dims = [...Array(this.rank).keys()];
    const i = normAxis(a, this.rank);
    const j = normAxis(b, this.rank);
    [dims[i], dims[j]] = [dims[j]!, dims[i]!];
    return this.permute(dims);
  }

  /** Elements start..start+length-1 along `axis` (torch.narrow), as a view. */
  narrow(axis: number, start: number, length: number): Tensor<D> {
    const ax = normAxis(axis, this.rank);
    const d = this.shape[ax]!;
    const s = start < 0 ? start + d : start;
    if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > d) {
      throw new ShapeError(`narrow(axis ${axis}, start ${start}, length ${length}) is out of range for size ${d}`);
    }
    const shape = [...this.shape];
    shape[ax] = length;
    return new Tensor(this.storage, shape, this.strides, this.offset + s * this.strides[ax]!);
  }

  /**
   * Python-style slice along an axis: start (inclusive), end (exclusive), step > 0; negative start/end count
   * from the end and out-of-range values are clamped, as in x[start:end:step].
   */
  slice(axis: number, start = 0, end?: number, step = 1): Tensor<D> {
    const ax = normAxis(axis, this.rank);
    const d = this.shape[ax]!;
    if (!Number.isInteger(step) || step <= 0) throw new ShapeError(`slice step must be a positive integer, got ${step}`);
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const s = clamp(start);
    const e = clamp(end ?? d);
    const len = e > s ? Math.ceil((e - s) / step) : 0;
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape[ax] = len;
    strides[ax] = this.strides[ax]! * step;
    return new Tensor(this.storage, shape, strides, this.offset + (len > 0 ? s * this.strides[ax]! : 0));
  }

  /** Index `i` along `axis`, dropping that dimension (x[:, i] style), as a view. */
  select(axis: number, index: number): Tensor<D> {
    const ax = normAxis(axis, this.rank);
    const d = this.shape[ax]!;
    const i = index < 0 ? index + d : index;
    if (!Number.isInteger(i) || i < 0 || i >= d) throw new ShapeError(`select index ${index} is out of range for size ${d}`);
    const shape = this.shape.filter((_, k) => k !== ax);
    const strides = this.strides.filter((_, k) => k !== ax);
    return new Tensor(this.storage, shape, strides, this.offset + i * this.strides[ax]!);
  }

  /** Broadcasts size-1 dims (and new leading dims) to `shape` with stride 0 (torch.expand; -1 keeps a dim). */
  expand(...shapeArg: number[] | [readonly number[]]): Tensor<D> {
    const target = flattenShapeArg(shapeArg);
    if (target.length < this.rank) {
      throw new ShapeError(`expand: target ${fmtShape(target)} has fewer dims than ${fmtShape(this.shape)}`);
    }
    const lead = target.length - this.rank;
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < target.length; i++) {
      const t = target[i]!;
      if (i < lead) {
        if (t < 0) throw new ShapeError(`expand: -1 is not allowed for new leading dim ${i}`);
        shape.push(t);
        strides.push(0);
        continue;
      }
      const d = this.shape[i - lead]!;
      const st = this.strides[i - lead]!;
      if (t === -1 || t === d) {
        shape.push(d);
        strides.push(st);
      } else if (d === 1) {
        shape.push(t);
        strides.push(0);
      } else {
        throw new ShapeError(`expand ${fmtShape(this.shape)} -> ${fmtShape(target)}: dim ${i} has size ${d}, which is not 1`);
      }
    }
    return new Tensor(this.storage, shape, strides, this.offset);
  }

  /** Inserts a size-1 dim at `axis` (which may be rank, to append). */
  unsqueeze(axis: number): Tensor<D> {
    const ax = normAxis(axis, this.rank + 1);
    const shape = [...this.shape];
    const strides = [...this.strides];
    const st = ax < this.rank ? this.strides[ax]! * this.shape[ax]! : 1;
    shape.splice(ax, 0, 1);
    strides.splice(ax, 0, st);
    return new Tensor(this.storage, shape, strides, this.offset);
  }

  /** Removes size-1 dims: one at `axis`, or all of them when axis is omitted. */
  squeeze(axis?: number): Tensor<D> {
    if (axis === undefined) {
      const keep = this.shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
      return new Tensor(this.storage, keep.map((i) => this.shape[i]!), keep.map((i) => this.strides[i]!), this.offset);
    }
    const ax = normAxis(axis, this.rank);
    if (this.shape[ax] !== 1) throw new ShapeError(`squeeze: dim ${axis} has size ${this.shape[ax]}, not 1`);
    return this.select(ax, 0);
  }

  /** Flattens dims start..end (inclusive) into one, as a view when possible. */
  flatten(start = 0, end = -1): Tensor<D> {
    if (this.rank === 0) return this.reshape([1]);
    const s = normAxis(start, this.rank);
    const e = normAxis(end, this.rank);
    const shape = [...this.shape.slice(0, s), numel(this.shape.slice(s, e + 1)), ...this.shape.slice(e + 1)];
    return this.reshape(shape);
  }

  /** Checks the dtype, for ops that only take one. */
  assertDType<E extends DType>(dtype: E, what: string): Tensor<E> {
    if ((this.dtype as DType) !== dtype) throw new DTypeError(`${what}: expected a ${dtype} tensor, got ${this.dtype}`);
    return this as unknown as Tensor<E>;
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)})`;
  }
}

function flattenShapeArg(arg: number[] | [readonly number[]]): number[] {
  if (arg.length === 1 && Array.isArray(arg[0])) return [...(arg[0] as readonly number[])];
  return arg as number[];
}

/** Replaces a single -1 with the size that keeps the element count. */
function inferShape(shape: readonly number[], size: number): number[] {
  const out = [...shape];
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1) throw new ShapeError(`only one dimension can be -1, got ${fmtShape(shape)}`);
  if (neg === 1) {
    const known = numel(out.filter((d) => d !== -1));
    if (known === 0 || size % known !== 0) throw new ShapeError(`cannot infer -1 in ${fmtShape(shape)} for ${size} elements`);
    out[out.indexOf(-1)] = size / known;
  }
  checkShape(out);
  if (numel(out) !== size) throw new ShapeError(`shape ${fmtShape(shape)} holds ${numel(out)} elements, the tensor has ${size}`);
  return out;
}

/**
 * Strides for viewing (oldShape, oldStrides) as newShape without copying, or null if impossible. Mirrors
 * ATen's computeStride: chunks of old dims that are mutually contiguous can be split or merged freely.
 */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (numel(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) {
    // Only trailing size-1 dims can remain; give them a stride that keeps the layout well formed.
    while (viewD >= 0) {
      if (newShape[viewD] !== 1) return null;
      newStrides[viewD] = 1;
      viewD--;
    }
  }
  return newStrides;
}

/** Writes the elements of `src` in row-major order into `dst` (length src.size). */
export function copyStrided(src: Tensor, dst: AnyArray, dstOffset = 0): void {
  const n = src.size;
  if (n === 0) return;
  const data = src.data();
  if (src.isContiguous()) {
    dst.set(data.subarray(src.offset, src.offset + n), dstOffset);
    return;
  }
  const rank = src.rank;
  const shape = src.shape;
  const strides = src.strides;
  // Iterate over all dims except the last with an odometer; copy the last dim with its stride.
  const last = shape[rank - 1]!;
  const lastStride = strides[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let p = src.offset;
  let o = dstOffset;
  const outer = n / last;
  for (let r = 0; r < outer; r++) {
    for (let j = 0, q = p; j < last; j++, q += lastStride) dst[o++] = data[q]!;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      p += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Constructors

/** A float32 tensor from a typed array or a nested/flat JS array, with an optional shape (default: 1-D). */
export function tensor(data: Float32Array | readonly number[] | readonly unknown[], shape?: readonly number[]): Tensor<'float32'> {
  const flat = data instanceof Float32Array ? data : Float32Array.from(flattenNested(data));
  const sh = shape ?? nestedShape(data);
  if (numel(sh) !== flat.length) throw new ShapeError(`tensor(): ${flat.length} values do not fill shape ${fmtShape(sh)}`);
  return new Tensor(new HeapStorage('float32', flat), sh);
}

/** An int32 tensor (ids, indices) from a typed array or JS array. */
export function intTensor(data: Int32Array | readonly number[] | readonly unknown[], shape?: readonly number[]): Tensor<'int32'> {
  const flat = data instanceof Int32Array ? data : Int32Array.from(flattenNested(data));
  const sh = shape ?? nestedShape(data);
  if (numel(sh) !== flat.length) throw new ShapeError(`intTensor(): ${flat.length} values do not fill shape ${fmtShape(sh)}`);
  return new Tensor(new HeapStorage('int32', flat), sh);
}

/** Wraps an existing typed array (no copy) as a contiguous tensor of the given shape. */
export function fromArray<A extends AnyArray>(array: A, shape: readonly number[]): Tensor<A extends Float32Array ? 'float32' : 'int32'> {
  if (numel(shape) !== array.length) throw new ShapeError(`fromArray(): ${array.length} values do not fill shape ${fmtShape(shape)}`);
  const dtype = dtypeOfArray(array);
  return new Tensor(new HeapStorage(dtype, array as never), shape) as never;
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape(shape);
  return new Tensor(allocStorage(dtype, numel(shape)), shape);
}

/** Allocates an uninitialised (in practice zero-filled) float32 tensor: the output buffer of a kernel. */
export function empty(shape: readonly number[], dtype: 'float32'): Tensor<'float32'>;
export function empty(shape: readonly number[], dtype: 'int32'): Tensor<'int32'>;
export function empty(shape: readonly number[]): Tensor<'float32'>;
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape(shape);
  return new Tensor(allocStorage(dtype, numel(shape)), shape);
}

export function full(shape: readonly number[], value: number): Tensor<'float32'> {
  const t = empty(shape);
  t.data().fill(value);
  return t;
}

export function ones(shape: readonly number[]): Tensor<'float32'> {
  return full(shape, 1);
}

/** 0-d float32 tensor. */
export function scalar(value: number): Tensor<'float32'> {
  return tensor([value], []);
}

/** [start, end) with a step, as float32 (or int32 when dtype is 'int32'). */
export function arange(start: number, end?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const t = empty([n], dtype as 'float32');
  const d = t.data();
  for (let i = 0; i < n; i++) d[i] = start + i * step;
  return t;
}

function flattenNested(data: readonly unknown[] | Float32Array | Int32Array): number[] {
  const out: number[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const y of x) walk(y);
    else if (typeof x === 'number') out.push(x);
    else if (typeof x === 'boolean') out.push(x ? 1 : 0);
    else throw new ShapeError(`tensor(): expected numbers, found ${typeof x}`);
  };
  walk(Array.from(data as ArrayLike<unknown>));
  return out;
}

function nestedShape(data: readonly unknown[] | Float32Array | Int32Array): number[] {
  const shape: number[] = [];
  let x: unknown = data;
  while (Array.isArray(x) || x instanceof Float32Array || x instanceof Int32Array) {
    const arr = x as ArrayLike<unknown>;
    shape.push(arr.length);
    if (arr.length === 0) break;
    x = arr[0];
  }
  return shape;
}
