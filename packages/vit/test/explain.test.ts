// `patchwise explain` on the bundled model and on the hf-vit-tiny-random fixture. Numbers are checked against
// values derived here independently: the pixel statistics from the PNG's own bytes and the config's mean/std,
// the grid from image and patch size, the predicted label from assets/samples/SOURCES.md (every sample is
// classified correctly by the bundled model). --save must write valid PNG pictures.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '@patchwise/io';
import { cli, DATA, SAMPLES, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface ExplainJson {
  decode: { width: number; height: number; mode: string; format: string; convertedTo: string };
  preprocess: { shape: number[]; channelMean: number[]; channelStd: number[] };
  patches: { gridH: number; gridW: number; count: number };
  projection: { weightShape: number[]; matrixShape: number[] };
  tokens: { prefix: string[]; positionTableShape: number[]; interpolated: boolean; sequenceShape: number[] };
  blocks: { layer: number; entropy: number[]; residualNorm: number; updateNorm: number }[];
  maxEntropy: number;
  output: { kind: string; top: { label: string; prob: number }[] };
}

describe('patchwise explain', () => {
  it('reports each step of the bundled model on a sample with real numbers', async () => {
    const file = join(SAMPLES, 'ankle-boot.png');
    const r = await cli('explain', file, '--json');
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout) as ExplainJson;
    expect(j.decode).toMatchObject({ width: 28, height: 28, mode: 'L', format: 'png', convertedTo: 'L' });
    // Independent pixel statistics: the 28x28 PNG needs no resize; x = (u8 / 255 - 0.286) / 0.353.
    const u8 = decodeImage(new Uint8Array(readFileSync(file))).data;
    const xs = Array.from(u8, (v) => (v / 255 - 0.286) / 0.353);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    expect(j.preprocess.shape).toEqual([1, 1, 28, 28]);
    expect(Math.abs(j.preprocess.channelMean[0]! - mean)).toBeLessThan(1e-5);
    expect(Math.abs(j.preprocess.channelStd[0]! - std)).toBeLessThan(1e-5);
    // 28 / 4 = 7 -> 7x7 = 49 patches; conv [64, 1, 4, 4] -> a 64 x 16 matrix; CLS + 49 = 50 tokens
    expect(j.patches).toMatchObject({ gridH: 7, gridW: 7, count: 49 });
    expect(j.projection.weightShape).toEqual([64, 1, 4, 4]);
    expect(j.projection.matrixShape).toEqual([64, 16]);
    expect(j.tokens).toMatchObject({ prefix: ['CLS'], positionTableShape: [50, 64], interpolated: false, sequenceShape: [1, 50, 64] });
    expect(j.blocks.map((b) => b.layer)).toEqual([0, 1, 2, 3]);
    expect(Math.abs(j.maxEntropy - Math.log(50))).toBeLessThan(1e-12);
    for (const b of j.blocks) {
      expect(b.entropy).toHaveLength(4);
      for (const e of b.entropy) expect(e > 0 && e <= Math.log(50) + 1e-9).toBe(true);
      expect(b.residualNorm).toBeGreaterThan(0);
      expect(b.updateNorm).toBeGreaterThan(0);
    }
    expect(j.output.kind).toBe('labels');
    expect(j.output.top).toHaveLength(5);
    expect(j.output.top[0]!.label).toBe('Ankle boot');
  });

  it('prints numbered steps as text', async () => {
    const r = await cli('explain', join(SAMPLES, 'sneaker.png'));
    expect(r.code).toBe(0);
    for (const step of ['1. decode', '2. preprocess', '3. patches', '4. projection', '5. tokens', '6. blocks', '7. output']) expect(r.stdout).toContain(step);
    expect(r.stdout).toContain('28x28 image / 4px patches -> 7x7 grid = 49 patches');
    expect(r.stdout).toMatch(/top 5: Sneaker /);
  });

  it('works on the fixture model (RGB, 32 px, 8 px patches), converting a gray image to RGB', async () => {
    const r = await cli('explain', join(SAMPLES, 'bag.png'), '--model', join(DATA, 'hf-vit-tiny-random'), '--json');
    const j = JSON.parse(r.stdout) as ExplainJson;
    expect(j.decode.convertedTo).toBe('RGB');
    expect(j.preprocess.shape).toEqual([1, 3, 32, 32]);
    expect(j.patches).toMatchObject({ gridH: 4, gridW: 4, count: 16 });
    expect(j.blocks).toHaveLength(3);
    expect(j.output.top.map((p) => p.label)).toContain('espresso'); // 5 labels, top 5 lists them all
  });

  it('reports a JPEG\'s EXIF orientation as applied (Pillow\'s hopper_orientation_6.jpg)', async () => {
    const r = await cli('explain', join(DATA, 'inspect', 'hopper_orientation_6.jpg'), '--json');
    const j = JSON.parse(r.stdout) as ExplainJson & { decode: { orientation: number; orientationApplied: boolean } };
    expect(j.decode).toMatchObject({ format: 'jpeg', mode: 'RGB', width: 128, height: 128, orientation: 6, orientationApplied: true, convertedTo: 'L' });
    expect(j.preprocess.shape).toEqual([1, 1, 28, 28]); // resized to the bundled model's input
  });

  it('--save writes the patch grid and per-layer attention pictures as PNG', async () => {
    const dir = join(tmp.dir, 'pictures');
    const r = await cli('explain', join(SAMPLES, 'coat.png'), '--save', dir);
    expect(r.code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      'attention-layer-0.png', 'attention-layer-1.png', 'attention-layer-2.png', 'attention-layer-3.png', 'input.png', 'patches.png',
      'position-similarity.png', 'projection-filters.png', 'rollout.png',
    ]);
    for (const f of files.filter((n) => n.startsWith('attention') || ['input.png', 'patches.png', 'rollout.png'].includes(n))) {
      const png = decodeImage(new Uint8Array(readFileSync(join(dir, f))));
      expect([png.width, png.height]).toEqual([224, 224]); // 28 px enlarged 8x
    }
    // 64 filters of 4x4 enlarged 6x: 8 per row, 8 rows, 1-pixel gaps -> 8 * 25 + 1 = 201
    const filters = decodeImage(new Uint8Array(readFileSync(join(dir, 'projection-filters.png'))));
    expect([filters.width, filters.height]).toEqual([201, 201]);
    // 7x7 tiles of 7x7 cells of ceil(32 / 7) = 5 px, 2-pixel gaps -> 7 * (35 + 2) + 2 = 261
    const sim = decodeImage(new Uint8Array(readFileSync(join(dir, 'position-similarity.png'))));
    expect([sim.width, sim.height]).toEqual([261, 261]);
  });
});
