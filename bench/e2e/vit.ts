// End-to-end ViT-Ti/16, ViT-S/16, ViT-B/16 at 224 with random weights through @patchwise/vit's VisionModel:
// batch-1 latency (and batch-8 throughput unless --quick) for each of our backends (js, wasm-simd and
// wasm-relaxed with 1 and 2 threads), outputs checked to agree across backends before anything is timed, and the
// load time of ViT-B from a safetensors file to ready-to-run with weights packed.
// Peers (onnxruntime-node/-web, tfjs) are not installed yet; the schema leaves room for them (engine field).
// CLI: bench/e2e/run.ts; `runE2E` is exported for bench/run.ts to call next to the op suites.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Everything from the package entry points (dist/): @patchwise/vit uses @patchwise/tensor's dist build, and the
// wasm runtime / thread pool are module singletons, so importing them from src/ would configure another copy.
// Run `npx tsc -b packages/tensor packages/io packages/vit` first so dist/ is current.
import {
  Tensor, fromArray, withBackend, setBackend, setWasmRuntime, startThreads, stopThreads, getKernel, LinearWeights,
} from '@patchwise/tensor';
import { parseConfig, canonicalShapes, VisionModel, loadModel, HF_VIT } from '@patchwise/vit';
import { writeSafetensors } from '@patchwise/io';

export interface E2EArgs {
  quick: boolean;
  json: string | null;
  models: string[];
  load: boolean;
}

export function parseE2EArgs(argv: string[]): E2EArgs {
  const a: E2EArgs = { quick: false, json: null, models: ['ti', 's', 'b'], load: true };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i]!;
    if (s === '--quick') a.quick = true;
    else if (s === '--json') a.json = argv[++i] ?? null;
    else if (s === '--models') a.models = (argv[++i] ?? '').split(',');
    else if (s === '--no-load') a.load = false;
    else throw new Error(`bench/e2e: unknown argument '${s}' (expected --quick, --json PATH, --models ti,s,b, --no-load)`);
  }
  return a;
}

const SIZES: Record<string, { name: string; hidden: number; heads: number }> = {
  ti: { name: 'ViT-Ti/16', hidden: 192, heads: 3 },
  s: { name: 'ViT-S/16', hidden: 384, heads: 6 },
  b: { name: 'ViT-B/16', hidden: 768, heads: 12 },
};

function hfConfig(hidden: number, heads: number): Record<string, unknown> {
  return {
    model_type: 'vit',
    architectures: ['ViTForImageClassification'],
    hidden_size: hidden,
    num_hidden_layers: 12,
    num_attention_heads: heads,
    intermediate_size: 4 * hidden,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-12,
    image_size: 224,
    patch_size: 16,
    num_channels: 3,
    qkv_bias: true,
    id2label: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [String(i), `class ${i}`])),
  };
}

/** Uniform values with the std of N(0, 0.02) (timm's init), deterministic. */
function randArray(n: number, seed: number, std = 0.02): Float32Array {
  let s = seed >>> 0 || 1;
  const a = new Float32Array(n);
  const k = std * Math.sqrt(3);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    a[i] = (s / 2 ** 31 - 1) * k;
  }
  return a;
}

function randomWeights(shapes: Map<string, number[]>): Map<string, Tensor> {
  const ws = new Map<string, Tensor>();
  let seed = 1;
  for (const [name, shape] of shapes) {
    const n = shape.reduce((p, d) => p * d, 1);
    // norms at weight 1 / bias 0 plus noise, so activations keep a sane scale through 12 layers
    const isNormWeight = /norm\d?\.weight$/.test(name);
    const a = randArray(n, seed++);
    if (isNormWeight) for (let i = 0; i < n; i++) a[i]! += 1;
    ws.set(name, fromArray(a, shape));
  }
  return ws;
}

function stats(times: number[]): { median: number; min: number } {
  const t = [...times].sort((a, b) => a - b);
  return { median: t[t.length >> 1]!, min: t[0]! };
}

/** One timing, in the stable schema of the suite (warmup_ms is printed, not part of the JSON schema). */
export interface E2ERecord {
  engine: string;
  backend: string;
  model: string;
  batch: number;
  threads: number;
  warmup_ms: number;
  median_ms: number;
  min_ms: number;
}

interface Variant {
  backend: string;
  threads: number;
  setup: () => Promise<void>;
  be: 'js' | 'wasm';
}

const variants: Variant[] = [
  { backend: 'js', threads: 1, be: 'js', setup: async () => { stopThreads(); } },
  { backend: 'wasm-simd', threads: 1, be: 'wasm', setup: async () => { stopThreads(); setWasmRuntime({ relaxed: false }); } },
  { backend: 'wasm-relaxed', threads: 1, be: 'wasm', setup: async () => { stopThreads(); setWasmRuntime({ relaxed: true }); } },
  { backend: 'wasm-simd', threads: 2, be: 'wasm', setup: async () => { const rt = setWasmRuntime({ relaxed: false }); await startThreads(rt, { threads: 2 }); } },
  { backend: 'wasm-relaxed', threads: 2, be: 'wasm', setup: async () => { const rt = setWasmRuntime({ relaxed: true }); await startThreads(rt, { threads: 2 }); } },
];

