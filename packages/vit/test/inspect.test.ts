// Unit tests of the inspect library on hand-computed cases (the arithmetic is in the comments): attention
// rollout, CLS attention, bilinear upsampling, the viridis LUT, overlays (valid PNGs of the image's size),
// statistics, the input region after resize + crop, and the diff comparison.

import { describe, expect, it } from 'vitest';
import { decodeImage, encodePNG, parsePreprocessorConfig } from '@patchwise/io';
import { fromArray, tensor } from '@patchwise/tensor';
import {
  VIRIDIS, attentionEntropy, attentionRollout, channelStats, clsAttention, compareTensors, diffOutputs, forwardOrder,
  inputRegion, lastLayerClsAttention, normalize01, overlayHeatmap, patchGridImage, positionSimilarityImage, projectionFiltersImage,
  rolloutMatrix, topK, upsampleBilinear,
} from '../src/inspect/index.js';
import type { TokenLayout } from '../src/inspect/index.js';
import { TOL } from '../../tensor/test/tolerances.js';

const close = (got: ArrayLike<number>, want: readonly number[], tol = TOL.f32Hand): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(tol.abs + tol.rel * Math.abs(want[i]!));
};

// T = 3 tokens: CLS + a 1x2 patch grid.
const layout: TokenLayout = { prefix: 1, gridH: 1, gridW: 2, hasCls: true };
// Layer 0, two heads whose mean is A0 = [[0.5, 0.25, 0.25], [0, 1, 0], [0, 0, 1]]
const l0 = fromArray(new Float32Array([
  1, 0, 0, /**/ 0, 1, 0, /**/ 0, 0, 1, // head 0: identity
  0, 0.5, 0.5, /**/ 0, 1, 0, /**/ 0, 0, 1, // head 1
]), [1, 2, 3, 3]);
// Layer 1, both heads A1 = [[0, 1, 0], [0, 0.5, 0.5], [1, 0, 0]]
const a1 = [0, 1, 0, 0, 0.5, 0.5, 1, 0, 0];
const l1 = fromArray(new Float32Array([...a1, ...a1]), [1, 2, 3, 3]);

describe('attention rollout (Abnar & Zuidema 2020)', () => {
  it('matches a hand-computed 2-layer example', () => {
    // A0' = (A0 + I) / 2 = [[0.75, 0.125, 0.125], [0, 1, 0], [0, 0, 1]]
    // A1' = (A1 + I) / 2 = [[0.5, 0.5, 0], [0, 0.75, 0.25], [0.5, 0, 0.5]]
    // R = A1' A0': row 0 = 0.5 * [0.75, 0.125, 0.125] + 0.5 * [0, 1, 0] = [0.375, 0.5625, 0.0625]
    const map = attentionRollout([l0, l1], layout);
    expect([map.gridH, map.gridW]).toEqual([1, 2]);
    close(map.values, [0.5625, 0.0625]);
  });

  it('stops after `layers` layers', () => {
    // R = A0': row 0 patches = [0.125, 0.125]
    close(attentionRollout([l0, l1], layout, { layers: 1 }).values, [0.125, 0.125]);
  });

  it('rolloutMatrix keeps rows stochastic and multiplies later layers on the left', () => {
    const r = rolloutMatrix([new Float64Array([0.5, 0.25, 0.25, 0, 1, 0, 0, 0, 1]), new Float64Array(a1)], 3);
    // row 1 = 0.75 * A0'[1] + 0.25 * A0'[2] = [0, 0.75, 0.25]; row 2 = 0.5 * A0'[0] + 0.5 * A0'[2] = [0.375, 0.0625, 0.5625]
    close(r, [0.375, 0.5625, 0.0625, 0, 0.75, 0.25, 0.375, 0.0625, 0.5625]);
  });

  it('uses the mean row when there is no CLS token', () => {
    // R = A0' (one layer): column means over rows of patches: col 1 (0.125 + 1 + 0) / 3, col 2 (0.125 + 0 + 1) / 3
    close(attentionRollout([l0], { ...layout, hasCls: false }).values, [0.375, 0.375]);
  });

  it('rejects a token count that does not match the layout', () => {
    expect(() => attentionRollout([l0], { prefix: 1, gridH: 2, gridW: 2, hasCls: true })).toThrow(/expected T = 1 prefix \+ 2x2 patches = 5 tokens, got 3/);
  });
});

