// decodeImage / loadImageFile entry points: format sniffing, typed errors naming the file, options.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, loadImageFile, sniffImageFormat, DEFAULT_MAX_PIXELS } from '@patchwise/io';

const data = (f: string): URL => new URL(`./data/${f}`, import.meta.url);

function caught(fn: () => unknown): ImageDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImageDecodeError);
    return e as ImageDecodeError;
  }
  throw new Error('expected an ImageDecodeError');
}

describe('image API', () => {
  it('sniffs PNG and JPEG by magic bytes, not by name', () => {
    expect(sniffImageFormat(readFileSync(data('png/pngsuite/basn2c08.png')))).toBe('png');
    expect(sniffImageFormat(readFileSync(data('jpeg/jpeg-js/grumpycat.jpg')))).toBe('jpeg');
    expect(sniffImageFormat(Uint8Array.of(0x47, 0x49, 0x46, 0x38))).toBeUndefined(); // "GIF8"
  });

  it('names the file, the kind and what was found for unknown formats and empty input', () => {
    const gif = caught(() => decodeImage(Uint8Array.of(0x47, 0x49, 0x46, 0x38, 0x39, 0x61), { fileName: 'cat.gif' }));
    expect(gif.kind).toBe('unknown-format');
    expect(gif.fileName).toBe('cat.gif');
    expect(gif.message).toBe('cat.gif: unknown-format: not a PNG (89 50 4e 47 0d 0a 1a 0a) or JPEG (ff d8 ff) file; first bytes: 47 49 46 38 39 61');
    expect(caught(() => decodeImage(new Uint8Array(0))).message).toMatch(/^<bytes>: unknown-format: .*\(empty\)$/);
  });

  it('checks option values', () => {
    expect(caught(() => decodeImage(new Uint8Array(8), { maxPixels: 0 })).kind).toBe('invalid-argument');
    expect(DEFAULT_MAX_PIXELS).toBe(89_478_485); // PIL Image.MAX_IMAGE_PIXELS = 1024 * 1024 * 1024 // 4 // 3
  });

  it('accepts Buffers and Uint8Array views at an offset', () => {
    const bytes = readFileSync(data('png/pngsuite/basn2c08.png'));
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 5);
    const a = decodeImage(bytes);
    const b = decodeImage(padded.subarray(5));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('loadImageFile reads, decodes and applies EXIF orientation; a missing file is a typed error', async () => {
    const path = data('photos/exif/hopper_orientation_6.jpg').pathname;
    const img = await loadImageFile(path);
    expect([img.format, img.orientation, img.orientationApplied]).toEqual(['jpeg', 6, true]);
    const raw = await loadImageFile(path, { applyExifOrientation: false });
    expect(raw.orientationApplied).toBe(false);
    await expect(loadImageFile('/nonexistent/x.png')).rejects.toThrowError(/^\/nonexistent\/x\.png: io: cannot read file/);
  });
});
