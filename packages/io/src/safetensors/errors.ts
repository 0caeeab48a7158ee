// SafetensorsError: the one exception type every safetensors read, validation or write failure throws.
// Optimized for callers that branch on `.kind` and for humans reading `.message` (expected vs found).
// Kinds mirror the reference Rust crate's SafeTensorError variants (huggingface/safetensors
// safetensors/src/tensor.rs), plus a few of our own for policies and conversions the crate does not do.

/**
 * Why a safetensors operation failed. The first group has the same names (and meaning) as the variants of
 * the Rust crate's `SafeTensorError`, so a file rejected here is rejected there with the same variant.
 */
export type SafetensorsErrorKind =
  // --- variants of the Rust crate, checked in the crate's order ---
  | 'HeaderTooSmall' // fewer than 8 bytes: no header length
  | 'HeaderTooLarge' // header length > 100,000,000
  | 'InvalidHeaderLength' // 8 + header length > file size
  | 'InvalidHeader' // header is not valid UTF-8
  | 'InvalidHeaderDeserialization' // JSON syntax or schema error
  | 'InvalidOffset' // data_offsets not contiguous from 0 (gap, overlap, end < begin)
  | 'ValidationOverflow' // shape product or byte size overflows u64
  | 'MisalignedSlice' // sub-byte dtype whose bit count is not a whole number of bytes
  | 'TensorInvalidInfo' // end - begin != bytes implied by shape and dtype
  | 'MetadataIncompleteBuffer' // the last tensor does not end exactly at the end of the file
  | 'TensorNotFound' // no tensor with that name
  | 'InvalidTensorView' // writer: data length does not match shape x dtype
  // --- ours ---
  | 'DuplicateKey' // policy: a tensor name or __metadata__ key appears twice (the crate keeps the last)
  | 'UnsupportedDtype' // a dtype that has no float32/int32 conversion here (C64, F6_*): use raw()
  | 'UnsupportedShape' // a dimension above 2^53 - 1 (possible only in zero-element tensors)
  | 'IntegerOverflow' // an integer value that int32 cannot hold exactly
  | 'InvalidShardIndex' // model.safetensors.index.json malformed or naming an unsafe shard path
  | 'InvalidArgument' // writer: a bad name, shape, value or metadata passed by the caller; reader: a wrong `into` array
  | 'IoError' // the file system failed, or the file changed under us
  | 'Closed'; // the file was closed

export interface SafetensorsErrorOptions {
  /** The file (path or the name given to parseSafetensors), when known. */
  file?: string;
  /** The tensor the failure is about, when known. */
  tensor?: string;
  cause?: unknown;
}

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  readonly kind: SafetensorsErrorKind;
  readonly file: string | undefined;
  readonly tensor: string | undefined;

  constructor(kind: SafetensorsErrorKind, detail: string, options: SafetensorsErrorOptions = {}) {
    const where = [
      options.file !== undefined ? `file ${JSON.stringify(options.file)}` : '',
      options.tensor !== undefined ? `tensor ${JSON.stringify(options.tensor)}` : '',
    ]
      .filter((s) => s !== '')
      .join(', ');
    super(`safetensors ${kind}${where ? ` (${where})` : ''}: ${detail}`, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.kind = kind;
    this.file = options.file;
    this.tensor = options.tensor;
  }
}
