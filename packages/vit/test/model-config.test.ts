// Config parsing: every HF model type and timm hub config of the fixtures, the non-standard attention_head_size,
// standard timm names, and typed ConfigErrors that name the field and say what was expected.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '@patchwise/vit';
import { DATA } from './model-helpers.js';

const cfgOf = (...p: string[]): Record<string, unknown> => JSON.parse(readFileSync(join(DATA, ...p, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('parseConfig: HF config.json', () => {
  it('ViTForImageClassification: dims, eps, act, labels', () => {
    const c = parseConfig(cfgOf('hf-vit-tiny-random'));
    expect(c).toMatchObject({ family: 'vit', hidden: 64, layers: 3, heads: 4, headDim: 16, mlp: 128, eps: 1e-12, act: 'gelu', patchSize: 8, channels: 3, qkvBias: true });
    expect(c.imageSize).toEqual([32, 32]);
    expect(c.position).toEqual({ prefixRows: 1, grid: [4, 4], interpolation: 'hf' });
    expect(c.head).toEqual({ kind: 'classifier', numClasses: 5 });
    expect(c.id2label).toEqual(['tabby cat', 'golden retriever', 'red fox', 'monarch butterfly', 'espresso']);
  });
  it('non-standard attention_head_size: inner width 4 x 64 = 256 with hidden 64; relu; no qkv bias', () => {
    const c = parseConfig(cfgOf('vit-mnist', 'vit-mnist-10class'));
    expect(c).toMatchObject({ hidden: 64, heads: 4, headDim: 64, act: 'relu', eps: 1e-5, qkvBias: false, channels: 1 });
  });
  it('ViTModel has the dense+tanh pooler; DeiT with teacher has two prefix tokens and a distilled head', () => {
    expect(parseConfig(cfgOf('hf-vit-model-pooler')).pooling).toBe('pooler-dense-tanh');
    const d = parseConfig(cfgOf('families', 'deit_distilled'));
    expect(d.tokens).toEqual({ cls: true, distillation: true, registers: 0 });
    expect(d.position.prefixRows).toBe(2);
    expect(d.head).toEqual({ kind: 'distilled', numClasses: 5 });
  });
  it('CLIP vision with projection, CLIPModel with its text tower', () => {
    const v = parseConfig(cfgOf('families', 'clip_vision_proj'));
    expect(v).toMatchObject({ family: 'clip', preNorm: true, finalNorm: 'pooled', patchBias: false, act: 'quick_gelu', eps: 1e-5 });
    expect(v.head).toEqual({ kind: 'projection', projectionDim: 24 });
    const m = parseConfig(cfgOf('families', 'clip_full'));
    expect(m.text).toMatchObject({ hidden: 32, layers: 2, heads: 4, vocabSize: 1000, maxPositions: 16, eosTokenId: 999 });
    expect(m.projectionDim).toBe(16);
  });
  it('SigLIP: no CLS, MAP pooling; DINOv2: layerscale, mlp_ratio; registers: antialiased interpolation', () => {
    const s = parseConfig(cfgOf('families', 'siglip_vision'));
    expect(s).toMatchObject({ pooling: 'map', finalNorm: 'all', act: 'gelu_pytorch_tanh' });
    expect(s.tokens.cls).toBe(false);
    expect(s.position.prefixRows).toBe(0);
    const d = parseConfig(cfgOf('families', 'dinov2'));
    expect(d).toMatchObject({ layerScale: true, mlp: 128, eps: 1e-6, pooling: 'normed-cls' });
    const r = parseConfig(cfgOf('families', 'dinov2_registers'));
    expect(r.tokens.registers).toBe(4);
    expect(r.position).toEqual({ prefixRows: 1, grid: [4, 4], interpolation: 'dinov2-registers' });
  });
});

describe('parseConfig: timm hub config.json', () => {
  it('dims from model_args override the entrypoint name', () => {
    const c = parseConfig(cfgOf('timm-vit-tiny-random'));
    expect(c).toMatchObject({ family: 'timm', hidden: 48, layers: 2, heads: 3, mlp: 120, eps: 1e-6, patchSize: 6, pooling: 'cls' });
    expect(c.imageSize).toEqual([36, 36]);
    expect(c.id2label?.[0]).toBe('n01440764');
  });
  it('standard vit_* names give the dims; avg pooling uses fc_norm and no final norm', () => {
    const c = parseConfig({ architecture: 'vit_base_patch16_384.augreg_in21k_ft_in1k', num_classes: 1000, global_pool: 'avg' });
    expect(c).toMatchObject({ hidden: 768, layers: 12, heads: 12, mlp: 3072, patchSize: 16, pooling: 'avg-with-fc-norm', finalNorm: 'none' });
    expect(c.imageSize).toEqual([384, 384]);
    const s = parseConfig({ architecture: 'vit_small_patch16_224', num_classes: 0 });
    expect(s).toMatchObject({ hidden: 384, heads: 6, head: { kind: 'none' } });
  });
  it('an unknown architecture without model_args names what is missing', () => {
    expect(() => parseConfig({ architecture: 'convnext_tiny', num_classes: 10 })).toThrow(/embed_dim.*convnext_tiny/);
  });
});

describe('ConfigError', () => {
  const base = cfgOf('hf-vit-tiny-random');
  const err = (obj: object): string => {
    try {
      parseConfig(obj, 'x/config.json');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };
  it('names the unknown model_type and the supported ones', () => {
    expect(err({ ...base, model_type: 'swin' })).toMatch(/x\/config\.json: model_type "swin" is not supported \(expected one of vit, deit/);
  });
  it('names a missing field', () => {
    const { hidden_size: _, ...rest } = base;
    expect(err(rest)).toMatch(/missing field "hidden_size"/);
    const { model_type: __, ...noType } = base;
    expect(err(noType)).toMatch(/missing field "model_type"/);
  });
  it('names wrong types and unsupported architectures', () => {
    expect(err({ ...base, num_attention_heads: '4' })).toMatch(/"num_attention_heads" must be an integer/);
    expect(err({ ...base, architectures: ['ViTForMaskedImageModeling'] })).toMatch(/ViTForMaskedImageModeling is not supported/);
    expect(err({ ...base, hidden_size: 65 })).toMatch(/not a multiple of num_attention_heads/);
  });
  it('refuses absurd sizes before allocating anything', () => {
    expect(err({ ...base, num_hidden_layers: 5000 })).toMatch(/num_hidden_layers.*1\.\.1000.*5000/);
    expect(err({ ...base, hidden_size: 1 << 20 })).toMatch(/hidden_size.*65536/);
    expect(err({ ...base, image_size: 1e9 })).toMatch(/image_size/);
  });
  it('invalid JSON text names the file', () => {
    expect(() => parseConfig('{"model_type": ', 'm/config.json')).toThrow(/m\/config\.json: not valid JSON/);
  });
});
