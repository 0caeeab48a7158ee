// PNG decoding: our chunk walk + bounded inflate check, then pngjs for unfiltering, Adam7 and bit unpacking.
// Optimizes for safety (limits before allocation, typed errors) and for keeping what PIL sees.
// Modes follow Pillow 9.4 PngImagePlugin._MODES: L / I (16-bit gray) / RGB / P / LA / RGBA; 16-bit RGB(A)/LA
// samples are kept at 16 bits here and reduced to the high byte by toRGB/toL, as PIL's RGB;16B unpacker does.

import zlib from 'node:zlib';
import pngjs from 'pngjs';
import { ImageDecodeError, describeThrown } from './errors.js';
import { readExifOrientation } from './exif.js';
import { buildPng, expectedFilteredLength, readPngChunks, type PngHeader } from './png-chunks.js';
import type { DecodedImage, ImageMode } from './types.js';

const { PNG } = pngjs;

export interface PngDecodeLimits {
  fileName?: string;
  maxPixels: number;
}

/** PIL's L;1 / L;2 / L;4 unpackers scale gray to 0..255 (255, 85, 17 per step). */
const GRAY_SCALE: Record<number, number> = { 1: 255, 2: 85, 4: 17, 8: 1 };

function checkPixelBudget(h: PngHeader, limits: PngDecodeLimits): void {
  const pixels = h.width * h.height;
  if (pixels > limits.maxPixels) {
    throw new ImageDecodeError('limit', limits.fileName,
      `PNG is ${h.width}x${h.height} = ${pixels} pixels, over the limit of ${limits.maxPixels} (decompression-bomb guard; raise maxPixels to allow it)`);
  }
}

/** Inflates the IDAT stream with an output cap, so a tiny file can't expand into gigabytes; checks its length. */
function checkInflatedLength(idat: Uint8Array[], h: PngHeader, file: string | undefined): void {
  const expected = expectedFilteredLength(h);
  let inflated: Buffer;
  try {
    inflated = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (e) {
    const tooMuch = e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new ImageDecodeError('corrupt', file, tooMuch
      ? `PNG image data inflates to more than the ${expected} bytes a ${h.width}x${h.height} image needs`
      : `PNG image data is not a valid zlib stream (${describeThrown(e)})`, { cause: e });
  }
  if (inflated.length !== expected) {
    throw new ImageDecodeError('corrupt', file,
      `PNG image data is truncated: expected ${expected} filtered bytes for ${h.width}x${h.height}, found ${inflated.length}`);
  }
}

export function decodePng(bytes: Uint8Array, limits: PngDecodeLimits): DecodedImage {
  const file = limits.fileName;
  const chunks = readPngChunks(bytes, file, (h) => checkPixelBudget(h, limits));
  const h = chunks.header;
  checkInflatedLength(chunks.idat, h, file);

  // pngjs gets only IHDR + IDAT + IEND: palette images are presented as gray of the same depth so it returns
  // the raw indices (pngjs itself would expand the palette and throw on out-of-range indices), and tRNS is
  // withheld so it can't zero colour-keyed pixels (PIL keeps their colour). skipRescale keeps raw samples.
  const pngjsColorType = h.colorType === 3 ? 0 : h.colorType;
  const rebuilt = buildPng(h, pngjsColorType, chunks.idat);
  let rgba: Uint8Array | Uint16Array;
  try {
    const parsed = PNG.sync.read(Buffer.from(rebuilt.buffer, rebuilt.byteOffset, rebuilt.byteLength), { checkCRC: false, skipRescale: true });
    rgba = parsed.data as unknown as Uint8Array | Uint16Array;
  } catch (e) {
    throw new ImageDecodeError('corrupt', file, `PNG pixel data: ${describeThrown(e)}`, { cause: e });
  }
  const n = h.width * h.height;
  if (rgba.length !== n * 4) {
    throw new ImageDecodeError('corrupt', file, `PNG decoder returned ${rgba.length} samples, expected ${n * 4}`);
  }

  const is16 = h.bitDepth === 16;
  let mode: ImageMode;
  let channels: 1 | 2 | 3 | 4;
  switch (h.colorType) {
    case 0: mode = is16 ? 'I' : 'L'; channels = 1; break;
    case 2: mode = 'RGB'; channels = 3; break;
    case 3: mode = 'P'; channels = 1; break;
    case 4: mode = 'LA'; channels = 2; break;
    default: mode = 'RGBA'; channels = 4; break;
  }
  // pngjs output is RGBA with gray replicated into R, G, B: keep the channels the mode stores.
  const data = is16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  const scale = h.colorType === 0 ? GRAY_SCALE[h.bitDepth] ?? 1 : 1;
  if (channels === 1) {
    for (let p = 0; p < n; p++) data[p] = rgba[p * 4]! * scale;
  } else if (channels === 2) {
    for (let p = 0; p < n; p++) { data[2 * p] = rgba[p * 4]!; data[2 * p + 1] = rgba[p * 4 + 3]!; }
  } else if (channels === 3) {
    for (let p = 0; p < n; p++) { data[3 * p] = rgba[p * 4]!; data[3 * p + 1] = rgba[p * 4 + 1]!; data[3 * p + 2] = rgba[p * 4 + 2]!; }
  } else {
    data.set(rgba);
  }

  const img: DecodedImage = {
    width: h.width, height: h.height, mode, channels, data,
    bitDepth: is16 ? 16 : 8, format: 'png', orientationApplied: false,
    components: channels,
  };
  if (h.colorType === 3) {
    img.palette = chunks.palette!;
    if (chunks.trns !== undefined) img.paletteAlpha = chunks.trns.slice(0, 256);
  } else if (chunks.trns !== undefined && (h.colorType === 0 || h.colorType === 2)) {
    const want = h.colorType === 0 ? 2 : 6;
    if (chunks.trns.length === want) {
      // Keys are 16-bit big-endian sample values (a key above the depth's maximum simply matches nothing).
      const key: number[] = [];
      for (let i = 0; i < want; i += 2) key.push(((chunks.trns[i]! << 8) | chunks.trns[i + 1]!) * scale);
      img.transparentColor = key;
    }
  }
  if (chunks.exif !== undefined) {
    // PIL accepts the eXIf payload with or without a leading "Exif\0\0".
    let tiff = chunks.exif;
    if (tiff.length >= 6 && tiff[0] === 0x45 && tiff[1] === 0x78 && tiff[2] === 0x69 && tiff[3] === 0x66) tiff = tiff.subarray(6);
    const o = readExifOrientation(tiff);
    if (o !== undefined) img.orientation = o;
  }
  return img;
}
