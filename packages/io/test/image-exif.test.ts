// EXIF orientation parsing (TIFF IFD0 tag 0x0112) and the eight PIL transposes used by ImageOps.exif_transpose.
// Expected arrays below were printed by Pillow 9.4 `Image.fromarray([[1,2,3],[4,5,6]]).transpose(method)`.
import { describe, expect, it } from 'vitest';
import { readExifOrientation, transposePixels } from '@patchwise/io';

/** A TIFF block with one IFD0 entry (tag, type, count 1, value). */
function tiff(little: boolean, tag: number, type: number, value: number): Uint8Array {
  const b = new Uint8Array(8 + 2 + 12 + 4);
  const v = new DataView(b.buffer);
  b.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  v.setUint16(2, 42, little);
  v.setUint32(4, 8, little);
  v.setUint16(8, 1, little);
  v.setUint16(10, tag, little);
  v.setUint16(12, type, little);
  v.setUint32(14, 1, little);
  if (type === 3) v.setUint16(18, value, little);
  else v.setUint32(18, value, little);
  return b;
}

describe('readExifOrientation', () => {
  it('reads SHORT orientation in both byte orders, and LONG as PIL does', () => {
    expect(readExifOrientation(tiff(true, 0x0112, 3, 6))).toBe(6);
    expect(readExifOrientation(tiff(false, 0x0112, 3, 8))).toBe(8);
    expect(readExifOrientation(tiff(false, 0x0112, 4, 3))).toBe(3);
  });
  it('returns undefined for absent, out-of-range or malformed data', () => {
    expect(readExifOrientation(tiff(true, 0x0110, 3, 6))).toBeUndefined(); // another tag
    expect(readExifOrientation(tiff(true, 0x0112, 3, 9))).toBeUndefined(); // 9 is not an orientation
    expect(readExifOrientation(tiff(true, 0x0112, 2, 6))).toBeUndefined(); // ASCII type
    expect(readExifOrientation(tiff(true, 0x0112, 3, 6).subarray(0, 20))).toBeUndefined(); // truncated entry
    expect(readExifOrientation(Uint8Array.of(0x49, 0x49, 42, 0, 0xff, 0xff, 0xff, 0xff))).toBeUndefined(); // IFD past end
    expect(readExifOrientation(new Uint8Array(0))).toBeUndefined();
  });
});

describe('transposePixels matches PIL Image.transpose', () => {
  const src = Uint8Array.of(1, 2, 3, 4, 5, 6); // 3 wide, 2 high
  const pil: Record<number, number[][]> = {
    2: [[3, 2, 1], [6, 5, 4]], // FLIP_LEFT_RIGHT
    3: [[6, 5, 4], [3, 2, 1]], // ROTATE_180
    4: [[4, 5, 6], [1, 2, 3]], // FLIP_TOP_BOTTOM
    5: [[1, 4], [2, 5], [3, 6]], // TRANSPOSE
    6: [[4, 1], [5, 2], [6, 3]], // ROTATE_270
    7: [[6, 3], [5, 2], [4, 1]], // TRANSVERSE
    8: [[3, 6], [2, 5], [1, 4]], // ROTATE_90
  };
  for (const [o, rows] of Object.entries(pil)) {
    it(`orientation ${o}`, () => {
      const t = transposePixels(src, 3, 2, 1, Number(o));
      expect([t.width, t.height]).toEqual([rows[0]!.length, rows.length]);
      expect(Array.from(t.data)).toEqual(rows.flat());
    });
  }
  it('moves whole pixels for multi-channel and 16-bit data; 1 is the identity', () => {
    const rgb = Uint16Array.of(1, 10, 100, 2, 20, 200); // 2x1
    const t = transposePixels(rgb, 2, 1, 3, 2);
    expect(t.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(t.data)).toEqual([2, 20, 200, 1, 10, 100]);
    expect(transposePixels(rgb, 2, 1, 3, 1).data).toBe(rgb);
  });
});
