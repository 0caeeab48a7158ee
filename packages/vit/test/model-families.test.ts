// The VLM vision-encoder family fixtures (test/data/families, from an independent PyTorch reference cross-checked
// against OpenAI CLIP and Meta DINOv2 code): every expected tensor reproduced within TOL.f32Model, including the
// CLIP text tower and scoring, the LLaVA projector, DINOv2 interpolation (current and legacy) and registers
// (antialiased), SigLIP's MAP head and DeiT's distilled pair.

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { loadLlavaProjector, loadModel, positionTable, projectVisualTokens, visualTokens } from '@patchwise/vit';
import type { VisionModel } from '@patchwise/vit';
import { DATA, TOL, compare, printReport, readTensors, record } from './model-helpers.js';

const FAM = join(DATA, 'families');

function check(fixture: string, key: string, got: Tensor | undefined, want: Tensor): void {
  expect(got, `${fixture}: no output for ${key}`).toBeDefined();
  const d = compare(got!, want, want.dtype === 'int32' ? TOL.exact : TOL.f32Model);
  record(fixture, d);
  expect(d.bad, `${fixture} ${key}: ${d.bad} elements outside tolerance (max abs ${d.maxAbs}; ${d.worst})`).toBe(0);
}

/** Checks every expected `${prefix}<name>` against out[name], except the listed keys; returns the checked names. */
function checkOutputs(fixture: string, out: Record<string, Tensor>, exp: Map<string, Tensor>, prefix: string, skip: (k: string) => boolean): string[] {
  const done: string[] = [];
  for (const [key, want] of exp) {
    if (!key.startsWith(prefix) || skip(key)) continue;
    check(fixture, key, out[key.slice(prefix.length)], want);
    done.push(key);
  }
  return done;
}

afterAll(() => printReport('family fixtures, max abs diff vs expected'));

