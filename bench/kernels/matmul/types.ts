// The interface every rung of the GEMM ladder implements: C[M, N] = A[M, K] @ B[K, N], all dense row-major.
// `prepare` sees B once (like weights at load: packing is not timed); `run` is timed.
export interface GemmVersion<P = unknown> {
  name: string;
  about: string;
  prepare(B: Float32Array, K: number, N: number): P;
  run(M: number, N: number, K: number, A: Float32Array, prepared: P, C: Float32Array): void;
}
