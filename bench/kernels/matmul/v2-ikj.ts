// v2: i-k-j loop order: for each A element, an axpy over a contiguous row of B into a contiguous row of C
// (the "naive i-k-j" of issue 2). Sequential access, but C is re-read and re-written K times per row.
import type { GemmVersion } from './types.js';

export const v2: GemmVersion<Float32Array> = {
  name: 'v2-ikj',
  about: 'axpy rows: C[i,:] += A[i,k] * B[k,:]',
  prepare: (B) => B,
  run(M, N, K, A, B, C) {
    C.fill(0, 0, M * N);
    for (let i = 0; i < M; i++) {
      const c = i * N;
      for (let k = 0; k < K; k++) {
        const a = A[i * K + k]!;
        const b = k * N;
        for (let j = 0; j < N; j++) C[c + j] += a * B[b + j]!;
      }
    }
  },
};
