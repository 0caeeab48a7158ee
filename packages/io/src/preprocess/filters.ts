// PIL's resampling filter ids and kernels (the continuous functions Resample.c samples), as data.
// Readability first: these are evaluated once per tap when the coefficient tables are built, never per pixel.
// Matches Pillow 9.4 src/libImaging/Resample.c (box/bilinear/hamming/bicubic/lanczos_filter, struct filter).

/** PIL `Image.Resampling` ids, as stored in `preprocessor_config.json` `resample`. */
export const Resample = {
  NEAREST: 0,
  LANCZOS: 1,
  BILINEAR: 2,
  BICUBIC: 3,
  BOX: 4,
  HAMMING: 5,
} as const;

export type PilResample = (typeof Resample)[keyof typeof Resample];

export const RESAMPLE_NAMES: Readonly<Record<PilResample, string>> = {
  0: 'NEAREST',
  1: 'LANCZOS',
  2: 'BILINEAR',
  3: 'BICUBIC',
  4: 'BOX',
  5: 'HAMMING',
};

export function isPilResample(v: unknown): v is PilResample {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 5;
}

/** A convolution filter: kernel `fn(x)` and its half-width `support` at scale 1. */
export interface PilFilter {
  readonly name: string;
  readonly support: number;
  readonly fn: (x: number) => number;
}

function boxFilter(x: number): number {
  // Half-open on the left, closed on the right: exactly one of two touching boxes claims x = 0.5.
  return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
}

function bilinearFilter(x: number): number {
  const ax = Math.abs(x);
  return ax < 1.0 ? 1.0 - ax : 0.0;
}

// Pillow writes the Hamming constants as float literals (0.54f, 0.46f): they are float32 values promoted to
// double, not the decimal 0.54 / 0.46. Using the doubles would move some 22-bit coefficients by one unit.
const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);

function hammingFilter(x: number): number {
  let ax = Math.abs(x);
  if (ax === 0.0) return 1.0;
  if (ax >= 1.0) return 0.0;
  ax = ax * Math.PI;
  return (Math.sin(ax) / ax) * (HAMMING_A + HAMMING_B * Math.cos(ax));
}

function bicubicFilter(x: number): number {
  // Keys cubic convolution with a = -0.5 (Pillow's choice; OpenCV uses -0.75).
  const a = -0.5;
  const ax = Math.abs(x);
  if (ax < 1.0) return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
  if (ax < 2.0) return (((ax - 5) * ax + 8) * ax - 4) * a;
  return 0.0;
}

function sinc(x: number): number {
  if (x === 0.0) return 1.0;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczosFilter(x: number): number {
  // Truncated sinc windowed by sinc(x / 3); note the asymmetric bounds [-3, 3) as in Pillow.
  return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
}

/** The separable filters of Resample.c, by PIL id. NEAREST is not one of them (it takes the affine path). */
export const PIL_FILTERS: Readonly<Record<Exclude<PilResample, 0>, PilFilter>> = {
  1: { name: 'LANCZOS', support: 3.0, fn: lanczosFilter },
  2: { name: 'BILINEAR', support: 1.0, fn: bilinearFilter },
  3: { name: 'BICUBIC', support: 2.0, fn: bicubicFilter },
  4: { name: 'BOX', support: 0.5, fn: boxFilter },
  5: { name: 'HAMMING', support: 1.0, fn: hammingFilter },
};
