// CLIP text-side details with hand-worked cases: which position is pooled (HF CLIPTextTransformer: argmax of the
// ids for OpenAI vocabularies / legacy eos_token_id 2, else the first eos_token_id), and the additive mask
// (causal AND padding).

import { describe, expect, it } from 'vitest';
import { intTensor } from '@patchwise/tensor';
import { eosPositions, llavaSettings, textAttentionMask } from '@patchwise/vit';

describe('eosPositions', () => {
  it('OpenAI ids: argmax = the first 49407, whether padding is 49407 (HF) or 0 (OpenAI)', () => {
    // row 0: [SOT, a, b, EOT, EOT(pad), EOT(pad)] -> 3 (first maximum); row 1: [SOT, a, EOT, 0, 0, 0] -> 2
    const ids = intTensor([49406, 320, 1929, 49407, 49407, 49407, 49406, 320, 49407, 0, 0, 0], [2, 6]);
    expect(eosPositions(ids, 2)).toEqual([3, 2]); // real OpenAI configs say eos_token_id 2
    expect(eosPositions(ids, 49407)).toEqual([3, 2]);
  });
  it('other vocabularies: the first position equal to eos_token_id, not the largest id', () => {
    // eos 5 at positions 2 and 3 of row 0; row 1 has a larger id (9) before its eos at position 3.
    const ids = intTensor([1, 4, 5, 5, 1, 9, 4, 5], [2, 4]);
    expect(eosPositions(ids, 5)).toEqual([2, 3]);
    expect(eosPositions(intTensor([1, 4, 4, 4], [1, 4]), 5)).toEqual([0]); // no eos: argmax of all-false = 0
  });
});

describe('textAttentionMask', () => {
  it('blocks j > i and padded keys with finfo(float32).min, keeps the rest at 0', () => {
    const m = textAttentionMask(1, 3, intTensor([1, 1, 0], [1, 3])).toNested() as number[][][][];
    const X = -3.4028234663852886e38;
    expect(m[0]![0]).toEqual([
      [0, X, X],
      [0, 0, X],
      [0, 0, X],
    ]);
  });
});

describe('llavaSettings', () => {
  it('reads the LLaVA config with HF defaults', () => {
    expect(llavaSettings({ vision_feature_layer: -1, vision_feature_select_strategy: 'full' })).toMatchObject({ featureLayer: -1, strategy: 'full', projectorAct: 'gelu' });
    expect(llavaSettings({})).toMatchObject({ featureLayer: -2, strategy: 'default' });
    expect(() => llavaSettings({ vision_feature_layer: [-2, -5] })).toThrow(/list of layers is not supported/);
  });
});
