// Op benchmark suites over the real ViT-B/16 shapes (T 197, D 768, MLP 3072, 12 heads x 64): GEMM through the
// linear kernel (weights packed once, as at model load) and the matmul kernel, softmax over the attention
// scores, layerNorm, GELU and attention; every backend that registered a kernel for the op is timed.
// Kernels are called directly (outputs preallocated) so allocation is not timed. The wasm backend is timed as
// wasm-simd (plain SIMD128 GEMM) and wasm-relaxed (f32x4.relaxed_madd), 1 thread, plus wasm-relaxed on 2 threads
// for the ops the thread pool splits (linear, matmul, attention).

// From the package entry (dist/, built by the bench script first), like e2e/ and @patchwise/vit: the wasm runtime
// and the thread pool are module singletons, and a second copy loaded from src/ would be configured separately.
import {
  Tensor, empty, fromArray, backendsOf, getKernelOf, prepareLinear, setWasmRuntime, startThreads, stopThreads, wasmRuntime,
} from '@patchwise/tensor';
import type { BackendName } from '@patchwise/tensor';
import { time } from './harness.js';
import type { BenchRecord, TimingOptions } from './harness.js';

function rand(shape: number[], seed: number): Tensor<'float32'> {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    d[i] = s / 2 ** 31 - 1;
  }
  return fromArray(d, shape);
}

export interface OpSuiteOptions {
  quick: boolean;
  /** Only cases whose name contains this substring. */
  filter?: string;
  /** Print each record as it completes. */
  onRecord?: (r: BenchRecord) => void;
}

interface Case {
  name: string;
  op: string;
  /** FLOPs (GFLOP/s) or bytes moved (GB/s) per call. */
  work: { flop: number } | { bytes: number };
  /** Builds the call for one backend (setup is not timed). */
  make: (backend: BackendName) => (() => void) | null;
  /** True for cases where the plain-loop ref kernel would take minutes: ref is skipped in --quick. */
  heavy?: boolean;
}

const GEMM_SHAPES: [number, number, number][] = [
  [197, 768, 2304], // qkv projection
  [197, 768, 3072], // MLP fc1
  [197, 3072, 768], // MLP fc2
  [512, 512, 512],
];

function cases(): Case[] {
  const list: Case[] = [];
  for (const [M, K, N] of GEMM_SHAPES) {
    const x = rand([M, K], 1);
    const W = rand([N, K], 2);
    const bias = rand([N], 3);
    const out = empty([M, N]);
    list.push({
      name: `linear ${M}x${K}x${N} (+bias, W packed)`,
      op: 'linear',
      work: { flop: 2 * M * K * N },
      heavy: true,
      make: (be) => {
        const k = getKernelOf('linear', be);
        const pack = getKernelOf('linearPack', be);
        if (!k) return null;
        const lw = prepareLinear(W, bias);
        pack?.(lw); // packing happens once at load: not timed
        return () => k(x, lw, out, null);
      },
    });
    if (N === 3072) {
      // MLP fc1 as the model runs it: bias and GELU fused into the GEMM epilogue.
      list.push({
        name: `linear ${M}x${K}x${N} (+bias+gelu fused)`,
        op: 'linear',
        work: { flop: 2 * M * K * N },
        heavy: true,
        make: (be) => {
          const k = getKernelOf('linear', be);
          if (!k) return null;
          const lw = prepareLinear(W, bias);
          getKernelOf('linearPack', be)?.(lw);
          return () => k(x, lw, out, 'gelu');
        },
      });
    }
    const b = rand([K, N], 4);
    list.push({
      name: `matmul ${M}x${K}x${N}`,
      op: 'matmul',
      work: { flop: 2 * M * K * N },
      heavy: true,
      make: (be) => {
        const k = getKernelOf('matmul', be);
        return k ? () => k(x, b, out) : null;
      },
    });
  }
  {
    const x = rand([12, 197, 197], 5);
    const out = empty([12, 197, 197]);
    list.push({
      name: 'softmax [12, 197, 197]',
      op: 'softmax',
      work: { bytes: 2 * 4 * x.size },
      make: (be) => {
        const k = getKernelOf('softmax', be);
        return k ? () => k(x, out, false) : null;
      },
    });
  }
  {
    const x = rand([197, 768], 6);
    const w = rand([768], 7);
    const b = rand([768], 8);
    const out = empty([197, 768]);
    list.push({
      name: 'layerNorm [197, 768]',
      op: 'layerNorm',
      work: { bytes: 2 * 4 * x.size },
      make: (be) => {
        const k = getKernelOf('layerNorm', be);
        return k ? () => k(x, w, b, out, 1e-12) : null;
      },
    });
  }
  for (const op of ['gelu', 'geluTanh'] as const) {
    const x = rand([197, 3072], 9);
    const out = empty([197, 3072]);
    list.push({
      name: `${op} [197, 3072]`,
      op,
      work: { bytes: 2 * 4 * x.size },
      make: (be) => {
        const k = getKernelOf(op, be);
        return k ? () => k(x, out) : null;
      },
    });
  }
  {
    // q, k, v as views of the fused qkv projection [1, 197, 2304] -> [3, 1, 12, 197, 64], as in the ViT
    const [B, T, H, Dh] = [1, 197, 12, 64];
    const heads = rand([B, T, 3 * H * Dh], 10).view([B, T, 3, H, Dh]).permute(2, 0, 3, 1, 4);
    const [q, k, v] = [heads.select(0, 0), heads.select(0, 1), heads.select(0, 2)];
    const out = empty([B, H, T, Dh]);
    list.push({
      name: 'attention [1, 12, 197, 64]',
      op: 'attention',
      work: { flop: 4 * B * H * T * T * Dh },
      make: (be) => {
        const kern = getKernelOf('attention', be);
        return kern ? () => kern(q, k, v, out, { scale: 1 / 8, mask: null, probs: null }) : null;
      },
    });
  }
  return list;
}

