// Storage: the flat buffer a tensor's elements live in, apart from how they are laid out.
// Optimized for one thing: letting a later backend keep tensors inside a growable WebAssembly.Memory
// without changing any op front-end. Nobody may cache a typed-array view across a call that could grow
// memory, so storage hands out views on demand (`view()`) instead of exposing a fixed array.

export type DType = 'float32' | 'int32';

/** The typed array that holds elements of a dtype. */
export type ArrayFor<D extends DType> = D extends 'float32' ? Float32Array : Int32Array;

export type AnyArray = Float32Array | Int32Array;

/** A flat buffer of `length` elements of one dtype. */
export interface Storage<D extends DType = DType> {
  readonly dtype: D;
  readonly length: number;
  /** Name of the backend that owns the memory ('heap' for plain typed arrays, 'wasm' for WebAssembly.Memory). */
  readonly kind: string;
  /**
   * A typed-array view of the elements. For heap storage this is always the same array; for storage in a
   * WebAssembly.Memory it is re-created after the memory grows, so call it again after any allocation.
   */
  view(): ArrayFor<D>;
}

/** Storage in an ordinary JS typed array: the default, used by the ref and js backends. */
export class HeapStorage<D extends DType = DType> implements Storage<D> {
  readonly kind = 'heap';
  readonly dtype: D;
  readonly length: number;
  private readonly array: ArrayFor<D>;

  constructor(dtype: D, array: ArrayFor<D>) {
    this.dtype = dtype;
    this.array = array;
    this.length = array.length;
  }

  view(): ArrayFor<D> {
    return this.array;
  }
}

/** Allocates zero-filled heap storage for `length` elements. */
export function allocStorage<D extends DType>(dtype: D, length: number): HeapStorage<D> {
  const array = (dtype === 'float32' ? new Float32Array(length) : new Int32Array(length)) as ArrayFor<D>;
  return new HeapStorage(dtype, array);
}

/** The dtype that a typed array stores. */
export function dtypeOfArray(array: AnyArray): DType {
  return array instanceof Float32Array ? 'float32' : 'int32';
}
