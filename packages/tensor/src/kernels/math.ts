// Scalar math shared by every kernel family: erf and the activation functions, evaluated in float64.
// Optimized for accuracy first (erf within ~2e-15 relative of the true value, so float32 results round the same
// way as torch's), speed second (Clenshaw sums of short Chebyshev series, no loops over data-dependent counts).
// Coefficients come from tools/erf-chebyshev.py (interpolation at Chebyshev nodes against Python's math.erf).

import type { ActivationOp } from '../ops/activation.js';

/** Chebyshev series of erf(x)/x in u = 2x^2 - 1 on |x| <= 1. */
const ERF_SMALL = [
  0.9754769393826543, -0.14226120510371362, 0.010035582187599602, -0.0005768764699766616, 2.7419931252081755e-5,
  -1.10431755050433e-6, 3.8488755360610585e-8, -1.1808583222361336e-9, 3.233410206249232e-11,
  -7.988942840597702e-13, 1.829647544582258e-14,
];
/** Chebyshev series of erfc(x)*exp(x^2) on [1, 2.5], [2.5, 4] and [4, 6] (t = (2x - a - b) / (b - a)). */
const ERFC_1_25 = [
  0.3017138902444292, -0.10574990110152689, 0.017104848474406777, -0.0025876822611350307, 0.00036961452680358924,
  -5.0198560605211696e-5, 6.517935170519129e-6, -8.126449775362291e-7, 9.763690290339373e-8,
  -1.1338136522246836e-8, 1.275786887244834e-9, -1.3939981206393762e-10, 1.4818688868582323e-11,
  -1.5348666781989096e-12, 1.5510000691184208e-13, -1.5067576815871083e-14, 1.5191551720287559e-15,
];
const ERFC_25_4 = [
  0.1700822001785651, -0.036520514785627255, 0.0037834587009617634, -0.00037941344908123584, 3.692690022588097e-5,
  -3.4957223836072174e-6, 3.224885907584148e-7, -2.9039201675703137e-8, 2.5560460618449336e-9,
  -2.2019847334409092e-10, 1.858698195356112e-11, -1.5387839151041286e-12, 1.250703244674393e-13,
  -9.881910105017747e-15, 7.447746123527091e-16,
];
const ERFC_4_6 = [
  0.11277819743166241, -0.02191349715527232, 0.0020915397845687107, -0.0001962862481912251, 1.8126654238694492e-5,
  -1.6483628247049298e-6, 1.47696993226439e-7, -1.3047490268758288e-8, 1.136975378660902e-9,
  -9.778175769081799e-11, 8.30320071957639e-12, -6.964234744444297e-13, 5.774917581173137e-14,
  -4.636106313663883e-15, 3.765506425186989e-16,
];

/** Sum of c[j] * T_j(t) by Clenshaw's recurrence. */
function clenshaw(c: readonly number[], t: number): number {
  let b1 = 0;
  let b2 = 0;
  const t2 = 2 * t;
  for (let j = c.length - 1; j >= 1; j--) {
    const b0 = t2 * b1 - b2 + c[j]!;
    b2 = b1;
    b1 = b0;
  }
  return t * b1 - b2 + c[0]!;
}

/**
 * The error function, accurate to about 2e-15 relative on all of R (float64). erf(-x) = -erf(x),
 * erf(+-0) = +-0, erf(+-inf) = +-1, erf(NaN) = NaN. Rejected alternative: Abramowitz-Stegun 7.1.26, whose
 * 1.5e-7 absolute error is visible after float32 rounding near 0.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 1) return x * clenshaw(ERF_SMALL, 2 * x * x - 1);
  if (!(ax < 6)) return x !== x ? x : x > 0 ? 1 : -1; // erfc(6) = 2e-17: erf is 1 in float64
  let g: number;
  if (ax <= 2.5) g = clenshaw(ERFC_1_25, (2 * ax - 3.5) / 1.5);
  else if (ax <= 4) g = clenshaw(ERFC_25_4, (2 * ax - 6.5) / 1.5);
  else g = clenshaw(ERFC_4_6, (2 * ax - 10) / 2);
  const r = 1 - Math.exp(-ax * ax) * g;
  return x > 0 ? r : -r;
}

const SQRT1_2 = Math.SQRT1_2;
/** sqrt(2 / pi), the constant of the tanh GELU approximation. */
const SQRT_2_OVER_PI = 0.7978845608028654;

/** GELU, exact erf form: 0.5 * x * (1 + erf(x / sqrt 2)) (torch.nn.functional.gelu, approximate='none'). */
export function geluScalar(x: number): number {
  return 0.5 * x * (1 + erf(x * SQRT1_2));
}

/**
 * GELU, tanh approximation: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) (torch gelu
 * approximate='tanh'; HF gelu_new / gelu_pytorch_tanh / gelu_fast).
 */
export function geluTanhScalar(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** x * sigmoid(1.702 x) (HF QuickGELUActivation, used by OpenAI CLIP). */
export function quickGeluScalar(x: number): number {
  return x / (1 + Math.exp(-1.702 * x));
}

/** x * sigmoid(x) (torch.nn.functional.silu). */
export function siluScalar(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** max(x, 0) with NaN and -0 passed through, as torch.relu (clamp_min) does. */
export function reluScalar(x: number): number {
  return x < 0 ? 0 : x;
}

/** The scalar function of each activation op (used by ref kernels and GEMM epilogues). */
export const ACTIVATION_SCALARS: Readonly<Record<ActivationOp, (x: number) => number>> = {
  gelu: geluScalar,
  geluTanh: geluTanhScalar,
  quickGelu: quickGeluScalar,
  silu: siluScalar,
  relu: reluScalar,
};
