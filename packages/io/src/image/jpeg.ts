// JPEG decoding: our marker walk (limits, unsupported processes, colour space) then jpeg-js for the pixels.
// Optimizes for decoding what libjpeg-turbo / Pillow decode, refusing the rest with typed errors.
// Colour handling matches libjpeg-turbo's colour-space inference; Pillow opens gray as L, colour as RGB.
// jpeg-js decodes the DCT planes; upsampling and YCbCr->RGB follow libjpeg-turbo (jpeg-color.ts).

import jpeg from 'jpeg-js';
import { ImageDecodeError, describeThrown } from './errors.js';
import { readExifOrientation } from './exif.js';
import { fancyUpsampleInPlace, yccToRgbInPlace } from './jpeg-color.js';
import { readJpegInfo, sanitizeJpeg } from './jpeg-markers.js';
import type { DecodedImage } from './types.js';

export interface JpegDecodeLimits {
  fileName?: string;
  maxPixels: number;
  maxMemoryMB: number;
}

export function decodeJpeg(bytes: Uint8Array, limits: JpegDecodeLimits): DecodedImage {
  const file = limits.fileName;
  const info = readJpegInfo(bytes, file);
  const pixels = info.width * info.height;
  if (pixels > limits.maxPixels) {
    throw new ImageDecodeError('limit', file,
      `JPEG is ${info.width}x${info.height} = ${pixels} pixels, over the limit of ${limits.maxPixels} (raise maxPixels to allow it)`);
  }
  // Three components: ask jpeg-js for the raw planes (no colour transform) and do libjpeg's fancy upsampling
  // and integer YCbCr->RGB ourselves. jpeg-js forces its transform whenever an Adobe segment's flag is
  // non-zero, so hand it a copy with those flags cleared. Four components: jpeg-js' own CMYK/YCCK path
  // (`true` = YCCK); it exposes no raw planes there.
  const three = info.components.length === 3;
  let input = bytes;
  if (three && info.adobeTransformOffsets.some((o) => bytes[o] !== 0)) {
    input = Uint8Array.from(bytes);
    for (const o of info.adobeTransformOffsets) input[o] = 0;
  }
  if (!info.clean) input = sanitizeJpeg(input, info.ranges);
  const colorTransform = three ? false : info.colorSpace === 'ycck';
  let out: { width: number; height: number; data: Uint8Array };
  try {
    out = jpeg.decode(input, {
      useTArray: true,
      formatAsRGBA: false,
      colorTransform,
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
  if (three) {
    fancyUpsampleInPlace(out.data, info.width, info.height, info.components);
    if (info.colorSpace === 'ycbcr') yccToRgbInPlace(out.data);
  }
  const img: DecodedImage = {
    width: info.width, height: info.height, mode: 'RGB', channels: 3, data: out.data,
    bitDepth: 8, format: 'jpeg', orientationApplied: false,
    components: info.components.length, jpegColorSpace: info.colorSpace,
  };
  if (info.colorSpace === 'gray') {
    // jpeg-js replicates gray into R, G, B; PIL opens a 1-component JPEG as mode L.
    const l = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) l[p] = out.data[p * 3]!;
    img.mode = 'L';
    img.channels = 1;
    img.data = l;
  }
  if (info.exif !== undefined) {
    const o = readExifOrientation(info.exif);
    if (o !== undefined) img.orientation = o;
  }
  return img;
}
