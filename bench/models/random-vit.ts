// The one random-weight ViT of the benchmarks: HF ViTForImageClassification checkpoints (config.json +
// model.safetensors under HF tensor names) for ViT-Ti/16, ViT-S/16 and ViT-B/16 at 224, written once per size under
// the OS temp dir and reused; our engine (e2e/) and every peer (peers/) load the SAME file, so the weights match.
// Optimized for determinism (xorshift32 seed per tensor) and for activations that stay sane through 12 layers.
// Names and shapes match HF transformers models/vit/modeling_vit.py (ViTEmbeddings, ViTLayer, classifier).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromArray } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { writeSafetensors } from '@patchwise/io';

export type VitKey = 'ti' | 's' | 'b';

export interface VitSize {
  key: VitKey;
  name: string;
  hidden: number;
  heads: number;
  layers: number;
  mlp: number;
  image: number;
  patch: number;
  labels: number;
  eps: number;
}

const size = (key: VitKey, name: string, hidden: number, heads: number): VitSize => ({
  key, name, hidden, heads, layers: 12, mlp: 4 * hidden, image: 224, patch: 16, labels: 1000, eps: 1e-12,
});

export const VIT_SIZES: Readonly<Record<VitKey, VitSize>> = {
  ti: size('ti', 'ViT-Ti/16', 192, 3),
  s: size('s', 'ViT-S/16', 384, 6),
  b: size('b', 'ViT-B/16', 768, 12),
};

/** Tokens per image: patches plus CLS. */
export function seqLen(s: VitSize): number {
  return (s.image / s.patch) ** 2 + 1;
}

/** HF config.json for the size (ViTForImageClassification, exact GELU, eps 1e-12 as google/vit-*). */
export function hfVitConfig(s: VitSize): Record<string, unknown> {
  return {
    model_type: 'vit',
    architectures: ['ViTForImageClassification'],
    hidden_size: s.hidden,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    intermediate_size: s.mlp,
    hidden_act: 'gelu',
    layer_norm_eps: s.eps,
    image_size: s.image,
    patch_size: s.patch,
    num_channels: 3,
    qkv_bias: true,
    id2label: Object.fromEntries(Array.from({ length: s.labels }, (_, i) => [String(i), `class ${i}`])),
  };
}

/** Deterministic uniform values with the std of N(0, std^2) (timm's init uses std 0.02), xorshift32. */
export function randomArray(n: number, seed: number, std = 0.02): Float32Array {
  let x = seed >>> 0 || 1;
  const a = new Float32Array(n);
  const k = std * Math.sqrt(3); // uniform(-k, k) has std k / sqrt(3)
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    a[i] = (x / 2 ** 31 - 1) * k;
  }
  return a;
}

/** HF tensor name -> shape, in a fixed order (the seed of each tensor is its index). */
export function hfVitShapes(s: VitSize): Map<string, number[]> {
  const D = s.hidden;
  const m = new Map<string, number[]>();
  m.set('vit.embeddings.cls_token', [1, 1, D]);
  m.set('vit.embeddings.position_embeddings', [1, seqLen(s), D]);
  m.set('vit.embeddings.patch_embeddings.projection.weight', [D, 3, s.patch, s.patch]);
  m.set('vit.embeddings.patch_embeddings.projection.bias', [D]);
  for (let i = 0; i < s.layers; i++) {
    const L = `vit.encoder.layer.${i}`;
    const lin = (n: string, out: number, inp: number): void => {
      m.set(`${L}.${n}.weight`, [out, inp]);
      m.set(`${L}.${n}.bias`, [out]);
    };
    m.set(`${L}.layernorm_before.weight`, [D]);
    m.set(`${L}.layernorm_before.bias`, [D]);
    lin('attention.attention.query', D, D);
    lin('attention.attention.key', D, D);
    lin('attention.attention.value', D, D);
    lin('attention.output.dense', D, D);
    m.set(`${L}.layernorm_after.weight`, [D]);
    m.set(`${L}.layernorm_after.bias`, [D]);
    lin('intermediate.dense', s.mlp, D);
    lin('output.dense', D, s.mlp);
  }
  m.set('vit.layernorm.weight', [D]);
  m.set('vit.layernorm.bias', [D]);
  m.set('classifier.weight', [s.labels, D]);
  m.set('classifier.bias', [s.labels]);
  return m;
}

/** Random weights under HF names; LayerNorm weights are 1 + noise so the residual stream keeps its scale. */
export function randomVitWeights(s: VitSize): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let seed = 1;
  for (const [name, shape] of hfVitShapes(s)) {
    const a = randomArray(shape.reduce((p, d) => p * d, 1), seed++);
    if (/layernorm(_before|_after)?\.weight$/.test(name)) for (let i = 0; i < a.length; i++) a[i]! += 1;
    out.set(name, fromArray(a, shape));
  }
  return out;
}

/** Bumped whenever the generator changes, so a stale cached checkpoint is never reused. */
const GENERATOR_VERSION = 1;

/**
 * The folder of the random checkpoint for `key` (config.json + model.safetensors), writing it on first use.
 * The folder is built under a temp name and renamed, so a concurrent or interrupted run never sees half of it.
 */
export async function randomVitDir(key: VitKey, root = os.tmpdir()): Promise<string> {
  const s = VIT_SIZES[key];
  const dir = path.join(root, `patchwise-peers-vit-${key}-v${GENERATOR_VERSION}`);
  if (fs.existsSync(path.join(dir, 'model.safetensors')) && fs.existsSync(path.join(dir, 'config.json'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'config.json'), `${JSON.stringify(hfVitConfig(s), null, 2)}\n`);
  await writeSafetensors(path.join(tmp, 'model.safetensors'), randomVitWeights(s));
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // Another process finished first: keep theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, 'model.safetensors'))) throw e;
  }
  return dir;
}

/**
 * Pixels [B, 3, H, W] (HF-normalised range, ~N(0, 1)-scaled uniform). Image 0 is the same for every batch size,
 * so a batch-8 run can be checked against a batch-1 reference on its first image.
 */
export function randomPixels(s: VitSize, batch: number): Float32Array {
  const per = 3 * s.image * s.image;
  const out = new Float32Array(batch * per);
  for (let b = 0; b < batch; b++) out.set(randomArray(per, 1000 + b, 1), b * per);
  return out;
}
