// Builds the bytes of the one module that holds every wasm kernel (GEMM variants, row kernels), and types its
// exports. Optimized for one compile per process (and per worker, which instantiates the same bytes on the
// shared memory). The relaxed-SIMD GEMMs are only emitted when the engine validates them.

import { ModuleBuilder } from './emitter.js';
import { emitGemm } from './gemm.js';
import type { GemmVariant } from './gemm.js';
import { emitRowKernels } from './rows.js';
import { emitAttention } from './attention.js';
import { emitPack } from './pack.js';

export interface KernelModuleOptions {
  relaxed: boolean;
  shared: boolean;
  maximumPages: number;
}

/** GEMM variants in the module; the first of each kind is the default, the rest are kept for the benchmarks. */
export function gemmVariants(relaxed: boolean): GemmVariant[] {
  const v: GemmVariant[] = [
    { name: 'gemm_simd_4x8', mr: 4, relaxed: false },
    { name: 'gemm_simd_5x8', mr: 5, relaxed: false },
    { name: 'gemm_simd_6x8', mr: 6, relaxed: false },
  ];
  if (relaxed) {
    v.push(
      { name: 'gemm_relaxed_4x8', mr: 4, relaxed: true },
      { name: 'gemm_relaxed_5x8', mr: 5, relaxed: true },
      { name: 'gemm_relaxed_6x8', mr: 6, relaxed: true },
    );
  }
  return v;
}

export function buildKernelModule(opts: KernelModuleOptions): Uint8Array {
  const mod = new ModuleBuilder({ initial: 1, maximum: opts.maximumPages, shared: opts.shared });
  const gemms = gemmVariants(opts.relaxed).map((v) => [v.name, emitGemm(mod, v)] as const);
  const softmax = emitRowKernels(mod);
  for (const [name, index] of gemms) emitAttention(mod, name.replace('gemm_', 'attn_'), index, softmax);
  emitPack(mod);
  return mod.toBytes();
}

/** (a, lda, b, bias, c, ldc, i0, i1, j0, j1, k, kc, act), all byte addresses / byte strides. */
export type GemmFn = (
  a: number, lda: number, b: number, bias: number, c: number, ldc: number,
  i0: number, i1: number, j0: number, j1: number, k: number, kc: number, act: number,
) => void;

/** attn_<variant>(h0, h1, q, qs, k, ks, v, vs, s, ss, m, ms, o, os, Tqp, Tq, Tk, Dhp, Dvp, kc, scale). */
export type AttnFn = (...args: number[]) => void;

export interface KernelExports {
  [gemm: `gemm_${string}`]: GemmFn;
  [attn: `attn_${string}`]: AttnFn;
  softmax_rows(x: number, ldx: number, y: number, ldy: number, rows: number, n: number): void;
  layernorm_rows(x: number, ldx: number, y: number, ldy: number, g: number, b: number, rows: number, n: number, eps: number): void;
  act_gelu(x: number, y: number, count: number): void;
  act_geluTanh(x: number, y: number, count: number): void;
  act_quickGelu(x: number, y: number, count: number): void;
  act_silu(x: number, y: number, count: number): void;
  act_relu(x: number, y: number, count: number): void;
  pack_wt(src: number, ld: number, K: number, N: number, Kp: number, Np: number, dst: number): void;
}
