// Our engine end to end: ViT-Ti/16, ViT-S/16, ViT-B/16 at 224 loaded with @patchwise/vit's loadModel from the
// SAME random checkpoint the peers run (models/random-vit.ts); batch-1 latency and batch-8 throughput on js (1
// thread), wasm-simd and wasm-relaxed (1 and 2 threads), each checked against the js output before it is timed;
// and the load time of ViT-B from its safetensors file to ready-to-run with every linear packed, per backend.
// CLI: e2e/run.ts; bench/run.ts calls runOurs / measureLoad next to the op suites and the peers.

import os from 'node:os';
// Everything from the package entry points (dist/): @patchwise/vit uses @patchwise/tensor's dist build, and the
// wasm runtime / thread pool are module singletons, so importing them from src/ would configure another copy.
// The bench script builds dist/ first (`tsc -b`), so it is current.
import {
  Tensor, fromArray, withBackend, getKernelOf, setWasmRuntime, startThreads, stopThreads, wasmRuntime, LinearWeights,
} from '@patchwise/tensor';
import type { BackendName } from '@patchwise/tensor';
import { loadModel } from '@patchwise/vit';
import type { VisionModel } from '@patchwise/vit';
import { VIT_SIZES, randomPixels, randomVitDir } from '../models/random-vit.js';
import type { VitKey, VitSize } from '../models/random-vit.js';
import { checkAgreement } from '../peers/run-peers.js';
import type { Agreement } from '../peers/run-peers.js';
import type { VitOutputs } from '../peers/types.js';
import type { BenchRecord } from '../report/schema.js';

/** One of our backends as the suite runs it. */
export interface OurVariant {
  /** Label in the records: 'js', 'wasm-simd', 'wasm-relaxed'. */
  backend: string;
  threads: number;
  be: BackendName;
  setup: () => Promise<void>;
}

/**
 * js, then per SIMD flavour 1 and 2 threads on one runtime (weights are packed once per runtime, in its heap).
 * Missing features drop variants: no relaxed SIMD -> no wasm-relaxed; no shared memory -> no 2 threads.
 */
export function ourVariants(): OurVariant[] {
  const vs: OurVariant[] = [{ backend: 'js', threads: 1, be: 'js', setup: async () => stopThreads() }];
  const probe = wasmRuntime();
  if (probe === null) return vs;
  const flavours = probe.features.relaxedSimd ? [false, true] : [false];
  for (const relaxed of flavours) {
    const backend = relaxed ? 'wasm-relaxed' : 'wasm-simd';
    vs.push({ backend, threads: 1, be: 'wasm', setup: async () => { stopThreads(); setWasmRuntime({ relaxed }); } });
    if (probe.heap.shared) {
      vs.push({ backend, threads: 2, be: 'wasm', setup: async () => { const rt = wasmRuntime(); if (rt) await startThreads(rt, { threads: 2 }); } });
    }
  }
  return vs;
}

export interface OursOptions {
  quick: boolean;
  /** Default [1, 8]; --quick [1]. */
  batches?: number[];
  /** Timed runs after the warm-up (default 7, --quick 3); a warm-up over 3 s gets 3 (--quick 1). */
  runs?: number;
  /** Timed runs for batch > 1 on ViT-B (the slowest case; default: `runs`). */
  runsBigBatch?: number;
  log?: (line: string) => void;
}

function stats(times: number[]): { median: number; min: number } {
  const t = [...times].sort((a, b) => a - b);
  const mid = t.length >> 1;
  return { median: t.length % 2 ? t[mid]! : (t[mid - 1]! + t[mid]!) / 2, min: t[0]! };
}

function outputsOf(out: Record<string, Tensor>, who: string): VitOutputs {
  const logits = out['logits'];
  const last = out['last_hidden_state'];
  if (!logits || !last) throw new Error(`${who}: forward gave no logits / last_hidden_state (got ${Object.keys(out).join(', ')})`);
  return { logits: logits.toArray() as Float32Array, lastHiddenState: last.toArray() as Float32Array };
}

/**
 * Runs our engine on one model: every variant at every batch, outputs checked (image 0 against the js backend's
 * batch-1 output, at the peers' tolerance) before timing. Returns the records and that js reference, which the
 * peers are checked against too.
 */
