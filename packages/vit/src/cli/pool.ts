// One vector per image from a forward pass, by name (`embed --pool`, `similarity`): cls, mean, pooler,
// projected. Each is an output HF returns, or a plain reduction of last_hidden_state, so users can reproduce
// it in Python. Optimized for saying why a pooling is unavailable for a model.

import { concat, mean } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { numPrefixTokens } from '../config/types.js';
import type { EncoderConfig } from '../config/types.js';
import { CliError } from './errors.js';

export const POOLS = ['cls', 'mean', 'pooler', 'projected'] as const;
export type Pool = (typeof POOLS)[number];

/**
 * The default pooling for a model: the shared-space embedding when it has one (CLIP image_embeds), else the
 * family's own pooled output (ViTModel / DINOv2 / SigLIP pooler_output, timm pre_logits), else CLS, else mean.
 */
export function defaultPool(out: Readonly<Record<string, Tensor>>, cfg: EncoderConfig): Pool {
  if (out['image_embeds']) return 'projected';
  if (out['pooler_output'] || out['pre_logits']) return 'pooler';
  return cfg.tokens.cls ? 'cls' : 'mean';
}

/** The [B, D] embedding `pool` from forward outputs. */
export function pooled(out: Readonly<Record<string, Tensor>>, cfg: EncoderConfig, pool: Pool): Tensor {
  const seq = out['last_hidden_state']!; // [B, T, D]
  switch (pool) {
    case 'cls':
      if (!cfg.tokens.cls) throw new CliError(`--pool cls: ${cfg.architecture} has no CLS token (use mean or pooler)`);
      return seq.select(1, 0).contiguous(); // [B, D]
    case 'mean': {
      const p = numPrefixTokens(cfg); // CLS, distillation and register tokens are not patches
      return mean(seq.narrow(1, p, seq.shape[1]! - p), 1); // [B, D]
    }
    case 'pooler': {
      const t = out['pooler_output'] ?? out['pre_logits'];
      if (!t) throw new CliError(`--pool pooler: ${cfg.architecture} returns no pooler_output (use cls or mean)`);
      return t;
    }
    case 'projected': {
      const t = out['image_embeds'];
      if (!t) throw new CliError(`--pool projected: ${cfg.architecture} has no visual projection (needs CLIPModel or CLIPVisionModelWithProjection)`);
      return t;
    }
  }
}

/** Stacks per-batch [b, D] tensors into [N, D]. */
export function stackRows(parts: readonly Tensor[]): Tensor {
  return parts.length === 1 ? parts[0]! : concat([...parts], 0);
}
