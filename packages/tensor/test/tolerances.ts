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
  /** Exact: integer ops, views, copies, conversions. */
  exact: { abs: 0, rel: 0 },
} as const satisfies Record<string, Tolerance>;
