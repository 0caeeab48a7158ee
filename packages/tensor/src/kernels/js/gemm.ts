// Fast pure-TS GEMM: the right-hand operand is packed once into 4-column panels (W of a linear layer is packed
// at load and cached in LinearWeights.packed); per K-block the left operand is repacked into k-major 6-row tiles
// of float64, and a 6x4 register-blocked micro-kernel with its 24 accumulators in locals sweeps them while one
// panel block stays in L1. Readable version: kernels/ref/matmul.ts; the versions tried (and why this one) are in
// bench/kernels/matmul/ (this is v8). Semantics: torch.matmul / torch.nn.functional.linear.

import type { Tensor } from '../../tensor.js';
import type { LinearWeights } from '../../ops/matmul.js';
import type { ActivationOp } from '../../ops/activation.js';
import { ACTIVATION_SCALARS } from '../math.js';
import { forEachBatch } from '../ref/matmul.js';

/** Micro-tile: MR rows of the left operand times NR columns of a packed panel (24 accumulators fit V8's registers better than 32). */
export const MR = 6;
export const NR = 4;
/** K-block: one panel block is KC * NR * 4 bytes = 4 KB and one A tile KC * MR * 8 = 12 KB: both stay in L1. */
export const KC = 256;

/**
 * The right-hand operand B [K, N] repacked as ceil(N / NR) panels; panel p holds, for k = 0..K-1, the NR values
 * B[k, p*NR .. p*NR+NR-1] (zero beyond N), so the micro-kernel reads it strictly sequentially.
 */
export interface PackedPanels {
  readonly K: number;
  readonly N: number;
  readonly data: Float32Array;
}

/** Packs B [K, N], element (k, n) at src[off + k*sk + n*sn], into NR-column panels. */
export function packPanels(src: Float32Array, off: number, sk: number, sn: number, K: number, N: number): PackedPanels {
  const panels = Math.ceil(N / NR);
  const data = new Float32Array(panels * K * NR);
  for (let p = 0; p < panels; p++) {
    const n0 = p * NR;
    const w = Math.min(NR, N - n0);
    const base = p * K * NR;
    if (sk === 1) {
      // B = W^T of a dense W [N, K] (linear weights): walk each source row sequentially and scatter into the
      // panel (which stays in cache), instead of reading NR rows at once with a stride of K.
      for (let j = 0; j < w; j++) {
        const s = off + (n0 + j) * sn;
        for (let k = 0; k < K; k++) data[base + k * NR + j] = src[s + k]!;
      }
      continue;
    }
    for (let k = 0; k < K; k++) {
      const s = off + k * sk + n0 * sn;
      const d = base + k * NR;
      for (let j = 0; j < w; j++) data[d + j] = src[s + j * sn]!;
    }
  }
  return { K, N, data };
}

/** Optional epilogue: bias[j] (at bias[bOff + j*bStride]) then an activation of the float32-rounded value. */
export interface Epilogue {
  bias: Float32Array | null;
  biasOff: number;
  biasStride: number;
  act: ((x: number) => number) | null;
}

const NO_EPILOGUE: Epilogue = { bias: null, biasOff: 0, biasStride: 0, act: null };

/** Scratch for the packed A tiles, grown on demand and reused (one per JS realm: workers get their own). */
let aScratch = new Float64Array(0);

/**
 * C[i, j] (at C[cOff + i*ldc + j]) = epilogue(sum_k A[aOff + i*sam + k*sak] * B[k, j]) for i < M, j < pb.N.
 * A may have any strides (it is repacked per K-block anyway). `kc` is the K-block (tunable for the ladder).
 */
