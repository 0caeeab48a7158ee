// Parent side of ort-web-child.ts: a PeerRunner for onnxruntime-web whose session lives in a forked process
// (one process per thread count, since ort-web fixes its wasm thread pool per process). Optimized for never
// hanging: a child that errors or exits rejects the pending call, and a watchdog bounds every request.

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VitKey } from '../models/random-vit.js';
import type { PeerRunner, VitOutputs } from './types.js';

export type ChildRequest =
  | { kind: 'init'; onnxPath: string; key: VitKey; threads: number }
  | { kind: 'run'; pixels: Float32Array; batch: number }
  | { kind: 'bench'; pixels: Float32Array; batch: number; runs: number }
  | { kind: 'exit' };

export type ChildReply =
  | { kind: 'ready'; createMs: number; osThreadsBefore: number; osThreadsAfter: number }
  | { kind: 'outputs'; logits: Float32Array; lastHiddenState: Float32Array }
  | { kind: 'times'; times: number[] }
  | { kind: 'error'; message: string };

/** A runner with in-child timing; `bench` returns the per-run times measured in the child. */
export interface ChildRunner extends PeerRunner {
  bench(pixels: Float32Array, batch: number, runs: number): Promise<number[]>;
  createMs: number;
  /** OS threads of the child before and after the session was created (Linux /proc; -1 elsewhere). */
  osThreads: [number, number];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Forks ort-web-child.ts with this process's exec arguments (the tsx loader when run via `npx tsx`) and creates
 * the session there. `timeoutMs` bounds each request (ViT-B batch 8 on one wasm thread takes ~20 s).
 */
export async function ortWebChildRunner(onnxPath: string, key: VitKey, threads: number, timeoutMs = 600_000): Promise<ChildRunner> {
  const child: ChildProcess = fork(path.join(here, 'ort-web-child.ts'), [], {
    execArgv: process.execArgv,
    serialization: 'advanced', // typed arrays cross as typed arrays
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve: (r: ChildReply) => void; reject: (e: Error) => void } | null = null;
  let dead: Error | null = null;
  child.on('message', (m: ChildReply) => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (m.kind === 'error') p.reject(new Error(`onnxruntime-web child (x${threads}): ${m.message}`));
    else p.resolve(m);
  });
  const onGone = (why: string): void => {
    dead = new Error(`onnxruntime-web child (x${threads}) ${why}`);
    pending?.reject(dead);
    pending = null;
  };
  child.on('exit', (code, signal) => onGone(`exited (code ${code}, signal ${signal})`));
  child.on('error', (e) => onGone(`failed: ${e.message}`));

  const request = (m: ChildRequest): Promise<ChildReply> => {
    if (dead) return Promise.reject(dead);
    return new Promise<ChildReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending = null;
        child.kill();
        reject(new Error(`onnxruntime-web child (x${threads}): no reply to '${m.kind}' within ${timeoutMs} ms`));
      }, timeoutMs);
      pending = {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      child.send(m);
    });
  };
  const expect = async <K extends ChildReply['kind']>(m: ChildRequest, kind: K): Promise<Extract<ChildReply, { kind: K }>> => {
    const r = await request(m);
    if (r.kind !== kind) throw new Error(`onnxruntime-web child: expected a '${kind}' reply to '${m.kind}', got '${r.kind}'`);
    return r as Extract<ChildReply, { kind: K }>;
  };

  let ready: Extract<ChildReply, { kind: 'ready' }>;
  try {
    ready = await expect({ kind: 'init', onnxPath, key, threads }, 'ready');
  } catch (e) {
    child.kill();
    throw e;
  }
  return {
    engine: 'onnxruntime-web',
    backend: 'wasm-simd',
    threads,
    createMs: ready.createMs,
    osThreads: [ready.osThreadsBefore, ready.osThreadsAfter],
    async run(pixels, batch): Promise<VitOutputs> {
      const r = await expect({ kind: 'run', pixels, batch }, 'outputs');
      return { logits: r.logits, lastHiddenState: r.lastHiddenState };
    },
    async bench(pixels, batch, runs) {
      return (await expect({ kind: 'bench', pixels, batch, runs }, 'times')).times;
    },
    async dispose() {
      if (dead) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ kind: 'exit' } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill(), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
