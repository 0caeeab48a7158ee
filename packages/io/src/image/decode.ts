// decodeImage: format detection by magic bytes, limits, EXIF orientation; loadImageFile for Node paths.
// Optimizes for one entry point that only ever throws ImageDecodeError.
// Matches HF transformers image_utils.load_image (PIL Image.open + ImageOps.exif_transpose); the caller then
// converts with toRGB (PIL convert('RGB')).

import { readFile } from 'node:fs/promises';
import { ImageDecodeError, describeThrown } from './errors.js';
import { applyOrientation } from './exif.js';
import { decodeJpeg } from './jpeg.js';
import { hasJpegSignature } from './jpeg-markers.js';
import { hasPngSignature } from './png-chunks.js';
import { decodePng } from './png.js';
import { DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_PIXELS, type DecodeOptions, type DecodedImage, type ImageFormat } from './types.js';

/** 'png' / 'jpeg' from the magic bytes, or undefined. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (hasPngSignature(bytes)) return 'png';
  if (hasJpegSignature(bytes)) return 'jpeg';
  return undefined;
}

/**
 * Decodes PNG or JPEG bytes. The pixel budget (default PIL's MAX_IMAGE_PIXELS) is checked from the header
 * before any pixel buffer exists. EXIF orientation is applied unless `applyExifOrientation: false`.
 * Every failure is an ImageDecodeError.
 */
export function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedImage {
  const fileName = opts.fileName;
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxMemoryMB = opts.maxMemoryMB ?? DEFAULT_MAX_MEMORY_MB;
  if (!(maxPixels > 0)) throw new ImageDecodeError('invalid-argument', fileName, `maxPixels must be > 0, got ${maxPixels}`);
  if (!(maxMemoryMB > 0)) throw new ImageDecodeError('invalid-argument', fileName, `maxMemoryMB must be > 0, got ${maxMemoryMB}`);
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ImageDecodeError('unknown-format', fileName,
      `not a PNG (89 50 4e 47 0d 0a 1a 0a) or JPEG (ff d8 ff) file; first bytes: ${head || '(empty)'}`);
  }
  let img: DecodedImage;
  try {
    img = format === 'png'
      ? decodePng(bytes, { ...(fileName !== undefined ? { fileName } : {}), maxPixels })
      : decodeJpeg(bytes, { ...(fileName !== undefined ? { fileName } : {}), maxPixels, maxMemoryMB });
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    // Anything else escaping the third-party decoders (TypeError on malformed input, out of memory...).
    const limit = e instanceof RangeError;
    throw new ImageDecodeError(limit ? 'limit' : 'corrupt', fileName, `${format.toUpperCase()}: ${describeThrown(e)}`, { cause: e });
  }
  return opts.applyExifOrientation === false ? img : applyOrientation(img);
}

/** Node: read a file and decode it (EXIF orientation applied by default), naming the path in errors. */
export async function loadImageFile(path: string, opts: Omit<DecodeOptions, 'fileName'> = {}): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ImageDecodeError('io', path, `cannot read file: ${describeThrown(e)}`, { cause: e });
  }
  return decodeImage(bytes, { ...opts, fileName: path });
}