describe('CLS attention', () => {
  it('per head and averaged', () => {
    // layer 0 row 0: head 0 [1, 0, 0] -> patches [0, 0]; head 1 [0, .5, .5] -> [.5, .5]; mean [.25, .25]
    close(clsAttention(l0, layout, { head: 1 }).values, [0.5, 0.5]);
    close(clsAttention(l0, layout).values, [0.25, 0.25]);
    const last = lastLayerClsAttention([l0, l1], layout);
    expect(last.heads).toHaveLength(2);
    close(last.heads[0]!.values, [1, 0]);
    close(last.mean.values, [1, 0]);
    expect(() => clsAttention(l0, layout, { head: 2 })).toThrow(/head 2 out of range: the model has 2 heads/);
  });
});

describe('upsampling and colour', () => {
  it('bilinear with half-pixel centres, clamped (torch align_corners=False)', () => {
    // out x centres 0.5..3.5 -> grid coords x * 2/4 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1)
    close(upsampleBilinear([0, 1], 1, 2, 1, 4), [0, 0.25, 0.75, 1]);
    // 2x2 -> 2x2 is the identity
    close(upsampleBilinear([1, 2, 3, 4], 2, 2, 2, 2), [1, 2, 3, 4]);
  });

  it('marks pixels outside the region as NaN', () => {
    const out = upsampleBilinear([5], 1, 1, 1, 4, { x0: 1, y0: 0, x1: 3, y1: 1 });
    expect(Number.isNaN(out[0]!)).toBe(true);
    close(out.subarray(1, 3), [5, 5]);
    expect(Number.isNaN(out[3]!)).toBe(true);
  });

  it('viridis LUT hits matplotlib\'s stops', () => {
    expect(Array.from(VIRIDIS.subarray(0, 3))).toEqual([0x44, 0x01, 0x54]); // viridis(0)
    expect(Array.from(VIRIDIS.subarray(51 * 3, 51 * 3 + 3))).toEqual([0x41, 0x44, 0x87]); // 51/255 = 0.2
    expect(Array.from(VIRIDIS.subarray(255 * 3))).toEqual([0xfd, 0xe7, 0x25]); // viridis(1)
  });

  it('normalize01 scales min..max to 0..1 and a constant map to zeros', () => {
    close(normalize01([2, 4, 3]), [0, 1, 0.5]);
    close(normalize01([7, 7]), [0, 0]);
  });
});

describe('overlays', () => {
  it('blends viridis over the image at the image size and encodes to a valid PNG', () => {
    // 4x1 gray image of value 100; map [0, 1] upsampled to [0, .25, .75, 1] -> LUT entries 0, 64, 191, 255.
    const img = { width: 4, height: 1, channels: 1, data: new Uint8Array([100, 100, 100, 100]) };
    const out = overlayHeatmap(img, { gridH: 1, gridW: 2, values: new Float32Array([0, 1]) }, { alpha: 0.5 });
    expect([out.width, out.height, out.channels]).toEqual([4, 1, 3]);
    // pixel 0: round(0.5 * 100 + 0.5 * 0x44) = 84, round(50 + 0.5) = 51 (half rounds up), round(50 + 42) = 92
    expect(Array.from(out.data.subarray(0, 3))).toEqual([84, 51, 92]);
    // pixel 3: viridis(1) = fd e7 25 -> round(50 + 126.5) = 177, round(50 + 115.5) = 166, round(50 + 18.5) = 69
    expect(Array.from(out.data.subarray(9, 12))).toEqual([177, 166, 69]);
    const png = decodeImage(encodePNG(out));
    expect([png.width, png.height, png.mode]).toEqual([4, 1, 'RGB']);
    expect(Array.from(png.data)).toEqual(Array.from(out.data));
  });

  it('dims pixels outside the region the model saw', () => {
    const img = { width: 2, height: 1, channels: 3, data: new Uint8Array([200, 100, 50, 200, 100, 50]) };
    const out = overlayHeatmap(img, { gridH: 1, gridW: 1, values: new Float32Array([1]) }, { region: { x0: 1, y0: 0, x1: 2, y1: 1 } });
    expect(Array.from(out.data.subarray(0, 3))).toEqual([100, 50, 25]); // halved
  });

  it('draws the patch grid on the enlarged input', () => {
    const input = { width: 4, height: 4, channels: 1, data: new Uint8Array(16) }; // black, 2x2 patches of 2 px
    const g = patchGridImage(input, 2, 3); // 12x12, lines at x, y in {0, 6, 11}
    expect([g.width, g.height]).toEqual([12, 12]);
    const px = (x: number, y: number): number[] => Array.from(g.data.subarray((y * 12 + x) * 3, (y * 12 + x) * 3 + 3));
    expect(px(6, 3)).toEqual([255, 140, 0]);
    expect(px(3, 3)).toEqual([0, 0, 0]);
  });
});

