// The wasm backend's runtime: the heap (one WebAssembly.Memory), the compiled kernel module instantiated on it,
// and the copies between heap tensors and the memory. Optimized for a forward pass that allocates nothing after
// the first: packed weights are bump-allocated once; each kernel call marks the heap, takes its scratch and
// releases it, so a repeated call reuses the same bytes and never grows memory.
// No typed-array view is held across an allocation: every copy re-fetches `heap.f32()` after allocating.

import { BackendError } from '../../errors.js';
import { detectFeatures } from './features.js';
import type { WasmFeatures } from './features.js';
import { WasmHeap } from './memory.js';
import { buildKernelModule } from './module.js';
import type { AttnFn, GemmFn, KernelExports } from './module.js';

export interface WasmRuntimeOptions {
  /** Use relaxed SIMD when available (default true). false forces the plain SIMD128 GEMM. */
  relaxed?: boolean;
  /** Put the heap in a shared memory (needed by the thread pool; default: when the platform allows it). */
  shared?: boolean;
  /** Maximum memory in 64 KiB pages (default 65536 = 4 GiB). */
  maximumPages?: number;
  /** GEMM tile rows: 4, 5 or 6 (default 4). */
  mr?: 4 | 5 | 6;
  /** K block of the GEMM (multiple of 4; default 256). */
  kc?: number;
}

export class WasmRuntime {
  readonly heap: WasmHeap;
  readonly features: WasmFeatures;
  readonly bytes: Uint8Array;
  readonly module: WebAssembly.Module;
  readonly exports: KernelExports;
  readonly relaxed: boolean;
  readonly gemmName: string;
  readonly gemm: GemmFn;
  readonly attnName: string;
  readonly attn: AttnFn;
  readonly mr: number;
  kc: number;

  constructor(opts: WasmRuntimeOptions = {}) {
    this.features = detectFeatures();
    if (!this.features.simd) throw new BackendError('wasm backend: this engine lacks WebAssembly SIMD128');
    const shared = (opts.shared ?? true) && this.features.sharedMemory;
    this.relaxed = (opts.relaxed ?? true) && this.features.relaxedSimd;
    const maximumPages = opts.maximumPages ?? 65536;
    this.heap = new WasmHeap({ shared, maximumPages });
    this.bytes = buildKernelModule({ relaxed: this.features.relaxedSimd, shared, maximumPages });
    this.module = new WebAssembly.Module(this.bytes);
    const instance = new WebAssembly.Instance(this.module, { env: { memory: this.heap.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.mr = opts.mr ?? 4;
    this.kc = opts.kc ?? 256;
    this.gemmName = `gemm_${this.relaxed ? 'relaxed' : 'simd'}_${this.mr}x8`;
    const g = this.exports[this.gemmName as `gemm_${string}`];
    if (typeof g !== 'function') throw new BackendError(`wasm backend: module has no export ${this.gemmName}`);
    this.gemm = g;
    this.attnName = this.gemmName.replace('gemm_', 'attn_');
    this.attn = this.exports[this.attnName as `attn_${string}`];
  }

  /**
   * Copies a 2-D block src[off + r*sr + c*sc] (r < rows, c < cols) into the heap at byte address `dst` as rows of
   * `ld` floats; columns cols..padCols-1 are zero-filled (GEMM K padding must be zero, not stale bytes).
   */
  copyIn2d(
    src: Float32Array | Int32Array, off: number, sr: number, sc: number, rows: number, cols: number,
    dst: number, ld: number, padCols = cols,
  ): void {
    const mem = this.heap.f32();
    const base = dst >>> 2;
    for (let r = 0; r < rows; r++) {
      const o = base + r * ld;
      const so = off + r * sr;
      if (sc === 1) mem.set(src.subarray(so, so + cols), o);
      else for (let c = 0; c < cols; c++) mem[o + c] = src[so + c * sc]!;
      if (padCols > cols) mem.fill(0, o + cols, o + padCols);
    }
  }

  /** Copies rows x cols floats (row stride `ld` floats) from the heap at `src` into the dense array `out`. */
  copyOut2d(src: number, ld: number, rows: number, cols: number, out: Float32Array, outOffset: number): void {
    const mem = this.heap.f32();
    const base = src >>> 2;
    if (ld === cols) {
      out.set(mem.subarray(base, base + rows * cols), outOffset);
      return;
    }
    for (let r = 0; r < rows; r++) out.set(mem.subarray(base + r * ld, base + r * ld + cols), outOffset + r * cols);
  }

  /**
   * Packs B[k, n] = get(k, n) for k < K, n < N into NR=8-column panels, K padded to Kp (multiple of 4) and N to
   * Np (multiple of 8) with zeros. `src` is read as src[off + k*sk + n*sn]. Writes at byte address `dst`.
   */
  packB(src: Float32Array | Int32Array, off: number, sk: number, sn: number, K: number, N: number, Kp: number, Np: number, dst: number): void {
    const mem = this.heap.f32();
    const base = dst >>> 2;
    mem.fill(0, base, base + Kp * Np);
    if (Math.abs(sn) < Math.abs(sk)) {
      // rows of B are contiguous (V of attention, a row-major right operand): read along n
      for (let k = 0; k < K; k++) {
        const so = off + k * sk;
        for (let n = 0; n < N; n++) mem[base + (n >> 3) * Kp * 8 + k * 8 + (n & 7)] = src[so + n * sn]!;
      }
      return;
    }
    // columns of B are contiguous (W [out, in] of linear, K^T of attention): read along k
    for (let n = 0; n < N; n++) {
      const panel = base + (n >> 3) * Kp * 8 + (n & 7);
      const so = off + n * sn;
      for (let k = 0; k < K; k++) mem[panel + k * 8] = src[so + k * sk]!;
    }
  }
}

let shared: WasmRuntime | null | undefined;

/** The process-wide runtime, created on first use; null when the engine lacks WebAssembly SIMD. */
export function wasmRuntime(): WasmRuntime | null {
  if (shared === undefined) {
    try {
      shared = new WasmRuntime();
    } catch (e) {
      if (!(e instanceof BackendError)) throw e;
      shared = null;
    }
  }
  return shared;
}

/** Replaces the process-wide runtime (e.g. to force plain SIMD); returns it. */
export function setWasmRuntime(opts: WasmRuntimeOptions): WasmRuntime {
  shared = new WasmRuntime(opts);
  return shared;
}

export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;
