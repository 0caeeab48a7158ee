// `encode --pixels` (and the other --pixels commands) reproduce the fixtures' goldens: the pixel_values of each
// expected*.safetensors go in, every HF-named output that the encode file holds must match the independent
// PyTorch float64 reference within TOL.f32Model (1e-4 abs + 1e-4 rel, the fixture READMEs' tolerance).

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { TOL } from '../../tensor/test/tolerances.js';
import { CLI_DATA, DATA, cli, expectOneLineError, readTensors, tempDir } from './cli-helpers.js';
import { compare } from './model-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Every output name encode can write; other keys in the goldens (variants, interp tables...) are not ours. */
const OUTPUT = /^(logits|cls_logits|distillation_logits|last_hidden_state|pooler_output|pre_logits|image_embeds|image_features|hidden_states\.\d+|attentions\.\d+|text_embeds|text_features|text_pooler_output|text_last_hidden_state|text_hidden_states\.\d+|logits_per_image|logits_per_text)$/;

const report: string[] = [];
afterAll(() => console.log(`encode --pixels vs goldens, max abs diff:\n${report.join('\n')}`));

/**
 * Writes the golden inputs under `prefix` as a plain pixels file, runs encode, and checks each output.
 * `must` lists outputs that have to be present (a missing one fails).
 */
async function encodeMatches(name: string, modelDir: string, expectedFile: string, must: string[], opts: { prefix?: string; text?: boolean; flags?: string[] } = {}): Promise<void> {
  const prefix = opts.prefix ?? '';
  const { tensors: exp } = await readTensors(expectedFile);
  const inputs: Record<string, Tensor> = { pixel_values: exp.get(`${prefix}pixel_values`)! };
  if (opts.text) {
    inputs['input_ids'] = exp.get(`${prefix}input_ids`)!;
    inputs['attention_mask'] = exp.get(`${prefix}attention_mask`)!;
  }
  const pixFile = join(tmp.dir, `${name}.pixels.safetensors`);
  writeFileSync(pixFile, serializeSafetensors(inputs));
  const outFile = join(tmp.dir, `${name}.out.safetensors`);
  const r = await cli('encode', '--pixels', pixFile, '--model', modelDir, '--out', outFile, ...(opts.flags ?? ['--hidden-states', '--attentions']));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { tensors: got } = await readTensors(outFile);
  expect(compare(got.get('pixel_values')!, inputs['pixel_values']!).maxAbs).toBe(0); // the inputs it used, verbatim
  let worst = 0;
  const checked: string[] = [];
  for (const [key, want] of exp) {
    if (!key.startsWith(prefix)) continue;
    const out = key.slice(prefix.length);
    if (!OUTPUT.test(out) || (prefix === '' && key.includes('.') && !/^(hidden_states|attentions|text_hidden_states)\./.test(key))) continue;
    const g = got.get(out);
    expect(g, `${name}: ${out} missing from the encode output (has ${[...got.keys()].join(', ')})`).toBeDefined();
    const d = compare(g!, want);
    expect(d.bad, `${name} ${out}: ${d.bad} elements outside tolerance, max abs ${d.maxAbs}`).toBe(0);
    worst = Math.max(worst, d.maxAbs);
    checked.push(out);
  }
  for (const m of must) expect(checked, `${name}: ${m} not checked`).toContain(m);
  report.push(`  ${name}: ${checked.length} tensors, max abs diff ${worst.toExponential(2)}`);
}

