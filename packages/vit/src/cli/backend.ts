// Chooses the compute backend for a CLI run: `--backend auto|wasm|js|ref` and `--threads N` (defaults from
// PATCHWISE_BACKEND / PATCHWISE_THREADS, else auto with every core). 'auto' is the DESIGN.md rule: WebAssembly
// SIMD (relaxed FMA where the engine has it) with a worker pool when available, else the pure-TS kernels.

import { availableCores, getBackend, initWasmBackend, setBackend, stopThreads } from '@patchwise/tensor';
import { optString } from './args.js';
import type { ParsedArgs } from './args.js';
import { UsageError } from './errors.js';

export const BACKENDS = ['auto', 'wasm', 'js', 'ref'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** The backend set up by the last call, so repeated in-process runs (tests, embedding) reuse the thread pool. */
let current: { choice: BackendChoice; threads: number } | null = null;

function parseThreads(text: string, from: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`${from} expects an integer from 1 to 256, got '${text}'`);
  return n;
}

/**
 * Makes the requested backend active. An explicit `wasm` on an engine without WebAssembly SIMD is an error;
 * `auto` falls back to js quietly. Returns the name of the backend that is active afterwards.
 */
export async function selectBackend(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const raw = optString(args, 'backend') ?? env['PATCHWISE_BACKEND'] ?? 'auto';
  if (!(BACKENDS as readonly string[]).includes(raw)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join('|')}, got '${raw}'`);
  }
  const choice = raw as BackendChoice;
  const threadsText = optString(args, 'threads') ?? env['PATCHWISE_THREADS'];
  const threads = threadsText === undefined ? availableCores() : parseThreads(threadsText, optString(args, 'threads') !== undefined ? '--threads' : 'PATCHWISE_THREADS');
  if (current && current.choice === choice && current.threads === threads) return getBackend();
  if (choice === 'js' || choice === 'ref') {
    stopThreads();
    setBackend(choice);
  } else {
    const rt = await initWasmBackend({ threads });
    if (rt === null) {
      if (choice === 'wasm') throw new UsageError('--backend wasm: this JavaScript engine has no WebAssembly SIMD; use --backend js');
      setBackend('js');
    }
  }
  current = { choice, threads };
  return getBackend();
}

/** Stops the worker pool so the process can exit (the bin calls this after the command). */
export function releaseBackend(): void {
  stopThreads();
  current = null;
}
