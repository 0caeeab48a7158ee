// The canonical weight set: one name and one shape for every tensor the encoder reads, derived from an
// EncoderConfig alone. Every checkpoint format maps onto these names (tables.ts), so the forward pass knows
// exactly one naming. Optimized for readability: the list below is the model's parameter inventory.

import type { BlockConfig, EncoderConfig } from '../config/types.js';

/** Canonical name -> expected shape, in a stable order (embeddings, layers, norms, heads, text tower). */
export type ShapeTable = Map<string, number[]>;

function addBlocks(out: ShapeTable, prefix: string, b: BlockConfig): void {
  const D = b.hidden;
  const inner = b.heads * b.headDim;
  for (let i = 0; i < b.layers; i++) {
    const l = `${prefix}layers.${i}.`;
    out.set(`${l}norm1.weight`, [D]);
    out.set(`${l}norm1.bias`, [D]);
    for (const p of ['q', 'k', 'v']) {
      out.set(`${l}${p}.weight`, [inner, D]);
      if (b.qkvBias) out.set(`${l}${p}.bias`, [inner]);
    }
    out.set(`${l}o.weight`, [D, inner]);
    out.set(`${l}o.bias`, [D]);
    if (b.layerScale) out.set(`${l}ls1`, [D]);
    out.set(`${l}norm2.weight`, [D]);
    out.set(`${l}norm2.bias`, [D]);
    out.set(`${l}fc1.weight`, [b.mlp, D]);
    out.set(`${l}fc1.bias`, [b.mlp]);
    out.set(`${l}fc2.weight`, [D, b.mlp]);
    out.set(`${l}fc2.bias`, [D]);
    if (b.layerScale) out.set(`${l}ls2`, [D]);
  }
}

/** Every tensor the encoder (and heads, and CLIP text tower) needs for this config, with its shape. */
export function canonicalShapes(cfg: EncoderConfig): ShapeTable {
  const out: ShapeTable = new Map();
  const D = cfg.hidden;
  const [gh, gw] = cfg.position.grid;
  out.set('patch.weight', [D, cfg.channels, cfg.patchSize, cfg.patchSize]);
  if (cfg.patchBias) out.set('patch.bias', [D]);
  if (cfg.tokens.cls) out.set('cls', [D]);
  if (cfg.tokens.distillation) out.set('dist', [D]);
  if (cfg.tokens.registers > 0) out.set('registers', [cfg.tokens.registers, D]);
  out.set('pos', [cfg.position.prefixRows + gh * gw, D]);
  if (cfg.preNorm) {
    out.set('pre_norm.weight', [D]);
    out.set('pre_norm.bias', [D]);
  }
  addBlocks(out, '', cfg);
  if (cfg.finalNorm !== 'none') {
    out.set('final_norm.weight', [D]);
    out.set('final_norm.bias', [D]);
  }
  switch (cfg.pooling) {
    case 'pooler-dense-tanh':
      out.set('pooler.weight', [D, D]);
      out.set('pooler.bias', [D]);
      break;
    case 'avg-with-fc-norm':
      out.set('fc_norm.weight', [D]);
      out.set('fc_norm.bias', [D]);
      break;
    case 'map':
      // SiglipMultiheadAttentionPoolingHead: same head count and MLP width as the encoder.
      out.set('map.probe', [D]);
      for (const p of ['q', 'k', 'v']) {
        out.set(`map.${p}.weight`, [D, D]);
        out.set(`map.${p}.bias`, [D]);
      }
      out.set('map.o.weight', [D, D]);
      out.set('map.o.bias', [D]);
      out.set('map.norm.weight', [D]);
      out.set('map.norm.bias', [D]);
      out.set('map.fc1.weight', [cfg.mlp, D]);
      out.set('map.fc1.bias', [cfg.mlp]);
      out.set('map.fc2.weight', [D, cfg.mlp]);
      out.set('map.fc2.bias', [D]);
      break;
    default:
      break;
  }
  const h = cfg.head;
  if (h.kind === 'classifier' || h.kind === 'distilled') {
    out.set('classifier.weight', [h.numClasses, D]);
    out.set('classifier.bias', [h.numClasses]);
    if (h.kind === 'distilled') {
      out.set('dist_classifier.weight', [h.numClasses, D]);
      out.set('dist_classifier.bias', [h.numClasses]);
    }
  } else if (h.kind === 'projection') {
    out.set('projection.weight', [h.projectionDim, D]);
  }
  const t = cfg.text;
  if (t) {
    out.set('text.token', [t.vocabSize, t.hidden]);
    out.set('text.pos', [t.maxPositions, t.hidden]);
    addBlocks(out, 'text.', t);
    out.set('text.final_norm.weight', [t.hidden]);
    out.set('text.final_norm.bias', [t.hidden]);
    if (cfg.projectionDim !== null) out.set('text.projection.weight', [cfg.projectionDim, t.hidden]);
    out.set('logit_scale', []);
  }
  return out;
}