describe('encode --pixels reproduces the fixture goldens', () => {
  const vit = join(DATA, 'hf-vit-tiny-random');
  it('hf-vit-tiny-random f32: logits, last_hidden_state, hidden_states, attentions', async () => {
    await encodeMatches('hf-vit-tiny-random', vit, join(vit, 'expected.safetensors'), ['logits', 'last_hidden_state', 'hidden_states.0', 'hidden_states.3', 'attentions.0', 'attentions.2']);
  });
  it('hf-vit-tiny-random 48x48 input (position interpolation)', async () => {
    await encodeMatches('hf-vit-tiny-random interp48', vit, join(vit, 'expected.interp48.safetensors'), ['logits', 'last_hidden_state', 'hidden_states.3'], { flags: ['--hidden-states'] });
  });
  it('hf-vit-model-pooler: pooler_output', async () => {
    const d = join(DATA, 'hf-vit-model-pooler');
    await encodeMatches('hf-vit-model-pooler', d, join(d, 'expected.safetensors'), ['pooler_output', 'last_hidden_state']);
  });
  it('timm-vit-tiny-random: pre_logits and logits', async () => {
    const d = join(DATA, 'timm-vit-tiny-random');
    await encodeMatches('timm-vit-tiny-random', d, join(d, 'expected.safetensors'), ['logits', 'pre_logits', 'last_hidden_state']);
  });
  it('deit_distilled: logits = mean of the two heads', async () => {
    const d = join(DATA, 'families', 'deit_distilled');
    await encodeMatches('deit_distilled', d, join(d, 'expected.safetensors'), ['logits', 'cls_logits', 'distillation_logits']);
  });
  it('clip_full with input_ids: text side and logits_per_image', async () => {
    const d = join(DATA, 'families', 'clip_full');
    await encodeMatches('clip_full', d, join(d, 'expected.safetensors'), ['image_embeds', 'text_embeds', 'logits_per_image', 'logits_per_text', 'text_hidden_states.2', 'pooler_output'], { text: true });
  });
  it('dinov2 at the interpolated size (interp.* goldens)', async () => {
    const d = join(DATA, 'families', 'dinov2');
    await encodeMatches('dinov2 interp', d, join(d, 'expected.safetensors'), ['last_hidden_state', 'pooler_output'], { prefix: 'interp.', flags: ['--hidden-states'] });
  });
  it('a --pixels file with input_ids for a model without a text tower -> one-line error', async () => {
    const d = join(DATA, 'families', 'clip_full');
    const r = await cli('encode', '--pixels', join(d, 'expected.safetensors'), '--model', vit, '--out', join(tmp.dir, 'x.safetensors'));
    // clip_full pixels are 28x28 RGB: the ViT takes them (interpolation), but the ids must be refused
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/holds input_ids, but .* has no text tower/);
  });
  it('--pixels without pixel_values, and without --out', async () => {
    const f = join(tmp.dir, 'nopix.safetensors');
    const { tensors } = await readTensors(join(DATA, 'hf-vit-tiny-random', 'expected.safetensors'));
    writeFileSync(f, serializeSafetensors({ logits: tensors.get('logits')! }));
    const r = await cli('encode', '--pixels', f, '--model', vit, '--out', join(tmp.dir, 'y.safetensors'));
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/expected a tensor named pixel_values/);
    expect((await cli('encode', '--pixels', f, '--model', vit)).code).toBe(2);
  });
});

