// EXIF orientation: read tag 0x0112 from a TIFF-structured EXIF block and apply it to pixels.
// Optimizes for robustness: any malformed EXIF yields "no orientation" instead of an error (PIL ignores it too).
// Matches PIL 9.4 ImageOps.exif_transpose (method table 2..8) as used by HF transformers image_utils.load_image.

import type { DecodedImage } from './types.js';

const ORIENTATION_TAG = 0x0112;

/**
 * Orientation from a TIFF block ("II*\0" / "MM\0*" header, IFD0). Returns undefined when absent, malformed,
 * or outside 1..8. The caller strips the JPEG "Exif\0\0" prefix first.
 */
export function readExifOrientation(tiff: Uint8Array): number | undefined {
  if (tiff.length < 8) return undefined;
  let little: boolean;
  if (tiff[0] === 0x49 && tiff[1] === 0x49) little = true;
  else if (tiff[0] === 0x4d && tiff[1] === 0x4d) little = false;
  else return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, little) !== 42) return undefined;
  const ifd = view.getUint32(4, little);
  if (ifd < 8 || ifd + 2 > tiff.length) return undefined;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (view.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    const type = view.getUint16(entry + 2, little);
    // SHORT is what the spec says; PIL also reads a LONG here, so accept both.
    let value: number;
    if (type === 3) value = view.getUint16(entry + 8, little);
    else if (type === 4) value = view.getUint32(entry + 8, little);
    else return undefined;
    return value >= 1 && value <= 8 ? value : undefined;
  }
  return undefined;
}

/**
 * Source pixel index of output pixel (x, y) as an affine map `base + x * dx + y * dy`, for input size (w, h).
 * PIL names: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270 (90 degrees
 * clockwise), 7 TRANSVERSE, 8 ROTATE_90 (90 degrees counter-clockwise).
 */
function sourceMap(orientation: number, w: number, h: number): { base: number; dx: number; dy: number } {
  switch (orientation) {
    case 2: return { base: w - 1, dx: -1, dy: w }; // in[y][w-1-x]
    case 3: return { base: (h - 1) * w + w - 1, dx: -1, dy: -w }; // in[h-1-y][w-1-x]
    case 4: return { base: (h - 1) * w, dx: 1, dy: -w }; // in[h-1-y][x]
    case 5: return { base: 0, dx: w, dy: 1 }; // in[x][y]
    case 6: return { base: (h - 1) * w, dx: -w, dy: 1 }; // in[h-1-x][y]: out[0][0] = in[h-1][0]
    case 7: return { base: (h - 1) * w + w - 1, dx: -w, dy: -1 }; // in[h-1-x][w-1-y]
    case 8: return { base: w - 1, dx: w, dy: -1 }; // in[x][w-1-y]: out[0][0] = in[0][w-1]
    default: return { base: 0, dx: 1, dy: w };
  }
}

/** Rearranged copy of interleaved pixels; orientations 5..8 swap width and height. */
export function transposePixels<T extends Uint8Array | Uint16Array>(
  data: T, width: number, height: number, channels: number, orientation: number,
): { data: T; width: number; height: number } {
  if (orientation < 2 || orientation > 8) return { data, width, height };
  const swap = orientation >= 5;
  const ow = swap ? height : width;
  const oh = swap ? width : height;
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const { base, dx, dy } = sourceMap(orientation, width, height);
  let o = 0;
  for (let y = 0; y < oh; y++) {
    let s = base + y * dy;
    if (channels === 1) {
      for (let x = 0; x < ow; x++, s += dx) out[o++] = data[s]!;
    } else {
      for (let x = 0; x < ow; x++, s += dx) {
        const si = s * channels;
        for (let c = 0; c < channels; c++) out[o++] = data[si + c]!;
      }
    }
  }
  return { data: out, width: ow, height: oh };
}

/** PIL ImageOps.exif_transpose on a decoded image (no-op when orientation is absent or 1). */
export function applyOrientation(img: DecodedImage): DecodedImage {
  const o = img.orientation;
  if (img.orientationApplied || o === undefined || o < 2) return img;
  const t = transposePixels(img.data, img.width, img.height, img.channels, o);
  return { ...img, data: t.data, width: t.width, height: t.height, orientationApplied: true };
}
