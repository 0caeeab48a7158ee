// The order of rows in every bulk output: paths compared by Unicode code point (the same as comparing their
// UTF-8 bytes, and Python's str ordering), NOT by UTF-16 code unit as Array.prototype.sort does. Optimized for
// being identical on every machine and in every language that reads the output.

/** Negative, zero or positive as `a` sorts before, with or after `b` by code point. */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after every BMP character.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
