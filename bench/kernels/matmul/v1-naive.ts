// v1: the textbook i-j-k triple loop (dot product per output; B read down a column, stride N). The baseline.
import type { GemmVersion } from './types.js';

export const v1: GemmVersion<Float32Array> = {
  name: 'v1-naive-ijk',
  about: 'dot product per output, B column-strided',
  prepare: (B) => B,
  run(M, N, K, A, B, C) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k]! * B[k * N + j]!;
        C[i * N + j] = s;
      }
    }
  },
};
