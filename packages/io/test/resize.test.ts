// resizeU8 against PIL 9.4: hand-computed fixed-point cases, the shared preprocess fixtures (every image,
// BILINEAR and BICUBIC, every byte), and tools/preprocess-refs/make_resize_refs.py references (all six filters,
// L/RGB/RGBA/CMYK, down/up/mixed/single-axis/1x1 sizes, NEAREST's accumulated coordinates, non-default boxes).

import { describe, expect, it } from 'vitest';
import { PIL_FILTERS, PreprocessError, Resample, precomputeCoeffs, resizeU8, type PilResample, type U8Image } from '@patchwise/io';
import { compareExact, grayToRgb, hwcImage, loadFixture } from './preprocess-fixtures.js';

const img = (width: number, height: number, channels: number, values: number[]): U8Image => ({
  width, height, channels, data: Uint8Array.from(values),
});

describe('precomputeCoeffs (Resample.c precompute_coeffs + normalize_coeffs_8bpc)', () => {
  it('bilinear 2 -> 3: taps and 22-bit weights by hand', () => {
    // scale = 2/3, support = 1 (upscaling: filterscale 1).
    // i=0: center 1/3; xmin = trunc(1/3 - 1 + 0.5) = trunc(-0.17) = 0; xmax = trunc(1.83) = 1 -> one tap, weight 1.
    // i=1: center 1.0; xmin = trunc(0.5) = 0; xmax = trunc(2.5) = 2 -> taps 0, 1 at x = -0.5, 0.5: 0.5 each.
    // i=2: center 5/3; xmin = trunc(1.17) = 1; xmax = trunc(3.17) = 3 -> clamp 2 -> one tap (input 1), weight 1.
    const k = precomputeCoeffs(2, 0, 2, 3, PIL_FILTERS[Resample.BILINEAR]);
    expect(k.ksize).toBe(3); // ceil(1) * 2 + 1
    expect(Array.from(k.start)).toEqual([0, 0, 1]);
    expect(Array.from(k.count)).toEqual([1, 2, 1]);
    expect(Array.from(k.fixed.subarray(0, 1))).toEqual([4194304]); // 1.0 * 2^22
    expect(Array.from(k.fixed.subarray(3, 5))).toEqual([2097152, 2097152]); // 0.5 * 2^22
    expect(Array.from(k.fixed.subarray(6, 7))).toEqual([4194304]);
  });

  it('bicubic 2 -> 4: negative lobe rounded away from zero', () => {
    // i=0: center 0.25, support 2: xmin = trunc(-1.25) = 0 (clamped), xmax = trunc(2.75) = 2 -> taps at x = 0.25, 1.25.
    // cubic(0.25) = (1.5*0.25 - 2.5)*0.0625 + 1 = 0.8671875; cubic(1.25) = ((-3.75*1.25 + 8)*1.25 - 4)*-0.5 = -0.0703125.
    // sum 0.796875 -> 1.0882352941 and -0.0882352941; * 2^22 = 4564389.65 -> +0.5 trunc 4564390;
    // -370085.65 -> -0.5 trunc -370086. (Sum 4194304: exactly one.)
    const k = precomputeCoeffs(2, 0, 2, 4, PIL_FILTERS[Resample.BICUBIC]);
    expect(k.ksize).toBe(5);
    expect(k.start[0]).toBe(0);
    expect(k.count[0]).toBe(2);
    expect(Array.from(k.fixed.subarray(0, 2))).toEqual([4564390, -370086]);
  });

  it('downscaling widens the support by the scale (antialiasing)', () => {
    // 8 -> 2 bilinear: scale 4, support 4; i=0 center 2: xmin = trunc(-1.5) = 0, xmax = trunc(6.5) = 6 -> 6 taps,
    // weights filter((j - 2 + 0.5) / 4) for j = 0..5: 0.625, 0.875, 0.875, 0.625, 0.375, 0.125 (sum 3.5).
    const k = precomputeCoeffs(8, 0, 8, 2, PIL_FILTERS[Resample.BILINEAR]);
    expect(k.count[0]).toBe(6);
    const w = Array.from(k.weights.subarray(0, 6));
    [0.625, 0.875, 0.875, 0.625, 0.375, 0.125].forEach((v, j) => expect(w[j]).toBeCloseTo(v / 3.5, 15));
  });
});

