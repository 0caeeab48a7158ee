// `patchwise tokenize`: texts -> CLIP token ids and attention mask, as the model's tokenizer gives them
// (SOT + BPE ids + EOT, truncated and padded). Matches openai/CLIP clip.tokenize and HF CLIPTokenizer
// (padding="max_length"); --json prints {"input_ids": [[...]], "attention_mask": [[...]]}.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { resolveModel } from '@patchwise/io';
import { parseConfig } from '../../config/index.js';
import { loadClipTokenizer } from '../../text/tokenizer-load.js';
import { CLIP_CONTEXT_LENGTH } from '../../text/tokenizer.js';
import type { PaddingConvention } from '../../text/tokenizer.js';
import { optChoice, optFlag, optInt, optString } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { printJson } from '../format.js';

/** The text tower's context length from config.json when the folder has a CLIP config, else CLIP's 77. */
async function contextLengthOf(dir: string): Promise<number> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, 'config.json'), 'utf8');
  } catch {
    return CLIP_CONTEXT_LENGTH; // a tokenizer-only folder
  }
  const cfg = parseConfig(text, path.join(dir, 'config.json'));
  return Math.min(CLIP_CONTEXT_LENGTH, cfg.text?.maxPositions ?? CLIP_CONTEXT_LENGTH);
}

export const tokenize: Command = {
  name: 'tokenize',
  summary: 'CLIP token ids and attention mask of texts (the model folder\'s tokenizer)',
  usage: ['tokenize <text...> --model M [--context-length N] [--padding openai|hf] [--pad-to context|longest] [--json]'],
  description: [
    'M is a folder (or hub id) with vocab.json + merges.txt, tokenizer.json or bpe_simple_vocab_16e6.txt.gz.',
    'Padding: openai pads with 0 (clip.tokenize), hf with the pad token (<|endoftext|> for OpenAI checkpoints);',
    'the default is the convention of the files found (hf for HF files, openai for the .gz).',
  ],
  options: {
    model: { value: 'M', help: 'folder or hub id holding a CLIP tokenizer (required: the bundled model has none)' },
    'context-length': { value: 'N', help: 'row length including SOT/EOT (default: the text tower\'s, at most 77)' },
    padding: { value: 'P', help: 'pad value convention: openai (0) | hf (pad token)' },
    'pad-to': { value: 'W', help: 'context (every row N long, default) | longest (the longest text)' },
    json: { boolean: true, help: 'print {"input_ids": [[...]], "attention_mask": [[...]]}' },
  },
  async run(args, { io }) {
    const modelArg = optString(args, 'model');
    if (modelArg === undefined) throw new UsageError('tokenize needs --model M (a folder with a CLIP tokenizer)');
    if (args.positionals.length === 0) throw new UsageError('tokenize: no texts given');
    const dir = await resolveModel(modelArg, { progress: true });
    const contextLength = optInt(args, 'context-length', await contextLengthOf(dir), 2);
    const padding = args.options.has('padding') ? optChoice<PaddingConvention>(args, 'padding', ['openai', 'hf'], 'hf') : undefined;
    const padTo = optChoice(args, 'pad-to', ['context', 'longest'] as const, 'context');
    const tok = await loadClipTokenizer(dir);
    const { inputIds, attentionMask } = tok.tokenizeToArrays(args.positionals, { contextLength, padding, padTo });
    if (optFlag(args, 'json')) {
      printJson(io, { input_ids: inputIds, attention_mask: attentionMask });
      return;
    }
    args.positionals.forEach((t, i) => {
      const n = attentionMask[i]!.reduce((a, b) => a + b, 0);
      const row = inputIds[i]!;
      const pad = row.length > n ? `  + ${row.length - n} x pad ${row[n]}` : '';
      io.out(`${JSON.stringify(t)}  (${n} tokens, row length ${row.length})\n  ${row.slice(0, n).join(' ')}${pad}\n`);
    });
  },
};
