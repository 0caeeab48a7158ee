// libjpeg-style fancy upsampling, YCbCr->RGB (src/image/jpeg-color.ts) and the islow IDCT on hand-computed cases; the
// corpus tests compare the same code with Pillow on real files.
import { describe, expect, it } from 'vitest';
import { fancyUpsampleInPlace, yccToRgbInPlace } from '../src/image/jpeg-color.js';
import { idctIslow } from '../src/image/jpeg-idct.js';

/** Interleaved Y,Cb,Cr at full size with the Cb plane nearest-neighbour upsampled, as jpeg-js returns it. */
function withCb(width: number, height: number, cb: number[][], rh: number, rv: number): Uint8Array {
  const d = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) d[(y * width + x) * 3 + 1] = cb[Math.floor(y / rv)]![Math.floor(x / rh)]!;
  return d;
}
const cbOf = (d: Uint8Array, width: number, y: number): number[] => Array.from({ length: width }, (_, x) => d[(y * width + x) * 3 + 1]!);

describe('fancy upsampling (libjpeg jdsample.c)', () => {
  it('h2v1: triangle filter (3 p[i] + neighbour + 1 or 2) >> 2, edges copied', () => {
    const d = withCb(6, 1, [[0, 100, 200]], 2, 1);
    fancyUpsampleInPlace(d, 6, 1, [{ id: 1, h: 2, v: 1, tq: 0 }, { id: 2, h: 1, v: 1, tq: 1 }, { id: 3, h: 1, v: 1, tq: 1 }]);
    // out1 = (0*3 + 100 + 2) >> 2 = 25; out2 = (300 + 0 + 1) >> 2 = 75; out3 = (300 + 200 + 2) >> 2 = 125;
    // out4 = (600 + 100 + 1) >> 2 = 175
    expect(cbOf(d, 6, 0)).toEqual([0, 25, 75, 125, 175, 200]);
  });

  it('h2v1 with downsampled width 2 replicates (libjpeg uses fancy only when width > 2)', () => {
    const d = withCb(4, 1, [[0, 100]], 2, 1);
    fancyUpsampleInPlace(d, 4, 1, [{ id: 1, h: 2, v: 1, tq: 0 }, { id: 2, h: 1, v: 1, tq: 1 }, { id: 3, h: 1, v: 1, tq: 1 }]);
    expect(cbOf(d, 4, 0)).toEqual([0, 0, 100, 100]);
  });

  it('h2v2: column sums 3*near + far (edge rows replicated), then (3 s[i] + s[i-+1] + 8 or 7) >> 4', () => {
    const d = withCb(6, 4, [[0, 40, 80], [160, 200, 240]], 2, 2);
    fancyUpsampleInPlace(d, 6, 4, [{ id: 1, h: 2, v: 2, tq: 0 }, { id: 2, h: 1, v: 1, tq: 1 }, { id: 3, h: 1, v: 1, tq: 1 }]);
    // row 0: s = 4*r0 = [0,160,320]: (0+8)>>4=0, (0+160+7)>>4=10, (480+0+8)>>4=30, (480+320+7)>>4=50,
    //        (960+160+8)>>4=70, (1280+7)>>4=80
    expect(cbOf(d, 6, 0)).toEqual([0, 10, 30, 50, 70, 80]);
    // row 1: s = 3*r0 + r1 = [160,320,480]: (640+8)>>4=40, (480+320+7)>>4=50, (960+160+8)>>4=70,
    //        (960+480+7)>>4=90, (1440+320+8)>>4=110, (1920+7)>>4=120
    expect(cbOf(d, 6, 1)).toEqual([40, 50, 70, 90, 110, 120]);
  });

  it('h1v2: (3 near + far + 1 or 2) >> 2 per column', () => {
    const d = withCb(1, 4, [[0], [100]], 1, 2);
    fancyUpsampleInPlace(d, 1, 4, [{ id: 1, h: 1, v: 2, tq: 0 }, { id: 2, h: 1, v: 1, tq: 1 }, { id: 3, h: 1, v: 1, tq: 1 }]);
    // y0: (0+0+1)>>2=0; y1: (0+100+2)>>2=25; y2: (300+0+1)>>2=75; y3: (300+100+2)>>2=100
    expect(cbOf(d, 1, 0).concat(cbOf(d, 1, 1), cbOf(d, 1, 2), cbOf(d, 1, 3))).toEqual([0, 25, 75, 100]);
  });
});

describe('YCbCr -> RGB (libjpeg jdcolor.c, 16-bit fixed point)', () => {
  it('matches the table arithmetic', () => {
    const d = Uint8Array.of(128, 128, 200, 0, 128, 128, 255, 0, 255);
    yccToRgbInPlace(d);
    // Cr=200 (x=72): R = 128 + ((91881*72 + 32768) >> 16) = 128 + 101 = 229;
    // G = 128 + ((32768 - 46802*72) >> 16) = 128 + floor(-50.9) = 77; B = 128 + ((0 + 32768) >> 16) = 128
    expect(Array.from(d.subarray(0, 3))).toEqual([229, 77, 128]);
    expect(Array.from(d.subarray(3, 6))).toEqual([0, 0, 0]); // neutral chroma keeps Y
    // Y=255, Cb=0 (x=-128), Cr=255 (x=127): R = 255 + 178 -> 255; G = 255 + ((-22554*-128 + 32768 - 46802*127) >> 16)
    // = 255 + floor(-46.1) = 208 (FIX(0.34414) = 22554); B = 255 + ((116130*-128 + 32768) >> 16) = 255 - 227 = 28
    expect(Array.from(d.subarray(6, 9))).toEqual([255, 208, 28]);
  });
});

describe('islow IDCT (libjpeg jidctint.c) on hand-computed blocks', () => {
  const q = new Uint16Array(64).fill(8);
  const run = (dc: number): number[] => {
    const coef = new Int16Array(64);
    coef[0] = dc;
    const out = new Uint8Array(64);
    idctIslow(coef, 0, q, out, 0, 8);
    return Array.from(new Set(out));
  };
  it('DC-only blocks are flat at DC/8 + 128, range-limited', () => {
    // 10*8 = 80; pass 1: 80 << 2 = 320; pass 2: (320 + 16) >> 5 = 10 -> 10 + 128 = 138
    expect(run(10)).toEqual([138]);
    expect(run(50)).toEqual([178]); // 400 -> 1600 -> (1600 + 16) >> 5 = 50 -> 178
    expect(run(200)).toEqual([255]); // 1600 -> 6400 -> 200 -> above 127: 255
    expect(run(-200)).toEqual([0]); // (-6400 + 16) >> 5 = -200 -> below -128: 0
  });
  it('a first horizontal AC coefficient gives a monotone row (Loeffler odd part)', () => {
    const coef = new Int16Array(64);
    coef[1] = 16; // natural order: row 0, column 1
    const out = new Uint8Array(64);
    idctIslow(coef, 0, q, out, 0, 8);
    const row = Array.from(out.subarray(0, 8));
    for (let x = 1; x < 8; x++) expect(row[x]!).toBeLessThanOrEqual(row[x - 1]!);
    expect(row[0]! + row[7]!).toBe(256); // odd-symmetric about 128
    expect(Array.from(out.subarray(8, 16))).toEqual(row); // same in every row (no vertical frequency)
  });
});
