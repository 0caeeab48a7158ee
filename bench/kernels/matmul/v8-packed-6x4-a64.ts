// v8: the promoted kernel (packages/tensor/src/kernels/js/gemm.ts): 4-column panels of B, A repacked per K-block
// into k-major 6-row float64 tiles, a 6x4 tile (24 accumulators), K-block 256, epilogue per finished tile.
// The hand-written form of v7-gen-6x4-A64, the best generated shape.
import type { GemmVersion } from './types.js';
import { gemmPacked, packPanels } from '../../../packages/tensor/src/kernels/js/gemm.js';
import type { PackedPanels } from '../../../packages/tensor/src/kernels/js/gemm.js';

export const v8: GemmVersion<PackedPanels> = {
  name: 'v8-packed-6x4-A64',
  about: '4-col panels, 6x4 tile, float64 A tiles, K-block 256 (src/kernels/js/gemm.ts)',
  prepare: (B, K, N) => packPanels(B, 0, N, 1, K, N),
  run(M, _N, K, A, pb, C) {
    gemmPacked(M, A, 0, K, 1, pb, C, 0, pb.N);
  },
};
