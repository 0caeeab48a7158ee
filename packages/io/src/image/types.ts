// The decoded-image record shared by the PNG and JPEG decoders and the PIL-style conversions.
// Keeps what PIL would see (mode, palette, 16-bit samples) so convert('RGB') / convert('L') can follow PIL
// exactly (Pillow 9.4 PngImagePlugin / JpegImagePlugin modes).

/**
 * PIL-like modes. 'I' is a 16-bit grayscale PNG (PIL opens it as mode I, int32 0..65535; we store Uint16).
 * 1/2/4-bit grayscale PNGs are given as 'L' scaled to 0..255 like PIL's L;1/L;2/L;4 unpackers (PIL calls
 * the 1-bit case mode '1'; its RGB/L conversions are identical). CMYK/YCCK JPEGs arrive as 'RGB', already
 * converted exactly as Pillow's convert('RGB') does (Adobe-inverted CMYK, cmyk2rgb); `components` says 4.
 */
export type ImageMode = 'L' | 'LA' | 'RGB' | 'RGBA' | 'P' | 'I';

export type ImageFormat = 'png' | 'jpeg';

/** JPEG colour space as libjpeg infers it (jdapimin.c default_decompress_parms). */
export type JpegColorSpace = 'gray' | 'ycbcr' | 'rgb' | 'cmyk' | 'ycck';

export interface DecodedImage {
  width: number;
  height: number;
  mode: ImageMode;
  /** Interleaved samples per pixel: L/P/I 1, LA 2, RGB 3, RGBA 4. */
  channels: 1 | 2 | 3 | 4;
  /** Row-major HWC samples: Uint8Array when bitDepth is 8, Uint16Array (0..65535) when 16. */
  data: Uint8Array | Uint16Array;
  bitDepth: 8 | 16;
  format: ImageFormat;
  /** Mode P: RGB triples (3 * entries). Indices past the end map to gray (i, i, i) like Pillow's palette. */
  palette?: Uint8Array;
  /** Mode P: tRNS alpha per palette entry (entries past its end are opaque). */
  paletteAlpha?: Uint8Array;
  /** L / I / RGB colour key from tRNS, in the same sample domain as `data` (PIL info['transparency']). */
  transparentColor?: readonly number[];
  /** EXIF orientation tag found in the file (1..8), or undefined when absent / unreadable. */
  orientation?: number;
  /** True when `orientation` (2..8) has already been applied to the pixels (PIL ImageOps.exif_transpose). */
  orientationApplied: boolean;
  /** Colour components stored in the file (JPEG: 1 gray, 3 colour, 4 CMYK/YCCK; PNG: samples per pixel). */
  components: number;
  /** JPEG only: the colour space the file was decoded from. */
  jpegColorSpace?: JpegColorSpace;
}

/** An 8-bit image with interleaved channels (HWC), the output of toRGB/toL and input of encodePNG. */
export interface Image8 {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

export interface DecodeOptions {
  /** Named in error messages. */
  fileName?: string;
  /** Pixel budget, checked from the header before any pixel buffer is allocated (PIL MAX_IMAGE_PIXELS). */
  maxPixels?: number;
  /** JPEG memory cap in MB: the coefficient buffers, and jpeg-js' maxMemoryUsageInMB on the fallback; default 1024. */
  maxMemoryMB?: number;
  /** Apply the EXIF orientation like HF load_image / PIL ImageOps.exif_transpose (default true). */
  applyExifOrientation?: boolean;
}

/** PIL.Image.MAX_IMAGE_PIXELS = int(1024 * 1024 * 1024 // 4 // 3). */
export const DEFAULT_MAX_PIXELS = 89_478_485;
export const DEFAULT_MAX_MEMORY_MB = 1024;
