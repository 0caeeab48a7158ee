// `patchwise merge`: joins the outputs of `patchwise embed <dir|list|glob> --shard i/n` runs into the file an
// unsharded run would have written (same rows, same order, same metadata). Checks that the shards come from
// one job and that each of 0..n-1 is there exactly once. The work is in ../../bulk/merge.ts (mergeShards).

import { optString } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

export const merge: Command = {
  name: 'merge',
  summary: 'join the shard outputs of a bulk `embed --shard i/n` job into one file',
  usage: ['merge <shard output...> --out F [--format safetensors|jsonl]'],
  description: [
    'Give every shard output (in any order); the result equals the output of the same job run unsharded.',
    'safetensors shards can be written as safetensors or jsonl; jsonl shards merge into jsonl.',
  ],
  options: {
    out: { value: 'F', help: 'the merged output file (required)' },
    format: { value: 'F', help: 'output format: safetensors|jsonl (default: jsonl for a .jsonl --out, else the shards\' format)' },
  },
  async run(args, { io }) {
    const out = optString(args, 'out');
    if (out === undefined) throw new UsageError('merge needs --out F');
    if (args.positionals.length === 0) throw new UsageError('merge: give the shard outputs to join (e.g. emb-0.safetensors emb-1.safetensors emb-2.safetensors)');
    const { mergeShards } = await import('../../bulk/index.js');
    await mergeShards({ inputs: args.positionals, out, format: optString(args, 'format'), io });
  },
};
