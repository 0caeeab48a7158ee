// Offline check (not a test: it reads the shared realdata corpus) of every `vit224` reference in realdata/photos:
// 1. resize step alone: PIL's decode (from make_photo_refs.py) -> our resizeU8(224, 224, BILINEAR) vs the
//    reference PNG, byte for byte;
// 2. whole pipeline from the JPEG: our decoder (jpeg-js based) + toRGB + resize vs the reference, measured.
// Run: npx tsx tools/preprocess-refs/check-photos.ts <realdata dir>/photos /tmp/photo-refs

import { readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { decodeImage, resizeU8, toRGB, type U8Image } from '../../packages/io/src/index.js';

function readPngRgb(path: string): U8Image {
  // 8-bit RGB PNGs: lossless, so any correct PNG decoder gives PIL's bytes.
  return toRGB(decodeImage(readFileSync(path), { fileName: path }));
}

function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number; frac: number } {
  let max = 0, sum = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    sum += d;
    if (d) n++;
  }
  return { max, mean: sum / a.length, frac: n / a.length };
}

interface Entry { file: string; vit224?: { file: string }; vit224_without_exif_transpose?: { file?: string }; jpegjs_vs_pillow_rgb?: { max_abs: number } }

const [photos, refs] = process.argv.slice(2) as [string, string];
const manifest = JSON.parse(readFileSync(join(photos, 'manifest.json'), 'utf8')) as { files: Entry[] };
let exact = 0, total = 0;
for (const f of manifest.files) {
  for (const [key, transpose] of [['vit224', true], ['vit224_without_exif_transpose', false]] as const) {
    const ref = f[key];
    if (!ref?.file) continue;
    total++;
    const want = readPngRgb(join(photos, ref.file));
    const stem = basename(ref.file, '.png');
    const pil = readPngRgb(join(refs, `${stem}.pil_rgb.png`));
    const t0 = performance.now();
    const got = resizeU8(pil, 224, 224, 2);
    const ms = performance.now() - t0;
    const d1 = diff(got.data, want.data);
    if (d1.max === 0) exact++;
    const dec = toRGB(decodeImage(readFileSync(join(photos, f.file)), { applyExifOrientation: transpose }));
    const full = resizeU8(dec, 224, 224, 2);
    const d2 = diff(full.data, want.data);
    const dd = diff(dec.data, pil.data);
    console.log(
      `${ref.file.padEnd(42)} ${pil.width}x${pil.height} resize-from-PIL-decode: ${d1.max === 0 ? 'EXACT' : `max ${d1.max}`} (${ms.toFixed(1)} ms)` +
        ` | our decode vs PIL decode: max ${dd.max} mean ${dd.mean.toFixed(3)} (manifest ${f.jpegjs_vs_pillow_rgb?.max_abs})` +
        ` | full pipeline vs ref: max ${d2.max} mean ${d2.mean.toFixed(3)} differing ${(100 * d2.frac).toFixed(1)}%`,
    );
  }
}
console.log(`resize step exact on ${exact}/${total} vit224 references`);
