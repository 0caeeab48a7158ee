// The WebAssembly backend's memory: one WebAssembly.Memory (shared when the platform allows it, so worker threads
// see the same bytes), a stack-like bump allocator, and `Storage` objects that live inside the memory.
// Optimized for a forward pass that allocates nothing after the first: persistent data (packed weights) and
// per-call scratch (activations) come from one bump pointer; a kernel marks the top, allocates its scratch and
// releases back to the mark, so the second call reuses exactly the bytes of the first and never grows memory.
// Rule (storage.ts): no typed-array view into the memory may outlive a grow, so every view is fetched through
// `f32()`/`i32()`/`Storage.view()`, which re-create it when the underlying buffer has changed.

import type { ArrayFor, DType, Storage } from '../../storage.js';

const PAGE = 65536;

/** Bytes at the bottom of memory that the allocator never hands out: 0 stays a null pointer, and the
 * thread pool keeps its control block there. */
export const RESERVED_BYTES = 4096;

export interface HeapOptions {
  /** Initial size in 64 KiB pages. */
  initialPages?: number;
  /** Maximum size in pages (shared memories must declare one; 65536 = 4 GiB, the wasm32 limit). */
  maximumPages?: number;
  shared?: boolean;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly maximumPages: number;
  readonly initialPages: number;
  private top = RESERVED_BYTES;
  private buffer: ArrayBufferLike | undefined;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);
  /** How many times memory grew (tests check that a warmed-up forward pass does not grow it). */
  growCount = 0;

  constructor(opts: HeapOptions = {}) {
    this.shared = opts.shared ?? false;
    this.initialPages = opts.initialPages ?? 16;
    this.maximumPages = opts.maximumPages ?? 65536;
    this.memory = new WebAssembly.Memory({ initial: this.initialPages, maximum: this.maximumPages, shared: this.shared });
  }

  /** Current size in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes handed out so far (the high-water mark of the bump pointer). */
  get used(): number {
    return this.top;
  }

  /** Allocates `bytes` (aligned to `align`, default 16 for v128) and returns the byte address. Zero-filled only
   * if the bytes were never used before; callers that need zeros must write them. May grow memory. */
  alloc(bytes: number, align = 16): number {
    const ptr = Math.ceil(this.top / align) * align;
    // 16 bytes of slack: vector loops may read one v128 past the end of a row.
    const end = ptr + bytes + 16;
    if (end > this.byteLength) {
      const need = Math.ceil((end - this.byteLength) / PAGE);
      const pages = this.byteLength / PAGE;
      if (pages + need > this.maximumPages) {
        throw new RangeError(`wasm heap: cannot allocate ${bytes} bytes: memory would exceed ${this.maximumPages} pages`);
      }
      // Grow by at least a quarter of the current size so a growing model does not grow page by page.
      this.memory.grow(Math.min(this.maximumPages - pages, Math.max(need, Math.ceil(pages / 4))));
      this.growCount++;
    }
    this.top = ptr + bytes;
    return ptr;
  }

  /** The current top of the bump allocator, to `release` back to. */
  mark(): number {
    return this.top;
  }

  /** Frees everything allocated after `mark` (stack discipline: scratch of a kernel call). */
  release(mark: number): void {
    if (mark > this.top || mark < RESERVED_BYTES) throw new RangeError(`wasm heap: bad release mark ${mark} (top ${this.top})`);
    this.top = mark;
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.f32View = new Float32Array(buf);
      this.i32View = new Int32Array(buf);
    }
  }

  /** A Float32Array over the whole memory, valid until the next allocation. */
  f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  /** An Int32Array over the whole memory, valid until the next allocation. */
  i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }
}

/** Storage whose elements live in a WasmHeap at byte address `ptr`. */
export class WasmStorage<D extends DType = DType> implements Storage<D> {
  readonly kind = 'wasm';
  private cachedBuffer: ArrayBufferLike | undefined;
  private cached: ArrayFor<D> | undefined;

  constructor(
    readonly heap: WasmHeap,
    readonly dtype: D,
    readonly ptr: number,
    readonly length: number,
  ) {
    if (ptr % 4 !== 0) throw new RangeError(`WasmStorage: address ${ptr} is not 4-byte aligned`);
  }

  /** Allocates storage for `length` elements in `heap` (persistent: bump-allocated). */
  static alloc<D extends DType>(heap: WasmHeap, dtype: D, length: number): WasmStorage<D> {
    return new WasmStorage(heap, dtype, heap.alloc(length * 4), length);
  }

  view(): ArrayFor<D> {
    const buf = this.heap.memory.buffer;
    if (buf !== this.cachedBuffer || this.cached === undefined) {
      this.cachedBuffer = buf;
      const start = this.ptr >>> 2;
      const whole = this.dtype === 'float32' ? this.heap.f32() : this.heap.i32();
      this.cached = whole.subarray(start, start + this.length) as ArrayFor<D>;
    }
    return this.cached;
  }
}