export function gemmPacked(
  M: number,
  A: Float32Array,
  aOff: number,
  sam: number,
  sak: number,
  pb: PackedPanels,
  C: Float32Array,
  cOff: number,
  ldc: number,
  ep: Epilogue = NO_EPILOGUE,
  kc: number = KC,
): void {
  const { K, N } = pb;
  const B = pb.data;
  const panels = Math.ceil(N / NR);
  const tiles = Math.ceil(M / MR);
  const hasEpilogue = ep.bias !== null || ep.act !== null;
  if (K === 0) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[cOff + i * ldc + j] = 0;
    if (hasEpilogue) epilogueTile(C, cOff, ldc, M, 0, N, ep);
    return;
  }
  const need = tiles * MR * Math.min(kc, K);
  if (aScratch.length < need) aScratch = new Float64Array(need);
  const Ap = aScratch;
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kb = Math.min(kc, K - k0);
    const first = k0 === 0;
    // The epilogue runs on each finished tile while it is still in L1 (the alternative, a separate pass over
    // C afterwards, re-reads all of it from L2 or memory).
    const last = hasEpilogue && k0 + kb >= K;
    packTiles(M, A, aOff + k0 * sak, sam, sak, kb, Ap);
    for (let p = 0; p < panels; p++) {
      const n0 = p * NR;
      const w = Math.min(NR, N - n0);
      const bBase = p * K * NR + k0 * NR;
      for (let t = 0; t < tiles; t++) {
        const rows = Math.min(MR, M - t * MR);
        const c = cOff + t * MR * ldc + n0;
        micro6x4(Ap, t * kb * MR, B, bBase, kb, C, c, ldc, rows, w, first);
        if (last) epilogueTile(C, c, ldc, rows, n0, w, ep);
      }
    }
  }
}

/**
 * A[:, 0:kb] (rows at A[a0 + i*sam + k*sak]) -> tiles of MR rows, k-major: Ap[t*kb*MR + k*MR + r]. Rows past M
 * are zero. Float64 so the micro-kernel's A loads need no float32 -> float64 conversion.
 */
function packTiles(M: number, A: Float32Array, a0: number, sam: number, sak: number, kb: number, Ap: Float64Array): void {
  const tiles = Math.ceil(M / MR);
  for (let t = 0; t < tiles; t++) {
    const base = t * kb * MR;
    for (let r = 0; r < MR; r++) {
      const row = t * MR + r;
      if (row >= M) {
        for (let k = 0; k < kb; k++) Ap[base + k * MR + r] = 0;
        continue;
      }
      const s = a0 + row * sam;
      if (sak === 1) for (let k = 0; k < kb; k++) Ap[base + k * MR + r] = A[s + k]!;
      else for (let k = 0; k < kb; k++) Ap[base + k * MR + r] = A[s + k * sak]!;
    }
  }
}

/** Bias then activation on rows x w elements of C starting at c (columns n0.. of the output). */
function epilogueTile(C: Float32Array, c: number, ldc: number, rows: number, n0: number, w: number, ep: Epilogue): void {
  const { bias, biasOff, biasStride, act } = ep;
  for (let r = 0; r < rows; r++) {
    const o = c + r * ldc;
    for (let j = 0; j < w; j++) {
      // C holds the float32-rounded sum, so the bias adds one more rounding: within 1 ulp of ref's fround(sum + b).
      let v = C[o + j]!;
      if (bias !== null) v = Math.fround(v + bias[biasOff + (n0 + j) * biasStride]!);
      C[o + j] = act !== null ? act(v) : v;
    }
  }
}

/**
 * 6 rows x 4 columns over kb steps of K: 24 accumulators in locals (unboxed doubles), 6 loads from the packed A
 * tile and 4 from the panel per step, all sequential. Adds into C unless `first`; stores rows x w valid values.
 */
