// Benchmark harness shared by the op suites (and the end-to-end suites that hook into run.ts): timing with
// warm-up, median and min; the machine description; the result record written to bench/results/*.json.
// Optimized for stable numbers on a small shared machine: a time budget decides the number of runs.

import os from 'node:os';

/** One measured case. Field names follow the issue-7 schema (engine, backend, threads, median_ms, min_ms). */
export interface BenchRecord {
  suite: string;
  /** What was timed, e.g. 'gemm 197x768x3072' or 'softmax [12, 197, 197]'. */
  name: string;
  engine: string;
  backend: string;
  /** Kernel or op name in the registry. */
  kernel: string;
  threads: number;
  warmup_ms: number;
  median_ms: number;
  min_ms: number;
  runs: number;
  /** Throughput at the median: GFLOP/s for GEMM-like cases, GB/s for memory-bound row kernels. */
  rate: number | null;
  unit: 'GFLOP/s' | 'GB/s' | null;
  note?: string;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  date: string;
  /** 1-minute load average at start and end: the machine may be shared; high load means noisy numbers. */
  loadavg_start: number;
  loadavg_end?: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
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

/** Prints records as an aligned table. */
export function printTable(records: readonly BenchRecord[]): void {
  const rows = records.map((r) => [
    r.name,
    r.backend,
    r.kernel,
    r.median_ms.toFixed(2),
    r.min_ms.toFixed(2),
    r.rate === null ? '' : `${r.rate.toFixed(2)} ${r.unit}`,
    String(r.runs),
    r.note ?? '',
  ]);
  const head = ['case', 'backend', 'kernel', 'median ms', 'min ms', 'rate (median)', 'runs', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** A file-name-safe slug of the CPU model, e.g. 'amd-epyc-7r13-processor'. */
export function cpuSlug(cpu: string): string {
  return cpu.toLowerCase().replace(/\(r\)|\(tm\)/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
