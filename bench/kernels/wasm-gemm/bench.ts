// Kernel ladder of the wasm GEMM (STYLE.md #5): every emitted variant (plain SIMD128 mul+add vs relaxed FMA,
// 4x8 / 5x8 / 6x8 register tiles, K blocks kc) on the ViT-B shapes, single thread, validated against the ref
// linear kernel on sampled rows before timing. Run: npx tsx bench/kernels/wasm-gemm/bench.ts [--quick]
// Prints GFLOP/s (2*M*N*K / time) median and best of several runs after warm-up, and the machine load.

import { getKernelOf, prepareLinear, empty, fromArray } from '../../../packages/tensor/src/index.js';
import { setWasmRuntime } from '../../../packages/tensor/src/kernels/wasm/runtime.js';
import { wasmPackedLinear } from '../../../packages/tensor/src/kernels/wasm/kernels.js';
import { roundUp } from '../../../packages/tensor/src/kernels/wasm/runtime.js';
import { gemmVariants } from '../../../packages/tensor/src/kernels/wasm/module.js';
import { detectFeatures } from '../../../packages/tensor/src/kernels/wasm/features.js';
import { startThreads, stopThreads } from '../../../packages/tensor/src/parallel/pool.js';
import { loadavg, cpus } from 'node:os';

const quick = process.argv.includes('--quick');
const shapes: [number, number, number][] = quick ? [[197, 768, 3072]] : [[197, 768, 2304], [197, 768, 3072], [197, 3072, 768], [512, 512, 512]];
const kcs = quick ? [256] : [128, 256, 384, 768];
const runs = quick ? 5 : 9;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

const feats = detectFeatures();
console.log(`cpu ${cpus()[0]?.model} x${cpus().length}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`features ${JSON.stringify(feats)}`);
const rows: string[] = [];
for (const [M, K, N] of shapes) {
  const x = fromArray(rand(M * K, 1), [M, K]);
  const W = fromArray(rand(N * K, 2), [N, K]);
  const bias = fromArray(rand(N, 3), [N]);
  // Oracle on 6 sampled rows (the ref triple loop on all rows would take seconds).
  const sample = [0, 1, 2, Math.floor(M / 2), M - 2, M - 1];
  const refOut = sample.map((r) => {
    const o = empty([1, N]);
    getKernelOf('linear', 'ref')!(x.narrow(0, r, 1), prepareLinear(W, bias), o, null);
    return o.data();
  });
  for (const v of gemmVariants(feats.relaxedSimd)) {
    for (const kc of kcs) {
      const rt = setWasmRuntime({ relaxed: v.relaxed, mr: v.mr as 4 | 5 | 6, kc, shared: true });
      const lw = prepareLinear(W, bias);
      const p = wasmPackedLinear(lw, rt);
      const Mp = roundUp(M, rt.mr);
      const a = rt.heap.alloc(Mp * p.Kp * 4);
      const c = rt.heap.alloc(Mp * p.Np * 4);
      rt.copyIn2d(x.data(), 0, K, 1, M, K, a, p.Kp, p.Kp);
      const call = (): void => rt.gemm(a, p.Kp * 4, p.b, p.bias, c, p.Np * 4, 0, Mp, 0, p.Np, p.Kp, kc, 0);
      call();
      const out = rt.heap.f32();
      let worst = 0;
      sample.forEach((r, s) => {
        for (let j = 0; j < N; j++) {
          const want = refOut[s]![j]!;
          // float32 accumulation over K terms of |a*b| <= 1: bound K * 2^-24 * sum|a b| <= K^2 2^-24 (loose)
          worst = Math.max(worst, Math.abs(out[(c >> 2) + r * p.Np + j]! - want));
        }
      });
      if (worst > 1e-3) throw new Error(`${rt.gemmName} kc=${kc} wrong: max abs diff ${worst}`);
      const times: number[] = [];
      for (let w = 0; w < 2; w++) call();
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        call();
        times.push(performance.now() - t0);
      }
      times.sort((p, q) => p - q);
      const gf = (ms: number): string => ((2 * M * N * K) / ms / 1e6).toFixed(1);
      const line = `${M}x${K}x${N}  ${rt.gemmName.padEnd(18)} kc=${String(kc).padEnd(4)} median ${times[runs >> 1]!.toFixed(2)} ms (${gf(times[runs >> 1]!)} GFLOP/s)  min ${times[0]!.toFixed(2)} ms (${gf(times[0]!)} GFLOP/s)  maxdiff ${worst.toExponential(1)}`;
      console.log(line);
      rows.push(line);
      if (kc === 256 && v.mr === 4) {
        // the same call split over 2 threads (column panels), as linear() runs it with a pool
        const pool = await startThreads(rt, { threads: 2 });
        const t2: number[] = [];
        for (let w = 0; w < 2; w++) pool.gemm(a, p.Kp * 4, p.b, p.bias, c, p.Np * 4, Mp, p.Np, p.Kp, 0);
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          pool.gemm(a, p.Kp * 4, p.b, p.bias, c, p.Np * 4, Mp, p.Np, p.Kp, 0);
          t2.push(performance.now() - t0);
        }
        stopThreads();
        t2.sort((p, q) => p - q);
        const line2 = `${M}x${K}x${N}  ${rt.gemmName.padEnd(18)} kc=${String(kc).padEnd(4)} 2 threads: median ${t2[runs >> 1]!.toFixed(2)} ms (${gf(t2[runs >> 1]!)} GFLOP/s)  min ${t2[0]!.toFixed(2)} ms (${gf(t2[0]!)} GFLOP/s)`;
        console.log(line2);
        rows.push(line2);
      }
    }
  }
}
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