function maxRelDiff(a: Tensor, b: Tensor): number {
  const x = a.toArray();
  const y = b.toArray();
  let scale = 0;
  for (const v of y) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m / (scale || 1);
}

/** Every LinearWeights reachable from a model object (its fields are private to TypeScript, not to JS). */
function linearWeightsOf(root: unknown): LinearWeights[] {
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

/** Writes ViT-B weights under HF ViT names (inverting the vit package's name table) to a temp folder. */
async function writeHfCheckpoint(dir: string, cfgJson: Record<string, unknown>, ws: Map<string, Tensor>, layers: number): Promise<void> {
  const out = new Map<string, Tensor>();
  for (const [from, to, layout] of HF_VIT.rules) {
    if (typeof to !== 'string') continue;
    for (let i = 0; i < (from.includes('{i}') ? layers : 1); i++) {
      const canon = to.replace('{i}', String(i));
      const t = ws.get(canon);
      if (t === undefined) continue; // e.g. the pooler of ViTModel, absent from ViTForImageClassification
      const shape = layout === 'lead1' ? [1, ...t.shape] : layout === 'lead2' ? [1, 1, ...t.shape] : [...t.shape];
      out.set(from.replace('{p}', 'vit.').replace('{i}', String(i)), t.reshape(shape));
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfgJson));
  await writeSafetensors(path.join(dir, 'model.safetensors'), out);
}

/** Runs the end-to-end suite, printing as it goes; returns the records and writes --json when given. */
export async function runE2E(args: E2EArgs): Promise<E2ERecord[]> {
  const runs = args.quick ? 3 : 7;
  const records: E2ERecord[] = [];
  console.log(`bench/e2e: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const key of args.models) {
    const size = SIZES[key];
    if (!size) throw new Error(`bench/e2e: unknown model '${key}' (ti, s, b)`);
    const cfgJson = hfConfig(size.hidden, size.heads);
    const cfg = parseConfig(cfgJson, `${size.name} config`);
    const ws = randomWeights(canonicalShapes(cfg));
    const model = new VisionModel(cfg, ws);
    const batches = args.quick ? [1] : [1, 8];
    for (const batch of batches) {
      const pixels = fromArray(randArray(batch * 3 * 224 * 224, 99, 1), [batch, 3, 224, 224]);
      let reference: Tensor | null = null;
      for (const v of variants) {
        // The pure-TS backend costs ~20 s per ViT-B image: only Ti (and S unless --quick) at batch 1.
        if (v.be === 'js' && (batch > 1 || key === 'b' || (args.quick && key === 's'))) continue;
        await v.setup();
        const forward = (): Tensor => withBackend(v.be, () => model.forward(pixels)['logits']!);
        const t0 = performance.now();
        const first = forward();
        const warmup = performance.now() - t0;
        if (reference === null) reference = first;
        const diff = maxRelDiff(first, reference);
        // float32 kernels differing in summation order / vector math over 12 layers: 1e-3 of the logit scale
        if (!(diff < 1e-3)) throw new Error(`${size.name} ${v.backend} x${v.threads}: logits differ by ${diff} (relative) from the first backend`);
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const s = performance.now();
          forward();
          times.push(performance.now() - s);
        }
        const st = stats(times);
        const rec = { engine: 'patchwise', backend: v.backend, model: size.name, batch, threads: v.threads, warmup_ms: warmup, median_ms: st.median, min_ms: st.min };
        records.push(rec);
        console.log(`${size.name} b${batch} ${v.backend.padEnd(12)} x${v.threads}: warm-up ${warmup.toFixed(0)} ms, median ${st.median.toFixed(1)} ms, min ${st.min.toFixed(1)} ms${batch > 1 ? ` (${((1000 * batch) / st.median).toFixed(1)} img/s)` : ''}  [agree ${diff.toExponential(1)}]`);
      }
    }
    if (key === 'b' && args.load) {
      // Load: ViT-B safetensors -> model ready to run with every weight packed for wasm-relaxed.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-e2e-'));
      try {
        await writeHfCheckpoint(dir, cfgJson, ws, 12);
        stopThreads();
        setWasmRuntime({ relaxed: true });
        setBackend('wasm');
        const pixels = fromArray(randArray(3 * 224 * 224, 5, 1), [1, 3, 224, 224]);
        const t0 = performance.now();
        const loaded = await loadModel(dir);
        const t1 = performance.now();
        const lws = linearWeightsOf(loaded);
        for (const lw of lws) getKernel('linearPack')(lw); // what the first forward would otherwise do
        const t2 = performance.now();
        loaded.forward(pixels);
        const t3 = performance.now();
        console.log(`ViT-B load to ready: loadModel ${(t1 - t0).toFixed(0)} ms + packing ${lws.length} linears ${(t2 - t1).toFixed(0)} ms = ${(t2 - t0).toFixed(0)} ms (then first forward ${(t3 - t2).toFixed(0)} ms)`);
      } finally {
        setBackend('js');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  stopThreads();
  console.log(`load at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (args.json) {
    const tmp = `${args.json}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(records.map(({ engine, backend, model, batch, threads, median_ms, min_ms }) => ({ engine, backend, model, batch, threads, median_ms, min_ms })), null, 2)}\n`);
    fs.renameSync(tmp, args.json);
  }
  return records;
}
