// encodePNG / writePNGFile: valid PNG bytes for RGB, RGBA and gray, checked field by field against the PNG
// spec (signature, IHDR layout) and by decoding the pixels back (with zlib + our decoder).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodePNG, ImageDecodeError, writePNGFile, type Image8 } from '@patchwise/io';

function ramp(width: number, height: number, channels: 1 | 3 | 4): Image8 {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) & 255;
  return { width, height, channels, data };
}

describe('encodePNG', () => {
  for (const [channels, colorType] of [[3, 2], [4, 6], [1, 0]] as const) {
    it(`${channels} channels -> colour type ${colorType}, round-trips exactly`, () => {
      const img = ramp(13, 7, channels);
      const png = encodePNG(img);
      expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      // IHDR: length 13, "IHDR", width 13, height 7, depth 8, colour type, compression 0, filter 0, interlace 0
      expect(Array.from(png.subarray(8, 16))).toEqual([0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
      expect(Array.from(png.subarray(16, 29))).toEqual([0, 0, 0, 13, 0, 0, 0, 7, 8, colorType, 0, 0, 0]);
      const back = decodeImage(png);
      expect([back.width, back.height, back.channels, back.bitDepth]).toEqual([13, 7, channels, 8]);
      expect(Array.from(back.data)).toEqual(Array.from(img.data));
    });
  }

  it('rejects mismatched buffers with a typed error', () => {
    expect(() => encodePNG({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrowError(ImageDecodeError);
    expect(() => encodePNG({ width: 0, height: 2, channels: 3, data: new Uint8Array(0) })).toThrowError(/width and height/);
    expect(() => encodePNG({ width: 1, height: 1, channels: 2 as 3, data: new Uint8Array(2) })).toThrowError(/channels must be 1, 3 or 4/);
  });

  it('writePNGFile writes atomically (no temp file left behind)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-png-'));
    try {
      const path = join(dir, 'heat.png');
      const img = ramp(5, 4, 4);
      await writePNGFile(path, img);
      expect(readdirSync(dir)).toEqual(['heat.png']);
      expect(Array.from(decodeImage(readFileSync(path)).data)).toEqual(Array.from(img.data));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
