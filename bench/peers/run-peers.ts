// The peer benchmarks: the same random-weight ViT-Ti/S/B (HF safetensors) run by onnxruntime-node (native),
// onnxruntime-web (wasm, one process per thread count) and tfjs (wasm, cpu); each peer's logits and
// last_hidden_state are checked against OUR engine (@patchwise/vit) before it is timed (warm-up, median, min).
// Also times onnxruntime-node session creation for ViT-B (the load-time peer). CLI: npx tsx peers/run-peers.ts [--quick].

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTensors } from '@patchwise/io';
import { fromArray, withBackend } from '@patchwise/tensor';
import type { BackendName, Tensor } from '@patchwise/tensor';
import { loadModel } from '@patchwise/vit';
import { VIT_SIZES, randomPixels, randomVitDir, seqLen } from '../models/random-vit.js';
import type { VitKey, VitSize } from '../models/random-vit.js';
import { buildOnnxVit, ortNodeRunner } from './onnx-vit.js';
import { ortWebChildRunner } from './ort-web-host.js';
import { tfjsRunner } from './tfjs-vit.js';
import type { PeerRecord, PeerRunner, VitOutputs } from './types.js';
import { vectorIsa } from '../ops/harness.js';

export { vectorIsa } from '../ops/harness.js';

export type { PeerRecord } from './types.js';

/**
 * Peers agree with our engine to this relative max-abs difference (|peer - ours|_max / |ours|_max), on logits
 * and on last_hidden_state. float32 engines differing in summation order over 12 layers land near 1e-6 here;
 * 1e-4 is the agreement the suite promises, so anything above it is a wrong graph, not rounding.
 */
export const PEER_RTOL = 1e-4;

export type PeerEngine = 'onnxruntime-node' | 'onnxruntime-web' | 'tfjs-wasm' | 'tfjs-cpu';
export const ALL_ENGINES: readonly PeerEngine[] = ['onnxruntime-node', 'onnxruntime-web', 'tfjs-wasm', 'tfjs-cpu'];

