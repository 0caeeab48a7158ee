// Public surface of the wasm backend: feature detection, the heap and its Storage, the runtime, the thread pool,
// and `initWasmBackend`. Importing this module registers the wasm kernels (backend 'wasm'); nothing is compiled
// until the first wasm kernel runs, so importing costs nothing on engines without SIMD (they fall back to js).

import { setBackend } from '../../registry.js';
import { registerWasmKernels } from './kernels.js';
import { setWasmRuntime, wasmRuntime } from './runtime.js';
import type { WasmRuntime, WasmRuntimeOptions } from './runtime.js';
import { availableCores, startThreads, stopThreads } from '../../parallel/pool.js';

export { detectFeatures } from './features.js';
export type { WasmFeatures } from './features.js';
export { WasmHeap, WasmStorage } from './memory.js';
export { WasmRuntime, wasmRuntime, setWasmRuntime } from './runtime.js';
export type { WasmRuntimeOptions } from './runtime.js';
export { buildKernelModule } from './module.js';
export { ThreadPool, startThreads, stopThreads, availableCores } from '../../parallel/pool.js';

registerWasmKernels();

export interface WasmBackendOptions extends WasmRuntimeOptions {
  /** Threads including the caller (default: available cores; 1 = no workers). */
  threads?: number;
}

/**
 * Makes 'wasm' the active backend: creates the runtime (a new one when options are given), starts the thread
 * pool, and returns the runtime; null (backend unchanged) when the engine lacks WebAssembly SIMD.
 */
export async function initWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmRuntime | null> {
  const { threads, ...rtOpts } = opts;
  const rt = Object.keys(rtOpts).length > 0 ? setWasmRuntime(rtOpts) : wasmRuntime();
  if (rt === null) return null;
  const n = threads ?? availableCores();
  if (n > 1 && rt.heap.shared) {
    try {
      await startThreads(rt, { threads: n });
    } catch (e) {
      // An explicit request must fail loudly; the default (all cores) degrades to one thread, e.g. on a Node
      // without process.getBuiltinModule (< 20.16) or a page that is not crossOriginIsolated.
      if (threads !== undefined) throw e;
      stopThreads();
    }
  } else {
    stopThreads();
  }
  setBackend('wasm');
  return rt;
}
