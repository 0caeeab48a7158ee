// Splits one wasm GEMM call across the thread pool (column blocks of whole 8-wide panels, or row blocks when N
// is narrow), with the calling thread taking a share. Optimized for cheap dispatch: one Atomics round trip per
// call. Single-threaded (no pool, or a problem too small to split) it is one direct call of the kernel.

import type { WasmRuntime } from '../kernels/wasm/runtime.js';
import { activePool } from './pool.js';

/** Below this many multiply-adds a call runs on the calling thread only (dispatch costs ~10 us). */
const MIN_PARALLEL_MACS = 1 << 20;

/** C[0:M, 0:N] = A @ Bpacked (+ bias, act) with the layout contract of kernels/wasm/gemm.ts. */
export function gemmParallel(
  rt: WasmRuntime, a: number, lda: number, b: number, bias: number, c: number, ldc: number,
  M: number, N: number, K: number, act: number,
): void {
  const pool = activePool(rt);
  if (pool === null || M * N * K < MIN_PARALLEL_MACS) {
    rt.gemm(a, lda, b, bias, c, ldc, 0, M, 0, N, K, rt.kc, act);
    return;
  }
  pool.gemm(a, lda, b, bias, c, ldc, M, N, K, act);
}
