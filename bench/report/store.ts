// The stored results: bench/results/<cpu>-node<major>.json (every run appended as an entry), and the regeneration of
// bench/results/README.md and latency.svg from all stored files. Optimized for never losing a stored run: every
// write goes to a temp name and is renamed, and an unreadable results file stops the run instead of being replaced.

import fs from 'node:fs';
import path from 'node:path';
import { chartRecords, latencySvg, latestRun, newestFile, renderReadme } from './readme.js';
import type { ResultsFile } from './readme.js';
import type { BenchRecord, BenchRun, MachineInfo } from './schema.js';

export const RESULTS_SCHEMA = 'patchwise-bench/2';
export const CHART_FILE = 'latency.svg';

/** A file-name-safe slug of the CPU model, e.g. 'intel-xeon-processor', 'amd-epyc-7r13-processor'. */
export function cpuSlug(cpu: string): string {
  return cpu.toLowerCase().replace(/\(r\)|\(tm\)/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'unknown-cpu';
}

/** '<cpu slug>-node<major>.json' for a machine. */
export function resultsFileName(m: Pick<MachineInfo, 'cpu' | 'node'>): string {
  return `${cpuSlug(m.cpu)}-node${m.node.replace(/^v/, '').split('.')[0]}.json`;
}

/** Writes `text` to `file` through a temp name and a rename, so a reader never sees half a file. */
export function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

interface LegacyRecord {
  suite?: string;
  name?: string;
  engine?: string;
  backend?: string;
  kernel?: string;
  threads?: number;
  warmup_ms?: number;
  median_ms?: number;
  min_ms?: number;
  runs?: number;
  rate?: number | null;
  unit?: 'GFLOP/s' | 'GB/s' | null;
}

/** A record of the first schema (op suites only, one run per file): the case name becomes the model, batch 1. */
function fromLegacy(r: LegacyRecord, file: string): BenchRecord {
  if (typeof r.name !== 'string' || typeof r.median_ms !== 'number' || typeof r.min_ms !== 'number') {
    throw new Error(`${file}: a patchwise-bench/1 record lacks name/median_ms/min_ms: ${JSON.stringify(r).slice(0, 120)}`);
  }
  const rec: BenchRecord = {
    suite: 'ops',
    engine: r.engine ?? 'patchwise',
    backend: r.backend ?? 'unknown',
    model: r.name,
    batch: 1,
    threads: r.threads ?? 1,
    warmup_ms: r.warmup_ms ?? null,
    median_ms: r.median_ms,
    min_ms: r.min_ms,
    runs: r.runs ?? 1,
  };
  if (typeof r.rate === 'number') rec.rate = r.rate;
  if (r.unit) rec.unit = r.unit;
  if (r.kernel) rec.kernel = r.kernel;
  return rec;
}

/** The runs stored in a results file; [] when it does not exist. Throws (naming the file) on anything else. */
export function readRuns(file: string): BenchRun[] {
  if (!fs.existsSync(file)) return [];
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); fix or move it, the bench appends to it`);
  }
  const o = v as { schema?: unknown; runs?: unknown; machine?: MachineInfo; quick?: boolean; records?: LegacyRecord[] };
  if (o.schema === RESULTS_SCHEMA && Array.isArray(o.runs)) return o.runs as BenchRun[];
  if (o.schema === 'patchwise-bench/1' && o.machine && Array.isArray(o.records)) {
    const legacy = o.machine as Partial<MachineInfo> & Omit<MachineInfo, 'mhz' | 'isa'>;
    const machine: MachineInfo = { ...legacy, mhz: legacy.mhz ?? null, isa: legacy.isa ?? '' };
    return [{ machine, quick: o.quick ?? false, records: o.records.map((r) => fromLegacy(r, file)) }];
  }
  throw new Error(`${file}: expected {"schema": "${RESULTS_SCHEMA}", "runs": [...]} (or a patchwise-bench/1 run), found schema ${JSON.stringify(o.schema)}`);
}

/** The results file's text: one run per entry, records one per line so appended runs make readable diffs. */
export function formatRuns(runs: readonly BenchRun[]): string {
  const run = (r: BenchRun): string => {
    const { records, ...rest } = r;
    const head = JSON.stringify(rest).slice(0, -1);
    return `    ${head},"records":[\n${records.map((x) => `      ${JSON.stringify(x)}`).join(',\n')}\n    ]}`;
  };
  return `{\n  "schema": "${RESULTS_SCHEMA}",\n  "runs": [\n${runs.map(run).join(',\n')}\n  ]\n}\n`;
}

/** Appends `run` to `<dir>/<cpu>-node<major>.json`; returns the file's path. */
export function appendRun(dir: string, run: BenchRun): string {
  const file = path.join(dir, resultsFileName(run.machine));
  const runs = readRuns(file);
  runs.push(run);
  writeAtomic(file, formatRuns(runs));
  return file;
}

/** Every results file in `dir` (*.json with a results schema), sorted by name. */
export function readAllResults(dir: string): ResultsFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, runs: readRuns(path.join(dir, f)) }));
}

/** Rewrites `<dir>/README.md` and `<dir>/latency.svg` from every stored results file. */
export function regenerateReadme(dir: string): { readme: string; chart: string | null } {
  const files = readAllResults(dir);
  const newest = newestFile(files);
  const run = newest ? latestRun(newest.runs) : null;
  let chart: string | null = null;
  if (run) {
    const recs = chartRecords(run.records);
    if (recs.length > 0) {
      chart = path.join(dir, CHART_FILE);
      writeAtomic(chart, latencySvg(recs, `Batch-1 latency, median (log scale): ${run.machine.cpu}, ${run.machine.cores} cores, Node ${run.machine.node}, ${run.machine.date.slice(0, 10)}`));
    }
  }
  const readme = path.join(dir, 'README.md');
  writeAtomic(readme, renderReadme(files, chart === null ? null : CHART_FILE));
  return { readme, chart };
}
