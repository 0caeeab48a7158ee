// Renders bench/results/README.md and the batch-1 latency chart (hand-written SVG) from stored runs: a headline
// against the issue-7 goals, a table per model (engine, backend, threads, batch, median, min, ratio to
// onnxruntime-node), load times and the op suites. Pure string functions, so bench/test can check them.

import { ceilingFraction, vitForwardFlop } from './flops.js';
import type { VitDims } from './flops.js';
import { ratioToOrtNode } from './schema.js';
import type { BenchRecord, BenchRun } from './schema.js';

/** The stored runs of one results file (one CPU model and Node major). */
export interface ResultsFile {
  /** File name inside bench/results, e.g. 'intel-xeon-processor-node20.json'. */
  file: string;
  runs: BenchRun[];
}

const MODEL_ORDER = ['ViT-Ti/16', 'ViT-S/16', 'ViT-B/16'];
const ENGINE_ORDER = ['patchwise', 'onnxruntime-node', 'onnxruntime-web', 'tfjs'];

/** The dimensions of the benchmark's models (as models/random-vit.ts builds them), for FLOP counts. */
export const MODEL_DIMS: Readonly<Record<string, VitDims>> = {
  'ViT-Ti/16': { hidden: 192, heads: 3, layers: 12, mlp: 768, image: 224, patch: 16, labels: 1000 },
  'ViT-S/16': { hidden: 384, heads: 6, layers: 12, mlp: 1536, image: 224, patch: 16, labels: 1000 },
  'ViT-B/16': { hidden: 768, heads: 12, layers: 12, mlp: 3072, image: 224, patch: 16, labels: 1000 },
};

const orderOf = (list: readonly string[], v: string): number => {
  const i = list.indexOf(v);
  return i < 0 ? list.length : i;
};

/** The run a README section shows: the latest full run, else the latest quick one. */
export function latestRun(runs: readonly BenchRun[]): BenchRun | null {
  const full = runs.filter((r) => !r.quick);
  const pool = full.length > 0 ? full : runs;
  let best: BenchRun | null = null;
  for (const r of pool) if (best === null || r.machine.date > best.machine.date) best = r;
  return best;
}

function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function fmtRatio(x: number | null): string {
  return x === null ? '' : `${x.toFixed(2)}x`;
}

/** Records of one model in table order: engine, then batch, then backend order of the run, then threads. */
function sortedFor(records: readonly BenchRecord[]): BenchRecord[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.batch - b.r.batch || orderOf(ENGINE_ORDER, a.r.engine) - orderOf(ENGINE_ORDER, b.r.engine) || a.i - b.i)
    .map((x) => x.r);
}

/**
 * One markdown table per model of the e2e records: engine | backend | threads | batch | warm-up ms | median ms |
 * min ms | img/s | vs ort-node (same model, batch, threads). Keyed by model name, in MODEL_ORDER.
 */
export function modelTables(records: readonly BenchRecord[]): Map<string, string> {
  const ratios = ratioToOrtNode(records);
  const ratioOf = new Map(records.map((r, i) => [r, ratios[i]!]));
  const models = [...new Set(records.filter((r) => r.suite === 'e2e').map((r) => r.model))].sort((a, b) => orderOf(MODEL_ORDER, a) - orderOf(MODEL_ORDER, b));
  const out = new Map<string, string>();
  for (const m of models) {
    const rows = sortedFor(records.filter((r) => r.suite === 'e2e' && r.model === m)).map(
      (r) =>
        `| ${r.engine} | ${r.backend} | ${r.threads} | ${r.batch} | ${r.warmup_ms === null ? '' : fmtMs(r.warmup_ms)} | ` +
        `${fmtMs(r.median_ms)} | ${fmtMs(r.min_ms)} | ${((1000 * r.batch) / r.median_ms).toFixed(1)} | ${fmtRatio(ratioOf.get(r) ?? null)} |`,
    );
    out.set(
      m,
      ['| engine | backend | threads | batch | warm-up ms | median ms | min ms | img/s | vs ort-node |', '|---|---|---:|---:|---:|---:|---:|---:|---:|', ...rows].join('\n'),
    );
  }
  return out;
}

