// The GEMM kernel ladder (STYLE.md #5): validates every version against a float64 reference on awkward sizes,
// then times each on the ViT-B MLP shape. Run: npx tsx bench/kernels/matmul/ladder.ts [--quick] [M K N]
import type { GemmVersion } from './types.js';
import { v1 } from './v1-naive.js';
import { v2 } from './v2-ikj.js';
import { v3 } from './v3-packed-4x4.js';
import { v4 } from './v4-packed-4x8-kc.js';
import { v5 } from './v5-packed-4x8-nokc.js';
import { v6 } from './v6-packed-a-4x8.js';
import { v7s } from './v7-generated.js';
import { v8 } from './v8-packed-6x4-a64.js';

const versions: GemmVersion[] = [v1, v2, v3, v4, v5, v6, ...v7s, v8] as GemmVersion[];
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

function rand(n: number, seed: number): Float32Array {
  // xorshift32: deterministic inputs in [-1, 1)
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function reference(M: number, N: number, K: number, A: Float32Array, B: Float32Array): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) C[i * N + j] += A[i * K + k]! * B[k * N + j]!;
  return C;
}

function validate(v: GemmVersion): string | null {
  for (const [M, K, N] of [[1, 1, 1], [3, 7, 13], [13, 31, 7], [65, 300, 31], [197, 65, 9]] as const) {
    const A = rand(M * K, 1 + M), B = rand(K * N, 2 + N);
    const C = new Float32Array(M * N).fill(NaN);
    v.run(M, N, K, A, v.prepare(B, K, N), C);
    const want = reference(M, N, K, A, B);
    for (let i = 0; i < M * N; i++) {
      if (!(Math.abs(C[i]! - want[i]!) <= 1e-5 + 1e-5 * Math.abs(want[i]!))) return `${M}x${K}x${N} [${i}]: ${C[i]} vs ${want[i]}`;
    }
  }
  return null;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dims = args.filter((a) => /^\d+$/.test(a)).map(Number);
const [M, K, N] = dims.length === 3 ? dims : [197, 768, 3072];
const A = rand(M * K, 3), B = rand(K * N, 4);
const flop = 2 * M * N * K;
console.log(`GEMM ${M}x${K}x${N} (${(flop / 1e9).toFixed(2)} GFLOP), median/min of ${quick ? 3 : 7} runs after a warm-up`);
for (const v of versions.filter((x) => !only || x.name.includes(only))) {
  const bad = validate(v);
  if (bad) {
    console.log(`${v.name.padEnd(22)} INVALID: ${bad}`);
    continue;
  }
  const P = v.prepare(B, K, N);
  const C = new Float32Array(M * N);
  const slow = v === v1 || v === v2;
  const runs = quick || slow ? 3 : 7;
  v.run(M, N, K, A, P, C); // warm-up (JIT)
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    v.run(M, N, K, A, P, C);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const med = times[Math.floor(times.length / 2)]!;
  const min = times[0]!;
  console.log(`${v.name.padEnd(22)} median ${med.toFixed(1).padStart(7)} ms ${(flop / med / 1e6).toFixed(2).padStart(6)} GFLOP/s  min ${(flop / min / 1e6).toFixed(2)}  (${v.about})`);
}
