// The wasm backend's kernels for the registry (backend 'wasm'): linear (+ fused activation), linearPack, matmul,
// softmax, layerNorm, attention, and a dense add; the standalone activation kernels are exported but not registered
// (see registerWasmKernels). Each takes ordinary heap tensors, copies activations into scratch in the wasm
// heap (released at the end of the call, so repeated calls reuse the same bytes), runs the emitted SIMD kernel and
// copies the result out; packed weights stay resident in the heap. Optimized for speed with the copy cost kept
// to one pass in and one out. Oracles: kernels/ref/*. Falls back to the js kernels when the engine lacks SIMD.

import { copyStrided } from '../../tensor.js';
import type { Tensor } from '../../tensor.js';
import { BackendError } from '../../errors.js';
import { getKernelOf, registerKernel } from '../../registry.js';
import type { KernelMap, OpName } from '../../registry.js';
import type { LinearWeights } from '../../ops/matmul.js';
import type { ActivationOp } from '../../ops/activation.js';
import { forEachBatch } from '../ref/matmul.js';
import { KU, NR } from './gemm.js';
import { roundUp, wasmRuntime } from './runtime.js';
import type { WasmRuntime } from './runtime.js';
import { ACT_CODE } from './vecmath.js';
import { gemmParallel } from '../../parallel/gemm.js';
import { activePool, OP_ATTN } from '../../parallel/pool.js';
import type { AttentionKernelArgs } from '../../ops/attention.js';

/** The js kernel of an op, for engines without SIMD (the registry would otherwise never reach it). */
function jsFallback<K extends OpName>(op: K): KernelMap[K] {
  const k = getKernelOf(op, 'js') ?? getKernelOf(op, 'ref');
  if (k === undefined) throw new BackendError(`wasm backend: no js or ref kernel of '${op}' to fall back to`);
  return k;
}

/** Runs `fn` with scratch allocations released afterwards (also on throw). */
function scoped<T>(rt: WasmRuntime, fn: () => T): T {
  const mark = rt.heap.mark();
  try {
    return fn();
  } finally {
    rt.heap.release(mark);
  }
}

/** The wasm backend's packed form of W: B = W^T in 8-column panels and the padded bias, in the heap. */
export interface WasmPackedLinear {
  rt: WasmRuntime;
  b: number;
  bias: number;
  K: number;
  N: number;
  Kp: number;
  Np: number;
}

export function wasmPackedLinear(w: LinearWeights, rt: WasmRuntime): WasmPackedLinear {
  const prev = w.packed.get('wasm') as WasmPackedLinear | undefined;
  if (prev !== undefined && prev.rt === rt) return prev;
  const [N, K] = [w.outFeatures, w.inFeatures];
  const Kp = roundUp(Math.max(K, 1), KU);
  const Np = roundUp(N, NR);
  const b = rt.heap.alloc(Kp * Np * 4);
  const W = w.weight;
  // B[k, n] = W[n, k]: copy W's rows into scratch (one dense pass), then the emitted packer transposes into panels.
  scoped(rt, () => {
    const tmp = rt.heap.alloc(N * K * 4);
    rt.copyIn2d(W.storage.view(), W.offset, W.strides[0]!, W.strides[1]!, N, K, tmp, K);
    rt.exports.pack_wt(tmp, K * 4, K, N, Kp, Np, b);
  });
  let bias = 0;
  if (w.bias !== null) {
    bias = rt.heap.alloc(Np * 4);
    rt.copyIn2d(w.bias.storage.view(), w.bias.offset, 0, w.bias.strides[0]!, 1, N, bias, Np, Np);
  }
  const packed: WasmPackedLinear = { rt, b, bias, K, N, Kp, Np };
  w.packed.set('wasm', packed);
  return packed;
}

export function wasmLinearPack(w: LinearWeights): void {
  const rt = wasmRuntime();
  if (rt === null) return jsFallback('linearPack')(w);
  wasmPackedLinear(w, rt);
}

