// A pool of worker threads over the wasm backend's shared WebAssembly.Memory (worker_threads in Node; Web Workers
// in browsers when crossOriginIsolated). Each worker instantiates the same emitted module bytes on the same memory
// and sleeps in Atomics.wait on its slot of a control block at the bottom of the memory; a call writes the job's
// arguments into the slot, bumps the slot's sequence number and notifies, runs its own share, then waits for the
// workers' "done" numbers. Optimized for cheap dispatch (no postMessage per job, no promise): a job is a few
// Atomics operations. A worker that throws (a wasm trap, an exit) writes an error status, so the caller raises a
// BackendError; a worker that stops answering is reported after a timeout. Never a hang.

import { BackendError } from '../errors.js';
import { RESERVED_BYTES } from '../kernels/wasm/memory.js';
import type { WasmRuntime } from '../kernels/wasm/runtime.js';
import { NR } from '../kernels/wasm/gemm.js';

/** Control block slot per worker: 64 i32 (256 bytes). */
const SLOT_INTS = 64;
const SEQ = 0;
const DONE = 1;
const STATUS = 2;
const OP = 3;
const NARGS = 4;
/** Bit i set: argument i is a float32 (read through a Float32Array view of the same bytes). */
const FLOATS = 5;
const ARGS = 6;
const MAX_ARGS = 24;
/**
 * Who runs the posted job: -seq = nobody yet, seq = the worker, 0 = the caller. A caller that finishes its own share
 * first takes back a job its worker has not started (compare-exchange -seq -> 0), so a worker descheduled on a busy
 * machine costs nothing instead of a scheduler time slice per call. The claim names the job's sequence number so
 * a worker that woke for an older job (then lost the CPU) cannot claim a newer one under the old number.
 */
const CLAIM = 30;
/** Generation of the pool that owns the slot: a worker of an earlier pool (exiting late) must not write to it. */
const GEN = 31;
/** Bytes 128..255 of a slot hold a worker's error message (UTF-8, NUL-terminated). */
const MSG_BYTE = 128;
const MSG_LEN = 128;
export const MAX_WORKERS = RESERVED_BYTES / (SLOT_INTS * 4) - 1;

const STATUS_OK = 0;
const STATUS_ERROR = 1;
const STATUS_DEAD = 2;

export const OP_GEMM = 1;
export const OP_ATTN = 2;
/** Test hooks: make a worker throw / exit, to check that failures reach the caller. */
export const OP_TEST_THROW = 90;
export const OP_TEST_EXIT = 91;

/**
 * The worker's code, a self-contained script (no imports) so that it runs from a string in Node (eval worker)
 * and from a Blob URL in browsers, whatever bundler or loader the host uses.
 */
