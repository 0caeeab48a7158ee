// The kernel registry: op front-ends (src/ops/*) validate arguments and then call the kernel that the active
// backend registered for the op. Keyed by (op, backend) so that a WebAssembly backend and worker threads can
// plug in later without touching the front-ends (same split as tfjs-core ops/ -> backend-cpu/kernels/).
//
// Each op module declares its kernel's type by augmenting `KernelMap`, e.g.
//   declare module '../registry.js' { interface KernelMap { softmax: SoftmaxKernel } }
// so getKernel('softmax') is fully typed.

import { BackendError } from './errors.js';

/** Op name -> kernel function type. Augmented by each op module. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface KernelMap {}

export type OpName = keyof KernelMap & string;

/** 'ref' = plain loops (the oracle), 'js' = fast pure-TS kernels, 'wasm' = WebAssembly SIMD kernels. */
export type BackendName = 'ref' | 'js' | 'wasm' | (string & {});

const kernels = new Map<string, Map<BackendName, unknown>>();

/** Backends in preference order: the first one that has a kernel for an op runs it. */
let preference: BackendName[] = ['js', 'ref'];

/** Registers `fn` as the kernel of `op` on `backend` (replacing any earlier one). */
export function registerKernel<K extends OpName>(op: K, backend: BackendName, fn: KernelMap[K]): void {
  let byBackend = kernels.get(op);
  if (!byBackend) kernels.set(op, (byBackend = new Map()));
  byBackend.set(backend, fn);
}

/** The kernel of the most preferred backend that implements `op`. */
export function getKernel<K extends OpName>(op: K): KernelMap[K] {
  const byBackend = kernels.get(op);
  if (byBackend) {
    for (const b of preference) {
      const fn = byBackend.get(b);
      if (fn !== undefined) return fn as KernelMap[K];
    }
  }
  throw new BackendError(
    `no kernel for op '${op}' on backends [${preference.join(', ')}]; registered: [${byBackend ? [...byBackend.keys()].join(', ') : 'none'}]`,
  );
}

/** The kernel of exactly this backend, or undefined (for tests that compare backends). */
export function getKernelOf<K extends OpName>(op: K, backend: BackendName): KernelMap[K] | undefined {
  return kernels.get(op)?.get(backend) as KernelMap[K] | undefined;
}

/** Backends that registered a kernel for `op`. */
export function backendsOf(op: string): BackendName[] {
  return [...(kernels.get(op)?.keys() ?? [])];
}

/**
 * Makes `name` the active backend. Ops it lacks fall back to 'js', then 'ref' ('ref' itself never falls
 * forward, so setBackend('ref') runs only the readable kernels).
 */
export function setBackend(name: BackendName): void {
  preference = name === 'ref' ? ['ref'] : name === 'js' ? ['js', 'ref'] : [name, 'js', 'ref'];
}

/** The active backend (first in preference order). */
export function getBackend(): BackendName {
  return preference[0]!;
}

/** Runs `fn` with `name` active, restoring the previous preference afterwards (also on throw). */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const saved = preference;
  setBackend(name);
  try {
    return fn();
  } finally {
    preference = saved;
  }
}
