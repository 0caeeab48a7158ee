// `patchwise attention`: JSON per-patch maps and overlay PNGs. The rollout is checked against one computed
// here, independently, from the fixture's PyTorch attention probabilities (hf-vit-tiny-random
// expected.safetensors, attentions.0..2 of image 0); overlays must be valid PNGs of the original image's size.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePNG, loadTensors, writeSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { cli, DATA, expectOneLineError, SAMPLES, tempDir } from './cli-helpers.js';
import { TOL } from '../../tensor/test/tolerances.js';

const FIXTURE = join(DATA, 'hf-vit-tiny-random');
const tmp = tempDir();
const PX = join(tmp.dir, 'px0.safetensors');
const WIDE = join(tmp.dir, 'wide.png');
let ref: Map<string, Tensor>;

interface AttentionJson {
  method: string;
  head: number | null;
  grid: [number, number];
  values: number[][];
}

beforeAll(async () => {
  ref = await loadTensors(join(FIXTURE, 'expected.safetensors'));
  await writeSafetensors(PX, { pixel_values: ref.get('pixel_values')!.narrow(0, 0, 1).contiguous() }); // image 0 only
  // A 56x40 RGB picture (not the model's 28x28): the overlay must come back at 56x40.
  const data = new Uint8Array(56 * 40 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 251;
  writeFileSync(WIDE, encodePNG({ width: 56, height: 40, channels: 3, data }));
});
afterAll(() => tmp.cleanup());

/**
 * Rollout written out from the paper's formula, on float64: A_l = mean over heads; A'_l = 0.5 A_l + 0.5 I
 * (rows of A_l sum to 1, so this is "add identity, renormalise"); R = A'_2 A'_1 A'_0; CLS row, patch columns.
 */
function referenceRollout(atts: Tensor[]): number[] {
  const T = atts[0]!.shape[2]!;
  const H = atts[0]!.shape[1]!;
  let R: number[][] = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (i === j ? 1 : 0)));
  for (const a of atts) {
    const v = a.toArray(); // [2, H, T, T], image 0 first
    const A = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => {
      let s = 0;
      for (let h = 0; h < H; h++) s += v[(h * T + i) * T + j]!;
      return 0.5 * (s / H) + (i === j ? 0.5 : 0);
    }));
    R = A.map((row) => R[0]!.map((_, j) => row.reduce((s, aik, k) => s + aik * R[k]![j]!, 0)));
  }
  return R[0]!.slice(1);
}

describe('patchwise attention', () => {
  it('rollout on the fixture matches the rollout of PyTorch\'s attentions', async () => {
    const r = await cli('attention', '--model', FIXTURE, '--pixels', PX);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as AttentionJson;
    expect(j.grid).toEqual([4, 4]); // 32 px / 8 px patches
    const want = referenceRollout([0, 1, 2].map((l) => ref.get(`attentions.${l}`)!));
    const got = j.values.flat();
    expect(got).toHaveLength(16);
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(TOL.f32Model.abs + TOL.f32Model.rel * Math.abs(want[i]!)));
  });

  it('last-cls --head H is row 0 of that head in the last layer', async () => {
    const r = await cli('attention', '--model', FIXTURE, '--pixels', PX, '--method', 'last-cls', '--head', '3');
    const j = JSON.parse(r.stdout) as AttentionJson;
    expect(j.head).toBe(3);
    const a = ref.get('attentions.2')!; // [2, 4, 17, 17]
    const want = Array.from(a.select(0, 0).select(0, 3).select(0, 0).toArray()).slice(1); // CLS row, patches
    j.values.flat().forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(TOL.f32Model.abs + TOL.f32Model.rel * Math.abs(want[i]!)));
  });

  it('writes an overlay PNG of the original size (bundled model, 28x28 sample and a 56x40 image)', async () => {
    for (const [img, w, h] of [[join(SAMPLES, 'ankle-boot.png'), 28, 28], [WIDE, 56, 40]] as const) {
      const out = join(tmp.dir, `heat-${w}.png`);
      const r = await cli('attention', img, '--out', out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const png = decodeImage(new Uint8Array(readFileSync(out)));
      expect([png.width, png.height, png.mode]).toEqual([w, h, 'RGB']);
    }
  });

  it('places the map on the part of the original the model saw (shortest-edge resize + center crop)', async () => {
    // clip_vision_proj: shortest edge 32, center crop 32x32. 56x40 -> 44x32 (int(32 * 56 / 40) = 44); crop left
    // (44 - 32) // 2 = 6 -> original x from 6 * 56/44 = 7.6 to 38 * 56/44 = 48.4, all rows. Outside: dimmed (>> 1).
    const out = join(tmp.dir, 'heat-crop.png');
    const r = await cli('attention', WIDE, '--model', join(DATA, 'families', 'clip_vision_proj'), '--out', out);
    expect(r.code).toBe(0);
    const png = decodeImage(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height]).toEqual([56, 40]);
    const orig = (x: number, y: number, c: number): number => (((y * 56 + x) * 3 + c) * 37) % 251; // how WIDE was made
    const at = (x: number, y: number): number[] => Array.from(png.data.subarray((y * 56 + x) * 3, (y * 56 + x) * 3 + 3));
    for (const [x, y] of [[0, 0], [7, 20], [49, 5], [55, 39]] as const) expect(at(x, y)).toEqual([0, 1, 2].map((c) => orig(x, y, c) >> 1));
    const inside = at(28, 20);
    expect(inside).not.toEqual([0, 1, 2].map((c) => orig(28, 20, c) >> 1));
  });

  it('prints 7x7 values for the bundled model by default', async () => {
    const r = await cli('attention', join(SAMPLES, 'bag.png'));
    const j = JSON.parse(r.stdout) as AttentionJson;
    expect(j.method).toBe('rollout');
    expect(j.grid).toEqual([7, 7]);
    const sum = j.values.flat().reduce((s, v) => s + v, 0);
    // R's rows sum to 1 (products of row-stochastic matrices); the patches get all but the CLS column's share
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(1);
  });

  it('rejects --head with rollout and an out-of-range head, in one line', async () => {
    const a = await cli('attention', join(SAMPLES, 'bag.png'), '--head', '1');
    expect(a.code).toBe(2);
    expect(expectOneLineError(a)).toMatch(/--head applies to --method last-cls/);
    const b = await cli('attention', join(SAMPLES, 'bag.png'), '--method', 'last-cls', '--head', '4');
    expect(expectOneLineError(b)).toMatch(/--head expects an integer in 0\.\.3/);
  });
});
