// The seam between `embed` and the bulk embedding library (packages/vit/src/bulk, issue 8): when `embed` gets a
// single directory, .txt list or glob, the parsed options go to runBulkEmbed, which walks the inputs with
// bounded memory, checkpoints, resumes and shards. The library is imported on demand, so a build or a work
// tree where it cannot load still runs every other command (and this one fails with one clear line).

import { promises as fsp } from 'node:fs';
import type { ParsedArgs } from './args.js';
import { optInt, optString } from './args.js';
import type { CommandContext } from './command.js';
import { CliError, UsageError } from './errors.js';
import { POOLS } from './pool.js';
import type { Pool } from './pool.js';

/** True for an argument that names many images: an existing directory, a .txt list, or a glob pattern. */
export async function isBulkInput(arg: string): Promise<boolean> {
  try {
    const st = await fsp.stat(arg);
    if (st.isDirectory()) return true;
    return st.isFile() && arg.toLowerCase().endsWith('.txt');
  } catch {
    return /[*?[\]{}]/.test(arg);
  }
}

/** Runs the bulk job through runBulkEmbed (which prints its own summary line), or fails with one line. */
export async function runBulk(args: ParsedArgs, ctx: CommandContext): Promise<number | void> {
  const input = args.positionals[0]!;
  const out = optString(args, 'out');
  if (out === undefined) throw new UsageError(`embed ${input}: a bulk job (directory, .txt list or glob) needs --out F (.safetensors or .jsonl)`);
  if (args.options.has('json')) throw new UsageError('--json is for image lists; a bulk job writes --out F (use --format jsonl for JSON lines)');
  const pool = optString(args, 'pool');
  if (pool !== undefined && !(POOLS as readonly string[]).includes(pool)) throw new UsageError(`--pool must be one of ${POOLS.join('|')}, got '${pool}'`);
  const batch = args.options.has('batch') ? optInt(args, 'batch', 16, 1) : undefined;
  let bulk: typeof import('../bulk/index.js');
  try {
    bulk = await import('../bulk/index.js');
  } catch (e) {
    throw new CliError(`bulk mode not available (${(e as Error).message.split('\n')[0]})`);
  }
  await bulk.runBulkEmbed({
    input,
    out,
    format: optString(args, 'format'),
    batch,
    shard: optString(args, 'shard'),
    model: optString(args, 'model'),
    pool: pool as Pool | undefined,
    io: ctx.io,
  });
}
