// v6: v4 plus A packed too: each 4-row tile of A re-laid k-major ([k][4]) per K-block, so the micro-kernel reads
// A and B as two sequential streams (one index each) instead of four strided rows of A.
import type { GemmVersion } from './types.js';
import { packPanels4x8 } from './v4-packed-4x8-kc.js';
import type { PackedPanels } from './v4-packed-4x8-kc.js';

const KC = 256;

export const v6: GemmVersion<PackedPanels> = {
  name: 'v6-packA-4x8-kc256',
  about: 'v4 + A packed into k-major 4-row tiles per K-block',
  prepare: (B, K, N) => packPanels4x8(B, 0, N, 1, K, N),
  run(M, N, K, A, pb, C) {
    const B = pb.data;
    const panels = Math.ceil(N / 8);
    const tiles = Math.ceil(M / 4);
    const Ap = new Float32Array(tiles * KC * 4);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kb = Math.min(KC, K - k0);
      // Pack A[:, k0:k0+kb] into tiles of 4 rows, k-major; missing rows of the last tile are zero.
      Ap.fill(0);
      for (let t = 0; t < tiles; t++) {
        for (let r = 0; r < 4 && t * 4 + r < M; r++) {
          const src = (t * 4 + r) * K + k0;
          const dst = t * kb * 4 + r;
          for (let k = 0; k < kb; k++) Ap[dst + k * 4] = A[src + k]!;
        }
      }
      const first = k0 === 0;
      for (let p = 0; p < panels; p++) {
        const w = Math.min(8, N - p * 8);
        const b0 = p * K * 8 + k0 * 8;
        for (let t = 0; t < tiles; t++) {
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
          let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
          let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
          let a = t * kb * 4;
          let b = b0;
          for (let k = 0; k < kb; k++, a += 4, b += 8) {
            const x0 = Ap[a]!, x1 = Ap[a + 1]!, x2 = Ap[a + 2]!, x3 = Ap[a + 3]!;
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
          const acc = [c00, c01, c02, c03, c04, c05, c06, c07, c10, c11, c12, c13, c14, c15, c16, c17,
            c20, c21, c22, c23, c24, c25, c26, c27, c30, c31, c32, c33, c34, c35, c36, c37];
          for (let r = 0; r < 4 && t * 4 + r < M; r++) {
            const c = (t * 4 + r) * N + p * 8;
            for (let j = 0; j < w; j++) C[c + j] = first ? acc[r * 8 + j]! : C[c + j]! + acc[r * 8 + j]!;
          }
        }
      }
    }
  },
};
