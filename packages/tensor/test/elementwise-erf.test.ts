// Unary float32 math against PyTorch 1.13 CPU float32 results (tools/torch-refs/elementwise.py ->
// test/data/elementwise/unary.json), counted in float32 ulps; plus erf's float64 accuracy against its
// independent series definition (A&S 7.1.6).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, erf, tanh, sigmoid, exp, log, sqrt, rsqrt, erfScalar, Tensor } from '@patchwise/tensor';

const ref = JSON.parse(readFileSync(fileURLToPath(new URL('./data/elementwise/unary.json', import.meta.url)), 'utf8')) as Record<string, number[]>;

/** Distance in float32 ulps between two float32 values (both finite, or equal). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const i = new Int32Array(new Float32Array([a, b]).buffer);
  // Map sign-magnitude to a monotonic integer line.
  const ord = (v: number): number => (v < 0 ? -2147483648 - v : v);
  return Math.abs(ord(i[0]!) - ord(i[1]!));
}

function maxUlps(f: (t: Tensor) => Tensor, xs: number[], want: number[]): { max: number; exact: number } {
  const got = f(tensor(xs)).toArray();
  let max = 0;
  let exact = 0;
  for (let k = 0; k < xs.length; k++) {
    const u = ulps(got[k]!, Math.fround(want[k]!));
    if (u === 0) exact++;
    max = Math.max(max, u);
  }
  return { max, exact };
}

describe('unary ops vs torch float32', () => {
  const x = ref.x!;
  it('erf within 1 ulp of torch.erf everywhere', () => {
    const { max, exact } = maxUlps(erf, x, ref.erf!);
    expect(max).toBeLessThanOrEqual(1);
    expect(exact / x.length).toBeGreaterThan(0.9); // nearly all bit-identical
  });
  it('tanh, sigmoid, exp within 2 ulps', () => {
    // torch's vectorized float32 tanh/exp are ~1 ulp polynomials; ours round the float64 result once.
    expect(maxUlps(tanh, x, ref.tanh!).max).toBeLessThanOrEqual(2);
    expect(maxUlps(sigmoid, x, ref.sigmoid!).max).toBeLessThanOrEqual(2);
    expect(maxUlps(exp, x, ref.exp!).max).toBeLessThanOrEqual(2);
  });
  it('log within 2 ulps; sqrt exact (IEEE correctly rounded); rsqrt within 1 ulp', () => {
    const xp = ref.xpos!;
    expect(maxUlps(log, xp, ref.log!).max).toBeLessThanOrEqual(2);
    expect(maxUlps(sqrt, xp, ref.sqrt!).max).toBe(0);
    expect(maxUlps(rsqrt, xp, ref.rsqrt!).max).toBeLessThanOrEqual(1);
  });
});

/** erf by A&S 7.1.6, 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)): positive terms, so no
 * cancellation; an independent oracle for the float64 erf (slow: ~x^2 + 40 terms). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 2000; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-18) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

describe('erfScalar (float64)', () => {
  it('agrees with the A&S 7.1.6 series to 1e-14 relative on [0, 6.5] and is odd', () => {
    let maxRel = 0;
    for (let v = 1e-4; v < 6.5; v += 0.00173) {
      const want = erfSeries(v);
      maxRel = Math.max(maxRel, Math.abs(erfScalar(v) - want) / want);
      expect(erfScalar(-v)).toBe(-erfScalar(v));
    }
    expect(maxRel).toBeLessThan(1e-14);
  });
  it('known values (A&S table 7.1): erf(0.5), erf(1), erf(2), tiny x', () => {
    expect(erfScalar(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erfScalar(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erfScalar(2)).toBeCloseTo(0.9953222650189527, 14);
    // erf(x) ~ 2x/sqrt(pi). kernels/math.ts promises ~2e-15 relative (a few float64 ulps), i.e. 14 digits here.
    expect(erfScalar(1e-30) / 1e-30).toBeCloseTo(2 / Math.sqrt(Math.PI), 14);
    expect(erfScalar(7)).toBe(1);
  });
});
