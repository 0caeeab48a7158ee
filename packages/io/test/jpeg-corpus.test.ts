// JPEG corpus (jpeg-js, libjpeg-turbo, jpeg-decoder reftest + crashtest, Pillow) and the EXIF/CMYK photos:
// each file behaves as its manifest says, and decoded pixels are compared with Pillow 9.4 / libjpeg-turbo's
// decode (pil-ref PNGs made by tools/image-measure/make_test_data.py, EXIF-transposed like HF load_image).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, toRGB, type DecodedImage } from '@patchwise/io';
import { decodeJpeg } from '../src/image/jpeg.js';
import { TOL_JPEG_EXACT, TOL_JPEG_FALLBACK, tolFromManifest } from './image-tolerances.js';
import { pixelDiff } from './helpers/pixel-diff.js';

interface JpegEntry {
  file: string; expect: 'decode' | 'decode-lenient' | 'unsupported-or-decode' | 'reject';
  expect_width?: number; expect_height?: number; expect_channels?: number;
  structure?: { sampling?: string; adobe_transform?: number; components?: number };
  jpegjs_vs_pillow_rgb?: { max_abs: number; mean_abs: number } | null;
  pil_ref?: { file: string; width: number; height: number };
  exif_orientation?: number | null; display_size?: [number, number];
}

function load(dir: URL): JpegEntry[] {
  return (JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as { files: JpegEntry[] }).files;
}

function is444(e: JpegEntry): boolean {
  return (e.structure?.sampling ?? '').split('x').every((s) => s === '11');
}

function suite(name: string, dir: URL): void {
  const files = load(dir);
  describe(`${name} manifest`, () => {
    for (const e of files) {
      it(`${e.file} -> ${e.expect}`, () => {
        let img: DecodedImage | undefined;
        let err: unknown;
        const t0 = performance.now();
        try {
          img = decodeImage(readFileSync(new URL(e.file, dir)), { fileName: e.file });
        } catch (x) {
          err = x;
        }
        expect(performance.now() - t0).toBeLessThan(10_000); // never hang
        if (err !== undefined) expect(err, String(err)).toBeInstanceOf(ImageDecodeError);
        switch (e.expect) {
          case 'decode': {
            expect(err, String(err)).toBeUndefined();
            expect(img!.components).toBe(e.expect_channels);
            const [w, h] = e.display_size ?? [e.expect_width!, e.expect_height!];
            // photos give the size after EXIF transpose; corpus files have no rotating orientation except where noted
            if (e.pil_ref !== undefined) expect([img!.width, img!.height]).toEqual([e.pil_ref.width, e.pil_ref.height]);
            else expect([img!.width, img!.height]).toEqual([w, h]);
            expect(img!.mode).toBe(e.expect_channels === 1 ? 'L' : 'RGB');
            if (e.pil_ref !== undefined) {
              const ref = toRGB(decodeImage(readFileSync(new URL(e.pil_ref.file, dir)))).data;
              const d = pixelDiff(toRGB(img!).data, ref);
              expect(d.max, `max abs diff vs PIL (mean ${d.mean.toFixed(3)})`).toBeLessThanOrEqual(TOL_JPEG_EXACT.max);
              // The jpeg-js fallback (used for streams libjpeg must repair) on the same file, at its tolerance.
              const fb = decodeJpeg(readFileSync(new URL(e.file, dir)), { maxPixels: 1e8, maxMemoryMB: 1024, forceJpegJs: true });
              const fbRGB = toRGB({ ...img!, ...fb, orientationApplied: false });
              if ((img!.orientation ?? 1) === 1) {
                const f = pixelDiff(fbRGB.data, ref);
                const tol = e.expect_channels === 4 && !is444(e) ? tolFromManifest(e.jpegjs_vs_pillow_rgb!) : TOL_JPEG_FALLBACK;
                expect(f.max, `jpeg-js fallback max diff vs PIL (mean ${f.mean.toFixed(3)})`).toBeLessThanOrEqual(tol.max);
                expect(f.mean, 'jpeg-js fallback mean diff vs PIL').toBeLessThanOrEqual(tol.mean);
              }
            }
            break;
          }
          case 'decode-lenient':
            if (img !== undefined && e.expect_width !== undefined) expect([img.width, img.height]).toEqual([e.expect_width, e.expect_height]);
            if (img !== undefined && e.pil_ref !== undefined && e.expect_channels === 3) {
              // When we do decode a stream libjpeg had to repair, it should still be PIL's picture.
              const ref = decodeImage(readFileSync(new URL(e.pil_ref.file, dir)));
              const d = pixelDiff(toRGB(img).data, toRGB(ref).data);
              expect(d.max).toBeLessThanOrEqual(TOL_JPEG_EXACT.max);
            }
            break;
          case 'unsupported-or-decode':
            if (err !== undefined) {
              expect((err as ImageDecodeError).kind).toBe('unsupported');
              expect((err as Error).message).toMatch(/not supported/);
            }
            break;
          case 'reject':
            expect(img, 'must be rejected').toBeUndefined();
            break;
        }
      });
    }
  });
}

