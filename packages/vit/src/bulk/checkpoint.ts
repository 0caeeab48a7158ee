// The checkpoint of a bulk job: which job it is (inputs, model, pooling, shard, batch, format) and which
// chunk files hold its finished inputs. Written atomically (temp file, fsync, rename) after every chunk, so a
// kill at any moment leaves either the previous or the next checkpoint, never a torn one. Optimized for
// refusing to mix jobs: a rerun resumes only when every field of the job matches.

import { promises as fsp } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { BulkError } from './errors.js';
import { writeFileAtomic } from './output.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
export const CHECKPOINT_VERSION = 1;

/** Everything that determines a job's output; a checkpoint is reused only when all of it is equal. */
export interface JobIdentity {
  readonly input: string;
  readonly model: string;
  readonly pool: string;
  /** The tensor backend (js, wasm...): backends round differently, so a resume must use the same one. */
  readonly backend: string;
  readonly dim: number;
  readonly shard: string;
  readonly format: string;
  /** Same batches on resume, so a resumed run repeats the original run's forward passes exactly. */
  readonly batch: number;
  /** Inputs of this job (after sharding). */
  readonly total: number;
  /** sha256 of the job's input paths (each followed by a newline), in job order. */
  readonly inputsDigest: string;
}

export interface ChunkRef {
  readonly file: string;
  /** Job input indices [start, end) the chunk covers. */
  readonly start: number;
  readonly end: number;
  /** Inputs of the chunk that were unreadable. */
  readonly failed: number;
}

export interface Checkpoint {
  readonly version: number;
  readonly job: JobIdentity;
  /** Inputs finished (embedded or reported unreadable): the chunks cover [0, done). */
  readonly done: number;
  readonly chunks: ChunkRef[];
}

export function digestPaths(paths: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(`${p}\n`);
  return h.digest('hex');
}

/** Fields whose values differ, as `field: was X, now Y`. */
export function jobDifferences(was: JobIdentity, now: JobIdentity): string[] {
  const keys = Object.keys(now) as (keyof JobIdentity)[];
  return keys.filter((k) => was[k] !== now[k]).map((k) => `${k}: was ${JSON.stringify(was[k])}, now ${JSON.stringify(now[k])}`);
}

function damaged(file: string, why: string): BulkError {
  return new BulkError('checkpoint', `${file}: damaged checkpoint (${why}); delete its folder to start the job over`);
}

/** The checkpoint in `workDir`, or null when there is none. */
export async function readCheckpoint(workDir: string): Promise<Checkpoint | null> {
  const file = path.join(workDir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BulkError('checkpoint', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  let cp: Checkpoint;
  try {
    cp = JSON.parse(text) as Checkpoint;
  } catch (e) {
    throw damaged(file, `not JSON: ${(e as Error).message}`);
  }
  if (cp === null || typeof cp !== 'object' || cp.version !== CHECKPOINT_VERSION) {
    throw damaged(file, `expected version ${CHECKPOINT_VERSION}, found ${JSON.stringify((cp as { version?: unknown } | null)?.version)}`);
  }
  if (typeof cp.job !== 'object' || cp.job === null || !Number.isInteger(cp.done) || !Array.isArray(cp.chunks)) throw damaged(file, 'missing job, done or chunks');
  // The chunks must tile [0, done) in order.
  let at = 0;
  for (const c of cp.chunks) {
    if (typeof c?.file !== 'string' || !Number.isInteger(c.failed) || c.start !== at || !(c.end > c.start) || path.basename(c.file) !== c.file) {
      throw damaged(file, `chunk list does not cover [0, ${cp.done}) in order at input ${at}`);
    }
    at = c.end;
  }
  if (at !== cp.done) throw damaged(file, `chunks cover [0, ${at}), expected [0, ${cp.done})`);
  return cp;
}

export async function writeCheckpoint(workDir: string, cp: Checkpoint): Promise<void> {
  await writeFileAtomic(path.join(workDir, CHECKPOINT_FILE), (sink) => sink.writeText(`${JSON.stringify(cp, null, 1)}\n`));
}