export async function runOurs(key: VitKey, opts: OursOptions): Promise<{ records: BenchRecord[]; reference: VitOutputs; agreement: Agreement[] }> {
  const s: VitSize = VIT_SIZES[key];
  const log = opts.log ?? ((l: string) => console.log(l));
  const batches = opts.batches ?? (opts.quick ? [1] : [1, 8]);
  const runsDefault = opts.runs ?? (opts.quick ? 3 : 7);
  const model: VisionModel = await loadModel(await randomVitDir(key));
  const records: BenchRecord[] = [];
  const agreement: Agreement[] = [];
  let reference: VitOutputs | null = null;
  for (const v of ourVariants()) {
    await v.setup();
    // The pure-TS backend runs batch 1 only (ViT-B costs it ~10 s per image); it is single-threaded.
    for (const batch of v.be === 'js' ? batches.filter((b) => b === 1) : batches) {
      const pixels = fromArray(randomPixels(s, batch), [batch, 3, s.image, s.image]);
      const forward = (): Record<string, Tensor> => withBackend(v.be, () => model.forward(pixels));
      const t0 = performance.now();
      const first = outputsOf(forward(), `patchwise ${v.backend} ${s.name}`); // warm-up (packing, JIT), checked below
      const warmup = performance.now() - t0;
      reference ??= first; // js at batch 1: the first variant
      const who = { engine: 'patchwise', backend: v.backend, model: s.name, batch, threads: v.threads };
      const a = checkAgreement(s, reference, first, who);
      agreement.push(a);
      const wanted = key === 'b' && batch > 1 ? (opts.runsBigBatch ?? runsDefault) : runsDefault;
      const runs = warmup > 3000 ? Math.min(wanted, opts.quick ? 1 : 3) : wanted;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        forward();
        times.push(performance.now() - t);
      }
      const st = stats(times);
      records.push({ suite: 'e2e', ...who, warmup_ms: warmup, median_ms: st.median, min_ms: st.min, runs });
      log(
        `${s.name} b${batch} ${`patchwise/${v.backend}`.padEnd(28)} x${v.threads}: warm-up ${warmup.toFixed(0)} ms, median ${st.median.toFixed(1)} ms, ` +
          `min ${st.min.toFixed(1)} ms (${runs} runs)${batch > 1 ? `, ${((1000 * batch) / st.median).toFixed(1)} img/s` : ''}  [agree logits ${a.logits_rel.toExponential(1)}, hidden ${a.hidden_rel.toExponential(1)}]`,
      );
    }
  }
  stopThreads();
  if (reference === null) throw new Error(`bench/e2e ${s.name}: no variant ran at batch 1, so there is no reference output for the peers`);
  return { records, reference, agreement };
}

/** Every LinearWeights reachable from a model object (its fields are private to TypeScript, not to JS). */
export function linearWeightsOf(root: unknown): LinearWeights[] {
  const found: LinearWeights[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || v instanceof Tensor) return;
    seen.add(v);
    if (v instanceof LinearWeights) {
      found.push(v);
      return;
    }
    for (const x of Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v)) visit(x);
  };
  visit(root);
  return found;
}

/**
 * Load time of `key` (default ViT-B): its safetensors file (warm page cache) -> VisionModel with every linear packed
 * for the backend, `n` times per backend. A wasm backend gets a fresh runtime (empty heap) before each timing, so
 * growing the heap for the packed weights is included; compiling the kernel module (once per process) is not.
 */
export async function measureLoad(n: number, key: VitKey = 'b', log: (l: string) => void = console.log): Promise<BenchRecord[]> {
  const s = VIT_SIZES[key];
  const dir = await randomVitDir(key);
  const probe = wasmRuntime();
  const backends: { label: string; be: BackendName; relaxed?: boolean }[] = [{ label: 'js', be: 'js' }];
  if (probe) backends.push({ label: 'wasm-simd', be: 'wasm', relaxed: false });
  if (probe?.features.relaxedSimd) backends.push({ label: 'wasm-relaxed', be: 'wasm', relaxed: true });
  stopThreads();
  const out: BenchRecord[] = [];
  for (const b of backends) {
    const times: number[] = [];
    let linears = 0;
    for (let i = 0; i < n; i++) {
      if (b.relaxed !== undefined) setWasmRuntime({ relaxed: b.relaxed });
      const t0 = performance.now();
      const model = await loadModel(dir);
      const lws = linearWeightsOf(model);
      const pack = getKernelOf('linearPack', b.be);
      if (!pack) throw new Error(`bench/e2e: backend ${b.be} has no linearPack kernel`);
      for (const lw of lws) pack(lw); // what the first forward would otherwise do
      times.push(performance.now() - t0);
      linears = lws.length;
    }
    const st = stats(times);
    out.push({ suite: 'load', engine: 'patchwise', backend: b.label, model: s.name, batch: 0, threads: 1, warmup_ms: null, median_ms: st.median, min_ms: st.min, runs: n });
    log(`${s.name} patchwise load (loadModel + packing ${linears} linears for ${b.label}): median ${st.median.toFixed(0)} ms, min ${st.min.toFixed(0)} ms (${n} runs)`);
  }
  setWasmRuntime({});
  return out;
}

export interface E2EArgs {
  quick: boolean;
  models: VitKey[];
  load: boolean;
}

export function parseE2EArgs(argv: string[]): E2EArgs {
  const a: E2EArgs = { quick: false, models: ['ti', 's', 'b'], load: true };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i]!;
    if (s === '--quick') a.quick = true;
    else if (s === '--models') a.models = (argv[++i] ?? '').split(',') as VitKey[];
    else if (s === '--no-load') a.load = false;
    else throw new Error(`bench/e2e: unknown argument '${s}' (expected --quick, --models ti,s,b, --no-load)`);
  }
  for (const m of a.models) if (!(m in VIT_SIZES)) throw new Error(`bench/e2e: unknown model '${m}' (expected ti, s, b)`);
  return a;
}

/** Our engine alone (no peers, nothing stored): for working on the engine. The full suite is bench/run.ts. */
export async function runE2E(args: E2EArgs): Promise<BenchRecord[]> {
  console.log(`bench/e2e: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const records: BenchRecord[] = [];
  for (const key of args.models) records.push(...(await runOurs(key, { quick: args.quick })).records);
  if (args.load && args.models.includes('b')) records.push(...(await measureLoad(args.quick ? 2 : 3)));
  console.log(`load at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  return records;
}
