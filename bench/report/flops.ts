// FLOP count of a ViT forward pass and the 128-bit SIMD ceiling it is measured against, so a latency can be read
// as "fraction of what any 128-bit WebAssembly engine could reach here". Counts multiply-adds as 2 FLOP and only
// the matrix products (linears, patch embedding, QK^T and PV); norms, softmax and GELU add <1% and count as 0.

/** The dimensions that set a ViT's FLOPs (a subset of models/random-vit.ts VitSize). */
export interface VitDims {
  hidden: number;
  heads: number;
  layers: number;
  mlp: number;
  image: number;
  patch: number;
  labels: number;
}

/**
 * FLOP of one image: per layer qkv 2*T*D*3D + output projection 2*T*D*D + MLP 2*T*D*M*2, attention
 * QK^T and PV 2*2*T*T*D; plus the patch embedding 2*P*(3*p*p)*D and the classifier on CLS 2*D*labels.
 * ViT-B/16 at 224 (T 197, D 768, M 3072): 12 * (2,788,687,872 + 119,221,248) + 231,211,008 + 1,536,000
 * = 35,127,656,448, i.e. 35.1 GFLOP.
 */
export function vitForwardFlop(s: VitDims): number {
  const P = (s.image / s.patch) ** 2;
  const T = P + 1;
  const D = s.hidden;
  const linears = 2 * T * D * (3 * D + D + 2 * s.mlp);
  const attention = 2 * 2 * T * T * D;
  return s.layers * (linears + attention) + 2 * P * (3 * s.patch * s.patch) * D + 2 * D * s.labels;
}

/**
 * GFLOP/s one core can reach with 128-bit SIMD: 2 FMA per cycle x 4 f32 lanes x 2 FLOP per FMA x clock (GHz).
 * 2.6 GHz: 41.6 GFLOP/s per core. The clock is the nominal one (/proc/cpuinfo), so a core turbo-boosting above it
 * makes the fraction look better than it is.
 */
export function simd128CeilingGflops(mhz: number, threads = 1): number {
  return 2 * 4 * 2 * (mhz / 1000) * threads;
}

/** Fraction of the 128-bit ceiling a forward pass of `flopPerImage` x batch reaches in `ms` on `threads` cores. */
export function ceilingFraction(flopPerImage: number, batch: number, ms: number, mhz: number, threads: number): number {
  return (flopPerImage * batch) / (ms * 1e6) / simd128CeilingGflops(mhz, threads);
}
