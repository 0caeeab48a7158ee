// Tolerances per dtype and comparison kind, in one place (STYLE.md #9). A loosened threshold must carry a
// comment with the failure that justified it.

/** Elementwise |got - want| <= abs + rel * |want|. */
export interface Tolerance {
  abs: number;
  rel: number;
}

export const TOL = {
  /** Two float32 kernels that differ only in summation order (fast vs reference), for K up to ~3072. */
  f32Kernel: { abs: 1e-5, rel: 1e-5 },
  /** A float32 model forward pass against a float64 PyTorch reference (fixture READMEs: 1e-4 abs + 1e-4 rel). */
  f32Model: { abs: 1e-4, rel: 1e-4 },
  /**
   * interpolate2d against torch.nn.functional.interpolate (float32, CPU, torch 1.13) on randn inputs (|x| < 5).
   * torch evaluates the cubic weights in float32, where ((A*x - 5A)*x + 8A)*x - 4A cancels terms of size ~6
   * down to ~0.02: a one-hot probe (37 -> 32 px, legacy DINOv2 scale factor) shows torch's weights off the
   * exact polynomial by up to 2e-6, times |x| up to ~5 -> ~1e-5. Measured max: 6.9e-6. A wrong rule
   * (A = -0.5 instead of -0.75, in/out instead of 1/scale_factor) moves outputs by > 1e-2.
   */
  f32Resample: { abs: 1e-5, rel: 0 },
  /**
   * Float32 vector math (the wasm backend's inline exp / GELU / sigmoid forms) against the float64 scalar: a few
   * ulp relative where the value is O(x); abs 1e-8 for the negative tails, where the value is x*Phi(x) (small)
   * and the float32 rounding of the exp argument (|arg| * 2^-24 relative) dominates. Failures that set it:
   * gelu(-3.25) off by 1.8e-9 (9e-7 relative), geluTanh(-2.92) off by 3.2e-9.
   */
  f32VectorMath: { abs: 1e-8, rel: 4e-7 },
  /** Hand-computed values written with >= 7 significant digits, magnitude < 10 (the arithmetic is in a comment). */
  f32Hand: { abs: 1e-6, rel: 0 },
  /** A float32 result against the exact (float64) value: correct rounding is within half an ulp, 2^-24 relative. */
  f32HalfUlp: { abs: 0, rel: 6e-8 },
  /** Our float32 result against PyTorch's own float32 evaluation (tanh/exp forms): one rounding step on each side. */
  f32VsTorchF32: { abs: 1e-7, rel: 2.4e-7 },
  /** Exact: integer ops, views, copies, conversions. */
  exact: { abs: 0, rel: 0 },
} as const satisfies Record<string, Tolerance>;
