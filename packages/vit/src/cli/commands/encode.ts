// `patchwise encode`: runs the model and writes every HF-named output (last_hidden_state, pooler_output,
// logits, image_embeds, hidden_states.N, attentions.N, CLIP text_* and logits_per_*) together with the
// pixel_values (and input_ids / attention_mask) it used, so a run can be diffed against PyTorch tensor by
// tensor. Optimized for exactness: tensors are written as computed (float32; ids int32).

import { writeSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { optFlag, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { fmtShape, table } from '../format.js';
import { commandInputs } from '../inputs.js';
import { loadCliModel, requireTextTower, textContextLength } from '../model.js';
import { loadClipTokenizer } from '../../text/tokenizer-load.js';

export const encode: Command = {
  name: 'encode',
  summary: 'run the encoder and write all HF-named outputs (and the inputs used) to safetensors',
  usage: [
    'encode <image...> [--model M] --out F.safetensors [--hidden-states] [--attentions] [--text "..."...]',
    'encode --pixels F.safetensors [--model M] --out F.safetensors [--hidden-states] [--attentions]',
  ],
  description: [
    'With --pixels, the file must hold pixel_values [B, C, H, W]; for a CLIPModel it may also hold input_ids',
    '[N, S] (and attention_mask), and then the text side runs too (text_embeds, logits_per_image...).',
    'With --text (CLIPModel), the texts are tokenized with the model\'s tokenizer and run the same way.',
  ],
  options: {
    model: MODEL_OPTION,
    out: { value: 'F', help: 'output safetensors file (required)' },
    pixels: PIXELS_OPTION,
    'hidden-states': { boolean: true, help: 'also write hidden_states.0..L (embeddings, then each layer before the final norm)' },
    attentions: { boolean: true, help: 'also write attentions.0..L-1 ([B, heads, T, T] probabilities)' },
    text: { value: 'T', repeat: true, help: 'CLIPModel: also encode this text (tokenized with the model folder\'s tokenizer)' },
  },
  async run(args, { io }) {
    const outFile = optString(args, 'out');
    if (outFile === undefined) throw new UsageError('encode needs --out F.safetensors');
    const lm = await loadCliModel(optString(args, 'model'));
    const inputs = await commandInputs(args, lm, { batchSize: Number.MAX_SAFE_INTEGER });
    const batches = inputs.batches;
    let text = inputs.text;
    const texts = args.lists.get('text') ?? [];
    if (texts.length > 0) {
      if (text !== null) throw new UsageError(`${optString(args, 'pixels')} already holds input_ids; give --text or the ids, not both`);
      requireTextTower(lm, 'encode --text');
      const tok = await loadClipTokenizer(lm.dir);
      const t = tok.tokenize(texts, { contextLength: textContextLength(lm.model), padTo: 'longest' });
      text = { inputIds: t.inputIds, attentionMask: t.attentionMask };
    }
    if (text !== null && !lm.model.hasText) {
      throw new CliError(`${optString(args, 'pixels')} holds input_ids, but ${lm.dir} (${lm.model.config.architecture}) has no text tower`);
    }
    // The whole input is one batch (batchSize above), so each output name is one tensor in the file.
    let pixels: Tensor | null = null;
    for await (const b of batches) pixels = b.pixels; // [B, C, H, W]
    const out = lm.model.forward(pixels!, {
      outputHiddenStates: optFlag(args, 'hidden-states'),
      outputAttentions: optFlag(args, 'attentions'),
      inputIds: text?.inputIds,
      attentionMask: text?.attentionMask ?? undefined,
    });
    const tensors: Record<string, Tensor> = { pixel_values: pixels! };
    if (text !== null) {
      tensors['input_ids'] = text.inputIds;
      if (text.attentionMask) tensors['attention_mask'] = text.attentionMask;
    }
    for (const [name, t] of Object.entries(out)) tensors[name] = t.contiguous();
    await writeSafetensors(outFile, tensors, { format: 'pt', producer: 'patchwise encode', model: lm.name });
    io.out(`wrote ${outFile}: ${Object.keys(tensors).length} tensors\n`);
    io.out(table(Object.entries(tensors).map(([n, t]) => ['  ' + n, t.dtype, fmtShape(t.shape)])));
  },
};