const WORKER_SOURCE = String.raw`
'use strict';
const isNode = typeof process === 'object' && typeof require === 'function';
const port = isNode ? require('node:worker_threads').parentPort : self;
function start(init) {
  const { bytes, memory, slot, names, gen } = init;
  const i32 = new Int32Array(memory.buffer, 0, ${RESERVED_BYTES} / 4);
  const f32 = new Float32Array(memory.buffer, 0, ${RESERVED_BYTES} / 4);
  const base = slot * ${SLOT_INTS};
  const u8 = new Uint8Array(memory.buffer, 0, ${RESERVED_BYTES});
  function fail(status, e) {
    if (Atomics.load(i32, base + ${GEN}) !== gen) return;
    const msg = new TextEncoder().encode(String(e && e.stack || e).slice(0, ${MSG_LEN - 1}));
    const at = base * 4 + ${MSG_BYTE};
    u8.fill(0, at, at + ${MSG_LEN});
    u8.set(msg.subarray(0, ${MSG_LEN - 1}), at);
    Atomics.store(i32, base + ${STATUS}, status);
    Atomics.store(i32, base + ${DONE}, Atomics.load(i32, base + ${SEQ}));
    Atomics.notify(i32, base + ${DONE});
  }
  if (isNode) process.on('exit', () => fail(${STATUS_DEAD}, 'worker ' + slot + ' exited'));
  let ex;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    ex = inst.exports;
  } catch (e) {
    port.postMessage({ ready: false, error: String(e) });
    return;
  }
  // Read the sequence number before announcing readiness: a job posted right after 'ready' must not be missed.
  let seen = Atomics.load(i32, base + ${SEQ});
  port.postMessage({ ready: true });
  for (;;) {
    Atomics.wait(i32, base + ${SEQ}, seen);
    const seq = Atomics.load(i32, base + ${SEQ});
    if (seq === seen) continue;
    seen = seq;
    if (seq < 0) return;
    if (Atomics.compareExchange(i32, base + ${CLAIM}, -seq, seq) !== -seq) continue; // taken back, or superseded
    try {
      const op = i32[base + ${OP}];
      const n = i32[base + ${NARGS}];
      const floats = i32[base + ${FLOATS}];
      const args = [];
      for (let i = 0; i < n; i++) args.push((floats >> i) & 1 ? f32[base + ${ARGS} + i] : i32[base + ${ARGS} + i]);
      const fn = names[op] !== undefined ? ex[names[op]] : undefined;
      if (fn !== undefined) fn(...args);
      else if (op === ${OP_TEST_THROW}) throw new Error('test failure requested');
      else if (op === ${OP_TEST_EXIT}) process.exit(3);
      else throw new Error('unknown op ' + op);
      Atomics.store(i32, base + ${DONE}, seq);
      Atomics.notify(i32, base + ${DONE});
    } catch (e) {
      fail(${STATUS_ERROR}, e);
    }
  }
}
if (isNode) port.once('message', start);
else self.onmessage = (ev) => { self.onmessage = null; start(ev.data); };
`;

interface WorkerHandle {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}

interface NodeWorkerCtor {
  new (src: string, opts: { eval: true }): WorkerHandle & {
    once(ev: 'message', fn: (m: { ready: boolean; error?: string }) => void): void;
    once(ev: 'error', fn: (e: Error) => void): void;
    unref(): void;
  };
}

function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(name) as T | undefined;
}

