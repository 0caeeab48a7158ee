// Small output helpers shared by the commands: tensors to nested number arrays, aligned text tables, fixed
// number formats, and the JSON printer. Optimized for stable, machine-readable --json (documented in
// docs/cli.md) and for text output that lines up.

import type { Tensor } from '@patchwise/tensor';
import type { CliIO } from './io.js';

/** Rows of a [N, D] tensor as plain number arrays (float32 values widened to double exactly). */
export function rows(t: Tensor): number[][] {
  const [N, D] = t.shape as [number, number];
  const a = t.toArray();
  return Array.from({ length: N }, (_, i) => Array.from(a.subarray(i * D, (i + 1) * D)));
}

/** Prints a value as one JSON document followed by a newline. */
export function printJson(io: CliIO, value: unknown): void {
  io.out(`${JSON.stringify(value)}\n`);
}

/** Left-aligned columns separated by two spaces; `right` marks columns to right-align (numbers). */
export function table(lines: readonly (readonly string[])[], right: readonly number[] = []): string {
  if (lines.length === 0) return '';
  const widths: number[] = [];
  for (const l of lines) l.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return lines
    .map((l) => l.map((c, i) => (i === l.length - 1 && !right.includes(i) ? c : right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '))
    .join('\n') + '\n';
}

/** A probability in [0, 1] with 4 decimals. */
export function fmtProb(p: number): string {
  return p.toFixed(4);
}

/** A real number with 4 significant decimals, sign-aligned. */
export function fmtNum(x: number): string {
  return (x >= 0 ? ' ' : '') + x.toFixed(4);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** 1234567 -> "1,234,567". */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes with a binary unit. */
export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}
