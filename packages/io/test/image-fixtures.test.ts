// Decode + toRGB against PIL 9.4's own decode of the preprocessing fixtures (shared/fixtures/preprocess,
// copied to test/data/preprocess by the preprocessing work): exact in every mode (RGB, RGBA, 16-bit gray I,
// palette + tRNS, 16-bit RGB PNGs; baseline, progressive and gray JPEGs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, parseSafetensors, toRGB } from '@patchwise/io';
import { TOL_JPEG_EXACT } from './image-tolerances.js';
import { pixelDiff } from './helpers/pixel-diff.js';

const DIR = new URL('./data/preprocess/', import.meta.url);
// rgb16_96x64 is decode-only, so the preprocessing copy leaves it out; it lives with the conversion data.
const DIR16 = new URL('./data/png-convert/', import.meta.url);

function fixture(name: string): { bytes: Uint8Array; ref: ReturnType<typeof parseSafetensors> } {
  const ext = name.includes('_q90') ? 'jpg' : 'png';
  const dir = name === 'rgb16_96x64' ? DIR16 : DIR;
  return {
    bytes: readFileSync(new URL(`${name}.${ext}`, dir)),
    ref: parseSafetensors(readFileSync(new URL(`${name}.expected.safetensors`, dir)), `${name}.expected.safetensors`),
  };
}

describe('PNG fixtures decode exactly as PIL', () => {
  for (const name of ['rgb_17x31', 'rgba_200x150', 'gray16_160x120', 'palette_240x180_trns', 'rgb16_96x64']) {
    it(`${name}: toRGB == rgb_u8`, () => {
      const { bytes, ref } = fixture(name);
      const img = decodeImage(bytes, { fileName: name });
      const info = ref.info('rgb_u8');
      expect(info.shape).toEqual([img.height, img.width, 3]);
      expect(Array.from(toRGB(img).data)).toEqual(Array.from(ref.rawSync('rgb_u8')));
    });
  }

  it('rgba_200x150: the 4 raw channels equal decoded_raw_u8 (alpha kept in the decode, dropped by toRGB)', () => {
    const { bytes, ref } = fixture('rgba_200x150');
    const img = decodeImage(bytes);
    expect(img.mode).toBe('RGBA');
    expect(Array.from(img.data)).toEqual(Array.from(ref.rawSync('decoded_raw_u8')));
  });

  it('gray16_160x120: mode I samples equal decoded_raw_i32 (0..65535)', () => {
    const { bytes, ref } = fixture('gray16_160x120');
    const img = decodeImage(bytes);
    expect(img.mode).toBe('I');
    const raw = ref.rawSync('decoded_raw_i32');
    const i32 = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(Array.from(img.data)).toEqual(Array.from(i32));
  });

  it('palette_240x180_trns: mode P indices equal decoded_palette_index_u8', () => {
    const { bytes, ref } = fixture('palette_240x180_trns');
    const img = decodeImage(bytes);
    expect(img.mode).toBe('P');
    expect(img.paletteAlpha).toBeDefined();
    expect(Array.from(img.data)).toEqual(Array.from(ref.rawSync('decoded_palette_index_u8')));
  });
});

describe('JPEG fixtures against PIL (libjpeg-turbo)', () => {
  it('gray_1000x200_q90: mode L bit-exact with decoded_raw_u8', () => {
    const { bytes, ref } = fixture('gray_1000x200_q90');
    const img = decodeImage(bytes);
    expect([img.mode, img.width, img.height]).toEqual(['L', 1000, 200]);
    const d = pixelDiff(img.data, ref.rawSync('decoded_raw_u8'));
    console.log(`gray_1000x200_q90 vs PIL: max ${d.max}, mean ${d.mean.toFixed(3)}`);
    expect(d.max).toBeLessThanOrEqual(TOL_JPEG_EXACT.max);
    expect(d.mean).toBeLessThanOrEqual(TOL_JPEG_EXACT.mean);
  });

  for (const name of ['rgb_640x480_baseline_q90', 'rgb_333x500_progressive_q90']) {
    it(`${name}: 4:2:0 RGB bit-exact with rgb_u8`, () => {
      const { bytes, ref } = fixture(name);
      const img = decodeImage(bytes);
      const d = pixelDiff(toRGB(img).data, ref.rawSync('rgb_u8'));
      console.log(`${name} vs PIL: max ${d.max}, mean ${d.mean.toFixed(3)}`);
      expect(d.max).toBeLessThanOrEqual(TOL_JPEG_EXACT.max);
      expect(d.mean).toBeLessThanOrEqual(TOL_JPEG_EXACT.mean);
    });
  }
});
