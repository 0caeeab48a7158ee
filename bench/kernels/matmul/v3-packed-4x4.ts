// v3: B packed into 4-column panels (k-major inside a panel), a 4x4 register tile with 16 accumulators in
// locals, no K-blocking. Each k step: 4 loads of A, 4 of B, 16 multiply-adds.
import type { GemmVersion } from './types.js';

function pack4(B: Float32Array, K: number, N: number): Float32Array {
  const panels = Math.ceil(N / 4);
  const P = new Float32Array(panels * K * 4);
  for (let p = 0; p < panels; p++) {
    for (let k = 0; k < K; k++) for (let j = 0; j < 4 && p * 4 + j < N; j++) P[(p * K + k) * 4 + j] = B[k * N + p * 4 + j]!;
  }
  return P;
}

export const v3: GemmVersion<Float32Array> = {
  name: 'v3-packed-4x4',
  about: '4-col panels, 4x4 tile in locals, no K-block',
  prepare: pack4,
  run(M, N, K, A, P, C) {
    const panels = Math.ceil(N / 4);
    for (let i = 0; i < M; i += 4) {
      const rows = Math.min(4, M - i);
      // Rows past M re-read row i (their results are dropped): keeps one tile shape.
      const a0 = i * K, a1 = (rows > 1 ? i + 1 : i) * K, a2 = (rows > 2 ? i + 2 : i) * K, a3 = (rows > 3 ? i + 3 : i) * K;
      for (let p = 0; p < panels; p++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let b = p * K * 4;
        for (let k = 0; k < K; k++, b += 4) {
          const x0 = A[a0 + k]!, x1 = A[a1 + k]!, x2 = A[a2 + k]!, x3 = A[a3 + k]!;
          const y0 = P[b]!, y1 = P[b + 1]!, y2 = P[b + 2]!, y3 = P[b + 3]!;
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
          c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
          c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < rows; r++) for (let j = 0; j < 4 && p * 4 + j < N; j++) C[(i + r) * N + p * 4 + j] = acc[r * 4 + j]!;
      }
    }
  },
};
