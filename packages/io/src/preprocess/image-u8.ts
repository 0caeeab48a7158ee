// The raw image the preprocessing stage works on: interleaved (HWC) uint8 pixels with 1, 3 or 4 channels,
// the layout numpy gives for `np.array(pil_image)` of mode L, RGB or RGBA/CMYK.
// Shared by resize, crop and pixel-value conversion; validation lives here so every entry point checks alike.

import { PreprocessError } from './errors.js';

/** Row-major HWC uint8 pixels: `data[(y * width + x) * channels + c]`. */
export interface U8Image {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Throws PreprocessError unless `img` is a well-formed 1/3/4-channel (or `allowed`) uint8 image. */
export function checkU8Image(img: U8Image, what: string, allowed: readonly number[] = [1, 3, 4]): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PreprocessError(`${what}: expected positive integer width/height, found ${width}x${height}`);
  }
  if (!allowed.includes(channels)) {
    throw new PreprocessError(`${what}: expected ${allowed.join(', ')} channels, found ${channels}`);
  }
  if (!(data instanceof Uint8Array)) {
    throw new PreprocessError(`${what}: expected data to be a Uint8Array`);
  }
  const need = width * height * channels;
  if (data.length !== need) {
    throw new PreprocessError(
      `${what}: expected ${need} bytes for ${width}x${height}x${channels}, found ${data.length}`,
    );
  }
}

/** A deep copy (PIL `Image.copy`). */
export function copyU8Image(img: U8Image): U8Image {
  return { width: img.width, height: img.height, channels: img.channels, data: img.data.slice() };
}
