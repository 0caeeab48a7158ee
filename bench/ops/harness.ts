// Benchmark harness shared by the op suites (and the end-to-end suites that hook into run.ts): timing with
// warm-up, median and min; the machine description; the result record written to bench/results/*.json.
// Optimized for stable numbers on a small shared machine: a time budget decides the number of runs.

import fs from 'node:fs';
import os from 'node:os';
import type { BenchRecord, MachineInfo } from '../report/schema.js';

export type { BenchRecord, MachineInfo } from '../report/schema.js';

/**
 * The x86 vector extensions that bound the native peer (Linux /proc/cpuinfo): onnxruntime-node's MLAS GEMM uses
 * AVX-512 where present, 4x the width of WebAssembly SIMD128, so the native/wasm ratio depends on this line.
 */
export function vectorIsa(): string {
  try {
    const flags = new Set((/^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
    const have = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_tile'].filter((f) => flags.has(f));
    return have.length ? have.join(' ') : 'none of avx2/avx512f';
  } catch {
    return 'unknown';
  }
}

/** Nominal clock in MHz (/proc/cpuinfo 'cpu MHz', else os.cpus()); null where unknown. */
export function cpuMhz(): number | null {
  try {
    const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return Math.round(Number(m[1]));
  } catch {
    // not Linux: fall through
  }
  const s = os.cpus()[0]?.speed;
  return s ? s : null;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    mhz: cpuMhz(),
    isa: vectorIsa(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    loadavg_start: os.loadavg()[0]!,
  };
}

export interface Timing {
  warmupMs: number;
  medianMs: number;
  minMs: number;
  runs: number;
}

export interface TimingOptions {
  /** Stop adding runs once this much time was spent (after minRuns). */
  budgetMs: number;
  minRuns: number;
  maxRuns: number;
  /** Skip the warm-up call (for multi-second plain-loop kernels, where on-stack replacement warms up anyway). */
  noWarmup?: boolean;
}

/** One warm-up call (JIT, lazy packing), then runs until the budget is spent: median and min. */
export function time(fn: () => void, opts: TimingOptions): Timing {
  let t = performance.now();
  if (!opts.noWarmup) fn();
  const warmupMs = opts.noWarmup ? 0 : performance.now() - t;
  const times: number[] = [];
  const start = performance.now();
  while (times.length < opts.maxRuns && (times.length < opts.minRuns || performance.now() - start < opts.budgetMs)) {
    t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { warmupMs, medianMs: times[Math.floor((times.length - 1) / 2)]!, minMs: times[0]!, runs: times.length };
}

/** Prints op records as an aligned table. */
export function printTable(records: readonly BenchRecord[]): void {
  const rows = records.map((r) => [
    r.model,
    r.backend,
    String(r.threads),
    r.median_ms.toFixed(2),
    r.min_ms.toFixed(2),
    r.rate === undefined ? '' : `${r.rate.toFixed(2)} ${r.unit ?? ''}`,
    String(r.runs),
    r.note ?? '',
  ]);
  const head = ['case', 'backend', 'threads', 'median ms', 'min ms', 'rate (median)', 'runs', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
