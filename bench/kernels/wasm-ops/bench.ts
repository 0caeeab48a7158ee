// The wasm backend per op on the ViT-B/16 shapes (T 197, D 768, MLP 3072, 12 heads x 64), js vs wasm (1 and 2
// threads) through the op front-ends, i.e. including the copies in and out of the wasm heap; plus the copy cost
// alone. Each result is checked against the ref kernel (or the js kernel for the large GEMMs) before timing.
// Imports the tensor sources (src/), like bench/run.ts, so the numbers describe the current code and the wasm
// runtime configured here is the one the ops use. Run: npx tsx bench/kernels/wasm-ops/bench.ts [--quick]

import {
  Tensor, fromArray, withBackend, linear, prepareLinear, softmax, layerNorm, attention,
} from '../../../packages/tensor/src/index.js';
import { setWasmRuntime } from '../../../packages/tensor/src/kernels/wasm/runtime.js';
import { startThreads, stopThreads } from '../../../packages/tensor/src/parallel/pool.js';
import { loadavg } from 'node:os';

const quick = process.argv.includes('--quick');
const runs = quick ? 5 : 11;

function rand(shape: number[], seed: number, scale = 1): Tensor<'float32'> {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    d[i] = (s / 2 ** 31 - 1) * scale;
  }
  return fromArray(d, shape);
}

function time(fn: () => unknown): { median: number; min: number } {
  fn();
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: t[t.length >> 1]!, min: t[0]! };
}

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toArray();
  const y = b.toArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

interface Case {
  name: string;
  flops: number;
  run: () => Tensor;
  oracle: 'ref' | 'js';
  tol: number;
}

const T = 197;
const D = 768;
const x = rand([T, D], 1);
const h = rand([T, 3072], 2);
const fc1 = prepareLinear(rand([3072, D], 3, 0.05), rand([3072], 4));
const fc2 = prepareLinear(rand([D, 3072], 5, 0.05), rand([D], 6));
const qkvW = prepareLinear(rand([3 * D, D], 7, 0.05), rand([3 * D], 8));
const scores = rand([12, T, T], 9, 5);
const lnW = rand([D], 10);
const lnB = rand([D], 11);
const qkv = rand([1, T, 3, 12, 64], 12);
const head = (i: number): Tensor => qkv.select(2, i).permute(0, 2, 1, 3);

const cases: Case[] = [
  { name: 'linear qkv 197x768x2304', flops: 2 * T * D * 2304, run: () => linear(x, qkvW), oracle: 'js', tol: 1e-3 },
  { name: 'linear fc1+gelu 197x768x3072', flops: 2 * T * D * 3072, run: () => linear(x, fc1, null, { activation: 'gelu' }), oracle: 'js', tol: 1e-3 },
  { name: 'linear fc2 197x3072x768', flops: 2 * T * D * 3072, run: () => linear(h, fc2), oracle: 'js', tol: 1e-3 },
  { name: 'softmax [12,197,197]', flops: 0, run: () => softmax(scores), oracle: 'ref', tol: 1e-5 },
  { name: 'layerNorm [197,768]', flops: 0, run: () => layerNorm(x, D, lnW, lnB), oracle: 'ref', tol: 1e-4 },
  { name: 'attention [1,12,197,64]', flops: 4 * 12 * T * T * 64, run: () => attention(head(0), head(1), head(2)).output, oracle: 'ref', tol: 1e-4 },
];

console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rt = setWasmRuntime({ shared: true });
for (const c of cases) {
  const want = withBackend(c.oracle, c.run);
  const got = withBackend('wasm', c.run);
  const diff = maxDiff(got, want);
  if (!(diff <= c.tol)) throw new Error(`${c.name}: wasm differs from ${c.oracle} by ${diff}`);
}
const rows: string[] = [];
const fmt = (name: string, be: string, t: { median: number; min: number }, flops: number): string =>
  `${name.padEnd(30)} ${be.padEnd(8)} median ${t.median.toFixed(3).padStart(8)} ms  min ${t.min.toFixed(3).padStart(8)} ms` +
  (flops > 0 ? `  ${(flops / t.median / 1e6).toFixed(1)} GFLOP/s` : '');
for (const c of cases) {
  rows.push(fmt(c.name, 'js', time(() => withBackend('js', c.run)), c.flops));
  rows.push(fmt(c.name, 'wasm-1t', time(() => withBackend('wasm', c.run)), c.flops));
  console.log(rows.slice(-2).join('\n'));
}
await startThreads(rt, { threads: 2 });
for (const c of cases) {
  rows.push(fmt(c.name, 'wasm-2t', time(() => withBackend('wasm', c.run)), c.flops));
  console.log(rows[rows.length - 1]);
}
stopThreads();
// Copy cost alone: in and out of the heap for the largest activation (197 x 3072 floats).
const big = rand([T, 3072], 13);
const out = new Float32Array(T * 3072);
const ptr = rt.heap.alloc(T * 3072 * 4);
const copy = time(() => {
  rt.copyIn2d(big.data(), 0, 3072, 1, T, 3072, ptr, 3072);
  rt.copyOut2d(ptr, 3072, T, 3072, out, 0);
});
console.log(`copy in+out 197x3072 floats: median ${copy.median.toFixed(3)} ms (${((2 * T * 3072 * 4) / copy.median / 1e6).toFixed(2)} GB/s)`);
console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