export function wasmLinear(x: Tensor<'float32'>, w: LinearWeights, out: Tensor<'float32'>, act: ActivationOp | null): void {
  const rt = wasmRuntime();
  if (rt === null || w.inFeatures === 0) return jsFallback('linear')(x, w, out, act);
  const p = wasmPackedLinear(w, rt);
  const M = x.shape[0]!;
  scoped(rt, () => {
    const Mp = roundUp(M, rt.mr);
    const a = rt.heap.alloc(Mp * p.Kp * 4);
    const c = rt.heap.alloc(Mp * p.Np * 4);
    rt.copyIn2d(x.storage.view(), x.offset, x.strides[0]!, x.strides[1]!, M, p.K, a, p.Kp, p.Kp);
    gemmParallel(rt, a, p.Kp * 4, p.b, p.bias, c, p.Np * 4, Mp, p.Np, p.Kp, act === null ? 0 : ACT_CODE[act]);
    rt.copyOut2d(c, p.Np, M, p.N, out.data(), out.offset);
  });
}

export function wasmMatmul(a: Tensor<'float32'>, b: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const rt = wasmRuntime();
  const r = out.rank;
  const [M, N, K] = [out.shape[r - 2]!, out.shape[r - 1]!, a.shape[r - 1]!];
  if (rt === null || K === 0) return jsFallback('matmul')(a, b, out);
  const [sam, sak] = [a.strides[r - 2]!, a.strides[r - 1]!];
  const [sbk, sbn] = [b.strides[r - 2]!, b.strides[r - 1]!];
  const A = a.storage.view();
  const B = b.storage.view();
  scoped(rt, () => {
    const Mp = roundUp(M, rt.mr);
    const Kp = roundUp(K, KU);
    const Np = roundUp(N, NR);
    const ap = rt.heap.alloc(Mp * Kp * 4);
    const bp = rt.heap.alloc(Kp * Np * 4);
    const cp = rt.heap.alloc(Mp * Np * 4);
    const O = out.data();
    forEachBatch(a, b, out, (ao, bo, oo) => {
      rt.packB(B, bo, sbk, sbn, K, N, Kp, Np, bp);
      rt.copyIn2d(A, ao, sam, sak, M, K, ap, Kp, Kp);
      gemmParallel(rt, ap, Kp * 4, bp, 0, cp, Np * 4, Mp, Np, Kp, 0);
      rt.copyOut2d(cp, Np, M, N, O, oo);
    });
  });
}

export function wasmSoftmax(x: Tensor<'float32'>, out: Tensor<'float32'>, log: boolean): void {
  const rt = wasmRuntime();
  // logSoftmax stays on the js kernel: it needs a log per row, not worth a vector log.
  if (rt === null || log) return jsFallback('softmax')(x, out, log);
  const n = x.shape[x.rank - 1]!;
  const size = out.size;
  scoped(rt, () => {
    const xp = rt.heap.alloc(size * 4);
    const yp = rt.heap.alloc(size * 4);
    copyStrided(x, rt.heap.f32(), xp >>> 2);
    rt.exports.softmax_rows(xp, n * 4, yp, n * 4, size / n, n);
    rt.copyOut2d(yp, size, 1, size, out.data(), out.offset);
  });
}

export function wasmLayerNorm(
  x: Tensor<'float32'>,
  weight: Tensor<'float32'> | null,
  bias: Tensor<'float32'> | null,
  out: Tensor<'float32'>,
  eps: number,
): void {
  const rt = wasmRuntime();
  if (rt === null) return jsFallback('layerNorm')(x, weight, bias, out, eps);
  const [rows, D] = [x.shape[0]!, x.shape[1]!];
  scoped(rt, () => {
    const g = rt.heap.alloc(D * 4);
    const bb = rt.heap.alloc(D * 4);
    const xp = rt.heap.alloc(rows * D * 4);
    const yp = rt.heap.alloc(rows * D * 4);
    const mem = rt.heap.f32();
    if (weight) copyStrided(weight, mem, g >>> 2);
    else mem.fill(1, g >>> 2, (g >>> 2) + D);
    if (bias) copyStrided(bias, mem, bb >>> 2);
    else mem.fill(0, bb >>> 2, (bb >>> 2) + D);
    copyStrided(x, mem, xp >>> 2);
    rt.exports.layernorm_rows(xp, D * 4, yp, D * 4, g, bb, rows, D, eps);
    rt.copyOut2d(yp, rows * D, 1, rows * D, out.data(), out.offset);
  });
}