describe('families', () => {
  it('deit_distilled: [CLS, DIST] tokens, two heads averaged', async () => {
    const model = await loadModel(join(FAM, 'deit_distilled'));
    const exp = await readTensors(join(FAM, 'deit_distilled', 'expected.safetensors'));
    const out = model.forward(exp.get('pixel_values')!, { outputHiddenStates: true });
    expect(out['pooler_output']).toBeUndefined();
    const done = checkOutputs('deit_distilled', out, exp, '', (k) => k === 'pixel_values');
    expect(done).toEqual(expect.arrayContaining(['logits', 'cls_logits', 'distillation_logits', 'hidden_states.2']));
  });

  it('siglip_vision: no CLS, post_layernorm on all tokens, MAP head', async () => {
    const model = await loadModel(join(FAM, 'siglip_vision'));
    const exp = await readTensors(join(FAM, 'siglip_vision', 'expected.safetensors'));
    const out = model.forward(exp.get('pixel_values')!, { outputHiddenStates: true });
    const done = checkOutputs('siglip_vision', out, exp, '', (k) => k === 'pixel_values');
    expect(done).toEqual(expect.arrayContaining(['pooler_output', 'last_hidden_state', 'hidden_states.2']));
  });

  for (const name of ['dinov2', 'dinov2_registers']) {
    it(`${name}: native size, interpolated size (current HF) and the older variant`, async () => {
      const model = await loadModel(join(FAM, name));
      const exp = await readTensors(join(FAM, name, 'expected.safetensors'));
      const native = model.forward(exp.get('pixel_values')!, { outputHiddenStates: true });
      checkOutputs(name, native, exp, '', (k) => k.startsWith('interp.') || k === 'pixel_values');

      const px = exp.get('interp.pixel_values')!;
      const [, , H, W] = px.shape as [number, number, number, number];
      const p = model.config.patchSize;
      const cfg = model.config;
      const table = (mode: 'hf' | 'legacy' | 'dinov2-registers'): Tensor =>
        positionTable(model.weights.get('pos')!, 1, cfg.position.grid, Math.floor(H / p), Math.floor(W / p), H, W, mode).unsqueeze(0);
      check(name, 'interp.pos_embed', table(cfg.position.interpolation), exp.get('interp.pos_embed')!);
      const interp = model.forward(px, { outputHiddenStates: true });
      const done = checkOutputs(name, interp, exp, 'interp.', (k) => k === 'interp.pixel_values' || k.includes('pos_embed') || /_(legacy_offset|no_antialias)$/.test(k));
      expect(done).toEqual(expect.arrayContaining(['interp.last_hidden_state', 'interp.pooler_output', 'interp.hidden_states.2']));
      // The variant kept by name: legacy +0.1 scale factor (dinov2) / plain bicubic (registers model).
      const variant = name === 'dinov2' ? 'legacy' : 'hf';
      const suffix = name === 'dinov2' ? '_legacy_offset' : '_no_antialias';
      check(name, `interp.pos_embed${suffix}`, table(variant), exp.get(`interp.pos_embed${suffix}`)!);
      const v = model.forward(px, { interpolation: variant });
      check(name, `interp.last_hidden_state${suffix}`, v['last_hidden_state'], exp.get(`interp.last_hidden_state${suffix}`)!);
    });
  }

  it('clip_vision_proj: pre_layrnorm, post_layernorm on CLS, projection, LLaVA visual tokens', async () => {
    const dir = join(FAM, 'clip_vision_proj');
    const model = await loadModel(dir);
    const exp = await readTensors(join(dir, 'expected.safetensors'));
    const px = exp.get('pixel_values')!;
    const out = model.forward(px, { outputHiddenStates: true });
    checkOutputs('clip_vision_proj', out, exp, '', (k) => ['pixel_values', 'visual_tokens', 'projected_tokens'].includes(k));
    const llavaCfg = JSON.parse(readFileSync(join(dir, 'llava_config.json'), 'utf8')) as { vision_feature_layer: number; vision_feature_select_strategy: 'default'; projector_hidden_act: string };
    const tokens = visualTokens(model, px, { layer: llavaCfg.vision_feature_layer, strategy: llavaCfg.vision_feature_select_strategy });
    check('clip_vision_proj', 'visual_tokens', tokens, exp.get('visual_tokens')!);
    const file = join(dir, 'llava_projector.safetensors');
    const proj = await loadLlavaProjector(parseSafetensors(new Uint8Array(readFileSync(file)), file), file, { projectorHiddenAct: llavaCfg.projector_hidden_act });
    check('clip_vision_proj', 'projected_tokens', projectVisualTokens(proj, tokens), exp.get('projected_tokens')!);
    expect(visualTokens(model, px, { strategy: 'full' }).shape).toEqual([2, 17, 32]);
  });

  describe('clip_full (CLIPModel)', () => {
    let model: VisionModel;
    let exp: Map<string, Tensor>;
    it('vision + text towers, projections, logits_per_image / per_text', async () => {
      model = await loadModel(join(FAM, 'clip_full'));
      exp = await readTensors(join(FAM, 'clip_full', 'expected.safetensors'));
      expect(model.hasText).toBe(true);
      const out = model.forward(exp.get('pixel_values')!, {
        outputHiddenStates: true,
        inputIds: exp.get('input_ids')!,
        attentionMask: exp.get('attention_mask')!,
      });
      const done = checkOutputs('clip_full', out, exp, '', (k) =>
        ['pixel_values', 'input_ids', 'attention_mask', 'text_last_hidden_state_causal_only'].includes(k) || k.startsWith('short.'),
      );
      expect(done).toEqual(expect.arrayContaining(['logits_per_image', 'logits_per_text', 'text_eos_positions', 'text_hidden_states.2', 'image_features']));
    });
    it('text tower without attention_mask (causal only, as OpenAI)', () => {
      const out = model.encodeText(exp.get('input_ids')!);
      check('clip_full', 'text_last_hidden_state_causal_only', out['text_last_hidden_state'], exp.get('text_last_hidden_state_causal_only')!);
    });
    it('shorter sequences (short.*): positions arange(S), same embeddings', () => {
      const out = model.encodeText(exp.get('short.input_ids')!, { attentionMask: exp.get('short.attention_mask')! });
      const done = checkOutputs('clip_full', out, exp, 'short.', (k) => k === 'short.input_ids' || k === 'short.attention_mask');
      expect(done).toEqual(expect.arrayContaining(['short.text_embeds', 'short.text_pooler_output', 'short.text_last_hidden_state']));
    });
  });
});