export interface PeerOptions {
  /** Default ['ti', 's', 'b']; --quick: ['ti', 's']. */
  models?: VitKey[];
  /** Default [1, 8]; --quick: [1]. */
  batches?: number[];
  /** Thread counts for the engines that can use threads (ort-node, ort-web). Default [1, 2]. */
  threads?: number[];
  /** Timed runs after the warm-up. Default 7; --quick 3. Runs whose warm-up exceeds 3 s get 3 (2 in --quick: 1). */
  runs?: number;
  /** Overrides `runs` for one model and batch (bench/run.ts uses fewer for ViT-B batch 8); the 3 s rule still applies. */
  runsFor?: (key: VitKey, batch: number) => number | undefined;
  quick?: boolean;
  engines?: readonly PeerEngine[];
  /** Measure onnxruntime-node session creation for ViT-B (default: when 'b' is among the models). */
  load?: boolean;
  /** Where the random checkpoints live (default: the OS temp dir; reused between runs). */
  root?: string;
  /** Our engine's backend for the agreement reference (default 'js'). */
  referenceBackend?: BackendName;
  /**
   * Our engine's batch-1 outputs on randomPixels(s, 1), when the caller already computed them (bench/run.ts does,
   * with the same checkpoint); otherwise they are computed here with `referenceBackend`.
   */
  reference?: (key: VitKey) => VitOutputs | undefined;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

/** Result of one agreement check: relative max-abs differences of the two outputs. */
export interface Agreement {
  engine: string;
  backend: string;
  model: string;
  batch: number;
  threads: number;
  logits_rel: number;
  hidden_rel: number;
  logits_abs: number;
  hidden_abs: number;
}

export interface PeersResult {
  records: PeerRecord[];
  /** onnxruntime-node InferenceSession.create for ViT-B from an in-memory model (backend 'session-create'). */
  load: PeerRecord[];
  agreement: Agreement[];
  notes: string[];
}

function stats(times: number[]): { median: number; min: number } {
  const t = [...times].sort((a, b) => a - b);
  const mid = t.length >> 1;
  return { median: t.length % 2 ? t[mid]! : (t[mid - 1]! + t[mid]!) / 2, min: t[0]! };
}

function maxAbs(a: ArrayLike<number>, n = a.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

/** Compares image 0 of a peer's outputs with our engine's batch-1 outputs; throws above PEER_RTOL. */
export function checkAgreement(s: VitSize, ours: VitOutputs, peer: VitOutputs, who: Omit<Agreement, 'logits_rel' | 'hidden_rel' | 'logits_abs' | 'hidden_abs'>): Agreement {
  const nl = s.labels;
  const nh = seqLen(s) * s.hidden;
  if (peer.logits.length < nl || peer.lastHiddenState.length < nh) {
    throw new Error(`${who.engine} ${who.backend} ${who.model}: outputs too short (logits ${peer.logits.length}, last_hidden_state ${peer.lastHiddenState.length}; expected at least ${nl} and ${nh})`);
  }
  const la = maxAbsDiff(peer.logits, ours.logits, nl);
  const ha = maxAbsDiff(peer.lastHiddenState, ours.lastHiddenState, nh);
  const a: Agreement = { ...who, logits_abs: la, hidden_abs: ha, logits_rel: la / (maxAbs(ours.logits, nl) || 1), hidden_rel: ha / (maxAbs(ours.lastHiddenState, nh) || 1) };
  if (!(a.logits_rel <= PEER_RTOL && a.hidden_rel <= PEER_RTOL)) {
    throw new Error(
      `${who.engine} ${who.backend} x${who.threads} ${who.model} batch ${who.batch}: disagrees with patchwise ` +
        `(logits max-abs ${la.toExponential(2)} = ${a.logits_rel.toExponential(2)} relative, last_hidden_state ${ha.toExponential(2)} = ` +
        `${a.hidden_rel.toExponential(2)} relative; expected <= ${PEER_RTOL})`,
    );
  }
  return a;
}

/** Our engine on image 0: the reference every peer is checked against. */
async function ourOutputs(dir: string, s: VitSize, backend: BackendName): Promise<VitOutputs> {
  const model = await loadModel(dir);
  const px: Tensor = fromArray(randomPixels(s, 1), [1, 3, s.image, s.image]);
  const out = withBackend(backend, () => model.forward(px));
  const logits = out['logits'];
  const last = out['last_hidden_state'];
  if (!logits || !last) throw new Error(`patchwise ${s.name}: forward gave no logits / last_hidden_state (got ${Object.keys(out).join(', ')})`);
  return { logits: logits.toArray() as Float32Array, lastHiddenState: last.toArray() as Float32Array };
}

interface Config {
  engine: PeerEngine;
  threads: number;
  batches: number[];
}

/** Which (engine, threads, batches) run for a model: tfjs-cpu (pure JS, ~100 s per ViT-B image) only on Ti/S at batch 1. */
function configsFor(key: VitKey, o: Required<Pick<PeerOptions, 'batches' | 'threads' | 'quick' | 'engines'>>): Config[] {
  const cs: Config[] = [];
  for (const engine of o.engines) {
    if (engine === 'tfjs-cpu') {
      if (key === 'b' || (o.quick && key !== 'ti') || !o.batches.includes(1)) continue;
      cs.push({ engine, threads: 1, batches: [1] });
    } else if (engine === 'tfjs-wasm') {
      cs.push({ engine, threads: 1, batches: o.batches }); // tfjs-backend-wasm has no threads under Node
    } else {
      for (const t of o.threads) cs.push({ engine, threads: t, batches: o.batches });
    }
  }
  return cs;
}

/** Runs the peer suite; returns records in the suite's schema plus the agreement diffs and notes. */
export async function runPeers(opts: PeerOptions = {}): Promise<PeersResult> {
  const quick = opts.quick ?? false;
  const models = opts.models ?? (quick ? ['ti', 's'] : ['ti', 's', 'b']);
  const batches = opts.batches ?? (quick ? [1] : [1, 8]);
  const threads = opts.threads ?? [1, 2];
  const runsDefault = opts.runs ?? (quick ? 3 : 7);
  const engines = opts.engines ?? ALL_ENGINES;
  const log = opts.log ?? ((l: string) => console.log(l));
  const refBackend = opts.referenceBackend ?? 'js';
  const result: PeersResult = { records: [], load: [], agreement: [], notes: [] };

  for (const key of models) {
    const s = VIT_SIZES[key];
    const dir = await randomVitDir(key, opts.root);
    const ours = opts.reference?.(key) ?? (await ourOutputs(dir, s, refBackend));
    const weights = await loadTensors(dir);
    const onnx = buildOnnxVit(s, weights);
    const onnxPath = path.join(os.tmpdir(), `patchwise-peers-${process.pid}-${key}.onnx`);
    fs.writeFileSync(onnxPath, onnx);
    try {
      for (const c of configsFor(key, { batches, threads, quick, engines })) {
        let runner: PeerRunner;
        let benchFn: ((px: Float32Array, batch: number, runs: number) => Promise<number[]>) | null = null;
        if (c.engine === 'onnxruntime-node') {
          runner = (await ortNodeRunner(onnx, s, c.threads)).runner;
        } else if (c.engine === 'onnxruntime-web') {
          const cr = await ortWebChildRunner(onnxPath, key, c.threads);
          const gained = cr.osThreads[1] - cr.osThreads[0];
          if (c.threads > 1) {
            result.notes.push(
              gained >= c.threads - 1
                ? `onnxruntime-web x${c.threads} (${s.name}): thread pool started in Node (+${gained} OS threads at session creation)`
                : `onnxruntime-web x${c.threads} (${s.name}): the child gained only ${gained} OS threads (threads may be off)`,
            );
          }
          runner = cr;
          benchFn = (px, b, n) => cr.bench(px, b, n);
        } else {
          runner = await tfjsRunner(s, weights, c.engine === 'tfjs-wasm' ? 'wasm' : 'cpu');
        }
        try {
          for (const batch of c.batches) {
            const px = randomPixels(s, batch); // image 0 is the reference image at every batch size
            const t0 = performance.now();
            const first = await runner.run(px, batch); // warm-up, and the output we check
            const warmup = performance.now() - t0;
            const who = { engine: runner.engine, backend: runner.backend, model: s.name, batch, threads: runner.threads };
            result.agreement.push(checkAgreement(s, ours, first, who));
            const wanted = opts.runsFor?.(key, batch) ?? runsDefault;
            const runs = warmup > 3000 ? Math.min(wanted, quick ? 1 : 3) : wanted;
            let times: number[];
            if (benchFn) {
              times = await benchFn(px, batch, runs);
            } else {
              times = [];
              for (let i = 0; i < runs; i++) {
                const t = performance.now();
                await runner.run(px, batch);
                times.push(performance.now() - t);
              }
            }
            const st = stats(times);
            const rec: PeerRecord = { ...who, warmup_ms: warmup, median_ms: st.median, min_ms: st.min, runs: times.length };
            result.records.push(rec);
            const a = result.agreement[result.agreement.length - 1]!;
            log(
              `${s.name} b${batch} ${`${runner.engine}/${runner.backend}`.padEnd(28)} x${runner.threads}: warm-up ${warmup.toFixed(0)} ms, ` +
                `median ${st.median.toFixed(1)} ms, min ${st.min.toFixed(1)} ms (${runs} runs)  [agree logits ${a.logits_rel.toExponential(1)}, hidden ${a.hidden_rel.toExponential(1)}]`,
            );
          }
        } finally {
          await runner.dispose();
        }
      }
      if (key === 'b' && (opts.load ?? true) && engines.includes('onnxruntime-node')) {
        result.load.push(await ortNodeLoad(onnx, s, quick ? 2 : 3, log));
      }
    } finally {
      fs.rmSync(onnxPath, { force: true });
    }
  }
  if (opts.load === true && !models.includes('b')) {
    result.notes.push('load time is measured on ViT-B only; add b to the models');
  }
  return result;
}

/** onnxruntime-node InferenceSession.create for the model (from an in-memory buffer, 1 thread), `n` times. */
export async function ortNodeLoad(onnx: Uint8Array, s: VitSize, n: number, log: (l: string) => void = console.log): Promise<PeerRecord> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const { runner, createMs } = await ortNodeRunner(onnx, s, 1);
    times.push(createMs);
    await runner.dispose();
  }
  const st = stats(times);
  log(`${s.name} onnxruntime-node session create (${(onnx.length / 2 ** 20).toFixed(0)} MB model): median ${st.median.toFixed(0)} ms, min ${st.min.toFixed(0)} ms (${n} runs)`);
  return { engine: 'onnxruntime-node', backend: 'session-create', model: s.name, batch: 0, threads: 1, warmup_ms: 0, median_ms: st.median, min_ms: st.min, runs: n };
}