function activationKernel(op: ActivationOp): (x: Tensor<'float32'>, out: Tensor<'float32'>) => void {
  return (x, out) => {
    const rt = wasmRuntime();
    if (rt === null) return jsFallback(op)(x, out);
    const size = out.size;
    scoped(rt, () => {
      const xp = rt.heap.alloc(size * 4);
      const yp = rt.heap.alloc(size * 4);
      copyStrided(x, rt.heap.f32(), xp >>> 2);
      rt.exports[`act_${op}`](xp, yp, size);
      rt.copyOut2d(yp, size, 1, size, out.data(), out.offset);
    });
  };
}

export const wasmGelu = activationKernel('gelu');
export const wasmGeluTanh = activationKernel('geluTanh');
export const wasmQuickGelu = activationKernel('quickGelu');
export const wasmSilu = activationKernel('silu');
export const wasmRelu = activationKernel('relu');

/**
 * attention on the wasm heap: q (scaled later, in wasm), K^T and V packed as GEMM panels per head, then the
 * emitted attn_* function per range of heads (split across the thread pool, each thread with its own scores
 * scratch unless the probabilities are requested, in which case every head keeps its slice and is copied out).
 */
export function wasmAttention(
  q: Tensor<'float32'>,
  k: Tensor<'float32'>,
  v: Tensor<'float32'>,
  out: Tensor<'float32'>,
  args: AttentionKernelArgs,
): void {
  const rt = wasmRuntime();
  if (rt === null) return jsFallback('attention')(q, k, v, out, args);
  const [B, H, Tq, Dh] = q.shape as [number, number, number, number];
  const Tk = k.shape[2]!;
  const Dv = v.shape[3]!;
  const BH = B * H;
  const Dhp = roundUp(Dh, KU);
  const Np = roundUp(Tk, NR); // scores row length
  const Tk4 = roundUp(Tk, KU);
  const Dvp = roundUp(Dv, NR);
  const Tqp = roundUp(Tq, rt.mr);
  const { mask, probs, scale } = args;
  const pool = activePool(rt);
  const T = pool === null ? 1 : Math.min(pool.threads, BH);
  scoped(rt, () => {
    const qs = Tqp * Dhp * 4;
    const ks = Dhp * Np * 4;
    const vs = Tk4 * Dvp * 4;
    const os = Tqp * Dvp * 4;
    const sHead = Tqp * Np * 4;
    const qp = rt.heap.alloc(BH * qs);
    const kp = rt.heap.alloc(BH * ks);
    const vp = rt.heap.alloc(BH * vs);
    const op = rt.heap.alloc(BH * os);
    const sp = rt.heap.alloc((probs ? BH : T) * sHead);
    const maskShared = mask !== null && mask.strides[0] === 0 && mask.strides[1] === 0;
    const ms = mask === null || maskShared ? 0 : Tq * Np * 4;
    const mp = mask === null ? 0 : rt.heap.alloc(maskShared ? Tq * Np * 4 : BH * ms);
    const kTmp = rt.heap.alloc(Tk * Dh * 4);
    const Q = q.storage.view();
    const K = k.storage.view();
    const V = v.storage.view();
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const bh = b * H + h;
        const qo = q.offset + b * q.strides[0]! + h * q.strides[1]!;
        const ko = k.offset + b * k.strides[0]! + h * k.strides[1]!;
        const vo = v.offset + b * v.strides[0]! + h * v.strides[1]!;
        rt.copyIn2d(Q, qo, q.strides[2]!, q.strides[3]!, Tq, Dh, qp + bh * qs, Dhp, Dhp);
        // K^T as the B operand: B[d, s] = k[s, d], i.e. k is a W [out = Tk, in = Dh]: dense rows, then pack_wt
        rt.copyIn2d(K, ko, k.strides[2]!, k.strides[3]!, Tk, Dh, kTmp, Dh);
        rt.exports.pack_wt(kTmp, Dh * 4, Dh, Tk, Dhp, Np, kp + bh * ks);
        rt.packB(V, vo, v.strides[2]!, v.strides[3]!, Tk, Dv, Tk4, Dvp, vp + bh * vs);
        if (mask !== null && (bh === 0 || !maskShared)) {
          const mo = mask.offset + b * mask.strides[0]! + h * mask.strides[1]!;
          rt.copyIn2d(mask.storage.view(), mo, mask.strides[2]!, mask.strides[3]!, Tq, Tk, mp + bh * ms, Np, Np);
        }
      }
    }
    const headArgs = (h0: number, h1: number, s: number): number[] => [
      h0, h1, qp, qs, kp, ks, vp, vs, s, probs ? sHead : 0, mp, ms, op, os, Tqp, Tq, Tk, Dhp, Dvp, rt.kc, scale,
    ];
    const SCALE_ARG = 20;
    if (pool === null || T === 1) {
      rt.attn(...headArgs(0, BH, sp));
    } else {
      const split = (t: number): number => Math.floor((BH * t) / T);
      const scratch = (t: number): number => (probs ? sp : sp + t * sHead);
      const jobs = [];
      for (let t = 1; t < T; t++) jobs.push({ op: OP_ATTN, args: headArgs(split(t), split(t + 1), scratch(t)), floats: 1 << SCALE_ARG });
      pool.run(() => rt.attn(...headArgs(0, split(1), scratch(0))), jobs);
    }
    const O = out.data();
    const Pd = probs?.data();
    for (let bh = 0; bh < BH; bh++) {
      rt.copyOut2d(op + bh * os, Dvp, Tq, Dv, O, out.offset + bh * Tq * Dv);
      if (probs && Pd) rt.copyOut2d(sp + bh * sHead, Np, Tq, Tk, Pd, probs.offset + bh * Tq * Tk);
    }
  });
}

