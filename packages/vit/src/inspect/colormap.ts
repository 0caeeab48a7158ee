// Colour maps for attention pictures: viridis as a 256-entry RGB lookup table built once from 11 stops.
// Optimized for being small and exact enough to read: the stops are matplotlib's viridis sampled at 0, 0.1, ..
// 1.0 (its published hex values); between stops we interpolate linearly in sRGB, which stays within a couple
// of levels of matplotlib's 256-entry table and keeps viridis' perceptual ordering (dark purple = low, yellow = high).

/** matplotlib viridis at t = 0, 0.1, ..., 1.0. */
const VIRIDIS_STOPS: readonly (readonly [number, number, number])[] = [
  [0x44, 0x01, 0x54], [0x48, 0x24, 0x75], [0x41, 0x44, 0x87], [0x35, 0x5f, 0x8d], [0x2a, 0x78, 0x8e], [0x21, 0x91, 0x8c],
  [0x22, 0xa8, 0x84], [0x44, 0xbf, 0x70], [0x7a, 0xd1, 0x51], [0xbd, 0xdf, 0x26], [0xfd, 0xe7, 0x25],
];

function buildLut(stops: readonly (readonly [number, number, number])[]): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  const segs = stops.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segs;
    const s = Math.min(segs - 1, Math.floor(t));
    const f = t - s;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[s]![c]! * (1 - f) + stops[s + 1]![c]! * f);
  }
  return lut;
}

/** viridis: 256 RGB triples, entry i for value i / 255. */
export const VIRIDIS: Uint8Array = buildLut(VIRIDIS_STOPS);

/** Index into a 256-entry LUT for v in [0, 1] (clamped; NaN maps to 0). */
export function lutIndex(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  return Math.round(v * 255);
}

/** Min-max scaling to [0, 1]; a constant map becomes all zeros. */
export function normalize01(values: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(values.length);
  const span = hi - lo;
  if (!(span > 0)) return out;
  for (let i = 0; i < values.length; i++) out[i] = (values[i]! - lo) / span;
  return out;
}
