// Decoder-vs-Pillow tolerances for JPEG pixels, in 8-bit levels: the one place the image tests take them from.
// Measured by tools/image-measure/measure.ts over every corpus JPEG Pillow decodes (tools/image-measure/README.md).

/**
 * The exact decoder (jpeg-entropy + jidctint port + libjpeg upsampling/colour + Pillow cmyk2rgb) reproduces
 * Pillow 9.4 / libjpeg-turbo 2.1.5 bit for bit on every corpus file: no tolerance.
 */
export const TOL_JPEG_EXACT = { max: 0, mean: 0 } as const;

/**
 * The jpeg-js fallback (streams libjpeg repairs): its IDCT differs from libjpeg's islow (observed max 3, mean
 * <= 0.15 per file, 0.52 on a 3x3 image, after our libjpeg-style upsampling and colour conversion); README
 * guidance for decoder-to-decoder 4:4:4 comparisons: max <= 4, mean ~0.5.
 */
export const TOL_JPEG_FALLBACK = { max: 4, mean: 0.6 } as const;

/**
 * jpeg-js fallback on subsampled CMYK: jpeg-js upsamples those nearest-neighbour, 100+ levels off at chroma
 * edges. The bound is the difference the corpus manifest recorded for jpeg-js itself (`jpegjs_vs_pillow_rgb`).
 */
export function tolFromManifest(rec: { max_abs: number; mean_abs: number }): { max: number; mean: number } {
  return { max: rec.max_abs, mean: rec.mean_abs + 1e-3 };
}
