// ImageDecodeError: the one error type every image decode/convert/encode failure is raised as.
// Optimizes for actionable messages: the file, what was expected and what was found.
// Kinds mirror the corpus manifest outcomes (shared/realdata README: reject, reject-by-limit, unsupported).

/** Why an image could not be decoded. */
export type ImageDecodeErrorKind =
  | 'unknown-format' // magic bytes match neither PNG nor JPEG
  | 'unsupported' // a legal file using a feature we do not decode (12-bit / lossless / arithmetic JPEG...)
  | 'corrupt' // the bytes violate the format (bad CRC, truncated stream, bad header field...)
  | 'limit' // valid but over the pixel or memory budget (decompression-bomb guard)
  | 'invalid-argument' // a caller error (e.g. encodePNG given a buffer of the wrong size)
  | 'io'; // the file could not be read

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  readonly kind: ImageDecodeErrorKind;
  /** File name given by the caller (or '<bytes>'). */
  readonly fileName: string;
  /** The reason without the file prefix. */
  readonly reason: string;

  constructor(kind: ImageDecodeErrorKind, fileName: string | undefined, reason: string, options?: { cause?: unknown }) {
    const file = fileName ?? '<bytes>';
    super(`${file}: ${kind}: ${reason}`, options);
    this.kind = kind;
    this.fileName = file;
    this.reason = reason;
  }
}

/** Message of an unknown thrown value (pngjs / jpeg-js / zlib throw Error, strings, or RangeError). */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : e.name + ': '}${e.message}`;
  return String(e);
}