function micro6x4(
  Ap: Float64Array, a0: number, B: Float32Array, b0: number, kb: number,
  C: Float32Array, c0: number, ldc: number, rows: number, w: number, first: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let c40 = 0, c41 = 0, c42 = 0, c43 = 0;
  let c50 = 0, c51 = 0, c52 = 0, c53 = 0;
  let a = a0;
  let b = b0;
  for (let k = 0; k < kb; k++, a += 6, b += 4) {
    const y0 = B[b]!, y1 = B[b + 1]!, y2 = B[b + 2]!, y3 = B[b + 3]!;
    const x0 = Ap[a]!, x1 = Ap[a + 1]!, x2 = Ap[a + 2]!;
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
    const x3 = Ap[a + 3]!, x4 = Ap[a + 4]!, x5 = Ap[a + 5]!;
    c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
    c40 += x4 * y0; c41 += x4 * y1; c42 += x4 * y2; c43 += x4 * y3;
    c50 += x5 * y0; c51 += x5 * y1; c52 += x5 * y2; c53 += x5 * y3;
  }
  storeRow(C, c0, w, first, c00, c01, c02, c03);
  if (rows > 1) storeRow(C, c0 + ldc, w, first, c10, c11, c12, c13);
  if (rows > 2) storeRow(C, c0 + 2 * ldc, w, first, c20, c21, c22, c23);
  if (rows > 3) storeRow(C, c0 + 3 * ldc, w, first, c30, c31, c32, c33);
  if (rows > 4) storeRow(C, c0 + 4 * ldc, w, first, c40, c41, c42, c43);
  if (rows > 5) storeRow(C, c0 + 5 * ldc, w, first, c50, c51, c52, c53);
}

/** Writes (or adds, unless `first`) the first w of 4 accumulators to C[c..c+w). */
function storeRow(C: Float32Array, c: number, w: number, first: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (w === 4) {
    if (first) {
      C[c] = v0; C[c + 1] = v1; C[c + 2] = v2; C[c + 3] = v3;
    } else {
      C[c] += v0; C[c + 1] += v1; C[c + 2] += v2; C[c + 3] += v3;
    }
    return;
  }
  if (first) {
    C[c] = v0;
    if (w > 1) C[c + 1] = v1;
    if (w > 2) C[c + 2] = v2;
  } else {
    C[c] += v0;
    if (w > 1) C[c + 1] += v1;
    if (w > 2) C[c + 2] += v2;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Kernels registered on backend 'js'

/** The js packed form of W: panels of W^T ([K, N] with element (k, n) = W[n, k]). */
export function jsLinearPack(w: LinearWeights): void {
  if (w.packed.has('js')) return;
  const W = w.weight;
  w.packed.set('js', packPanels(W.data(), W.offset, W.strides[1]!, W.strides[0]!, w.inFeatures, w.outFeatures));
}

export function jsLinear(x: Tensor<'float32'>, w: LinearWeights, out: Tensor<'float32'>, act: ActivationOp | null): void {
  jsLinearPack(w);
  const pb = w.packed.get('js') as PackedPanels;
  const bias = w.bias;
  const ep: Epilogue = {
    bias: bias ? bias.data() : null,
    biasOff: bias ? bias.offset : 0,
    biasStride: bias ? bias.strides[0]! : 0,
    act: act === null ? null : ACTIVATION_SCALARS[act],
  };
  gemmPacked(x.shape[0]!, x.data(), x.offset, x.strides[0]!, x.strides[1]!, pb, out.data(), out.offset, w.outFeatures, ep);
}

/** Batched matmul: packs each batch's right operand (once when it is broadcast), then runs the packed GEMM. */
export function jsMatmul(a: Tensor<'float32'>, b: Tensor<'float32'>, out: Tensor<'float32'>): void {
  const r = out.rank;
  const M = out.shape[r - 2]!;
  const N = out.shape[r - 1]!;
  const K = a.shape[r - 1]!;
  const A = a.data();
  const [sam, sak] = [a.strides[r - 2]!, a.strides[r - 1]!];
  const Bd = b.data();
  const [sbk, sbn] = [b.strides[r - 2]!, b.strides[r - 1]!];
  let lastB = -1;
  let pb: PackedPanels | null = null;
  const C = out.data();
  forEachBatch(a, b, out, (ao, bo, co) => {
    if (bo !== lastB || pb === null) {
      pb = packPanels(Bd, bo, sbk, sbn, K, N);
      lastB = bo;
    }
    gemmPacked(M, A, ao, sam, sak, pb, C, co, N);
  });
}
