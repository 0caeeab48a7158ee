// Bounded fuzz: byte mutations of valid PNG and JPEG files (fixed seed, time cap). The decoder may decode or
// throw, but only ImageDecodeError may escape, and no single decode may hang.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, toL, toRGB } from '@patchwise/io';
import { mulberry32 } from './helpers/prng.js';

const SEEDS = [
  'png/pngsuite/basn2c08.png', 'png/pngsuite/basi3p04.png', 'png/pngsuite/basn0g16.png', 'png/pngsuite/tbrn2c08.png',
  'png/pngsuite/basi6a16.png', 'png/image-png/bugfixes__F-exif-chunk-early.png',
  'jpeg/libjpeg-turbo/testorig.jpg', 'jpeg/jpeg-decoder-reftest/mozilla_jpg-progressive.jpg',
  'jpeg/jpeg-decoder-reftest/mozilla_jpg-gray.jpg', 'jpeg/jpeg-decoder-reftest/mozilla_jpg-cmyk-1.jpg',
  'jpeg/jpeg-decoder-reftest/restarts.jpg', 'photos/exif/hopper_orientation_6.jpg',
].map((f) => new Uint8Array(readFileSync(new URL(`./data/${f}`, import.meta.url))));

const MUTATIONS = 5000;
const TIME_CAP_MS = 15_000;
const PER_DECODE_MS = 2_000;

/** Recomputes every PNG chunk CRC so mutations get past the CRC check and reach inflate / pngjs. */
function fixPngCrcs(b: Uint8Array): void {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let off = 8; off + 12 <= b.length;) {
    const len = v.getUint32(off);
    if (off + 12 + len > b.length) return;
    let c = 0xffffffff;
    for (let i = off + 4; i < off + 8 + len; i++) c = table[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
    v.setUint32(off + 8 + len, (c ^ 0xffffffff) >>> 0);
    off += 12 + len;
  }
}

function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(r() * n);
  const kind = int(6);
  // Header-heavy: half the edits land in the first 300 bytes, where the structure lives.
  const pos = (): number => (r() < 0.5 ? int(Math.min(300, src.length)) : int(src.length));
  let out = Uint8Array.from(src);
  switch (kind) {
    case 0: { for (let k = 1 + int(4); k > 0; k--) { const p = pos(); out[p] = out[p]! ^ (1 << int(8)); } break; } // bit flips
    case 1: { for (let k = 1 + int(4); k > 0; k--) out[pos()] = [0, 0xff, 0x7f, 0x80, int(256)][int(5)]!; break; } // byte sets
    case 2: out = out.subarray(0, int(src.length)); break; // truncation
    case 3: { const p = pos(); const ins = Uint8Array.from({ length: 1 + int(16) }, () => int(256)); out = Uint8Array.from([...out.subarray(0, p), ...ins, ...out.subarray(p)]); break; }
    case 4: { const p = pos(); const n = 1 + int(64); out = Uint8Array.from([...out.subarray(0, p), ...out.subarray(p + n)]); break; } // deletion
    default: { const p = pos(); const v = new DataView(out.buffer); if (p + 4 <= out.length) v.setUint32(p, [0xffffffff, 0x7fffffff, 0x10000, 0][int(4)]!); break; } // big ints
  }
  if (src[0] === 0x89 && r() < 0.7) fixPngCrcs(out);
  return out;
}

describe('image fuzz', () => {
  it(`only ImageDecodeError escapes ${MUTATIONS} mutations (seeded, capped at ${TIME_CAP_MS / 1000} s)`, () => {
    const r = mulberry32(0x5eed);
    const start = performance.now();
    const counts = { decoded: 0, rejected: 0 };
    const kinds = new Map<string, number>();
    let slowest = 0;
    let done = 0;
    for (; done < MUTATIONS && performance.now() - start < TIME_CAP_MS; done++) {
      const input = mutate(SEEDS[done % SEEDS.length]!, r);
      const t0 = performance.now();
      try {
        // a 4-megapixel budget keeps a mutated SOF/IHDR size from turning the fuzz into a benchmark
        const img = decodeImage(input, { maxPixels: 4_000_000, fileName: `mutation-${done}` });
        toRGB(img);
        toL(img);
        counts.decoded++;
      } catch (e) {
        if (!(e instanceof ImageDecodeError)) throw new Error(`mutation ${done} of seed ${done % SEEDS.length} threw a non-ImageDecodeError: ${String(e)}`);
        counts.rejected++;
        kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      expect(performance.now() - t0, `mutation ${done}`).toBeLessThan(PER_DECODE_MS);
    }
    console.log(`fuzz: ${done} mutations in ${((performance.now() - start) / 1000).toFixed(1)} s, decoded ${counts.decoded}, rejected ${counts.rejected} ${JSON.stringify(Object.fromEntries(kinds))}, slowest ${slowest.toFixed(0)} ms`);
    expect(done).toBeGreaterThanOrEqual(500); // the cap must not hide a fuzz that barely ran
    expect(counts.decoded).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(0);
  });
});
