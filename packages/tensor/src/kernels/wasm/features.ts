// Feature detection for the WebAssembly backend: SIMD128, relaxed SIMD, shared memory (threads).
// Optimized for being called once and cached; each probe is a tiny emitted module passed to WebAssembly.validate.
// Node 20 ships relaxed SIMD behind --experimental-wasm-relaxed-simd (on by default from Node 22); V8 accepts the
// flag at run time through v8.setFlagsFromString, so we set it lazily, in Node only, before probing.

import { ModuleBuilder } from './emitter.js';

export interface WasmFeatures {
  /** WebAssembly itself is available. */
  wasm: boolean;
  /** SIMD128 (f32x4 etc.). */
  simd: boolean;
  /** relaxed SIMD (f32x4.relaxed_madd). */
  relaxedSimd: boolean;
  /** Shared memories and SharedArrayBuffer are available (needed for worker threads). */
  sharedMemory: boolean;
}

function probe(build: (m: ModuleBuilder) => void): boolean {
  try {
    const m = new ModuleBuilder({ initial: 1, maximum: 1, shared: false });
    build(m);
    return WebAssembly.validate(m.toBytes());
  } catch {
    return false;
  }
}

const simdProbe = (m: ModuleBuilder): void => {
  m.func('f', ['v128', 'v128'], ['v128'], (f) => f.get(0).get(1).f32x4Mul());
};
const relaxedProbe = (m: ModuleBuilder): void => {
  m.func('f', ['v128', 'v128', 'v128'], ['v128'], (f) => f.get(0).get(1).get(2).f32x4RelaxedMadd());
};

interface NodeV8 {
  setFlagsFromString(flags: string): void;
}

/** Node's synchronous built-in loader (Node >= 20.16), absent in browsers. */
function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

let cached: WasmFeatures | undefined;

/** Detects (once) what this engine supports, enabling relaxed SIMD in Node when it is behind a flag. */
export function detectFeatures(): WasmFeatures {
  if (cached) return cached;
  const wasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const simd = wasm && probe(simdProbe);
  let relaxedSimd = simd && probe(relaxedProbe);
  if (simd && !relaxedSimd) {
    // Node 20: the proposal is implemented but flagged. Setting V8 flags after start-up is officially
    // "undefined behaviour" but is what the flag exists for; it only affects modules compiled afterwards.
    const v8 = nodeBuiltin<NodeV8>('node:v8');
    if (v8) {
      try {
        v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
        relaxedSimd = probe(relaxedProbe);
      } catch {
        relaxedSimd = false;
      }
    }
  }
  let sharedMemory = false;
  if (wasm && typeof SharedArrayBuffer === 'function') {
    try {
      sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
    } catch {
      sharedMemory = false;
    }
  }
  cached = { wasm, simd, relaxedSimd, sharedMemory };
  return cached;
}
