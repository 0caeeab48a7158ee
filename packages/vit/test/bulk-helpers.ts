// Test inputs for bulk embedding jobs: deterministic 28x28 grayscale PNGs (noise plus a filled rectangle and a
// ring, different per index) for the bundled fashion-MNIST model, and corrupt files. Generated at test time
// into a temp dir so that nothing large is committed. Used by bulk*.test.ts and tools/bulk/.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { encodePNG } from '@patchwise/io';

/** mulberry32: a small seeded PRNG (deterministic images for a given index). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** PNG bytes of image `i`: `size` x `size` gray. */
export function syntheticPng(i: number, size = 28): Uint8Array {
  const r = rng(i * 2654435761 + 1);
  const px = new Uint8Array(size * size);
  for (let k = 0; k < px.length; k++) px[k] = Math.floor(r() * 64); // dark noise
  const x0 = Math.floor(r() * size * 0.6);
  const y0 = Math.floor(r() * size * 0.6);
  const w = 3 + Math.floor(r() * size * 0.4);
  const h = 3 + Math.floor(r() * size * 0.4);
  const v = 128 + Math.floor(r() * 128);
  for (let y = y0; y < Math.min(size, y0 + h); y++) for (let x = x0; x < Math.min(size, x0 + w); x++) px[y * size + x] = v;
  const cx = r() * size;
  const cy = r() * size;
  const rad = 3 + r() * size * 0.3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (Math.abs(d - rad) < 1.2) px[y * size + x] = 255;
    }
  }
  return encodePNG({ width: size, height: size, channels: 1, data: px });
}

/**
 * Writes `n` images into `dir` spread over `perDir`-sized subfolders (`d00/img00000.png`...), plus the given
 * corrupt files. Returns the relative paths written.
 */
export async function writeImageTree(dir: string, n: number, opts: { perDir?: number; corrupt?: readonly string[] } = {}): Promise<string[]> {
  const perDir = opts.perDir ?? 500;
  const rels: string[] = [];
  for (let i = 0; i < n; i++) {
    const sub = `d${String(Math.floor(i / perDir)).padStart(2, '0')}`;
    const rel = `${sub}/img${String(i).padStart(5, '0')}.png`;
    if (i % perDir === 0) await fsp.mkdir(path.join(dir, sub), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), syntheticPng(i));
    rels.push(rel);
  }
  for (const rel of opts.corrupt ?? []) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    // A PNG signature followed by garbage: sniffed as PNG, fails inside the decoder.
    await fsp.writeFile(path.join(dir, rel), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]));
    rels.push(rel);
  }
  return rels;
}