/** A backend as the suite times it: the registry backend, the label in the records, and how to set it up. */
interface Variant {
  be: BackendName;
  label: string;
  threads: number;
  /** Ops this variant applies to (all when absent). */
  ops?: readonly string[];
  setup: () => Promise<void>;
}

/** ref, js, then the wasm backend as plain SIMD and as relaxed SIMD (1 thread), and relaxed on 2 threads. */
function variants(): Variant[] {
  const vs: Variant[] = [
    { be: 'ref', label: 'ref', threads: 1, setup: async () => stopThreads() },
    { be: 'js', label: 'js', threads: 1, setup: async () => stopThreads() },
  ];
  const rt = wasmRuntime();
  if (rt === null) return vs; // no WebAssembly SIMD: the wasm kernels would fall back to js
  vs.push({ be: 'wasm', label: 'wasm-simd', threads: 1, setup: async () => { stopThreads(); setWasmRuntime({ relaxed: false }); } });
  if (rt.features.relaxedSimd) {
    vs.push({ be: 'wasm', label: 'wasm-relaxed', threads: 1, setup: async () => { stopThreads(); setWasmRuntime({ relaxed: true }); } });
  }
  if (rt.heap.shared) {
    const label = rt.features.relaxedSimd ? 'wasm-relaxed' : 'wasm-simd';
    vs.push({
      be: 'wasm', label, threads: 2, ops: ['linear', 'matmul', 'attention'],
      setup: async () => { await startThreads(setWasmRuntime({ relaxed: rt.features.relaxedSimd }), { threads: 2 }); },
    });
  }
  return vs;
}

/** Runs every op case on every backend that has a kernel for it; records are ordered by case, then backend. */
export async function runOpSuites(opts: OpSuiteOptions): Promise<BenchRecord[]> {
  const all = cases().map((c, i) => ({ c, i })).filter(({ c }) => !opts.filter || c.name.includes(opts.filter));
  const found: { rec: BenchRecord; order: number }[] = [];
  let vi = 0;
  for (const v of variants()) {
    vi++;
    await v.setup();
    for (const { c, i } of all) {
      if (!backendsOf(c.op).includes(v.be) || (v.ops && !v.ops.includes(c.op))) continue;
      const be = v.be;
      // The ref kernels are the readable oracle, timed for scale only: a GEMM takes seconds there, so one run
      // without warm-up (and none at all with --quick).
      if (be === 'ref' && c.heavy && opts.quick) continue;
      const timing: TimingOptions =
        be === 'ref'
          ? c.heavy
            ? { budgetMs: 0, minRuns: 1, maxRuns: 1, noWarmup: true }
            : { budgetMs: opts.quick ? 300 : 2000, minRuns: opts.quick ? 1 : 3, maxRuns: opts.quick ? 3 : 7 }
          : { budgetMs: opts.quick ? 400 : 2000, minRuns: opts.quick ? 3 : 7, maxRuns: opts.quick ? 9 : 31 };
      const fn = c.make(be);
      if (!fn) continue;
      const t = time(fn, timing);
      const isFlop = 'flop' in c.work;
      const amount = isFlop ? (c.work as { flop: number }).flop : (c.work as { bytes: number }).bytes;
      const rec: BenchRecord = {
        suite: 'ops',
        engine: 'patchwise',
        backend: v.label,
        model: c.name,
        batch: 1,
        threads: v.threads,
        warmup_ms: timing.noWarmup ? null : t.warmupMs,
        median_ms: t.medianMs,
        min_ms: t.minMs,
        runs: t.runs,
        rate: amount / (t.medianMs * 1e6),
        unit: isFlop ? 'GFLOP/s' : 'GB/s',
        kernel: c.op,
      };
      found.push({ rec, order: i * 100 + vi });
      opts.onRecord?.(rec);
    }
  }
  stopThreads();
  return found.sort((a, b) => a.order - b.order).map((x) => x.rec);
}
