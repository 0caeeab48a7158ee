// PNG corpus (PngSuite, image-rs/image-png regressions, crafted bombs): every file behaves as its manifest says,
// and decoded pixels are exact against pypng's reference hash (test/data/png/manifest.json `ref.rgba8_sha256`).
// The reference convention (shared/realdata README): RGBA8, 16-bit -> floor(v*255/65535+0.5), tRNS key -> alpha 0.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, type DecodedImage } from '@patchwise/io';

const DIR = new URL('./data/png/', import.meta.url);
interface PngEntry {
  file: string; expect: 'decode' | 'reject' | 'reject-by-limit' | 'either';
  ihdr?: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | null;
  ref?: { ok: boolean; rgba8_sha256?: string; rgba8_sha256_keyed_zeroed?: string };
  note?: string;
}
const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as { files: PngEntry[] };

/** The manifest's RGBA8 convention, computed from our raw samples (independent of toRGB's PIL rules). */
function referenceRGBA8(img: DecodedImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 4);
  const d = img.data;
  const c = img.channels;
  const to8 = (v: number): number => (img.bitDepth === 16 ? Math.floor((v * 255) / 65535 + 0.5) : v);
  const key = img.transparentColor;
  for (let p = 0; p < n; p++) {
    let r: number, g: number, b: number, a = 255;
    if (img.mode === 'P') {
      const i = d[p]!;
      const pal = img.palette!;
      r = pal[i * 3]!; g = pal[i * 3 + 1]!; b = pal[i * 3 + 2]!;
      if (img.paletteAlpha !== undefined && i < img.paletteAlpha.length) a = img.paletteAlpha[i]!;
    } else if (c <= 2) {
      r = g = b = to8(d[p * c]!);
      if (c === 2) a = to8(d[p * c + 1]!);
      if (key !== undefined && d[p]! === key[0]) a = 0;
    } else {
      r = to8(d[p * c]!); g = to8(d[p * c + 1]!); b = to8(d[p * c + 2]!);
      if (c === 4) a = to8(d[p * c + 3]!);
      if (key !== undefined && d[p * c] === key[0] && d[p * c + 1] === key[1] && d[p * c + 2] === key[2]) a = 0;
    }
    out[p * 4] = r; out[p * 4 + 1] = g; out[p * 4 + 2] = b; out[p * 4 + 3] = a;
  }
  return out;
}

function run(e: PngEntry): { img?: DecodedImage; err?: unknown } {
  try {
    // The reference hashes are of the stored pixels: no EXIF transpose here (tested separately below).
    return { img: decodeImage(readFileSync(new URL(e.file, DIR)), { fileName: e.file, applyExifOrientation: false }) };
  } catch (err) {
    return { err };
  }
}

describe('PNG corpus manifest', () => {
  it('covers every outcome class', () => {
    const kinds = new Set(manifest.files.map((f) => f.expect));
    expect([...kinds].sort()).toEqual(['decode', 'either', 'reject', 'reject-by-limit']);
    expect(manifest.files.length).toBe(208);
  });

  for (const e of manifest.files) {
    it(`${e.file} -> ${e.expect}`, () => {
      const t0 = performance.now();
      const { img, err } = run(e);
      expect(performance.now() - t0).toBeLessThan(5000); // no hang (the 20000x20000 bomb must be refused from IHDR)
      if (err !== undefined) expect(err).toBeInstanceOf(ImageDecodeError);
      switch (e.expect) {
        case 'decode': {
          expect(err, String(err)).toBeUndefined();
          expect([img!.width, img!.height]).toEqual([e.ihdr!.width, e.ihdr!.height]);
          const sha = createHash('sha256').update(referenceRGBA8(img!)).digest('hex');
          expect(sha).toBe(e.ref!.rgba8_sha256);
          break;
        }
        case 'reject':
          expect(img, 'must be rejected').toBeUndefined();
          expect((err as ImageDecodeError).message).toContain(e.file);
          break;
        case 'reject-by-limit':
          expect(img).toBeUndefined();
          expect((err as ImageDecodeError).kind).toBe('limit');
          break;
        case 'either':
          break; // decoded or ImageDecodeError (checked above)
      }
    });
  }
});