/**
 * add for the wasm backend: the residual connections of every block (x + branch) and bias-like adds. It is
 * memory-bound, so copying operands into the wasm heap would cost more than the add: the fast path is a plain
 * loop over dense float32 operands (a JS double add rounded to float32 equals the float32 add), everything else
 * (broadcasts, strided views, int32) goes to the ref kernel. Measured: the ref strided loop cost ~110 ms per
 * ViT-B forward in 24 residual adds under load, this loop a few ms.
 */
export function wasmAdd(a: Tensor, b: Tensor, out: Tensor): void {
  if (out.dtype === 'float32' && a.dtype === 'float32' && b.dtype === 'float32' && a.isContiguous() && b.isContiguous() && out.isContiguous()) {
    const A = a.data();
    const B = b.data();
    const O = out.data();
    const [ao, bo, oo] = [a.offset, b.offset, out.offset];
    for (let i = 0, n = out.size; i < n; i++) O[oo + i] = A[ao + i]! + B[bo + i]!;
    return;
  }
  const ref = getKernelOf('add', 'ref');
  if (ref === undefined) throw new BackendError("wasm backend: no ref kernel of 'add' to fall back to");
  ref(a, b, out);
}

/** Registers the wasm kernels on backend 'wasm' (compilation waits for the first call). */
export function registerWasmKernels(): void {
  registerKernel('linearPack', 'wasm', wasmLinearPack);
  registerKernel('linear', 'wasm', wasmLinear);
  registerKernel('matmul', 'wasm', wasmMatmul);
  registerKernel('softmax', 'wasm', wasmSoftmax);
  registerKernel('layerNorm', 'wasm', wasmLayerNorm);
  // The standalone activations stay on the js kernels (the registry falls back to them): those evaluate in
  // float64 and round once, which the op tests require (half an ulp vs PyTorch float64), while the float32 vector
  // forms here are within ~2e-7 relative. The hot path, the activation fused into linear's GEMM epilogue, is
  // vectorised. wasmGelu & co. remain exported for callers that prefer speed (and are tested against ref).
  registerKernel('attention', 'wasm', wasmAttention);
  registerKernel('add', 'wasm', wasmAdd);
}
