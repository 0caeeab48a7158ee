// timm global_pool='avg' semantics on the timm fixture's weights: with fc_norm (timm's default for 'avg') the
// final `norm` is not applied; pre_logits = fc_norm(mean of the non-prefix tokens of the last block output).
// Without fc_norm: pre_logits = mean(norm(tokens))[prefix:]. References are computed here in float64 from the
// fixture's independent hidden_states.2 (timm/models/vision_transformer.py forward_features / forward_head).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensor } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { buildModel, parseConfig } from '@patchwise/vit';
import type { CheckpointReader } from '@patchwise/vit';
import { DATA, compare, readTensors } from './model-helpers.js';

const DIR = join(DATA, 'timm-vit-tiny-random');

function reader(m: Map<string, Tensor>): CheckpointReader {
  return { names: () => [...m.keys()], info: (n) => ({ dtype: 'F32', shape: [...m.get(n)!.shape] }), tensor: (n) => m.get(n)! };
}

/** float64 LayerNorm of one row (biased variance, eps inside the sqrt). */
function ln(x: number[], w: ArrayLike<number>, b: ArrayLike<number>, eps: number): number[] {
  const mu = x.reduce((s, v) => s + v, 0) / x.length;
  const v = x.reduce((s, t) => s + (t - mu) ** 2, 0) / x.length;
  return x.map((t, i) => ((t - mu) / Math.sqrt(v + eps)) * w[i]! + b[i]!);
}

describe('timm avg pooling', () => {
  it('avg with fc_norm: no final norm, fc_norm on the mean of patch tokens; avg without fc_norm: mean of normed tokens', async () => {
    const base = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as { model_args: Record<string, unknown> };
    const weights = await readTensors(join(DIR, 'model.safetensors'));
    const exp = await readTensors(join(DIR, 'expected.safetensors'));
    const h = exp.get('hidden_states.2')!; // [2, 37, 48], before norm
    const [B, T, D] = h.shape as [number, number, number];
    const nw = weights.get('norm.weight')!.toArray();
    const nb = weights.get('norm.bias')!.toArray();
    const rows = (b: number): number[][] => Array.from({ length: T }, (_, t) => Array.from({ length: D }, (_, d) => h.get(b, t, d)));
    const mean = (xs: number[][]): number[] => xs[0]!.map((_, d) => xs.reduce((s, r) => s + r[d]!, 0) / xs.length);

    // fc_norm variant: reuse the fixture's `norm` parameters as fc_norm (any LayerNorm weights will do).
    const withFc = new Map(weights);
    withFc.set('fc_norm.weight', weights.get('norm.weight')!);
    withFc.set('fc_norm.bias', weights.get('norm.bias')!);
    withFc.delete('norm.weight');
    withFc.delete('norm.bias');
    const cfgFc = parseConfig({ ...base, global_pool: 'avg', model_args: { ...base.model_args, global_pool: 'avg' } });
    expect(cfgFc).toMatchObject({ pooling: 'avg-with-fc-norm', finalNorm: 'none' });
    const mFc = await buildModel(cfgFc, reader(withFc), 'fc');
    const outFc = mFc.forward(exp.get('pixel_values')!);
    const wantFc = Array.from({ length: B }, (_, b) => ln(mean(rows(b).slice(1)), nw, nb, 1e-6));
    expect(compare(outFc['pre_logits']!, tensor(wantFc.flat(), [B, D])).bad).toBe(0);
    expect(compare(outFc['last_hidden_state']!, h).bad).toBe(0); // no final norm on the tokens

    // fc_norm=false: the usual final norm on every token, then the mean of the patch tokens.
    const cfgMean = parseConfig({ ...base, global_pool: 'avg', model_args: { ...base.model_args, global_pool: 'avg', fc_norm: false } });
    expect(cfgMean).toMatchObject({ pooling: 'mean', finalNorm: 'all' });
    const mMean = await buildModel(cfgMean, reader(weights), 'mean');
    const wantMean = Array.from({ length: B }, (_, b) => mean(rows(b).slice(1).map((r) => ln(r, nw, nb, 1e-6))));
    expect(compare(mMean.forward(exp.get('pixel_values')!)['pre_logits']!, tensor(wantMean.flat(), [B, D])).bad).toBe(0);
  });
});
