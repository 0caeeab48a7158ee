// `patchwise diff` against the hf-vit-tiny-random fixture's PyTorch dump (test/data/hf-vit-tiny-random,
// expected.safetensors: pixel_values, hidden_states.0..3, attentions.0..2, last_hidden_state, logits made by
// an independent float64 reference). The intact checkpoint must pass everywhere; a copy with one weight of
// layer 1 perturbed (written at test time) must be reported as diverging first at layer 1 (hidden_states.2).

import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTensors, writeSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { cli, DATA, expectOneLineError, tempDir } from './cli-helpers.js';

const FIXTURE = join(DATA, 'hf-vit-tiny-random');
const REF = join(FIXTURE, 'expected.safetensors');
const tmp = tempDir();
const BROKEN = join(tmp.dir, 'broken');
const PIXELS_ONLY = join(tmp.dir, 'px.safetensors');
const NO_PIXELS = join(tmp.dir, 'ref-no-pixels.safetensors');

beforeAll(async () => {
  // A copy of the checkpoint with one element of layer 1's MLP output projection moved by +0.5 (weights are
  // ~N(0, 0.02^2)): layers 0 and layer 1's attention are untouched, layer 1's output is not.
  const weights = await loadTensors(join(FIXTURE, 'model.safetensors'));
  const name = 'vit.encoder.layer.1.output.dense.weight';
  const w = weights.get(name)!.contiguous().clone();
  (w.data() as Float32Array)[w.offset] += 0.5;
  weights.set(name, w);
  mkdirSync(BROKEN);
  await writeSafetensors(join(BROKEN, 'model.safetensors'), weights);
  copyFileSync(join(FIXTURE, 'config.json'), join(BROKEN, 'config.json'));
  copyFileSync(join(FIXTURE, 'preprocessor_config.json'), join(BROKEN, 'preprocessor_config.json'));
  const ref = await loadTensors(REF);
  await writeSafetensors(PIXELS_ONLY, { pixel_values: ref.get('pixel_values')! });
  const rest = new Map<string, Tensor>([...ref].filter(([n]) => n !== 'pixel_values'));
  await writeSafetensors(NO_PIXELS, rest);
});
afterAll(() => tmp.cleanup());

describe('patchwise diff', () => {
  it('reports every tensor of the intact fixture within 1e-4 abs + 1e-4 rel', async () => {
    const r = await cli('diff', '--model', FIXTURE, '--reference', REF);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['hidden_states.0', 'hidden_states.3', 'attentions.2', 'last_hidden_state', 'logits']) {
      expect(r.stdout).toMatch(new RegExp(`^${n.replace('.', '\\.')}\\s.*\\sok$`, 'm'));
    }
    expect(r.stdout).toMatch(/all 9 tensors within \|ours - ref\| <= 0\.0001 \+ 0\.0001 \* \|ref\|/);
  });

  it('names layer 1 (hidden_states.2) on the corrupted checkpoint', async () => {
    const r = await cli('diff', '--model', BROKEN, '--reference', REF);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/first divergence: layer 1 \(hidden_states\.2\)/);
    expect(r.stdout).toMatch(/^attentions\.1\s.*\sok$/m); // layer 1's attention runs before the perturbed MLP
    expect(r.stdout).toMatch(/^hidden_states\.2\s.*DIVERGED/m);
  });

  it('--json carries the same verdict; a loose tolerance accepts the corruption', async () => {
    const r = await cli('diff', '--model', BROKEN, '--reference', REF, '--json');
    const j = JSON.parse(r.stdout) as { firstDivergence: { name: string; stage: string }; tensors: { name: string; status: string; maxAbs: number }[] };
    expect(j.firstDivergence).toEqual({ name: 'hidden_states.2', stage: 'layer 1' });
    expect(j.tensors.map((t) => t.name).slice(0, 5)).toEqual(['hidden_states.0', 'attentions.0', 'hidden_states.1', 'attentions.1', 'hidden_states.2']);
    const loose = await cli('diff', '--model', BROKEN, '--reference', REF, '--atol', '100');
    expect(loose.code).toBe(0);
  });

  it('takes the input from --pixels when the reference has none', async () => {
    const r = await cli('diff', '--model', FIXTURE, '--reference', NO_PIXELS, '--pixels', PIXELS_ONLY);
    expect(r.code).toBe(0);
    const e = await cli('diff', '--model', FIXTURE, '--reference', NO_PIXELS);
    expect(e.code).toBe(1);
    expect(expectOneLineError(e)).toMatch(/has no pixel_values; give the input with --pixels/);
  });

  it('compares every family fixture, and the CLIP text tower when the dump has input_ids', async () => {
    for (const f of ['deit_distilled', 'dinov2_registers', 'siglip_vision', 'clip_full']) {
      const dir = join(DATA, 'families', f);
      const r = await cli('diff', '--model', dir, '--reference', join(dir, 'expected.safetensors'), '--json');
      expect(r.code, `${f}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const clip = join(DATA, 'families', 'clip_full');
    const r = await cli('diff', '--model', clip, '--reference', join(clip, 'expected.safetensors'));
    for (const n of ['text_hidden_states.1', 'text_embeds', 'logits_per_image']) expect(r.stdout).toMatch(new RegExp(`^${n.replace('.', '\\.')}\\s.*\\sok$`, 'm'));
  });

  it('rejects a bad command line with one line', async () => {
    const r = await cli('diff', '--model', FIXTURE);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(/diff needs --reference/);
    const t = await cli('diff', '--model', FIXTURE, '--reference', REF, '--atol', 'x');
    expect(expectOneLineError(t)).toMatch(/--atol expects a number >= 0, got 'x'/);
  });
});
