// @patchwise/io for browsers (package subpath "./browser"): everything that runs without Node, i.e. safetensors
// parsing from bytes, the PIL-style image conversions and the whole preprocessing pipeline. Left out: file
// access (safetensors/file, image/decode's loadImageFile), the PNG/JPEG codecs (pngjs needs Node's zlib and
// streams; pngjs and jpeg-js are CommonJS, which a browser cannot import without a bundler) and the hub.
// In a page, decode images with the browser's own decoder (createImageBitmap + canvas getImageData) and hand
// the RGBA pixels to toRGB / toL; see examples/web.

import { SafetensorsError } from './safetensors/errors.js';
import type { SafetensorsFile } from './safetensors/reader.js';

// safetensors: header validation and in-memory reading (no node:fs), writing to bytes
export { SafetensorsError } from './safetensors/errors.js';
export type { SafetensorsErrorKind, SafetensorsErrorOptions } from './safetensors/errors.js';
export { SAFETENSORS_DTYPES, DTYPE_BITS, isSafetensorsDType } from './safetensors/dtypes.js';
export type { SafetensorsDType } from './safetensors/dtypes.js';
export { MAX_HEADER_SIZE } from './safetensors/header.js';
export { SafetensorsBuffer, parseSafetensors } from './safetensors/reader.js';
export type { SafetensorsFile, TensorInfo } from './safetensors/reader.js';
export { serializeSafetensors, encodeTensorData } from './safetensors/writer.js';
export type { RawTensorData, TensorToWrite, TensorsToWrite } from './safetensors/writer.js';

// images: the decoded-image record and PIL-exact mode conversions (decoding itself is Node-only, see above)
export { ImageDecodeError, type ImageDecodeErrorKind } from './image/errors.js';
export {
  DEFAULT_MAX_PIXELS, DEFAULT_MAX_MEMORY_MB,
  type DecodedImage, type DecodeOptions, type Image8, type ImageMode, type ImageFormat, type JpegColorSpace,
} from './image/types.js';
export { toRGB, toL, luma } from './image/convert.js';
export { readExifOrientation, transposePixels, applyOrientation } from './image/exif.js';

// preprocessing: all of it except from-image.ts (which decodes files)
export * from './preprocess/errors.js';
export * from './preprocess/image-u8.js';
export * from './preprocess/filters.js';
export * from './preprocess/resize.js';
export * from './preprocess/crop.js';
export * from './preprocess/pixel-values.js';
export * from './preprocess/config.js';
export * from './preprocess/pipeline.js';
export * from './preprocess/python-math.js';

/**
 * Stand-in for the Node-only `openCheckpoint` (a model folder on disk), so that modules importing it by name
 * (@patchwise/vit's loader, which also offers loadModelFromFiles for bytes) still link in a browser. Throws.
 */
export async function openCheckpoint(location: string): Promise<SafetensorsFile> {
  throw new SafetensorsError('IoError', `openCheckpoint(${location}): reading files needs Node; in a browser, fetch the bytes and use parseSafetensors`, { file: location });
}
