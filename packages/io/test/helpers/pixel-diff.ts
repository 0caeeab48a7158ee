// The difference between two decoded 8-bit images, in levels: max and mean absolute difference over all
// samples, the two numbers the image tolerances (image-tolerances.ts) and the corpus manifests are stated in.
// The same max / mean as tools/image-measure/measure.ts (which adds a p99) and the manifests' max_abs / mean_abs.
import { expect } from 'vitest';

/** max |a - b| and mean |a - b| over same-length sample arrays (a length mismatch fails the test). */
export function pixelDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  expect(a.length, 'pixelDiff: sample counts').toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}
