// LLaVA visual tokens: the vision tower's hidden_states[layer] (default -2, i.e. the output of the second-to-last
// block, no post norm), CLS dropped ('default') or kept ('full'), then the multi_modal_projector
// linear_1 -> GELU (exact erf) -> linear_2. Optimized for readability. Matches HF modeling_llava.py
// LlavaModel.get_image_features and LlavaMultiModalProjector.

import { ShapeError, linear, prepareLinear, resolveActivation } from '@patchwise/tensor';
import type { ActivationOp, LinearWeights, Tensor } from '@patchwise/tensor';
import { ConfigError, WeightsError } from '../config/errors.js';
import type { WeightProblem } from '../config/errors.js';
import type { VisionModel } from './vision.js';

export type FeatureStrategy = 'default' | 'full';

export interface LlavaProjector {
  linear1: LinearWeights;
  linear2: LinearWeights;
  act: ActivationOp;
  /** Input width (vision hidden size) and output width (language model hidden size). */
  inFeatures: number;
  outFeatures: number;
}

/** What is needed of a checkpoint reader (the @patchwise/io reader or any in-memory map). */
export interface ProjectorSource {
  names(): string[];
  info(name: string): { readonly dtype: string; readonly shape: readonly number[] };
  tensor(name: string): Promise<Tensor> | Tensor;
}

/**
 * Reads `multi_modal_projector.linear_{1,2}.{weight,bias}` (legacy hub names, or under `model.` as recent
 * transformers save them). `projectorHiddenAct` is the LLaVA config's projector_hidden_act (default "gelu").
 */
export async function loadLlavaProjector(src: ProjectorSource, where: string, opts: { projectorHiddenAct?: string; bias?: boolean } = {}): Promise<LlavaProjector> {
  const names = src.names();
  const anchor = names.find((n) => n.endsWith('multi_modal_projector.linear_1.weight'));
  const prefix = anchor ? anchor.slice(0, anchor.length - 'multi_modal_projector.linear_1.weight'.length) : '';
  const bias = opts.bias ?? true; // multimodal_projector_bias, default true
  const want = ['linear_1.weight', 'linear_2.weight', ...(bias ? ['linear_1.bias', 'linear_2.bias'] : [])].map((n) => `${prefix}multi_modal_projector.${n}`);
  const problems: WeightProblem[] = want.filter((n) => !names.includes(n)).map((n) => ({ kind: 'missing', tensor: n, expected: 'a tensor' }));
  if (problems.length > 0) throw new WeightsError(`${where} (LLaVA multi_modal_projector)`, problems);
  const get = async (n: string): Promise<Tensor> => src.tensor(`${prefix}multi_modal_projector.${n}`);
  const w1 = await get('linear_1.weight'); // [text_hidden, vision_hidden]
  const w2 = await get('linear_2.weight'); // [text_hidden, text_hidden]
  if (w1.rank !== 2 || w2.rank !== 2 || w2.shape[1] !== w1.shape[0]) {
    throw new WeightsError(`${where} (LLaVA multi_modal_projector)`, [
      { kind: 'shape', tensor: `${prefix}multi_modal_projector.linear_2.weight`, expected: `[*, ${w1.shape[0]}]`, found: `[${w2.shape.join(', ')}]` },
    ]);
  }
  let act: ActivationOp;
  try {
    act = resolveActivation(opts.projectorHiddenAct ?? 'gelu');
  } catch (e) {
    throw new ConfigError(`llava config: projector_hidden_act: ${(e as Error).message}`);
  }
  return {
    linear1: prepareLinear(w1, bias ? await get('linear_1.bias') : null),
    linear2: prepareLinear(w2, bias ? await get('linear_2.bias') : null),
    act,
    inFeatures: w1.shape[1]!,
    outFeatures: w2.shape[0]!,
  };
}

/**
 * Visual tokens for a LLaVA language model: hidden_states[layer] of the vision tower ([B, T, D]; index into the
 * L+1 states, negative from the end), with the CLS token dropped for 'default'. Only that layer is kept (hook).
 */
export function visualTokens(model: VisionModel, pixelValues: Tensor, opts: { layer?: number; strategy?: FeatureStrategy } = {}): Tensor {
  const L = model.config.layers;
  const layer = opts.layer ?? -2;
  const idx = layer < 0 ? L + 1 + layer : layer; // index into (embeddings, layer 1 .. layer L)
  if (!Number.isInteger(idx) || idx < 0 || idx > L) throw new ShapeError(`vision feature layer ${layer} is out of range for ${L} layers (expected ${-(L + 1)}..${L})`);
  let picked: Tensor | null = null;
  if (idx === 0) {
    picked = model.forward(pixelValues, { outputHiddenStates: true })['hidden_states.0']!;
  } else {
    model.forward(pixelValues, { onLayer: (i, e) => void (i + 1 === idx ? (picked = e.hidden) : undefined) });
  }
  const h = picked!; // [B, T, D]
  const strategy = opts.strategy ?? 'default';
  return strategy === 'default' ? h.narrow(1, 1, h.shape[1]! - 1).contiguous() : h; // [B, T-1, D] or [B, T, D]
}

/** The projector: [B, N, D_vision] -> [B, N, D_text]. */
export function projectVisualTokens(p: LlavaProjector, tokens: Tensor): Tensor {
  if (tokens.shape[tokens.rank - 1] !== p.inFeatures) {
    throw new ShapeError(`visual tokens end in ${tokens.shape[tokens.rank - 1]} features; the projector takes ${p.inFeatures}`);
  }
  const h = linear(tokens, p.linear1, null, { activation: p.act }); // [B, N, D_text]
  return linear(h, p.linear2); // [B, N, D_text]
}
