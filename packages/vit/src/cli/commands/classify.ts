// `patchwise classify`: images -> the top-K labels of the model's classifier (id2label) with softmax
// probabilities. Matches HF pipeline("image-classification"): softmax over logits, labels from id2label.
// Optimized for a readable default output and a stable --json format (docs/cli.md).

import { softmax } from '@patchwise/tensor';
import { optFlag, optInt, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { CliError } from '../errors.js';
import { fmtProb, printJson, rows, table } from '../format.js';
import { collect, commandInputs } from '../inputs.js';
import { loadCliModel } from '../model.js';

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

/** Indices of the k largest values, largest first (ties: lower index first, like a stable sort). */
export function topK(values: readonly number[], k: number): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

export const classify: Command = {
  name: 'classify',
  summary: 'label images with the model\'s classifier (softmax probabilities, labels from id2label)',
  usage: ['classify <image...> [--model M] [--top K] [--json]', 'classify --pixels F.safetensors [--model M] [--top K] [--json]'],
  options: {
    model: MODEL_OPTION,
    top: { value: 'K', help: 'how many labels to show per image (default 5, at most the number of classes)' },
    json: { boolean: true, help: 'print one JSON document (format in docs/cli.md)' },
    pixels: PIXELS_OPTION,
  },
  async run(args, { io }) {
    const k = optInt(args, 'top', 5, 1);
    const lm = await loadCliModel(optString(args, 'model'));
    const cfg = lm.model.config;
    if (cfg.head.kind !== 'classifier' && cfg.head.kind !== 'distilled') {
      throw new CliError(`${lm.dir}: ${cfg.architecture} has no classification head (use embed or encode)`);
    }
    const { batches } = await commandInputs(args, lm);
    const { names, results } = await collect(batches, (b) => rows(softmax(lm.model.forward(b.pixels)['logits']!, -1)));
    const probs = results.flat(); // one row of probabilities per image
    const label = (i: number): string => cfg.id2label?.[i] ?? `LABEL_${i}`;
    const preds: Prediction[][] = probs.map((p) => topK(p, k).map((i) => ({ index: i, label: label(i), probability: p[i]! })));
    if (optFlag(args, 'json')) {
      printJson(io, { model: lm.name, results: names.map((image, n) => ({ image, top: preds[n] })) });
      return;
    }
    names.forEach((image, n) => {
      io.out(`${image}\n`);
      io.out(table(preds[n]!.map((p) => ['  ' + fmtProb(p.probability), p.label])));
    });
  },
};
