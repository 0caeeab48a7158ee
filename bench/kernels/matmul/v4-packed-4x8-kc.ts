// v4: 8-column panels, a 4x8 tile (32 accumulators in locals), K-blocked by 256 so one panel block (8 KB)
// stays in L1 while every row tile streams past it; epilogue per finished tile. This was the promoted kernel
// until v8 (src/kernels/js/gemm.ts); frozen here as it was, so the ladder keeps measuring it.
import type { GemmVersion } from './types.js';

/** Micro-tile: MR rows of the left operand times NR columns of a packed panel. */
const MR = 4;
const NR = 8;
/** K-block: one panel block is KC * NR * 4 bytes = 8 KB, which stays in L1 while all rows stream past it. */
const KC = 256;

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
export function packPanels4x8(src: Float32Array, off: number, sk: number, sn: number, K: number, N: number): PackedPanels {
  const panels = Math.ceil(N / NR);
  const data = new Float32Array(panels * K * NR);
  for (let p = 0; p < panels; p++) {
    const n0 = p * NR;
    const w = Math.min(NR, N - n0);
    const base = p * K * NR;
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

/**
 * C[i, j] (at C[cOff + i*ldc + j]) = epilogue(sum_k A[aOff + i*lda + k] * B[k, j]) for i < M, j < pb.N.
 * A must have unit stride along K (callers copy otherwise). `kc` is the K-block (tunable for the ladder).
 */
export function gemm4x8(
  M: number,
  A: Float32Array,
  aOff: number,
  lda: number,
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
  if (K === 0) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[cOff + i * ldc + j] = 0;
  }
  const hasEpilogue = ep.bias !== null || ep.act !== null;
  if (K === 0 && hasEpilogue) epilogueTile(C, cOff, ldc, M, 0, N, ep);
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kb = Math.min(kc, K - k0);
    const first = k0 === 0;
    // The epilogue runs on each finished tile while it is still in L1 (the alternative, a separate pass over
    // C afterwards, re-reads all of it from L2 or memory).
    const last = hasEpilogue && k0 + kb >= K;
    for (let p = 0; p < panels; p++) {
      const n0 = p * NR;
      const w = Math.min(NR, N - n0);
      const bBase = p * K * NR + k0 * NR;
      let i = 0;
      for (; i + MR <= M; i += MR) {
        const c = cOff + i * ldc + n0;
        micro4x8(A, aOff + i * lda + k0, lda, B, bBase, kb, C, c, ldc, w, first);
        if (last) epilogueTile(C, c, ldc, MR, n0, w, ep);
      }
      for (; i < M; i++) {
        const c = cOff + i * ldc + n0;
        micro1x8(A, aOff + i * lda + k0, B, bBase, kb, C, c, w, first);
        if (last) epilogueTile(C, c, ldc, 1, n0, w, ep);
      }
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
 * 4 rows x 8 columns over kb steps of K: 32 accumulators in locals (unboxed doubles; the ones that do not fit
 * the 16 XMM registers spill to the stack), 4 loads of A and 8 of the panel per step. Adds into C unless
 * `first`. Stores only the w valid columns.
 */
function micro4x8(
  A: Float32Array, a0: number, lda: number, B: Float32Array, b0: number, kb: number,
  C: Float32Array, c0: number, ldc: number, w: number, first: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  const a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
  let b = b0;
  for (let k = 0; k < kb; k++, b += 8) {
    const x0 = A[a0 + k]!, x1 = A[a1 + k]!, x2 = A[a2 + k]!, x3 = A[a3 + k]!;
    const y0 = B[b]!, y1 = B[b + 1]!, y2 = B[b + 2]!, y3 = B[b + 3]!;
    const y4 = B[b + 4]!, y5 = B[b + 5]!, y6 = B[b + 6]!, y7 = B[b + 7]!;
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
    c04 += x0 * y4; c05 += x0 * y5; c06 += x0 * y6; c07 += x0 * y7;
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    c14 += x1 * y4; c15 += x1 * y5; c16 += x1 * y6; c17 += x1 * y7;
    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
    c24 += x2 * y4; c25 += x2 * y5; c26 += x2 * y6; c27 += x2 * y7;
    c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
    c34 += x3 * y4; c35 += x3 * y5; c36 += x3 * y6; c37 += x3 * y7;
  }
  storeRow(C, c0, w, first, c00, c01, c02, c03, c04, c05, c06, c07);
  storeRow(C, c0 + ldc, w, first, c10, c11, c12, c13, c14, c15, c16, c17);
  storeRow(C, c0 + 2 * ldc, w, first, c20, c21, c22, c23, c24, c25, c26, c27);
  storeRow(C, c0 + 3 * ldc, w, first, c30, c31, c32, c33, c34, c35, c36, c37);
}

/** One row x 8 columns: the M remainder. */
function micro1x8(
  A: Float32Array, a0: number, B: Float32Array, b0: number, kb: number,
  C: Float32Array, c0: number, w: number, first: boolean,
): void {
  let c0_ = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  let b = b0;
  for (let k = 0; k < kb; k++, b += 8) {
    const x = A[a0 + k]!;
    c0_ += x * B[b]!; c1 += x * B[b + 1]!; c2 += x * B[b + 2]!; c3 += x * B[b + 3]!;
    c4 += x * B[b + 4]!; c5 += x * B[b + 5]!; c6 += x * B[b + 6]!; c7 += x * B[b + 7]!;
  }
  storeRow(C, c0, w, first, c0_, c1, c2, c3, c4, c5, c6, c7);
}

/** Writes (or adds, unless `first`) the first w of 8 accumulators to C[c..c+w). */
function storeRow(
  C: Float32Array, c: number, w: number, first: boolean,
  v0: number, v1: number, v2: number, v3: number, v4: number, v5: number, v6: number, v7: number,
): void {
  if (w === 8) {
    if (first) {
      C[c] = v0; C[c + 1] = v1; C[c + 2] = v2; C[c + 3] = v3;
      C[c + 4] = v4; C[c + 5] = v5; C[c + 6] = v6; C[c + 7] = v7;
    } else {
      C[c] += v0; C[c + 1] += v1; C[c + 2] += v2; C[c + 3] += v3;
      C[c + 4] += v4; C[c + 5] += v5; C[c + 6] += v6; C[c + 7] += v7;
    }
    return;
  }
  const v = [v0, v1, v2, v3, v4, v5, v6, v7];
  for (let j = 0; j < w; j++) C[c + j] = first ? v[j]! : C[c + j]! + v[j]!;
}


export const v4: GemmVersion<PackedPanels> = {
  name: 'v4-packed-4x8-kc256',
  about: '8-col panels, 4x8 tile, K-block 256',
  prepare: (B, K, N) => packPanels4x8(B, 0, N, 1, K, N),
  run(M, _N, K, A, pb, C) {
    gemm4x8(M, A, 0, K, pb, C, 0, pb.N);
  },
};
