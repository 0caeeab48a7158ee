// Weight name tables and validation: a checkpoint with missing, extra and misshapen tensors raises ONE
// WeightsError naming every one of them with expected vs found shapes; int64 position_ids buffers are ignored;
// the ViT tables work with and without the `vit.` prefix; timm's fused qkv splits into [q | k | v] rows.
// Also: loadModelFromFiles (in-memory bytes), the per-layer hook, and batch independence.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTensorData, parseSafetensors, serializeSafetensors } from '@patchwise/io';
import type { TensorToWrite } from '@patchwise/io';
import { tensor } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { HF_VIT, TIMM_VIT, WeightsError, canonicalShapes, loadModelFromFiles, parseConfig, planWeights } from '@patchwise/vit';
import type { TensorSource } from '@patchwise/vit';
import { DATA, compare, readTensors } from './model-helpers.js';

const VIT = join(DATA, 'hf-vit-tiny-random');

function sourceOf(m: Map<string, Tensor>, extra: Record<string, { dtype: string; shape: number[] }> = {}): TensorSource {
  return {
    names: () => [...m.keys(), ...Object.keys(extra)],
    info: (n) => extra[n] ?? { dtype: 'F32', shape: [...m.get(n)!.shape] },
    tensor: (n) => m.get(n)!,
  };
}

