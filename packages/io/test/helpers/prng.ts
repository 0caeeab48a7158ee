// The seeded PRNG of the io tests (fuzz mutations, synthetic download bodies): mulberry32, so a failing case
// replays from its seed. Optimized for being tiny and deterministic, not for statistical quality.
// mulberry32 as published by Tommy Ettinger (public domain); the constants are his.

/** mulberry32: a stream of uniform values in [0, 1) for a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` deterministic pseudo-random bytes (stable checksums, and not compressible). */
export function randomBytes(n: number, seed: number): Uint8Array {
  const next = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}
