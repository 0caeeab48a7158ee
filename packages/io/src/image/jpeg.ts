// JPEG decoding: our marker walk (limits, unsupported processes, colour space), then the exact decoder
// (jpeg-exact.ts: bit-exact with Pillow / libjpeg-turbo), with jpeg-js as the tolerant fallback for streams
// libjpeg would repair. Colour-space inference follows libjpeg-turbo; Pillow opens gray as L, colour as RGB.

import jpeg from 'jpeg-js';
import { ImageDecodeError, describeThrown } from './errors.js';
import { readExifOrientation } from './exif.js';
import { fancyUpsampleInPlace, yccToRgbInPlace } from './jpeg-color.js';
import { JpegFormatError, JpegStreamError } from './jpeg-entropy.js';
import { decodeJpegExact } from './jpeg-exact.js';
import { readJpegInfo, sanitizeJpeg, type JpegInfo } from './jpeg-markers.js';
import type { DecodedImage } from './types.js';

export interface JpegDecodeLimits {
  fileName?: string;
  maxPixels: number;
  maxMemoryMB: number;
  /** Internal (tests): skip the exact decoder and use the jpeg-js fallback directly. */
  forceJpegJs?: boolean;
}

export function decodeJpeg(bytes: Uint8Array, limits: JpegDecodeLimits): DecodedImage {
  const file = limits.fileName;
  const info = readJpegInfo(bytes, file);
  const pixels = info.width * info.height;
  if (pixels > limits.maxPixels) {
    throw new ImageDecodeError('limit', file,
      `JPEG is ${info.width}x${info.height} = ${pixels} pixels, over the limit of ${limits.maxPixels} (raise maxPixels to allow it)`);
  }
  let decoded: { data: Uint8Array; channels: 1 | 3 };
  try {
    if (limits.forceJpegJs === true) throw new JpegStreamError('jpeg-js requested');
    decoded = decodeJpegExact(bytes, info, limits.maxMemoryMB * 1024 * 1024, file);
  } catch (e) {
    if (e instanceof RangeError) throw new ImageDecodeError('limit', file, `JPEG: ${e.message}`, { cause: e });
    if (e instanceof JpegFormatError) throw new ImageDecodeError('corrupt', file, `JPEG: ${e.message}`, { cause: e });
    if (!(e instanceof JpegStreamError)) throw e;
    // A stream libjpeg would repair with a warning (bad Huffman code, data ending early, missing restart
    // marker...): jpeg-js' tolerant decoder may still produce a picture, as Pillow does.
    decoded = decodeWithJpegJs(bytes, info, limits);
  }
  const img: DecodedImage = {
    width: info.width, height: info.height, mode: decoded.channels === 1 ? 'L' : 'RGB', channels: decoded.channels,
    data: decoded.data, bitDepth: 8, format: 'jpeg', orientationApplied: false,
    components: info.components.length, jpegColorSpace: info.colorSpace,
  };
  if (info.exif !== undefined) {
    const o = readExifOrientation(info.exif);
    if (o !== undefined) img.orientation = o;
  }
  return img;
}

/**
 * Fallback for irregular streams: jpeg-js (tolerant). Three components: its raw planes (colour transform off)
 * re-upsampled and converted as libjpeg does; jpeg-js forces its transform whenever an Adobe flag is non-zero,
 * so it gets a copy with those flags cleared. Four components: jpeg-js' own CMYK/YCCK->RGB (no raw planes).
 */
function decodeWithJpegJs(bytes: Uint8Array, info: JpegInfo, limits: JpegDecodeLimits): { data: Uint8Array; channels: 1 | 3 } {
  const file = limits.fileName;
  const pixels = info.width * info.height;
  const three = info.components.length === 3;
  let input = bytes;
  if (three && info.adobeTransformOffsets.some((o) => bytes[o] !== 0)) {
    input = Uint8Array.from(bytes);
    for (const o of info.adobeTransformOffsets) input[o] = 0;
  }
  if (!info.clean) input = sanitizeJpeg(input, info.ranges);
  let out: { width: number; height: number; data: Uint8Array };
  try {
    out = jpeg.decode(input, {
      useTArray: true,
      formatAsRGBA: false,
      colorTransform: three ? false : info.colorSpace === 'ycck',
      tolerantDecoding: true,
      maxResolutionInMP: Math.max(1, Math.ceil(limits.maxPixels / 1e6)),
      maxMemoryUsageInMB: limits.maxMemoryMB,
    });
  } catch (e) {
    const msg = describeThrown(e);
    const isLimit = /maxMemoryUsageInMB|maxResolutionInMP|allocate enough memory/.test(msg) || e instanceof RangeError;
    throw new ImageDecodeError(isLimit ? 'limit' : 'corrupt', file, `JPEG ${isLimit ? 'memory limit' : 'data'}: ${msg}`, { cause: e });
  }
  if (out.width !== info.width || out.height !== info.height || out.data.length !== pixels * 3) {
    throw new ImageDecodeError('corrupt', file,
      `JPEG decoder returned ${out.width}x${out.height} (${out.data.length} bytes), the header says ${info.width}x${info.height}`);
  }
  if (info.colorSpace === 'gray') {
    // jpeg-js replicates gray into R, G, B
    const l = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) l[p] = out.data[p * 3]!;
    return { data: l, channels: 1 };
  }
  if (three) {
    fancyUpsampleInPlace(out.data, info.width, info.height, info.components);
    if (info.colorSpace === 'ycbcr') yccToRgbInPlace(out.data);
  }
  return { data: out.data, channels: 3 };
}