suite('JPEG', new URL('./data/jpeg/', import.meta.url));
suite('photos', new URL('./data/photos/', import.meta.url));

describe('JPEG traps', () => {
  const dir = new URL('./data/jpeg/', import.meta.url);
  const files = load(dir);

  it('covers every outcome class and the colour-space traps', () => {
    expect(new Set(files.map((f) => f.expect))).toEqual(new Set(['decode', 'decode-lenient', 'unsupported-or-decode', 'reject']));
    const adobe0rgb = files.filter((f) => f.structure?.components === 3 && f.structure.adobe_transform === 0);
    expect(adobe0rgb.length).toBeGreaterThan(0);
  });

  it('decodes an Adobe-transform-0 RGB JPEG without the YCbCr transform (jpeg-js default miscolours it)', () => {
    const e = files.find((f) => f.file === 'jpeg-decoder-reftest/rgb.jpg')!;
    expect(e.jpegjs_vs_pillow_rgb!.mean_abs).toBeGreaterThan(50); // what jpeg-js' default produced
    const img = decodeImage(readFileSync(new URL(e.file, dir)));
    expect(img.jpegColorSpace).toBe('rgb');
    const ref = decodeImage(readFileSync(new URL(e.pil_ref!.file, dir)));
    const d = pixelDiff(img.data, toRGB(ref).data);
    expect(d.max).toBeLessThanOrEqual(TOL_JPEG_EXACT.max);
    // the jpeg-js fallback needs the Adobe flag handling too (its default miscolours this file)
    const fb = decodeJpeg(readFileSync(new URL(e.file, dir)), { maxPixels: 1e8, maxMemoryMB: 1024, forceJpegJs: true });
    expect(pixelDiff(fb.data, toRGB(ref).data).max).toBeLessThanOrEqual(TOL_JPEG_FALLBACK.max);
  });

  it('rejects 12-bit, arithmetic-coded and lossless JPEGs as unsupported with the reason', () => {
    const msg = (f: string): string => {
      try { decodeImage(readFileSync(new URL(f, dir)), { fileName: f }); } catch (x) { return `${(x as ImageDecodeError).kind}: ${(x as Error).message}`; }
      return 'decoded';
    };
    expect(msg('libjpeg-turbo/monkey12.jpg')).toMatch(/^unsupported: .*12-bit sample precision/);
    expect(msg('libjpeg-turbo/testimgari.jpg')).toMatch(/^unsupported: .*arithmetic-coded extended sequential \(SOF9\)/);
    expect(msg('jpeg-decoder-reftest/lossless_1_jpeg_lossless_sel1-8bit.jpg')).toMatch(/^unsupported: .*lossless \(SOF3\)/);
  });

  it('checks the pixel budget from SOF before jpeg-js allocates', () => {
    // grumpycat.jpg is 320x180 = 57600 pixels
    const bytes = readFileSync(new URL('jpeg-js/grumpycat.jpg', dir));
    expect(() => decodeImage(bytes, { maxPixels: 57_599 })).toThrowError(/320x180 = 57600 pixels, over the limit of 57599/);
    expect(decodeImage(bytes, { maxPixels: 57_600 }).width).toBe(320);
    // Patch SOF to 60000x60000: refused in well under the time a 3.6 GP decode would take.
    const big = Uint8Array.from(bytes);
    for (let i = 2; i < big.length - 8; i++) {
      if (big[i] === 0xff && (big[i + 1] === 0xc0 || big[i + 1] === 0xc2)) {
        big[i + 5] = 0xea; big[i + 6] = 0x60; big[i + 7] = 0xea; big[i + 8] = 0x60;
        break;
      }
    }
    const t0 = performance.now();
    let kind = '';
    try { decodeImage(big); } catch (x) { kind = (x as ImageDecodeError).kind; }
    expect(kind).toBe('limit');
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('applies EXIF orientations 2..8 (hopper_orientation_N after transpose matches PIL exif_transpose)', () => {
    const pdir = new URL('./data/photos/', import.meta.url);
    for (let o = 2; o <= 8; o++) {
      const img = decodeImage(readFileSync(new URL(`exif/hopper_orientation_${o}.jpg`, pdir)));
      expect([img.orientation, img.orientationApplied]).toEqual([o, true]);
      const raw = decodeImage(readFileSync(new URL(`exif/hopper_orientation_${o}.jpg`, pdir)), { applyExifOrientation: false });
      expect(raw.orientationApplied).toBe(false);
      const ref = decodeImage(readFileSync(new URL(`pil-ref/exif__hopper_orientation_${o}.png`, pdir)));
      expect(pixelDiff(img.data, toRGB(ref).data).max).toBe(0);
      // The untransposed decode is far from PIL's (so the test can see a wrong orientation); hopper is square.
      expect(pixelDiff(raw.data, toRGB(ref).data).mean).toBeGreaterThan(5);
    }
  });

  it('converts CMYK and YCCK JPEGs to RGB exactly like PIL (inverted Adobe CMYK, cmyk2rgb)', () => {
    for (const [f, space] of [['jpeg-js/cmyktest.jpg', 'ycck'], ['jpeg-js/tree-cmyk-notransform.jpg', 'cmyk'], ['jpeg-decoder-reftest/mozilla_jpg-cmyk-2.jpg', 'cmyk']] as const) {
      const e = files.find((x) => x.file === f)!;
      const img = decodeImage(readFileSync(new URL(f, dir)));
      expect([img.components, img.jpegColorSpace]).toEqual([4, space]);
      expect(pixelDiff(img.data, toRGB(decodeImage(readFileSync(new URL(e.pil_ref!.file, dir)))).data).max).toBe(0);
    }
  });
});

describe('chroma sampling variants (cjpeg -sample HxV) against PIL', () => {
  const dir = new URL('./data/jpeg-sampling/', import.meta.url);
  const man = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as {
    files: Array<{ file: string; sample: string; width: number; height: number; pil_ref: string }>;
  };
  for (const f of man.files) {
    it(`${f.file} (${f.width}x${f.height}, luma sampling ${f.sample})`, () => {
      const img = decodeImage(readFileSync(new URL(f.file, dir)));
      expect([img.width, img.height, img.jpegColorSpace]).toEqual([f.width, f.height, 'ycbcr']);
      const ref = toRGB(decodeImage(readFileSync(new URL(f.pil_ref, dir))));
      const d = pixelDiff(img.data, ref.data);
      expect(d.max, `mean ${d.mean.toFixed(3)}`).toBeLessThanOrEqual(TOL_JPEG_EXACT.max);
      // jpeg-js fallback: same upsampling/colour code on jpeg-js planes, within the IDCT difference
      // (jpeg-js itself cannot decode the Motion-JPEG and restart-garbage streams at all)
      if (/_nodht|_rst_garbage/.test(f.file)) {
        expect(() => decodeJpeg(readFileSync(new URL(f.file, dir)), { maxPixels: 1e8, maxMemoryMB: 1024, forceJpegJs: true })).toThrowError(ImageDecodeError);
        return;
      }
      const fb = decodeJpeg(readFileSync(new URL(f.file, dir)), { maxPixels: 1e8, maxMemoryMB: 1024, forceJpegJs: true });
      const g = pixelDiff(fb.data, ref.data);
      expect(g.max).toBeLessThanOrEqual(TOL_JPEG_FALLBACK.max);
      expect(g.mean).toBeLessThanOrEqual(TOL_JPEG_FALLBACK.mean);
    });
  }
});
