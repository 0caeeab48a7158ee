// Bulk embedding jobs (issue 8): `patchwise embed <dir | list.txt | glob> --out F [--batch N] [--shard i/n]
// [--format safetensors|jsonl]` as a library, and `merge` for shard outputs. Resumable (run.ts, checkpoint.ts),
// bounded memory (chunks.ts, output.ts), deterministic sharding (shard.ts: fnv1a32(relative path) mod n), rows in
// code-point path order (order.ts). The behaviour in one page: tools/bulk/README.md.
export { runBulkEmbed, formatFor, outputMetadata, DEFAULT_BULK_BATCH, DEFAULT_CHECKPOINT_EVERY } from './run.js';
export type { BulkEmbedOptions, BulkEmbedResult } from './run.js';
export { mergeShards } from './merge.js';
export type { MergeOptions, MergeResult } from './merge.js';
export { loadEmbedder, BUNDLED_MODEL_NAME } from './embedder.js';
export type { Embedder } from './embedder.js';
export { BulkError } from './errors.js';
export type { BulkErrorKind } from './errors.js';
export { resolveInputs, IMAGE_EXTENSIONS } from './inputs.js';
export type { InputItem, InputKind, InputSet } from './inputs.js';
export { expandBraces, globBase, matchGlob, walkGlob } from './glob.js';
export { fnv1a32, parseShard, formatShard, shardOf } from './shard.js';
export type { Shard } from './shard.js';
export { comparePaths } from './order.js';
export { OUTPUT_FORMATS, EMBEDDINGS } from './output.js';
export type { FailedImage, OutputFormat } from './output.js';
export { processBulkIO, progressLine } from './progress.js';
export type { BulkIO, BulkProgress } from './progress.js';