describe('resizeU8: hand-computed pixels', () => {
  it('bilinear 2x1 -> 3x1: [10, 21] -> [10, 16, 21]', () => {
    // middle: (2^21 + 2097152 * 10 + 2097152 * 21) >> 22 = floor((1 + 31) / 2) = 16 (15.5 rounds up).
    const out = resizeU8(img(2, 1, 1, [10, 21]), 3, 1, Resample.BILINEAR);
    expect(Array.from(out.data)).toEqual([10, 16, 21]);
  });

  it('bicubic 2x1 -> 4x1 clamps the overshoot of each pass to 0..255', () => {
    // out[0] for [0, 255]: 2^21 - 370086 * 255 = -92274778 -> >> 22 = -23 -> 0.
    // out[0] for [255, 0]: 2^21 + 4564390 * 255 = 1166016602 -> 277 -> 255.
    // out[0] for [100, 200]: 2^21 + 456439000 - 74017200 = 384518952 -> 91 (float: 91.18).
    expect(resizeU8(img(2, 1, 1, [0, 255]), 4, 1, Resample.BICUBIC).data[0]).toBe(0);
    expect(resizeU8(img(2, 1, 1, [255, 0]), 4, 1, Resample.BICUBIC).data[0]).toBe(255);
    expect(resizeU8(img(2, 1, 1, [100, 200]), 4, 1, Resample.BICUBIC).data[0]).toBe(91);
  });

  it('channels are resized independently and stay interleaved (RGB)', () => {
    const out = resizeU8(img(2, 1, 3, [10, 0, 255, 21, 100, 255]), 3, 1, Resample.BILINEAR);
    expect(Array.from(out.data)).toEqual([10, 0, 255, 16, 50, 255, 21, 100, 255]);
  });

  it('vertical only: a 1x2 column resizes like the 2x1 row', () => {
    const out = resizeU8(img(1, 2, 1, [10, 21]), 1, 3, Resample.BILINEAR);
    expect(Array.from(out.data)).toEqual([10, 16, 21]);
  });

  it('NEAREST 3 -> 2 picks floor((i + 0.5) * 1.5) = inputs 0 and 2', () => {
    expect(Array.from(resizeU8(img(3, 1, 1, [1, 2, 3]), 2, 1, Resample.NEAREST).data)).toEqual([1, 3]);
  });

  it('same size returns an equal copy, not the same buffer, for every filter', () => {
    const src = img(2, 2, 1, [1, 2, 3, 4]);
    for (const r of [0, 1, 2, 3, 4, 5] as PilResample[]) {
      const out = resizeU8(src, 2, 2, r);
      expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
      expect(out.data).not.toBe(src.data);
    }
  });

  it('rejects bad arguments with PreprocessError', () => {
    const src = img(2, 2, 1, [1, 2, 3, 4]);
    expect(() => resizeU8(src, 0, 2, 2)).toThrow(PreprocessError);
    expect(() => resizeU8(src, 2, 2.5, 2)).toThrow(/positive integer/);
    expect(() => resizeU8(src, 3, 3, 7 as PilResample)).toThrow(/resample id/);
    expect(() => resizeU8(img(2, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8]), 3, 3, 2)).toThrow(/channels/);
    expect(() => resizeU8({ width: 2, height: 2, channels: 1, data: new Uint8Array(3) }, 3, 3, 2)).toThrow(/expected 4 bytes/);
    expect(() => resizeU8(src, 3, 3, 2, { box: [0, 0, 3, 2] })).toThrow(/box/);
  });
});

const FIXTURES = [
  'rgb_640x480_baseline_q90', 'rgb_333x500_progressive_q90', 'gray_1000x200_q90', 'rgb_17x31', 'rgba_200x150',
  'gray16_160x120', 'palette_240x180_trns',
] as const;

