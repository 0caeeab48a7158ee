// safetensors for @patchwise/io: validated reading (lazy, file-backed or in-memory, sharded) and writing.
// Semantics match huggingface/safetensors (Rust crate, safetensors/src/tensor.rs); see header.ts for the
// policy on the three points where the format text and the crate disagree.
export { SafetensorsError } from './errors.js';
export type { SafetensorsErrorKind, SafetensorsErrorOptions } from './errors.js';
export { SAFETENSORS_DTYPES, DTYPE_BITS, isSafetensorsDType } from './dtypes.js';
export type { SafetensorsDType } from './dtypes.js';
export { MAX_HEADER_SIZE } from './header.js';
export { SafetensorsBuffer, parseSafetensors } from './reader.js';
export type { SafetensorsFile, TensorInfo } from './reader.js';
export { SafetensorsFileReader, ShardedSafetensors, openSafetensors, readSafetensorsSync, openSharded, openCheckpoint, loadTensors, checkShardName } from './file.js';
export { serializeSafetensors, writeSafetensors, encodeTensorData } from './writer.js';
export type { RawTensorData, TensorToWrite, TensorsToWrite } from './writer.js';