describe('statistics', () => {
  it('attention entropy: uniform = ln T, one-hot = 0', () => {
    const a = fromArray(new Float32Array([0.5, 0.5, 0.5, 0.5, /**/ 1, 0, 0, 1]), [1, 2, 2, 2]);
    close(attentionEntropy(a), [Math.log(2), 0]);
  });

  it('per-channel mean and population std', () => {
    // channel 0: [1, 3] -> mean 2, std 1; channel 1: [0, 0] -> 0, 0
    const s = channelStats(fromArray(new Float32Array([1, 3, 0, 0]), [1, 2, 1, 2]));
    close(s.mean, [2, 0]);
    close(s.std, [1, 0]);
  });

  it('topK is a softmax, most probable first', () => {
    // logits [0, ln 3] -> probabilities [1/4, 3/4]
    const t = topK([0, Math.log(3)], 2, ['a', 'b']);
    expect(t.map((p) => p.label)).toEqual(['b', 'a']);
    close(t.map((p) => p.prob), [0.75, 0.25]);
  });
});

describe('input region', () => {
  it('covers the whole image for an exact resize', () => {
    const pc = parsePreprocessorConfig({ image_processor_type: 'ViTImageProcessor', size: { height: 28, width: 28 } });
    expect(inputRegion(56, 40, pc)).toEqual({ x0: 0, y0: 0, x1: 56, y1: 40 });
  });

  it('maps a shortest-edge resize + center crop back to original pixels', () => {
    // 400x200 (w x h), shortest edge 100 -> 200x100; crop 100x100 at left (200 - 100) // 2 = 50, top 0.
    // Back to the original: x 50*2 .. 150*2 = 100 .. 300, y 0 .. 200.
    const pc = parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessor', size: { shortest_edge: 100 }, crop_size: 100 });
    expect(inputRegion(400, 200, pc)).toEqual({ x0: 100, y0: 0, x1: 300, y1: 200 });
  });
});

