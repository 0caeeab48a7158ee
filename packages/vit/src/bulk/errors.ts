// The one error type of bulk embedding jobs (inputs, sharding, checkpoints, outputs, merging). Optimized for
// messages a user can act on: each names the file or argument, what was expected and what was found.
// Semantics: mirrors the typed errors of @patchwise/io (SafetensorsError, ImageDecodeError).

export type BulkErrorKind =
  /** A bad argument: --shard, --batch, --format, an empty input. */
  | 'usage'
  /** The input (dir, list, glob) cannot be read or matched nothing. */
  | 'input'
  /** The work dir holds a checkpoint of a different job, or a damaged one. */
  | 'checkpoint'
  /** Shard outputs that cannot be merged (different jobs, overlap, missing shards). */
  | 'merge'
  /** The job was stopped through its AbortSignal (the work dir is kept for a resume). */
  | 'aborted';

export class BulkError extends Error {
  override readonly name = 'BulkError';
  readonly kind: BulkErrorKind;
  constructor(kind: BulkErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** The message of anything thrown, on one line (for per-image reports). */
export function describeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0).join('; ');
}
