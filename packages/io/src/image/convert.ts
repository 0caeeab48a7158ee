// PIL Image.convert('RGB') and convert('L') for every mode the decoders produce.
// Optimizes for exactness over speed (simple per-pixel loops).
// Matches Pillow 9.4 libImaging/Convert.c: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16 (L24 macro),
// alpha dropped without compositing (rgba2rgb), I clipped to 0..255 (i2rgb / i2l), palette lookup (p2rgb / p2l),
// and 16-bit RGB/RGBA/LA reduced to the high byte at unpack time (Unpack.c RGB;16B / LA;16B).

import { ImageDecodeError } from './errors.js';
import type { DecodedImage, Image8 } from './types.js';

/** PIL's integer luma (Convert.c L24 >> 16): ITU-R 601-2 weights in 16-bit fixed point, rounded. */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/** Sample as PIL's 8-bit view: 16-bit RGB/LA/RGBA keep the high byte. ('I' is handled by clipping instead.) */
function eightBit(img: DecodedImage): Uint8Array {
  if (img.bitDepth === 8) return img.data as Uint8Array;
  const src = img.data;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! >> 8;
  return out;
}

function clip255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v;
}

/** PIL convert('RGB'): returns a new 8-bit HWC RGB image. */
export function toRGB(img: DecodedImage): Image8 {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  switch (img.mode) {
    case 'RGB': {
      const d = eightBit(img);
      out.set(d.subarray(0, n * 3));
      break;
    }
    case 'RGBA': {
      const d = eightBit(img);
      for (let p = 0; p < n; p++) {
        out[p * 3] = d[p * 4]!; out[p * 3 + 1] = d[p * 4 + 1]!; out[p * 3 + 2] = d[p * 4 + 2]!;
      }
      break;
    }
    case 'L': case 'LA': {
      const d = eightBit(img);
      const step = img.channels;
      for (let p = 0; p < n; p++) {
        const v = d[p * step]!;
        out[p * 3] = v; out[p * 3 + 1] = v; out[p * 3 + 2] = v;
      }
      break;
    }
    case 'I': {
      const d = img.data;
      for (let p = 0; p < n; p++) {
        const v = clip255(d[p]!);
        out[p * 3] = v; out[p * 3 + 1] = v; out[p * 3 + 2] = v;
      }
      break;
    }
    case 'P': {
      const pal = paletteRGB(img);
      const d = img.data;
      for (let p = 0; p < n; p++) {
        const i = d[p]! * 3;
        out[p * 3] = pal[i]!; out[p * 3 + 1] = pal[i + 1]!; out[p * 3 + 2] = pal[i + 2]!;
      }
      break;
    }
    default:
      throw new ImageDecodeError('unsupported', undefined, `toRGB: unknown mode ${String((img as { mode: unknown }).mode)}`);
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** PIL convert('L'): returns a new 8-bit single-channel image. */
export function toL(img: DecodedImage): Image8 {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  switch (img.mode) {
    case 'L': case 'LA': {
      const d = eightBit(img);
      const step = img.channels;
      for (let p = 0; p < n; p++) out[p] = d[p * step]!;
      break;
    }
    case 'RGB': case 'RGBA': {
      const d = eightBit(img);
      const step = img.channels;
      for (let p = 0; p < n; p++) out[p] = luma(d[p * step]!, d[p * step + 1]!, d[p * step + 2]!);
      break;
    }
    case 'I': {
      const d = img.data;
      for (let p = 0; p < n; p++) out[p] = clip255(d[p]!);
      break;
    }
    case 'P': {
      const pal = paletteRGB(img);
      const lut = new Uint8Array(256);
      for (let i = 0; i < 256; i++) lut[i] = luma(pal[i * 3]!, pal[i * 3 + 1]!, pal[i * 3 + 2]!);
      const d = img.data;
      for (let p = 0; p < n; p++) out[p] = lut[d[p]!]!;
      break;
    }
    default:
      throw new ImageDecodeError('unsupported', undefined, `toL: unknown mode ${String((img as { mode: unknown }).mode)}`);
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}

/**
 * 256-entry RGB palette: the PLTE entries, and for indices past its end the gray ramp (i, i, i) that Pillow's
 * ImagingPaletteNew initialises every palette with (checked: PIL maps index 255 of a 17-entry palette to white).
 */
function paletteRGB(img: DecodedImage): Uint8Array {
  const pal = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) { pal[i * 3] = i; pal[i * 3 + 1] = i; pal[i * 3 + 2] = i; }
  if (img.palette !== undefined) pal.set(img.palette.subarray(0, 768));
  return pal;
}
