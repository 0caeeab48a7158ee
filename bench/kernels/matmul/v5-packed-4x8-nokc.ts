// v5: v4 without K-blocking (each tile runs the full K): checks whether the K-block pays for its extra C traffic.
import type { GemmVersion } from './types.js';
import { gemm4x8, packPanels4x8 } from './v4-packed-4x8-kc.js';

export const v5: GemmVersion<ReturnType<typeof packPanels4x8>> = {
  name: 'v5-packed-4x8-noKC',
  about: 'v4 with the K-block set to K',
  prepare: (B, K, N) => packPanels4x8(B, 0, N, 1, K, N),
  run(M, _N, K, A, pb, C) {
    gemm4x8(M, A, 0, K, pb, C, 0, pb.N, undefined, Math.max(1, K));
  },
};
