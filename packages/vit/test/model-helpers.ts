// Shared helpers of the model tests: read fixture safetensors, compare tensors elementwise with the project's
// float32 model tolerance (packages/tensor/test/tolerances.ts: |got - want| <= abs + rel * |want|), and report
// max-abs-diff per fixture.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { TOL } from '../../tensor/test/tolerances.js';
import type { Tolerance } from '../../tensor/test/tolerances.js';

export const DATA = fileURLToPath(new URL('./data/', import.meta.url));

export { TOL };

/** All tensors of a safetensors file, float32 (int64 ids as int32). */
export async function readTensors(file: string): Promise<Map<string, Tensor>> {
  const st = parseSafetensors(new Uint8Array(readFileSync(file)), file);
  const out = new Map<string, Tensor>();
  for (const n of st.names()) out.set(n, await st.tensor(n));
  return out;
}

export interface Diff {
  maxAbs: number;
  /** Elements outside the tolerance. */
  bad: number;
  worst: string;
}

/** Elementwise comparison; shapes must match exactly. */
export function compare(got: Tensor, want: Tensor, tol: Tolerance = TOL.f32Model): Diff {
  if (got.shape.join(',') !== want.shape.join(',')) {
    throw new Error(`shape mismatch: got [${got.shape.join(', ')}], want [${want.shape.join(', ')}]`);
  }
  const g = got.toArray();
  const w = want.toArray();
  let maxAbs = 0;
  let bad = 0;
  let worst = '';
  for (let i = 0; i < g.length; i++) {
    const d = Math.abs(g[i]! - w[i]!);
    if (!(d <= tol.abs + tol.rel * Math.abs(w[i]!))) {
      bad++;
      if (bad === 1) worst = `index ${i}: got ${g[i]}, want ${w[i]}`;
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
  }
  return { maxAbs, bad, worst };
}

/** Max abs diff per fixture, printed once at the end of a test file (the numbers the report quotes). */
export const report = new Map<string, number>();

export function record(fixture: string, diff: Diff): void {
  report.set(fixture, Math.max(report.get(fixture) ?? 0, diff.maxAbs));
}

export function printReport(title: string): void {
  const lines = [...report].map(([k, v]) => `  ${k}: max abs diff ${v.toExponential(2)}`);
  console.log(`${title}\n${lines.join('\n')}`);
}