describe('PNG details', () => {
  it('keeps tRNS colour-keyed pixels\' colour (pngjs zeroes them; PIL does not)', () => {
    // tbrn2c08: RGB 8-bit with a tRNS key; the manifest's keyed_zeroed hash is what pngjs returns.
    const e = manifest.files.find((f) => f.file === 'pngsuite/tbrn2c08.png')!;
    expect(e.ref!.rgba8_sha256).not.toBe(e.ref!.rgba8_sha256_keyed_zeroed);
    const img = run(e).img!;
    expect(img.transparentColor).toBeDefined();
    const key = img.transparentColor!;
    let keyed = 0;
    for (let p = 0; p < img.width * img.height; p++) {
      if (img.data[p * 3] === key[0] && img.data[p * 3 + 1] === key[1] && img.data[p * 3 + 2] === key[2]) keyed++;
    }
    expect(keyed).toBeGreaterThan(0);
    expect(key.some((v) => v !== 0)).toBe(true); // the key colour is not black, so zeroing would be visible
  });

  it('gives PIL modes: 16-bit gray is I (0..65535), palette keeps indices, 2-bit gray is scaled by 85', () => {
    const g16 = run({ file: 'pngsuite/basn0g16.png', expect: 'decode' }).img!;
    expect([g16.mode, g16.bitDepth, g16.data.constructor.name]).toEqual(['I', 16, 'Uint16Array']);
    const p = run({ file: 'pngsuite/basn3p04.png', expect: 'decode' }).img!;
    expect(p.mode).toBe('P');
    expect(Math.max(...p.data)).toBeLessThan(16); // 4-bit indices, not expanded colours
    const g2 = run({ file: 'pngsuite/basn0g02.png', expect: 'decode' }).img!;
    expect(new Set(g2.data)).toEqual(new Set([0, 85, 170, 255]));
  });

  it('refuses a 400-megapixel bomb from IHDR fast, and honours a custom maxPixels', () => {
    const bomb = readFileSync(new URL('crafted/bomb-20000x20000-gray1.png', DIR));
    const t0 = performance.now();
    expect(() => decodeImage(bomb)).toThrowError(/400000000 pixels, over the limit of 89478485/);
    expect(performance.now() - t0).toBeLessThan(200);
    const small = readFileSync(new URL('pngsuite/basn2c08.png', DIR)); // 32x32
    expect(() => decodeImage(small, { maxPixels: 1023 })).toThrowError(ImageDecodeError);
    expect(decodeImage(small, { maxPixels: 1024 }).width).toBe(32);
  });

  it('names the reason for a truncated stream and a bad CRC', () => {
    const trunc = manifest.files.find((f) => f.file === 'crafted/idat-too-little-data.png')!;
    expect(String(run(trunc).err)).toMatch(/truncated: expected 20 filtered bytes/); // 4 rows * (4 + 1 filter byte)
    const crc = manifest.files.find((f) => f.file === 'pngsuite/xcsn0g01.png')!;
    expect(String(run(crc).err)).toMatch(/CRC mismatch in critical chunk IDAT/);
  });

  it('reads the orientation from an eXIf chunk and applies it like PIL exif_transpose', () => {
    const bytes = readFileSync(new URL('image-png/bugfixes__F-exif-chunk-early.png', DIR));
    const raw = decodeImage(bytes, { applyExifOrientation: false });
    const img = decodeImage(bytes);
    expect([raw.orientation, raw.orientationApplied, img.orientationApplied]).toEqual([6, false, true]);
    // Orientation 6 = PIL ROTATE_270 (90 degrees clockwise): out(x, y) = raw(x' = y, y' = H - 1 - x).
    const W = raw.width, H = raw.height, C = raw.channels;
    for (const [x, y] of [[0, 0], [399, 0], [17, 250], [399, 399]] as const) {
      for (let c = 0; c < C; c++) expect(img.data[(y * img.width + x) * C + c]).toBe(raw.data[((H - 1 - x) * W + y) * C + c]);
    }
  });
});
