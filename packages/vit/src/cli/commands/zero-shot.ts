// `patchwise zero-shot`: CLIP zero-shot classification. Each label becomes a prompt through --template; the
// probability of label j for an image is softmax_j(exp(logit_scale) * cos(image_embeds, text_embeds_j)).
// Matches HF pipeline("zero-shot-image-classification") / CLIPModel logits_per_image.softmax(dim=-1).

import { softmax } from '@patchwise/tensor';
import { optFlag, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { fmtProb, printJson, rows, table } from '../format.js';
import { collect, commandInputs } from '../inputs.js';
import { loadCliModel, requireTextTower } from '../model.js';
import { embedTexts } from '../text.js';

export const DEFAULT_TEMPLATE = 'a photo of a {}.';

/** "cat, dog ,car" -> ["cat", "dog", "car"] (empty entries are an error). */
export function splitLabels(s: string): string[] {
  const labels = s.split(',').map((l) => l.trim());
  if (labels.some((l) => l.length === 0)) throw new UsageError(`--labels: expected comma-separated labels, got an empty one in '${s}'`);
  return labels;
}

export const zeroShot: Command = {
  name: 'zero-shot',
  summary: 'CLIP zero-shot classification: probabilities over labels given as text',
  usage: [
    'zero-shot <image...> --labels "cat,dog,car" [--template "a photo of a {}."] [--model M] [--json]',
    'zero-shot --pixels F.safetensors --labels ... [--model M] [--json]',
  ],
  description: ['Needs a CLIPModel folder with its tokenizer (vocab.json + merges.txt, tokenizer.json or bpe_simple_vocab_16e6.txt.gz).'],
  options: {
    labels: { value: 'L', help: 'comma-separated labels (required)' },
    template: { value: 'T', help: `prompt template, {} is replaced by the label (default "${DEFAULT_TEMPLATE}")` },
    model: MODEL_OPTION,
    json: { boolean: true, help: 'print one JSON document' },
    pixels: PIXELS_OPTION,
  },
  async run(args, { io }) {
    const labelArg = optString(args, 'labels');
    if (labelArg === undefined) throw new UsageError('zero-shot needs --labels "a,b,c"');
    const labels = splitLabels(labelArg);
    const template = optString(args, 'template', DEFAULT_TEMPLATE)!;
    if (!template.includes('{}')) throw new UsageError(`--template must contain {} (where the label goes), got '${template}'`);
    const lm = await loadCliModel(optString(args, 'model'));
    requireTextTower(lm, 'zero-shot');
    const texts = labels.map((l) => template.split('{}').join(l));
    const te = await embedTexts(lm, texts, 'zero-shot');
    const { batches } = await commandInputs(args, lm);
    const { names, results } = await collect(batches, (b) => {
      const img = lm.model.forward(b.pixels)['image_embeds'];
      if (!img) throw new CliError(`${lm.dir}: no image_embeds (the model has no visual projection)`);
      const { logits_per_image } = lm.model.score(img, te.embeds); // [B, N_labels]
      return { probs: rows(softmax(logits_per_image, -1)), logits: rows(logits_per_image) };
    });
    const probs = results.flatMap((r) => r.probs);
    const logits = results.flatMap((r) => r.logits);
    if (optFlag(args, 'json')) {
      printJson(io, {
        model: lm.name,
        labels,
        texts,
        results: names.map((image, i) => ({
          image,
          scores: labels.map((label, j) => ({ label, probability: probs[i]![j]!, logit: logits[i]![j]! })),
        })),
      });
      return;
    }
    names.forEach((image, i) => {
      io.out(`${image}\n`);
      const order = labels.map((_, j) => j).sort((a, b) => probs[i]![b]! - probs[i]![a]! || a - b);
      io.out(table(order.map((j) => ['  ' + fmtProb(probs[i]![j]!), labels[j]!])));
    });
  },
};