/** Cores available to this process (Node: os.availableParallelism; browsers: navigator.hardwareConcurrency). */
export function availableCores(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

async function spawnWorker(init: Record<string, unknown>): Promise<WorkerHandle> {
  const wt = nodeBuiltin<{ Worker: NodeWorkerCtor }>('node:worker_threads');
  if (wt) {
    const w = new wt.Worker(WORKER_SOURCE, { eval: true });
    w.unref(); // idle workers must not keep the process alive
    await new Promise<void>((resolve, reject) => {
      w.once('message', (m) => (m.ready ? resolve() : reject(new BackendError(`wasm worker failed to start: ${m.error}`))));
      w.once('error', reject);
      w.postMessage(init);
    });
    return w;
  }
  const g = globalThis as { Worker?: new (url: string) => WorkerHandle & { onmessage: ((e: { data: { ready: boolean; error?: string } }) => void) | null; onerror: ((e: unknown) => void) | null }; Blob?: typeof Blob; URL?: typeof URL };
  if (!g.Worker || !g.Blob || !g.URL) throw new BackendError('thread pool: no worker_threads and no Web Workers here');
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new g.Worker(url);
  await new Promise<void>((resolve, reject) => {
    w.onmessage = (e) => (e.data.ready ? resolve() : reject(new BackendError(`wasm worker failed to start: ${e.data.error}`)));
    w.onerror = (e) => reject(new BackendError(`wasm worker failed to start: ${String(e)}`));
    w.postMessage(init);
  });
  return w;
}

/** Pool generations, process-wide (see GEN). */
let generation = 0;

export interface PoolOptions {
  /** Threads including the calling one (default: available cores). 1 means no workers. */
  threads?: number;
  /** Give up on a worker that has not finished a job after this long (default 60 s). */
  timeoutMs?: number;
}

export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly u8: Uint8Array;
  private broken: string | null = null;
  private closed = false;

  private constructor(
    readonly rt: WasmRuntime,
    private readonly workers: WorkerHandle[],
    readonly timeoutMs: number,
  ) {
    // The control block never moves and a shared buffer never detaches, but re-fetching is cheap and keeps the
    // rule simple: take the views from the current buffer.
    this.i32 = new Int32Array(rt.heap.memory.buffer, 0, RESERVED_BYTES / 4);
    this.f32 = new Float32Array(rt.heap.memory.buffer, 0, RESERVED_BYTES / 4);
    this.u8 = new Uint8Array(rt.heap.memory.buffer, 0, RESERVED_BYTES);
  }

  /** Threads that work on a job, including the caller. */
  get threads(): number {
    return this.workers.length + 1;
  }

  static async create(rt: WasmRuntime, opts: PoolOptions = {}): Promise<ThreadPool> {
    const threads = Math.max(1, Math.min(opts.threads ?? availableCores(), MAX_WORKERS + 1));
    if (threads > 1 && !rt.heap.shared) throw new BackendError('thread pool: the wasm heap is not in a shared memory (SharedArrayBuffer unavailable)');
    const i32 = new Int32Array(rt.heap.memory.buffer, 0, RESERVED_BYTES / 4);
    const workers: WorkerHandle[] = [];
    try {
      for (let w = 0; w < threads - 1; w++) {
        const slot = w + 1;
        i32.fill(0, slot * SLOT_INTS, (slot + 1) * SLOT_INTS);
        const gen = ++generation;
        Atomics.store(i32, slot * SLOT_INTS + GEN, gen);
        const names = { [OP_GEMM]: rt.gemmName, [OP_ATTN]: rt.attnName };
        workers.push(await spawnWorker({ bytes: rt.bytes, memory: rt.heap.memory, slot, names, gen }));
      }
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw e;
    }
    return new ThreadPool(rt, workers, opts.timeoutMs ?? 60_000);
  }

  /** Posts a job to worker w (0-based) without waiting; args whose index has its bit set in `floats` are f32. */
  post(w: number, op: number, args: readonly number[], floats = 0): number {
    if (this.closed) throw new BackendError('thread pool: used after close()');
    if (this.broken !== null) throw new BackendError(`thread pool is broken: ${this.broken}`);
    const base = (w + 1) * SLOT_INTS;
    const i32 = this.i32;
    i32[base + STATUS] = STATUS_OK;
    if (args.length > MAX_ARGS) throw new BackendError(`thread pool: ${args.length} arguments, at most ${MAX_ARGS}`);
    i32[base + OP] = op;
    i32[base + NARGS] = args.length;
    i32[base + FLOATS] = floats;
    for (let i = 0; i < args.length; i++) {
      if ((floats >> i) & 1) this.f32[base + ARGS + i] = args[i]!;
      else i32[base + ARGS + i] = args[i]!;
    }
    const seq = (i32[base + SEQ]! % 0x3fffffff) + 1; // 1..2^30-1: never 0, so -seq is never the caller's 0
    Atomics.store(i32, base + CLAIM, -seq);
    Atomics.store(i32, base + SEQ, seq);
    Atomics.notify(i32, base + SEQ);
    return seq;
  }

  /** Waits for worker w to finish job `seq`; throws BackendError if it failed or timed out. */
  wait(w: number, seq: number): void {
    const base = (w + 1) * SLOT_INTS;
    const i32 = this.i32;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(i32, base + DONE);
      if (done === seq) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.broken = `worker ${w + 1} did not finish a job within ${this.timeoutMs} ms`;
        throw new BackendError(this.broken);
      }
      // Main threads of browsers may not block: spin there instead.
      try {
        Atomics.wait(i32, base + DONE, done, Math.min(left, 50));
      } catch {
        /* spin */
      }
    }
    const status = Atomics.load(i32, base + STATUS);
    if (status !== STATUS_OK) {
      const at = (w + 1) * SLOT_INTS * 4 + MSG_BYTE;
      const raw = this.u8.slice(at, at + MSG_LEN);
      const end = raw.indexOf(0);
      const msg = new TextDecoder().decode(raw.subarray(0, end < 0 ? MSG_LEN : end));
      if (status === STATUS_DEAD) this.broken = msg;
      throw new BackendError(`wasm worker ${w + 1} failed: ${msg}`);
    }
  }

  /**
   * Runs one job per thread: jobs[0] on the caller (a closure), jobs[1..] on workers 0.. (op + args). Waits for
   * every worker even when one fails, so no job keeps running on scratch the caller is about to release.
   */
  run(local: () => void, jobs: readonly { op: number; args: readonly number[]; floats?: number }[]): void {
    if (jobs.length > this.workers.length) throw new BackendError(`thread pool: ${jobs.length} jobs for ${this.workers.length} workers`);
    const seqs = jobs.map((j, w) => this.post(w, j.op, j.args, j.floats ?? 0));
    let err: unknown = null;
    try {
      local();
    } catch (e) {
      err = e;
    }
    for (let w = 0; w < jobs.length; w++) {
      try {
        const job = jobs[w]!;
        const seq = seqs[w]!;
        if (this.stealable(job.op) && Atomics.compareExchange(this.i32, (w + 1) * SLOT_INTS + CLAIM, -seq, 0) === -seq) {
          this.runHere(job.op, job.args);
        } else {
          this.wait(w, seq);
        }
      } catch (e) {
        err ??= e;
      }
    }
    if (err !== null) throw err;
  }

  /** Kernel jobs may be run by the caller instead (the test hooks must reach the worker). */
  private stealable(op: number): boolean {
    return op === OP_GEMM || op === OP_ATTN;
  }

  /** Runs a job on the calling thread (the same export the worker would call). */
  private runHere(op: number, args: readonly number[]): void {
    const fn = op === OP_GEMM ? this.rt.gemm : this.rt.attn;
    (fn as (...a: number[]) => void)(...args);
  }

  /** GEMM split by column panels (or by rows when there are few panels) over the workers and the caller. */
  gemm(a: number, lda: number, b: number, bias: number, c: number, ldc: number, M: number, N: number, K: number, act: number): void {
    const T = this.threads;
    const panels = N / NR;
    const parts: [number, number, number, number][] = [];
    if (panels >= 2 * T) {
      for (let t = 0; t < T; t++) {
        const p0 = Math.floor((panels * t) / T);
        const p1 = Math.floor((panels * (t + 1)) / T);
        parts.push([0, M, p0 * NR, p1 * NR]);
      }
    } else {
      const tiles = M / this.rt.mr;
      for (let t = 0; t < T; t++) {
        const r0 = Math.floor((tiles * t) / T) * this.rt.mr;
        const r1 = Math.floor((tiles * (t + 1)) / T) * this.rt.mr;
        parts.push([r0, r1, 0, N]);
      }
    }
    const kc = this.rt.kc;
    const jobs = parts.slice(1).map(([i0, i1, j0, j1]) => ({ op: OP_GEMM, args: [a, lda, b, bias, c, ldc, i0, i1, j0, j1, K, kc, act] }));
    const [i0, i1, j0, j1] = parts[0]!;
    this.run(() => {
      if (i1 > i0 && j1 > j0) this.rt.gemm(a, lda, b, bias, c, ldc, i0, i1, j0, j1, K, kc, act);
    }, jobs);
  }

  /** Stops the workers (they exit their wait loop) and terminates them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      const base = (w + 1) * SLOT_INTS;
      Atomics.store(this.i32, base + SEQ, -1);
      Atomics.notify(this.i32, base + SEQ);
    }
    for (const w of this.workers) void w.terminate();
  }
}

let pool: ThreadPool | null = null;

/** The pool for runtime `rt`, or null when threads are off (or the pool belongs to another runtime). */
export function activePool(rt: WasmRuntime): ThreadPool | null {
  return pool !== null && pool.rt === rt && pool.threads > 1 ? pool : null;
}

/**
 * Starts the thread pool of runtime `rt` with `threads` threads (default: available cores), replacing any
 * previous pool. threads = 1 turns threading off.
 */
export async function startThreads(rt: WasmRuntime, opts: PoolOptions = {}): Promise<ThreadPool> {
  stopThreads();
  pool = await ThreadPool.create(rt, opts);
  return pool;
}

/** Stops the thread pool (calls then run on the calling thread only). */
export function stopThreads(): void {
  pool?.close();
  pool = null;
}