describe('weights validation', () => {
  it('names EVERY missing, unexpected and misshapen tensor with expected vs found shapes', async () => {
    const cfg = parseConfig(readFileSync(join(VIT, 'config.json'), 'utf8'));
    const m = await readTensors(join(VIT, 'model.safetensors'));
    m.delete('vit.encoder.layer.1.attention.attention.key.weight');
    m.delete('classifier.bias');
    m.set('vit.encoder.layer.2.output.dense.weight', tensor(new Float32Array(64 * 100), [64, 100]));
    m.set('vit.pooler.dense.weight', tensor(new Float32Array(64 * 64), [64, 64]));
    let err: unknown;
    try {
      planWeights(sourceOf(m), HF_VIT, canonicalShapes(cfg), { layers: cfg.layers, where: 'broken.safetensors' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeightsError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/broken\.safetensors \(HF ViT, prefix "vit\."\): 4 tensor problem/);
    expect(msg).toContain('missing tensor vit.encoder.layer.1.attention.attention.key.weight (expected shape [64, 64])');
    expect(msg).toContain('missing tensor classifier.bias (expected shape [5])');
    expect(msg).toContain('tensor vit.encoder.layer.2.output.dense.weight: expected shape [64, 128], found [64, 100]');
    expect(msg).toContain('unexpected tensor vit.pooler.dense.weight (F32 [64, 64])');
    expect((err as WeightsError).problems).toHaveLength(4);
  });

  it('ignores int64 position_ids buffers, rejects other non-float tensors', async () => {
    const cfg = parseConfig(readFileSync(join(VIT, 'config.json'), 'utf8'));
    const m = await readTensors(join(VIT, 'model.safetensors'));
    const ok = sourceOf(m, { 'vit.embeddings.position_ids': { dtype: 'I64', shape: [1, 17] } });
    expect(planWeights(ok, HF_VIT, canonicalShapes(cfg), { layers: 3, where: 'x' }).sources).toHaveLength(m.size);
    const bad = sourceOf(m, { 'vit.layernorm.weight': { dtype: 'I64', shape: [64] } });
    expect(() => planWeights(bad, HF_VIT, canonicalShapes(cfg), { layers: 3, where: 'x' })).toThrow(/vit\.layernorm\.weight: expected dtype F32, F16 or BF16, found I64/);
  });

  it('works without the vit. prefix (ViTModel-style names)', async () => {
    const cfg = parseConfig(readFileSync(join(VIT, 'config.json'), 'utf8'));
    const m = await readTensors(join(VIT, 'model.safetensors'));
    const stripped = new Map([...m].map(([k, v]) => [k.replace(/^vit\./, ''), v]));
    const plan = planWeights(sourceOf(stripped), HF_VIT, canonicalShapes(cfg), { layers: 3, where: 'x' });
    expect(plan.prefix).toBe('');
    expect(plan.sources).toContain('embeddings.cls_token');
  });

  it("timm's fused qkv rows [0, D) / [D, 2D) / [2D, 3D) become q / k / v", async () => {
    const dir = join(DATA, 'timm-vit-tiny-random');
    const cfg = parseConfig(readFileSync(join(dir, 'config.json'), 'utf8'));
    const m = await readTensors(join(dir, 'model.safetensors'));
    const plan = planWeights(sourceOf(m), TIMM_VIT, canonicalShapes(cfg), { layers: 2, where: 'x' });
    const rule = plan.rules.find((r) => r.from === 'blocks.1.attn.qkv.weight')!;
    expect(rule.to).toEqual(['layers.1.q.weight', 'layers.1.k.weight', 'layers.1.v.weight']);
    expect(rule.layout).toBe('split3');
  });
});

describe('loadModelFromFiles, hook, batches', () => {
  it('loads from in-memory bytes (browser path), F16 included', async () => {
    const model = await loadModelFromFiles({
      config: readFileSync(join(VIT, 'config.json'), 'utf8'),
      weights: new Uint8Array(readFileSync(join(VIT, 'model.f16.safetensors'))),
      preprocessor: readFileSync(join(VIT, 'preprocessor_config.json'), 'utf8'),
    });
    const exp = await readTensors(join(VIT, 'expected.f16.safetensors'));
    const d = compare(model.forward(exp.get('pixel_values')!)['logits']!, exp.get('logits')!);
    expect(d.bad).toBe(0);
    expect(model.preprocessor).toMatchObject({ image_processor_type: expect.any(String) });
  });

  it('a corrupted checkpoint in memory fails with a WeightsError', async () => {
    const m = await readTensors(join(VIT, 'model.safetensors'));
    const w = new Map<string, TensorToWrite>(m);
    w.delete('vit.layernorm.bias');
    w.set('vit.embeddings.position_ids', encodeTensorData('I64', Array.from({ length: 17 }, (_, i) => BigInt(i)), [1, 17]));
    await expect(loadModelFromFiles({ config: readFileSync(join(VIT, 'config.json'), 'utf8'), weights: serializeSafetensors(w) })).rejects.toThrow(
      /1 tensor problem\(s\):\n  missing tensor vit\.layernorm\.bias \(expected shape \[64\]\)$/,
    );
    expect(parseSafetensors(serializeSafetensors(w)).names()).toContain('vit.embeddings.position_ids');
  });

  it('onLayer sees each layer output (= hidden_states.i+1) and attention only when asked; batch rows are independent', async () => {
    const model = await loadModelFromFiles({ config: readFileSync(join(VIT, 'config.json'), 'utf8'), weights: new Uint8Array(readFileSync(join(VIT, 'model.safetensors'))) });
    const exp = await readTensors(join(VIT, 'expected.safetensors'));
    const px = exp.get('pixel_values')!;
    const seen: { i: number; hidden: Tensor; attention: Tensor | null }[] = [];
    model.forward(px, { onLayer: (i, e) => seen.push({ i, ...e }) });
    expect(seen.map((s) => s.i)).toEqual([0, 1, 2]);
    expect(seen.every((s) => s.attention === null)).toBe(true);
    expect(compare(seen[1]!.hidden, exp.get('hidden_states.2')!).bad).toBe(0);
    const withAttn: (Tensor | null)[] = [];
    model.forward(px, { outputAttentions: true, onLayer: (_, e) => withAttn.push(e.attention) });
    expect(compare(withAttn[2]!, exp.get('attentions.2')!).bad).toBe(0);
    // Batch 1 gives the same row as batch 2.
    const one = model.forward(px.narrow(0, 1, 1))['logits']!;
    expect(compare(one, exp.get('logits')!.narrow(0, 1, 1)).bad).toBe(0);
  });
});