describe('diff comparison', () => {
  it('max-abs, NMSE and the atol + rtol * |ref| rule', () => {
    // diffs [0, 0.001]; |ref| = [1, 2]: bound 1e-4 + 1e-4 * 2 = 3e-4 < 1e-3 -> one violation
    // NMSE = (0.001^2) / (1 + 4) = 2e-7
    const c = compareTensors(tensor([1, 2.001]), tensor([1, 2]), { atol: 1e-4, rtol: 1e-4 });
    expect(c.violations).toBe(1);
    expect(Math.abs(c.maxAbs - 0.001)).toBeLessThan(1e-6);
    expect(Math.abs(c.nmse - 2e-7) / 2e-7).toBeLessThan(1e-3);
    expect(compareTensors(tensor([1, 2.0002]), tensor([1, 2])).violations).toBe(0); // 2e-4 <= 3e-4
    expect(compareTensors(tensor([NaN]), tensor([1])).violations).toBe(1);
  });

  it('orders tensors as the forward pass computes them and names the first divergence', () => {
    const names = ['logits', 'hidden_states.2', 'attentions.1', 'last_hidden_state', 'hidden_states.0', 'attentions.0', 'hidden_states.1'];
    const sorted = [...names].sort((a, b) => forwardOrder(a)[0] - forwardOrder(b)[0] || forwardOrder(a)[1] - forwardOrder(b)[1]);
    expect(sorted).toEqual(['hidden_states.0', 'attentions.0', 'hidden_states.1', 'attentions.1', 'hidden_states.2', 'last_hidden_state', 'logits']);
    const ref = Object.fromEntries(names.map((n) => [n, tensor([1, 2])]));
    const ours = { ...ref, 'hidden_states.2': tensor([1, 3]), logits: tensor([0, 0]), 'hidden_states.1': tensor([1, 2, 3]) };
    const r = diffOutputs(ours, { ...ref, pixel_values: tensor([0]), extra: tensor([0]) });
    expect(r.firstDivergence?.name).toBe('hidden_states.1');
    expect(r.firstDivergence?.status).toBe('shape-mismatch');
    expect(r.rows.find((x) => x.name === 'hidden_states.2')?.stage).toBe('layer 1');
    expect(r.notProduced).toEqual(['extra']);
  });
});

describe('parameter pictures', () => {
  it('projection filters: one tile per output channel, 0 = mid gray, +max white, -max black', () => {
    // D = 2 filters of [1, 2, 2]: filter 0 = [1, -1, 0, 0.5] (max |w| 1), filter 1 all zero.
    // Grid: ceil(sqrt(2)) = 2 columns, 1 row; scale 1 -> tiles 2x2 at x = 1 and 4, image (2 * 3 + 1) x (3 + 1).
    const w = fromArray(new Float32Array([1, -1, 0, 0.5, 0, 0, 0, 0]), [2, 1, 2, 2]);
    const img = projectionFiltersImage(w, 1);
    expect([img.width, img.height]).toEqual([7, 4]);
    const px = (x: number, y: number): number[] => Array.from(img.data.subarray((y * 7 + x) * 3, (y * 7 + x) * 3 + 3));
    expect(px(1, 1)).toEqual([255, 255, 255]); // 127.5 + 127.5 * 1
    expect(px(2, 1)).toEqual([0, 0, 0]); // 127.5 - 127.5
    expect(px(1, 2)).toEqual([128, 128, 128]); // round(127.5)
    expect(px(2, 2)).toEqual([191, 191, 191]); // round(127.5 + 63.75) = round(191.25)
    expect(px(4, 1)).toEqual([128, 128, 128]); // an all-zero filter is mid gray
    expect(px(0, 0)).toEqual([255, 140, 0]); // the gap
  });

  it('position similarity: self-similarity is viridis(1), opposite vectors viridis(0)', () => {
    // 1 prefix row + a 1x2 grid: positions [1, 0] and [-1, 0] -> cos = -1 between them, 1 with themselves.
    const pos = fromArray(new Float32Array([9, 9, 1, 0, -1, 0]), [3, 2]);
    const img = positionSimilarityImage(pos, 1, 1, 2, 1); // tiles 2x1, 2-pixel gaps: width 2 * (2 + 2) + 2 = 10, height 1 * 3 + 2 = 5
    expect([img.width, img.height]).toEqual([10, 5]);
    const px = (x: number, y: number): number[] => Array.from(img.data.subarray((y * 10 + x) * 3, (y * 10 + x) * 3 + 3));
    expect(px(2, 2)).toEqual([0xfd, 0xe7, 0x25]); // tile 0, cell 0: cos(p0, p0) = 1
    expect(px(3, 2)).toEqual([0x44, 0x01, 0x54]); // tile 0, cell 1: cos(p0, p1) = -1
    expect(px(7, 2)).toEqual([0xfd, 0xe7, 0x25]); // tile 1, cell 1
  });
});