/** Load records (file -> ready to run, weights packed; ort-node: session creation) with the ratio to ort-node. */
export function loadTable(records: readonly BenchRecord[]): string | null {
  const ratios = ratioToOrtNode(records);
  const rows = records
    .map((r, i) => ({ r, ratio: ratios[i]! }))
    .filter((x) => x.r.suite === 'load')
    .map(({ r, ratio }) => `| ${r.model} | ${r.engine} | ${r.backend} | ${fmtMs(r.median_ms)} | ${fmtMs(r.min_ms)} | ${r.runs} | ${fmtRatio(ratio)} |`);
  if (rows.length === 0) return null;
  return ['| model | engine | what | median ms | min ms | runs | vs ort-node |', '|---|---|---|---:|---:|---:|---:|', ...rows].join('\n');
}

/** Op records: case, backend, threads, median, min, rate. */
export function opsTable(records: readonly BenchRecord[]): string | null {
  const rows = records
    .filter((r) => r.suite === 'ops')
    .map((r) => `| ${r.model} | ${r.backend} | ${r.threads} | ${fmtMs(r.median_ms)} | ${fmtMs(r.min_ms)} | ${r.rate === undefined ? '' : `${r.rate.toFixed(2)} ${r.unit ?? ''}`} |`);
  if (rows.length === 0) return null;
  return ['| case | backend | threads | median ms | min ms | rate (median) |', '|---|---|---:|---:|---:|---:|', ...rows].join('\n');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ENGINE_COLOR: Record<string, string> = {
  patchwise: '#2f7ed8',
  'onnxruntime-node': '#555555',
  'onnxruntime-web': '#9a9a9a',
  tfjs: '#e8a33d',
};

/**
 * A horizontal bar chart with one bar per record (median ms, log scale so tfjs-cpu and onnxruntime-node fit on
 * one axis), grouped by model; hand-written SVG (rejected: a chart library, a dependency for 80 lines).
 * Every bar is a `<rect class="bar">` carrying a <title> with its exact numbers.
 */
export function latencySvg(records: readonly BenchRecord[], title: string): string {
  const labelW = 250;
  const plotW = 480;
  const valueW = 70;
  const rowH = 18;
  const groupH = 24;
  const top = 48;
  const width = labelW + plotW + valueW;
  const models = [...new Set(records.map((r) => r.model))].sort((a, b) => orderOf(MODEL_ORDER, a) - orderOf(MODEL_ORDER, b));
  const values = records.map((r) => r.median_ms).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 10)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values, 10))));
  const x = (ms: number): number => (Math.max(0, Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  let y = top;
  for (const m of models) {
    parts.push(`<text x="4" y="${y + 15}" font-weight="bold">${xmlEscape(m)}, batch 1</text>`);
    y += groupH;
    for (const r of sortedFor(records.filter((q) => q.model === m))) {
      const w = Math.max(1, x(r.median_ms));
      const label = `${r.engine} ${r.backend} x${r.threads}`;
      parts.push(
        `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${xmlEscape(label)}</text>`,
        `<rect class="bar" x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="${ENGINE_COLOR[r.engine] ?? '#7a5cc0'}">` +
          `<title>${xmlEscape(`${r.model} ${label}: median ${fmtMs(r.median_ms)} ms, min ${fmtMs(r.min_ms)} ms`)}</title></rect>`,
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}">${fmtMs(r.median_ms)} ms</text>`,
      );
      y += rowH;
    }
  }
  const height = y + 12;
  const grid: string[] = [];
  for (let p = lo; p <= hi; p++) {
    const gx = (labelW + x(10 ** p)).toFixed(1);
    grid.push(`<line x1="${gx}" y1="${top - 8}" x2="${gx}" y2="${height - 8}" stroke="#dddddd"/>`, `<text x="${gx}" y="${top - 12}" text-anchor="middle" fill="#666666">${10 ** p >= 1000 ? `${10 ** (p - 3)} s` : `${10 ** p} ms`}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="4" y="16" font-size="14" font-weight="bold">${xmlEscape(title)}</text>`,
    ...grid,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The records the chart shows: batch-1 forward passes of every engine. */
export function chartRecords(records: readonly BenchRecord[]): BenchRecord[] {
  return records.filter((r) => r.suite === 'e2e' && r.batch === 1);
}

const find = (rs: readonly BenchRecord[], p: (r: BenchRecord) => boolean): BenchRecord | undefined => rs.find(p);

/**
 * The issue-7 goals as measured by a run: ViT-B batch 1, 2 threads vs onnxruntime-node and -web, the fraction of the
 * 128-bit ceiling, GEMM 197x768x3072 on 1 thread per backend, and ViT-B load time vs session creation.
 */
export function headline(run: BenchRun): string[] {
  const rs = run.records;
  const lines: string[] = [];
  const vb = rs.filter((r) => r.suite === 'e2e' && r.model === 'ViT-B/16' && r.batch === 1 && r.threads === 2);
  const ours = vb.filter((r) => r.engine === 'patchwise').sort((a, b) => a.median_ms - b.median_ms)[0];
  const ortNode = find(vb, (r) => r.engine === 'onnxruntime-node');
  const ortWeb = find(vb, (r) => r.engine === 'onnxruntime-web');
  const mhz = run.machine.mhz;
  const ceil = (r: BenchRecord): string =>
    mhz === null ? '' : `, ${(100 * ceilingFraction(vitForwardFlop(MODEL_DIMS['ViT-B/16']!), 1, r.median_ms, mhz, r.threads)).toFixed(0)}% of the 128-bit ceiling`;
  if (ours) {
    lines.push(`- ViT-B/16, batch 1, 2 threads: patchwise ${ours.backend} ${fmtMs(ours.median_ms)} ms${ceil(ours)}`);
    if (ortNode) lines.push(`  - onnxruntime-node ${fmtMs(ortNode.median_ms)} ms${ceil(ortNode)}: patchwise takes ${(ours.median_ms / ortNode.median_ms).toFixed(2)}x its time (goal: at most 1.8x)`);
    if (ortWeb) {
      const x = ortWeb.median_ms / ours.median_ms;
      const how = x >= 1 ? `patchwise is ${x.toFixed(2)}x faster` : `patchwise takes ${(1 / x).toFixed(2)}x its time`;
      lines.push(`  - onnxruntime-web ${fmtMs(ortWeb.median_ms)} ms: ${how} (goal: at least 2.3x faster)`);
    }
  }
  const vb1 = rs.filter((r) => r.suite === 'e2e' && r.model === 'ViT-B/16' && r.batch === 1 && r.threads === 1);
  const ours1 = vb1.filter((r) => r.engine === 'patchwise').sort((a, b) => a.median_ms - b.median_ms)[0];
  if (ours1) {
    const others = vb1.filter((r) => r.engine === 'onnxruntime-node' || r.engine === 'onnxruntime-web').map((r) => `${r.engine} ${fmtMs(r.median_ms)} ms`);
    lines.push(`- ViT-B/16, batch 1, 1 thread: patchwise ${ours1.backend} ${fmtMs(ours1.median_ms)} ms${ceil(ours1)}${others.length ? `; ${others.join(', ')}` : ''}`);
  }
  const gemm = rs.filter((r) => r.suite === 'ops' && r.model.startsWith('linear 197x768x3072 (+bias, W packed)') && r.threads === 1 && r.backend !== 'ref');
  if (gemm.length > 0) {
    lines.push(`- GEMM 197x768x3072 (linear, W packed), 1 thread: ${gemm.map((r) => `${r.backend} ${(r.rate ?? 0).toFixed(1)} GFLOP/s`).join(', ')} (goals: relaxed 35, simd 20)`);
  }
  const loads = rs.filter((r) => r.suite === 'load' && r.model === 'ViT-B/16');
  const session = find(loads, (r) => r.engine === 'onnxruntime-node');
  const ourLoads = loads.filter((r) => r.engine === 'patchwise');
  if (ourLoads.length > 0) {
    lines.push(
      `- ViT-B/16 load, safetensors file -> ready to run with weights packed: ${ourLoads.map((r) => `${r.backend} ${fmtMs(r.median_ms)} ms`).join(', ')}` +
        (session ? `; onnxruntime-node session creation ${fmtMs(session.median_ms)} ms (goal: no slower)` : ''),
    );
  }
  return lines;
}

function machineLine(run: BenchRun): string {
  const m = run.machine;
  const load = `load ${m.loadavg_start.toFixed(2)} at start${m.loadavg_end === undefined ? '' : `, ${m.loadavg_end.toFixed(2)} at end`}`;
  return `${m.cpu}, ${m.cores} cores${m.mhz === null ? '' : ` at ${(m.mhz / 1000).toFixed(2)} GHz (nominal)`}${m.isa ? ` (${m.isa})` : ''}, Node ${m.node}, ${m.platform}; ${m.date}; ${load}${run.duration_s === undefined ? '' : `; run took ${run.duration_s.toFixed(0)} s`}${run.quick ? '; --quick' : ''}`;
}

/**
 * The whole README: per results file, its latest run (full if any) in detail and the list of stored runs.
 * `chartFile` is embedded for the results file that holds the newest run overall (the one the chart shows).
 */
export function renderReadme(files: readonly ResultsFile[], chartFile: string | null): string {
  const out: string[] = [
    '# Benchmark results',
    '',
    'Generated by `bench/run.ts` from the runs stored in this folder (one JSON file per CPU model and Node major,',
    'each run appended). Do not edit by hand: `npx pnpm@10 bench` rewrites it. How to read and reproduce the numbers:',
    '[bench/README.md](../README.md).',
    '',
  ];
  const newest = newestFile(files);
  for (const f of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
    const run = latestRun(f.runs);
    if (run === null) continue;
    out.push(`## ${run.machine.cpu}, Node ${run.machine.node.split('.')[0]} (\`${f.file}\`)`, '', `Latest ${run.quick ? 'quick ' : ''}run: ${machineLine(run)}.`, '');
    const head = headline(run);
    if (head.length > 0) out.push('### Headline', '', ...head, '');
    if (chartFile !== null && newest === f) out.push(`![batch-1 latency per engine](${chartFile})`, '');
    for (const [model, table] of modelTables(run.records)) out.push(`### ${model}`, '', table, '');
    const load = loadTable(run.records);
    if (load !== null) out.push('### Load time', '', 'patchwise: `loadModel(dir)` plus packing every linear for the backend; onnxruntime-node: `InferenceSession.create` from the ONNX bytes in memory.', '', load, '');
    const ops = opsTable(run.records);
    if (ops !== null) out.push('### Op suites (ViT-B/16 shapes)', '', ops, '');
    if (run.notes && run.notes.length > 0) out.push('### Notes', '', ...run.notes.map((n) => `- ${n}`), '');
    out.push('### Stored runs', '', ...f.runs.map((r) => `- ${machineLine(r)} (${r.records.length} records)`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The results file holding the newest run (by date) of any kind. */
export function newestFile(files: readonly ResultsFile[]): ResultsFile | null {
  let best: { f: ResultsFile; date: string } | null = null;
  for (const f of files) {
    const run = latestRun(f.runs);
    if (run && (best === null || run.machine.date > best.date)) best = { f, date: run.machine.date };
  }
  return best?.f ?? null;
}
