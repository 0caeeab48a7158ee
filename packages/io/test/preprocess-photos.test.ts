// Real photos against realdata/photos `vit224` references (Pillow 9.4 exif_transpose + convert('RGB') +
// resize((224, 224), BILINEAR)). The resize step is checked alone, from Pillow's own decode, byte for byte;
// the whole pipeline from the JPEG goes through our jpeg-js based decoder, which differs from libjpeg-turbo,
// so there the difference is measured and bounded by the decoder's own difference (see below).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, resizeU8, toRGB, Resample, type U8Image } from '@patchwise/io';
import { compareExact, dataPath, grayToRgb, hwcImage, loadFixture } from './preprocess-fixtures.js';
import { pixelDiff } from './helpers/pixel-diff.js';

const png = (name: string): U8Image => toRGB(decodeImage(readFileSync(dataPath(name)), { fileName: name }));

// [reference stem, source JPEG, EXIF transpose applied by the reference]
const PHOTOS = [
  ['pil_sample_cmyk', 'pil_sample_cmyk.jpg', true], ['pil_sample_rgb', 'pil_sample_rgb.jpg', true],
  ['tree-cmyk-notransform', 'tree-cmyk-notransform.jpg', true], ['tree-cmyk', 'tree-cmyk.jpg', true],
  ['tree-rgb', 'tree-rgb.jpg', true], ['hopper', 'hopper.jpg', true],
  ['hopper_orientation_6', 'hopper_orientation_6.jpg', true], ['hopper_orientation_6.no-exif', 'hopper_orientation_6.jpg', false],
] as const;

describe('vit224 references: resize step from PIL decode is bit-exact', () => {
  for (const [stem] of PHOTOS) {
    it(stem, () => {
      const src = png(`photos/${stem}.pil_rgb.png`);
      const want = png(`photos/${stem}.vit224.png`);
      const got = resizeU8(src, 224, 224, Resample.BILINEAR);
      expect(compareExact(got.data, want.data)).toEqual({ count: 0, first: -1, max: 0 });
    });
  }
});

// Bilinear weights are non-negative and rounding is monotone, so the resized difference should not exceed the
// decoded difference (measured on all 31 photos and the 3 JPEG fixtures: it never does). The numbers are logged
// for the issue note.
describe('whole pipeline from JPEG with our decoder: difference to PIL measured, bounded by the decode difference', () => {
  for (const [stem, jpg, transpose] of PHOTOS) {
    it(stem, () => {
      const dec = toRGB(decodeImage(readFileSync(dataPath(`photos/${jpg}`)), { applyExifOrientation: transpose }));
      const pil = png(`photos/${stem}.pil_rgb.png`);
      const decodeDiff = pixelDiff(dec.data, pil.data);
      const d = pixelDiff(resizeU8(dec, 224, 224, Resample.BILINEAR).data, png(`photos/${stem}.vit224.png`).data);
      console.log(`[photo] ${stem}: decode max ${decodeDiff.max} mean ${decodeDiff.mean.toFixed(3)}; resized max ${d.max} mean ${d.mean.toFixed(3)}`);
      expect(d.max).toBeLessThanOrEqual(decodeDiff.max);
    });
  }

  for (const name of ['rgb_640x480_baseline_q90', 'rgb_333x500_progressive_q90', 'gray_1000x200_q90']) {
    it(`${name}.jpg (both filters)`, () => {
      const fx = loadFixture(`${name}.expected.safetensors`);
      const pil = fx.names.includes('rgb_u8') ? hwcImage(fx.u8('rgb_u8')) : grayToRgb(hwcImage(fx.u8('decoded_raw_u8')));
      const dec = toRGB(decodeImage(readFileSync(dataPath(`${name}.jpg`))));
      const decodeDiff = pixelDiff(dec.data, pil.data);
      for (const [filter, r] of [['bilinear', Resample.BILINEAR], ['bicubic', Resample.BICUBIC]] as const) {
        const d = pixelDiff(resizeU8(dec, 224, 224, r).data, fx.u8(`resized_u8.${filter}`).data);
        console.log(`[fixture] ${name} ${filter}: decode max ${decodeDiff.max} mean ${decodeDiff.mean.toFixed(3)}; resized max ${d.max} mean ${d.mean.toFixed(3)}`);
        // BICUBIC has negative lobes, so the bound does not hold for it (gray_1000x200: decode 1, resized 2): logged only.
        if (filter === 'bilinear') expect(d.max).toBeLessThanOrEqual(decodeDiff.max);
      }
    });
  }
});