describe('resizeU8 vs PIL on the shared preprocess fixtures (every byte)', () => {
  for (const name of FIXTURES) {
    const fx = loadFixture(`${name}.expected.safetensors`);
    // rgb_u8 is PIL's convert('RGB'); the grayscale JPEG stores its L channel, replicated by convert('RGB').
    const rgb = fx.names.includes('rgb_u8') ? hwcImage(fx.u8('rgb_u8')) : grayToRgb(hwcImage(fx.u8('decoded_raw_u8')));
    for (const [filter, r] of [['bilinear', Resample.BILINEAR], ['bicubic', Resample.BICUBIC]] as const) {
      it(`${name} ${filter} 224x224`, () => {
        const want = fx.u8(`resized_u8.${filter}`);
        const got = resizeU8(rgb, 224, 224, r);
        expect([got.height, got.width, got.channels]).toEqual(want.shape);
        expect(compareExact(got.data, want.data)).toEqual({ count: 0, first: -1, max: 0 });
      });
    }
  }

  it('gray_1000x200_q90 resized as mode L equals channel 0 of the RGB reference', () => {
    const fx = loadFixture('gray_1000x200_q90.expected.safetensors');
    const gray = hwcImage(fx.u8('decoded_raw_u8'));
    for (const [filter, r] of [['bilinear', Resample.BILINEAR], ['bicubic', Resample.BICUBIC]] as const) {
      const want = fx.u8(`resized_u8.${filter}`).data.filter((_, i) => i % 3 === 0);
      expect(compareExact(resizeU8(gray, 224, 224, r).data, want).count).toBe(0);
    }
  });
});

describe('resizeU8 vs PIL: every filter, mode and size (tools/preprocess-refs/make_resize_refs.py)', () => {
  const fx = loadFixture('pil_resize_refs.safetensors');
  const src: Record<string, U8Image> = {};
  for (const m of ['rgb', 'l', 'rgba', 'cmyk', 'tiny']) src[m] = hwcImage(fx.u8(`src.${m}`));
  const boxes = [[3.5, 2.25, 50.75, 40.0], [0, 0, 61, 30], [10, 5, 11, 6], [1.1, 0.3, 40.7, 33.3]] as const;
  const cases = fx.names.filter((n) => !n.startsWith('src.') && !n.startsWith('pipe.'));

  it('has the expected case list (all 6 filters x 4 modes, tiny sources, boxes)', () => {
    expect(cases.length).toBe(180); // 4 modes x 6 filters x (8 or 5 sizes) = 138, tiny 18, boxes 24
    for (let f = 0; f < 6; f++) for (const m of ['rgb', 'l', 'rgba', 'cmyk']) expect(cases).toContain(`${m}.f${f}.23x19`);
  });

  for (const key of cases) {
    const [mode, f, size] = key.split('.') as [string, string, string];
    const r = Number(f.slice(1)) as PilResample;
    it(key, () => {
      const want = fx.u8(key);
      let got: U8Image;
      if (size.startsWith('box')) {
        got = resizeU8(src[mode]!, 30, 20, r, { box: boxes[Number(size.slice(3))]! });
      } else {
        const [w, h] = size.split('x').map(Number) as [number, number];
        // PIL premultiplies RGBA (Image.resize converts to RGBa and back); CMYK is 4 plain bands.
        got = resizeU8(src[mode]!, w, h, r, { premultiplyAlpha: mode === 'rgba' });
      }
      expect([got.height, got.width, got.channels]).toEqual(want.shape);
      expect(compareExact(got.data, want.data)).toEqual({ count: 0, first: -1, max: 0 });
    });
  }

  it('RGBA without premultiplication differs from PIL (the option matters)', () => {
    const want = fx.u8('rgba.f3.23x19');
    const got = resizeU8(src.rgba!, 23, 19, Resample.BICUBIC, { premultiplyAlpha: false });
    expect(compareExact(got.data, want.data).count).toBeGreaterThan(0);
  });
});
