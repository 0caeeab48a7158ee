// encodePNG: 8-bit RGB / RGBA (and gray) images to PNG bytes, e.g. attention heat maps; writePNGFile is atomic.
// Optimizes for small, standard files via pngjs (filter heuristics + zlib) with validated input.
// Output follows the PNG spec (W3C REC-PNG-20031110): IHDR, IDAT, IEND, colour type 0 / 2 / 6, depth 8.

import { rename, writeFile, unlink } from 'node:fs/promises';
import pngjs from 'pngjs';
import { ImageDecodeError, describeThrown } from './errors.js';
import type { Image8 } from './types.js';

const { PNG } = pngjs;

export function encodePNG(img: Image8): Uint8Array {
  const { width, height, channels, data } = img;
  const bad = (why: string): never => { throw new ImageDecodeError('invalid-argument', '<encodePNG>', why); };
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    bad(`width and height must be integers >= 1, got ${width}x${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) bad(`channels must be 1, 3 or 4, got ${String(channels)}`);
  if (data.length !== width * height * channels) bad(`data has ${data.length} bytes, expected ${width}*${height}*${channels} = ${width * height * channels}`);
  // pngjs packs from RGB (inputColorType 2) or RGBA (6) input; gray is expanded to RGB then written as type 0.
  let input: Uint8Array = data;
  if (channels === 1) {
    input = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) { input[p * 3] = data[p]!; input[p * 3 + 1] = data[p]!; input[p * 3 + 2] = data[p]!; }
  }
  const colorType = channels === 4 ? 6 : channels === 3 ? 2 : 0;
  const png = new PNG({ width, height });
  png.data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  try {
    const out = PNG.sync.write(png, {
      colorType,
      inputColorType: channels === 4 ? 6 : 2,
      inputHasAlpha: channels === 4,
      bitDepth: 8,
    });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new ImageDecodeError('invalid-argument', '<encodePNG>', `pngjs failed: ${describeThrown(e)}`, { cause: e });
  }
}

/** Encodes and writes atomically: a temp file in the same directory, then rename over `path`. */
export async function writePNGFile(path: string, img: Image8): Promise<void> {
  const bytes = encodePNG(img);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