/** A fixed-width table of the records (and the ratio of each median to onnxruntime-node x1 on the same row key). */
export function formatPeerTable(records: readonly PeerRecord[]): string {
  const base = new Map<string, number>();
  for (const r of records) if (r.engine === 'onnxruntime-node' && r.threads === 1) base.set(`${r.model}|${r.batch}`, r.median_ms);
  const head = ['model', 'batch', 'engine', 'backend', 'threads', 'warm-up ms', 'median ms', 'min ms', 'img/s', 'vs ort-node x1'];
  const rows = records.map((r) => {
    const b = base.get(`${r.model}|${r.batch}`);
    return [r.model, String(r.batch), r.engine, r.backend, String(r.threads), r.warmup_ms.toFixed(0), r.median_ms.toFixed(1), r.min_ms.toFixed(1),
      r.batch > 0 ? ((1000 * r.batch) / r.median_ms).toFixed(1) : '', b === undefined || r.batch === 0 ? '' : `${(r.median_ms / b).toFixed(2)}x`];
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 4 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function parseCli(argv: string[]): PeerOptions & { json: string | null } {
  const o: PeerOptions & { json: string | null } = { json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--models') o.models = (argv[++i] ?? '').split(',') as VitKey[];
    else if (a === '--engines') o.engines = (argv[++i] ?? '').split(',') as PeerEngine[];
    else if (a === '--batches') o.batches = (argv[++i] ?? '').split(',').map(Number);
    else if (a === '--threads') o.threads = (argv[++i] ?? '').split(',').map(Number);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--json') o.json = argv[++i] ?? null;
    else throw new Error(`peers: unknown argument '${a}' (expected --quick, --models ti,s,b, --engines ${ALL_ENGINES.join(',')}, --batches 1,8, --threads 1,2, --runs N, --json PATH)`);
  }
  for (const m of o.models ?? []) if (!(m in VIT_SIZES)) throw new Error(`peers: unknown model '${m}' (expected ti, s, b)`);
  for (const e of o.engines ?? []) if (!ALL_ENGINES.includes(e)) throw new Error(`peers: unknown engine '${e}' (expected ${ALL_ENGINES.join(', ')})`);
  return o;
}

async function main(): Promise<void> {
  const o = parseCli(process.argv.slice(2));
  const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`bench/peers${o.quick ? ' (--quick)' : ''}: ${os.cpus()[0]?.model} x${os.cpus().length} (${vectorIsa()}), Node ${process.version}, load ${load()}`);
  const t0 = performance.now();
  const r = await runPeers(o);
  console.log(`\n${formatPeerTable([...r.records, ...r.load])}`);
  for (const n of r.notes) console.log(`note: ${n}`);
  console.log(`\nworst agreement: logits ${Math.max(...r.agreement.map((a) => a.logits_rel)).toExponential(2)}, last_hidden_state ${Math.max(...r.agreement.map((a) => a.hidden_rel)).toExponential(2)} (relative max-abs, limit ${PEER_RTOL})`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s, load at end ${load()}`);
  if (o.json) {
    const tmp = `${o.json}.${process.pid}.tmp`;
    const rows = [...r.records, ...r.load].map(({ engine, backend, model, batch, threads, median_ms, min_ms }) => ({ engine, backend, model, batch, threads, median_ms, min_ms }));
    fs.writeFileSync(tmp, `${JSON.stringify(rows, null, 2)}\n`);
    fs.renameSync(tmp, o.json);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0), // tfjs-wasm keeps handles open
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
