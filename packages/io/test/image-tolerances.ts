// Decoder-vs-Pillow tolerances for JPEG pixels, in 8-bit levels: the one place the image tests take them from.
// Measured by tools/image-measure/measure.ts over all 95 decodable corpus JPEGs (see its output in the note).

/**
 * Gray and 3-component JPEGs: upsampling and YCbCr->RGB follow libjpeg-turbo exactly (jpeg-color.ts), so what
 * is left is jpeg-js' IDCT against libjpeg's islow IDCT: observed max 3, mean <= 0.15 per file (0.52 on a 3x3
 * image). A nearest-neighbour upsampler fails this by far (max 89 on the 4:2:0 fixtures).
 */
export const TOL_JPEG = { max: 4, mean: 0.6 } as const;

/**
 * 4-component (CMYK / YCCK, 4:4:4) JPEGs still use jpeg-js' float CMYK->RGB (it exposes no raw CMYK planes);
 * README guidance for decoder-to-decoder 4:4:4 comparisons: max <= 4, mean ~0.5.
 */
export const TOL_JPEG_CMYK_444 = { max: 4, mean: 0.6 } as const;

/**
 * Subsampled CMYK: jpeg-js upsamples nearest-neighbour (libjpeg: fancy), differences of 100+ levels at chroma
 * edges. The bound is the difference the corpus manifest recorded for jpeg-js itself (`jpegjs_vs_pillow_rgb`).
 */
export function tolFromManifest(rec: { max_abs: number; mean_abs: number }): { max: number; mean: number } {
  return { max: rec.max_abs, mean: rec.mean_abs + 1e-3 };
}
