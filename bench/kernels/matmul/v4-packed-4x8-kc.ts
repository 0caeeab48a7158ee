// v4: the promoted kernel (packages/tensor/src/kernels/js/gemm.ts): 8-column panels, a 4x8 tile (32
// accumulators), K-blocked by 256 so one panel block (8 KB) stays in L1 while every row tile streams past it.
import type { GemmVersion } from './types.js';
import { gemmPacked, packPanels } from '../../../packages/tensor/src/kernels/js/gemm.js';
import type { PackedPanels } from '../../../packages/tensor/src/kernels/js/gemm.js';

export const v4: GemmVersion<PackedPanels> = {
  name: 'v4-packed-4x8-kc256',
  about: '8-col panels, 4x8 tile, K-block 256 (src/kernels/js/gemm.ts)',
  prepare: (B, K, N) => packPanels(B, 0, N, 1, K, N),
  run(M, _N, K, A, pb, C) {
    gemmPacked(M, A, 0, K, pb, C, 0, pb.N);
  },
};
