// Image decoding (PNG via pngjs, JPEG via jpeg-js) with limits, EXIF orientation, PIL-exact conversions,
// and PNG encoding. Everything fails with ImageDecodeError. See decode.ts for the entry points.
export { ImageDecodeError, type ImageDecodeErrorKind } from './errors.js';
export {
  DEFAULT_MAX_PIXELS, DEFAULT_MAX_MEMORY_MB,
  type DecodedImage, type DecodeOptions, type Image8, type ImageMode, type ImageFormat, type JpegColorSpace,
} from './types.js';
export { decodeImage, loadImageFile, sniffImageFormat } from './decode.js';
export { toRGB, toL, luma } from './convert.js';
export { readExifOrientation, transposePixels, applyOrientation } from './exif.js';
export { encodePNG, writePNGFile } from './encode-png.js';
