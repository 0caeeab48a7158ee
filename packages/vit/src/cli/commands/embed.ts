// `patchwise embed`: images -> one embedding per image (--pool cls|mean|pooler|projected), printed, as JSON,
// or written to safetensors (`embeddings` [N, D] plus the image paths in the metadata). A single directory,
// .txt list or glob argument switches to the bulk job (packages/vit/src/bulk). Optimized for output that
// Python reads back directly (safetensors.numpy.load_file).

import { writeSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { optChoice, optFlag, optInt, optString } from '../args.js';
import type { ParsedArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { UsageError } from '../errors.js';
import { fmtNum, printJson, rows } from '../format.js';
import { DEFAULT_BATCH, collect, commandInputs } from '../inputs.js';
import { loadCliModel } from '../model.js';
import { POOLS, defaultPool, pooled, stackRows } from '../pool.js';
import type { Pool } from '../pool.js';
import { isBulkInput, runBulk } from '../bulk.js';

export const embed: Command = {
  name: 'embed',
  summary: 'one embedding per image (CLS, mean of patches, pooler output, or CLIP image_embeds)',
  usage: [
    'embed <image...> [--model M] [--pool cls|mean|pooler|projected] [--json | --out F.safetensors]',
    'embed <dir | list.txt | glob> --out F [--batch N] [--shard i/n] [--format safetensors|jsonl]   (bulk job)',
  ],
  description: [
    'Default pool: projected when the model has a visual projection (CLIP), else pooler when the family has a',
    'pooled output (ViTModel, DINOv2, SigLIP, timm), else cls (mean when there is no CLS token).',
  ],
  options: {
    model: MODEL_OPTION,
    pool: { value: 'P', help: `which vector: ${POOLS.join('|')} (see docs/cli.md)` },
    json: { boolean: true, help: 'print the embeddings as one JSON document' },
    out: { value: 'F', help: 'write embeddings [N, D] to F (safetensors; bulk jobs also jsonl)' },
    pixels: PIXELS_OPTION,
    batch: { value: 'N', help: 'images per forward pass (default 16)' },
    shard: { value: 'i/n', help: 'bulk job: process only shard i of n (deterministic split)' },
    format: { value: 'F', help: 'bulk job output format: safetensors|jsonl' },
  },
  async run(args, ctx) {
    if (optFlag(args, 'json') && optString(args, 'out') !== undefined) throw new UsageError('give --json or --out, not both');
    if (args.positionals.length === 1 && optString(args, 'pixels') === undefined && (await isBulkInput(args.positionals[0]!))) {
      return runBulk(args, ctx);
    }
    for (const o of ['shard', 'format']) {
      if (args.options.has(o)) throw new UsageError(`--${o} is for bulk jobs (one directory, .txt list or glob argument)`);
    }
    return embedImages(args, ctx);
  },
};

async function embedImages(args: ParsedArgs, { io }: CommandContext): Promise<void> {
  const requested = args.options.has('pool') ? optChoice<Pool>(args, 'pool', POOLS, 'cls') : undefined;
  const batchSize = optInt(args, 'batch', DEFAULT_BATCH, 1);
  const lm = await loadCliModel(optString(args, 'model'));
  const cfg = lm.model.config;
  const { batches } = await commandInputs(args, lm, { batchSize });
  let pool: Pool | undefined = requested;
  const { names, results } = await collect(batches, (b): Tensor => {
    const out = lm.model.forward(b.pixels);
    pool ??= defaultPool(out, cfg);
    return pooled(out, cfg, pool);
  });
  const emb = stackRows(results); // [N, D]
  const dim = emb.shape[1]!;
  const out = optString(args, 'out');
  if (out !== undefined) {
    await writeSafetensors(out, { embeddings: emb.contiguous() }, {
      format: 'pt',
      producer: 'patchwise embed',
      model: lm.name,
      pool: pool!,
      paths: JSON.stringify(names),
    });
    io.out(`wrote ${out}: embeddings [${names.length}, ${dim}] (pool ${pool})\n`);
    return;
  }
  const vecs = rows(emb);
  if (optFlag(args, 'json')) {
    printJson(io, { model: lm.name, pool, dim, results: names.map((image, i) => ({ image, embedding: vecs[i] })) });
    return;
  }
  names.forEach((image, i) => {
    const v = vecs[i]!;
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    io.out(`${image}  dim ${dim}  pool ${pool}  L2 ${norm.toFixed(4)}  [${v.slice(0, 6).map(fmtNum).join(' ')}${dim > 6 ? ' ...' : ''}]\n`);
  });
}
