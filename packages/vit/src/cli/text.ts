// Text inputs of the CLIP commands (zero-shot, similarity, where, tokenize): the model folder's tokenizer,
// texts -> input_ids / attention_mask padded to the longest text, and text_embeds from the text tower.
// Matches HF CLIPProcessor(text=..., padding=True) followed by CLIPModel.get_text_features + L2 norm.

import type { Tensor } from '@patchwise/tensor';
import { loadClipTokenizer } from '../text/tokenizer-load.js';
import type { ClipTokenizer } from '../text/tokenizer.js';
import { CliError } from './errors.js';
import type { LoadedModel } from './model.js';
import { requireTextTower, textContextLength } from './model.js';

export interface TextEmbeddings {
  readonly tokenizer: ClipTokenizer;
  /** [N, S] int32 */
  readonly inputIds: Tensor;
  /** [N, S] int32 */
  readonly attentionMask: Tensor;
  /** [N, P], L2-normalised (CLIPOutput.text_embeds) */
  readonly embeds: Tensor;
}

/** Tokenizes `texts` with the model's tokenizer and runs the text tower. */
export async function embedTexts(lm: LoadedModel, texts: readonly string[], what: string): Promise<TextEmbeddings> {
  requireTextTower(lm, what);
  if (texts.length === 0) throw new CliError(`${what}: no texts given`);
  const tokenizer = await loadClipTokenizer(lm.dir);
  // Padding to the longest text: with the attention mask the pooled (EOS) output does not depend on padding.
  const { inputIds, attentionMask } = tokenizer.tokenize(texts, { contextLength: textContextLength(lm.model), padTo: 'longest' });
  const out = lm.model.encodeText(inputIds, { attentionMask });
  const embeds = out['text_embeds'];
  if (!embeds) throw new CliError(`${lm.dir}: the text tower has no text_projection, so texts cannot be compared with images`);
  return { tokenizer, inputIds, attentionMask, embeds };
}
