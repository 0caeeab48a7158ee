// toRGB / toL against PIL 9.4 convert('RGB') / convert('L') (references made by Pillow in
// tools/image-measure/make_test_data.py), plus hand-computed cases of the integer luma formula.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, luma, toL, toRGB, type DecodedImage } from '@patchwise/io';

const DIR = new URL('./data/png-convert/', import.meta.url);
interface Case { file: string; pil_mode: string; width: number; height: number; rgb: number[]; l: number[] }
const refs = JSON.parse(readFileSync(new URL('pil-convert-refs.json', DIR), 'utf8')) as { cases: Record<string, Case> };

describe('luma (PIL Convert.c L24)', () => {
  it('matches hand-computed values', () => {
    // (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
    expect(luma(255, 255, 255)).toBe(255); // (255*65536 + 32768) >> 16 = 255
    expect(luma(255, 0, 0)).toBe(76); // (4996725 + 32768) >> 16 = 5029493 >> 16 = 76
    expect(luma(0, 255, 0)).toBe(150); // (9809850 + 32768) >> 16 = 150.18.. -> 150
    expect(luma(0, 0, 255)).toBe(29); // (1905105 + 32768) >> 16 = 29.57.. -> 29
    expect(luma(1, 0, 0)).toBe(0); // (19595 + 32768) >> 16 = 0
    expect(luma(2, 0, 0)).toBe(1); // (39190 + 32768) >> 16 = 1.098 -> 1
  });

  it('matches PIL convert("L") on 4096 RGB triples', () => {
    const t = refs.cases['_luma_triples']!;
    for (let i = 0; i < t.l.length; i++) expect(luma(t.rgb[3 * i]!, t.rgb[3 * i + 1]!, t.rgb[3 * i + 2]!)).toBe(t.l[i]);
  });
});

describe('toRGB / toL follow PIL per mode', () => {
  const expectedMode: Record<string, string> = { rgb: 'RGB', rgba: 'RGBA', l: 'L', la: 'LA', one: 'L', p_short_palette: 'P', i16: 'I' };
  for (const [name, c] of Object.entries(refs.cases)) {
    if (name.startsWith('_')) continue;
    it(`${name} (PIL mode ${c.pil_mode})`, () => {
      const img = decodeImage(readFileSync(new URL(c.file, DIR)));
      expect(img.mode).toBe(expectedMode[name]);
      const rgb = toRGB(img);
      expect([rgb.width, rgb.height, rgb.channels]).toEqual([c.width, c.height, 3]);
      expect(Array.from(rgb.data)).toEqual(c.rgb);
      expect(Array.from(toL(img).data)).toEqual(c.l);
    });
  }
});

describe('conversion rules on hand-made images', () => {
  const make = (mode: DecodedImage['mode'], channels: 1 | 2 | 3 | 4, data: Uint8Array | Uint16Array, extra: Partial<DecodedImage> = {}): DecodedImage => ({
    width: data.length / channels, height: 1, mode, channels, data, bitDepth: data instanceof Uint16Array ? 16 : 8,
    format: 'png', orientationApplied: false, components: channels, ...extra,
  });

  it('RGBA -> RGB drops alpha without compositing (transparent pixels keep their colour)', () => {
    const img = make('RGBA', 4, Uint8Array.of(200, 10, 250, 0, 1, 2, 3, 255));
    expect(Array.from(toRGB(img).data)).toEqual([200, 10, 250, 1, 2, 3]);
  });

  it('16-bit RGB keeps the high byte (PIL RGB;16B), 16-bit gray I clips to 255', () => {
    const rgb16 = make('RGB', 3, Uint16Array.of(0x12ff, 0xff00, 0x0080));
    expect(Array.from(toRGB(rgb16).data)).toEqual([0x12, 0xff, 0x00]); // not round(v/257) = 19, 254, 0
    const i = make('I', 1, Uint16Array.of(0, 200, 255, 256, 65535));
    expect(Array.from(toRGB(i).data)).toEqual([0, 0, 0, 200, 200, 200, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
    expect(Array.from(toL(i).data)).toEqual([0, 200, 255, 255, 255]);
  });

  it('P maps through the palette; indices past its end use Pillow\'s gray ramp', () => {
    const p = make('P', 1, Uint8Array.of(0, 1, 200), { palette: Uint8Array.of(10, 20, 30, 40, 50, 60) });
    expect(Array.from(toRGB(p).data)).toEqual([10, 20, 30, 40, 50, 60, 200, 200, 200]);
    // L of (10,20,30) = (195950 + 769400 + 224130 + 32768) >> 16 = 1222248 >> 16 = 18
    expect(toL(p).data[0]).toBe(18);
  });
});

describe('16-bit fixtures as PIL decodes them', () => {
  it('basn2c16 (16-bit RGB) -> RGB keeps the high byte of each sample', () => {
    const img = decodeImage(readFileSync(new URL('../png/pngsuite/basn2c16.png', DIR)));
    const rgb = toRGB(img);
    for (let i = 0; i < img.data.length; i += 97) expect(rgb.data[i]).toBe(img.data[i]! >> 8);
  });
});