describe('CLIP commands against the clip_full goldens (test/data/cli/clip-tiny: clip_full + a tiny tokenizer)', () => {
  // clip-tiny = the clip_full checkpoint plus vocab.json mapping the single letters a..y to the 25 inner ids of
  // the fixture's input_ids rows (SOT 998, EOT 999, no merges), so the three texts below tokenize to exactly
  // those rows and the goldens apply. See test/data/cli/SOURCES.md.
  const model = join(CLI_DATA, 'clip-tiny');
  const expected = join(DATA, 'families', 'clip_full', 'expected.safetensors');
  const TEXTS = ['a b c', 'd e f g h i j k', 'l m n o p q r s t u v w x y'];

  it('tokenize --json gives the fixture ids and masks', async () => {
    const { tensors: exp } = await readTensors(expected);
    const r = await cli('tokenize', ...TEXTS, '--model', model, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { input_ids: number[][]; attention_mask: number[][] };
    expect(Object.keys(j)).toEqual(['input_ids', 'attention_mask']);
    const mask = exp.get('attention_mask')!.toNested() as number[][];
    const ids = exp.get('input_ids')!.toNested() as number[][];
    expect(j.attention_mask).toEqual(mask);
    // the fixture pads row 0 with EOS (HF) and row 1 with 0 (OpenAI); compare the real tokens
    j.input_ids.forEach((row, i) => expect(row.filter((_, k) => mask[i]![k] === 1)).toEqual(ids[i]!.filter((_, k) => mask[i]![k] === 1)));
    const openai = JSON.parse((await cli('tokenize', TEXTS[1]!, '--model', model, '--json', '--padding', 'openai')).stdout) as { input_ids: number[][] };
    expect(openai.input_ids[0]).toEqual(ids[1]); // row 1 is OpenAI-padded with 0
  });

  it('encode --text: the texts tokenized by the CLI give the golden text_embeds and logits_per_image', async () => {
    const { tensors: exp } = await readTensors(expected);
    const pixFile = join(tmp.dir, 'clip-pixels-only.safetensors');
    writeFileSync(pixFile, serializeSafetensors({ pixel_values: exp.get('pixel_values')! }));
    const out = join(tmp.dir, 'clip-text.safetensors');
    const r = await cli('encode', '--pixels', pixFile, '--model', model, '--out', out, ...TEXTS.flatMap((t) => ['--text', t]));
    expect(r.code).toBe(0);
    const { tensors: got } = await readTensors(out);
    for (const n of ['text_embeds', 'logits_per_image', 'image_embeds']) {
      const d = compare(got.get(n)!, exp.get(n)!);
      expect(d.bad, `${n}: max abs ${d.maxAbs}`).toBe(0);
    }
  });

  it('zero-shot --pixels: probabilities = softmax of the golden logits_per_image', async () => {
    const { tensors: exp } = await readTensors(expected);
    const r = await cli('zero-shot', '--pixels', expected, '--model', model, '--labels', TEXTS.join(','), '--template', '{}', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { labels: string[]; results: { scores: { label: string; probability: number; logit: number }[] }[] };
    expect(j.labels).toEqual(TEXTS);
    const L = exp.get('logits_per_image')!.toNested() as number[][]; // [2 images, 3 texts]
    j.results.forEach((res, i) => {
      const m = Math.max(...L[i]!);
      const e = L[i]!.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      res.scores.forEach((s, k) => {
        expect(Math.abs(s.logit - L[i]![k]!)).toBeLessThanOrEqual(TOL.f32Model.abs + TOL.f32Model.rel * Math.abs(L[i]![k]!));
        expect(Math.abs(s.probability - e[k]! / z)).toBeLessThanOrEqual(TOL.f32Model.abs);
      });
    });
  });

  it('similarity --pixels --text: cosines of the golden image_embeds and text_embeds', async () => {
    const { tensors: exp } = await readTensors(expected);
    const r = await cli('similarity', '--pixels', expected, '--model', model, '--text', TEXTS[0]!, '--text', TEXTS[2]!, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { embedding: string; image_image: number[][]; image_text: number[][] };
    expect(j.embedding).toBe('projected');
    const img = exp.get('image_embeds')!.toNested() as number[][]; // unit rows (CLIPOutput)
    const txt = exp.get('text_embeds')!.toNested() as number[][];
    const dot = (a: number[], b: number[]): number => a.reduce((s, x, k) => s + x * b[k]!, 0);
    const wantIT = img.map((a) => [dot(a, txt[0]!), dot(a, txt[2]!)]);
    const wantII = img.map((a) => img.map((b) => dot(a, b)));
    for (const [got, want] of [[j.image_text, wantIT], [j.image_image, wantII]] as const) {
      got.forEach((row, i) => row.forEach((v, k) => expect(Math.abs(v - want[i]![k]!)).toBeLessThanOrEqual(TOL.f32Model.abs)));
    }
  });

  it('where: per-patch cosine of post_layernorm(patch) @ visual_projection^T with text_embeds, and the PNG', async () => {
    const { tensors: exp } = await readTensors(expected);
    const { tensors: w } = await readTensors(join(model, 'model.safetensors'));
    const px = exp.get('pixel_values')!.narrow(0, 0, 1).contiguous(); // image 0: [1, 3, 28, 28]
    const pixFile = join(tmp.dir, 'clip1.safetensors');
    writeFileSync(pixFile, serializeSafetensors({ pixel_values: px }));
    const png = join(tmp.dir, 'where.png');
    const r = await cli('where', '--pixels', pixFile, '--model', model, '--text', TEXTS[2]!, '--out', png, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { grid: number[]; similarity: number[][] };
    expect(j.grid).toEqual([4, 4]); // 28 / 7
    // Reference from the goldens with plain loops: golden last_hidden_state (image 0, patches 1..16) ->
    // LayerNorm(eps 1e-5, post_layernorm weights) -> visual_projection -> cosine with golden text_embeds[2].
    const lhs = exp.get('last_hidden_state')!.toArray(); // [2, 17, 32]
    const g = w.get('vision_model.post_layernorm.weight')!.toArray();
    const b = w.get('vision_model.post_layernorm.bias')!.toArray();
    const P = w.get('visual_projection.weight')!.toArray(); // [16, 32]
    const t = (exp.get('text_embeds')!.toNested() as number[][])[2]!;
    for (let p = 0; p < 16; p++) {
      const x = Array.from(lhs.subarray((1 + p) * 32, (2 + p) * 32));
      const mu = x.reduce((s, v) => s + v, 0) / 32;
      const varr = x.reduce((s, v) => s + (v - mu) ** 2, 0) / 32;
      const y = x.map((v, k) => ((v - mu) / Math.sqrt(varr + 1e-5)) * g[k]! + b[k]!);
      const z = Array.from({ length: 16 }, (_, o) => y.reduce((s, v, k) => s + v * P[o * 32 + k]!, 0));
      const cos = z.reduce((s, v, o) => s + v * t[o]!, 0) / Math.sqrt(z.reduce((s, v) => s + v * v, 0));
      expect(Math.abs(j.similarity[Math.floor(p / 4)]![p % 4]! - cos), `patch ${p}`).toBeLessThanOrEqual(TOL.f32Model.abs);
    }
    const { loadImageFile } = await import('@patchwise/io');
    const img = await loadImageFile(png);
    expect([img.width, img.height]).toEqual([224, 224]); // 28 px enlarged x8 to at least 224
  });

  it('where / zero-shot on a model without a text tower -> one-line error', async () => {
    const r = await cli('zero-shot', join(DATA, '..', '..', 'assets', 'samples', 'bag.png'), '--labels', 'a,b');
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/zero-shot needs a model with a text tower/);
  });
});

describe('tokenize with the real OpenAI CLIP vocabulary (test/data/tokenizer, cases from openai/CLIP simple_tokenizer.py)', () => {
  it('ids of the first cases that need no ftfy, padded with 0 to 77 (--padding openai)', async () => {
    const { cases } = JSON.parse(readFileSync(join(DATA, 'tokenizer', 'cases.json'), 'utf8')) as { cases: { text: string; ftfy_changes_text: boolean; input_ids: number[] }[] };
    const picked = cases.filter((c) => !c.ftfy_changes_text).slice(0, 6);
    const r = await cli('tokenize', ...picked.map((c) => c.text), '--model', join(DATA, 'tokenizer'), '--padding', 'openai', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { input_ids: number[][]; attention_mask: number[][] };
    expect(j.input_ids).toEqual(picked.map((c) => c.input_ids));
    expect(j.attention_mask.map((m) => m.length)).toEqual(picked.map(() => 77));
  });
});

describe('tokens --pixels (LLaVA) reproduces clip_vision_proj visual_tokens and projected_tokens', () => {
  it('layer -2, default strategy, projector from the fixture folder', async () => {
    const d = join(DATA, 'families', 'clip_vision_proj');
    const out = join(tmp.dir, 'tokens.safetensors');
    const r = await cli('tokens', '--pixels', join(d, 'expected.safetensors'), '--model', d, '--projector', join(d, 'llava_projector.safetensors'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { tensors: got } = await readTensors(out);
    const { tensors: exp } = await readTensors(join(d, 'expected.safetensors'));
    for (const n of ['visual_tokens', 'projected_tokens']) {
      const dd = compare(got.get(n)!, exp.get(n)!);
      expect(dd.bad, `${n}: max abs ${dd.maxAbs}`).toBe(0);
      report.push(`  clip_vision_proj ${n}: max abs diff ${dd.maxAbs.toExponential(2)}`);
    }
  });
});
