// Every expected tensor of the random-weight fixtures (HF ViT f32/f16/bf16/interp48/attentions, ViTModel pooler,
// timm) reproduced within TOL.f32Model, and the max abs diff per fixture reported. The goldens come from an
// independent PyTorch/float64 reference (see each fixture's README in test/data/).

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { buildModel, loadModel, parseConfig } from '@patchwise/vit';
import type { VisionModel } from '@patchwise/vit';
import { DATA, compare, printReport, readTensors, record } from './model-helpers.js';

async function loadWith(dir: string, weights: string): Promise<VisionModel> {
  const cfg = parseConfig(readFileSync(join(dir, 'config.json'), 'utf8'), join(dir, 'config.json'));
  const file = join(dir, weights);
  return buildModel(cfg, parseSafetensors(new Uint8Array(readFileSync(file)), file), file);
}

/** Runs the model on the fixture's pixel_values (key `${prefix}pixel_values`) and checks every listed output. */
function checkAll(fixture: string, model: VisionModel, expected: Map<string, Tensor>, prefix = '', skip: string[] = []): string[] {
  const pixels = expected.get(`${prefix}pixel_values`)!;
  const wantAttn = [...expected.keys()].some((k) => k.startsWith(`${prefix}attentions.`));
  const out = model.forward(pixels, { outputHiddenStates: true, outputAttentions: wantAttn });
  const checked: string[] = [];
  for (const [key, want] of expected) {
    if (!key.startsWith(prefix) || key === `${prefix}pixel_values` || skip.includes(key)) continue;
    const name = key.slice(prefix.length);
    const got = out[name];
    expect(got, `${fixture}: output ${name} missing (have ${Object.keys(out).join(', ')})`).toBeDefined();
    const d = compare(got!, want);
    record(fixture, d);
    expect(d.bad, `${fixture} ${key}: ${d.bad} elements outside tolerance, max abs ${d.maxAbs}; first ${d.worst}`).toBe(0);
    checked.push(key);
  }
  return checked;
}

afterAll(() => printReport('model fixtures, max abs diff vs expected'));

describe('hf-vit-tiny-random (ViTForImageClassification)', () => {
  const dir = join(DATA, 'hf-vit-tiny-random');
  it('f32: logits, last_hidden_state, hidden_states, attentions', async () => {
    const model = await loadModel(dir);
    expect(model.family).toBe('vit');
    expect(model.config.id2label?.[3]).toBe('monarch butterfly');
    const checked = checkAll('hf-vit-tiny-random f32', model, await readTensors(join(dir, 'expected.safetensors')));
    expect(checked).toContain('attentions.2');
    expect(checked).toContain('logits');
  });
  for (const dt of ['f16', 'bf16']) {
    it(`${dt} weights upcast exactly`, async () => {
      const model = await loadWith(dir, `model.${dt}.safetensors`);
      const checked = checkAll(`hf-vit-tiny-random ${dt}`, model, await readTensors(join(dir, `expected.${dt}.safetensors`)));
      expect(checked).toContain('logits');
    });
  }
  it('48x48 input: interpolated position table and all outputs', async () => {
    const model = await loadModel(dir);
    const exp = await readTensors(join(dir, 'expected.interp48.safetensors'));
    // The table actually added = hidden_states.0 minus the patch/CLS tokens; check it through the embedding code.
    const { positionTable } = await import('@patchwise/vit');
    const cfg = model.config;
    const pos = positionTable(model.weights.get('pos')!, 1, cfg.position.grid, 6, 6, 48, 48, 'hf');
    const d = compare(pos.unsqueeze(0), exp.get('position_embeddings_interpolated')!);
    record('hf-vit-tiny-random interp48', d);
    expect(d.bad).toBe(0);
    checkAll('hf-vit-tiny-random interp48', model, exp, '', ['position_embeddings_interpolated']);
  });
});

describe('hf-vit-model-pooler (ViTModel)', () => {
  it('pooler_output = tanh(dense(CLS)), hidden states', async () => {
    const dir = join(DATA, 'hf-vit-model-pooler');
    const model = await loadModel(dir);
    expect(model.config.pooling).toBe('pooler-dense-tanh');
    const checked = checkAll('hf-vit-model-pooler', model, await readTensors(join(dir, 'expected.safetensors')));
    expect(checked).toContain('pooler_output');
  });
});

describe('timm-vit-tiny-random', () => {
  it('fused qkv split, eps 1e-6, token pooling', async () => {
    const dir = join(DATA, 'timm-vit-tiny-random');
    const model = await loadModel(dir);
    expect(model.family).toBe('timm');
    expect(model.config.mlp).toBe(120);
    const checked = checkAll('timm-vit-tiny-random', model, await readTensors(join(dir, 'expected.safetensors')));
    expect(checked).toEqual(expect.arrayContaining(['logits', 'pre_logits', 'hidden_states.2']));
  });
});
