// Tests of the benchmark's reporting, without timing anything: the ratio to onnxruntime-node, the stable --json
// schema, the results file (append, legacy runs), the README tables and the SVG chart (one bar per record), and the
// FLOP count behind the "fraction of the 128-bit ceiling". Fixed records with hand-chosen times; runs in < 1 s.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ratioToOrtNode, stableJson, stableRows } from '../report/schema.js';
import type { BenchRecord, BenchRun, MachineInfo } from '../report/schema.js';
import { chartRecords, headline, latencySvg, latestRun, loadTable, modelTables, opsTable, renderReadme } from '../report/readme.js';
import { appendRun, cpuSlug, readRuns, regenerateReadme, resultsFileName } from '../report/store.js';
import { ceilingFraction, simd128CeilingGflops, vitForwardFlop } from '../report/flops.js';

const e2e = (engine: string, backend: string, model: string, batch: number, threads: number, median: number, min: number): BenchRecord => ({
  suite: 'e2e', engine, backend, model, batch, threads, warmup_ms: 2 * median, median_ms: median, min_ms: min, runs: 7,
});

const RECORDS: BenchRecord[] = [
  { suite: 'ops', engine: 'patchwise', backend: 'js', model: 'linear 197x768x3072 (+bias, W packed)', batch: 1, threads: 1, warmup_ms: 300, median_ms: 232.4, min_ms: 230, runs: 9, rate: 4, unit: 'GFLOP/s', kernel: 'linear' },
  { suite: 'ops', engine: 'patchwise', backend: 'wasm-relaxed', model: 'linear 197x768x3072 (+bias, W packed)', batch: 1, threads: 1, warmup_ms: 40, median_ms: 25, min_ms: 24, runs: 9, rate: 37.2, unit: 'GFLOP/s', kernel: 'linear' },
  e2e('patchwise', 'wasm-relaxed', 'ViT-Ti/16', 1, 1, 60, 58),
  e2e('patchwise', 'wasm-relaxed', 'ViT-Ti/16', 1, 2, 40, 39),
  e2e('onnxruntime-node', 'native-cpu', 'ViT-Ti/16', 1, 1, 20, 19),
  e2e('onnxruntime-node', 'native-cpu', 'ViT-Ti/16', 1, 2, 12.5, 12),
  e2e('onnxruntime-web', 'wasm-simd', 'ViT-Ti/16', 1, 2, 100, 90),
  e2e('tfjs', 'cpu', 'ViT-Ti/16', 1, 1, 5000, 4900),
  e2e('patchwise', 'wasm-relaxed', 'ViT-B/16', 1, 2, 800, 790),
  e2e('onnxruntime-node', 'native-cpu', 'ViT-B/16', 1, 2, 400, 395),
  e2e('onnxruntime-web', 'wasm-simd', 'ViT-B/16', 1, 2, 2000, 1950),
  e2e('patchwise', 'wasm-relaxed', 'ViT-B/16', 8, 2, 6000, 5900), // no ort-node record at batch 8: ratio null
  { suite: 'load', engine: 'patchwise', backend: 'wasm-relaxed', model: 'ViT-B/16', batch: 0, threads: 1, warmup_ms: null, median_ms: 325, min_ms: 320, runs: 3 },
  { suite: 'load', engine: 'onnxruntime-node', backend: 'session-create', model: 'ViT-B/16', batch: 0, threads: 1, warmup_ms: 0, median_ms: 650, min_ms: 640, runs: 3 },
];

const MACHINE: MachineInfo = {
  cpu: 'Intel(R) Xeon(R) Processor', cores: 2, mhz: 2600, isa: 'avx2 fma avx512f', node: 'v20.20.2', platform: 'linux-x64',
  date: '2026-11-27T11:00:00.000Z', loadavg_start: 0.5, loadavg_end: 1.9,
};

describe('ratio to onnxruntime-node', () => {
  it('divides by ort-node on the same suite, model, batch and threads; null where there is none', () => {
    const r = ratioToOrtNode(RECORDS);
    // ops: never compared
    expect(r[0]).toBeNull();
    expect(r[1]).toBeNull();
    // Ti x1: 60 / 20 = 3; Ti x2: 40 / 12.5 = 3.2; ort-node itself 1; ort-web x2: 100 / 12.5 = 8; tfjs-cpu x1: 5000 / 20 = 250
    expect(r.slice(2, 8)).toEqual([3, 3.2, 1, 1, 8, 250]);
    // B x2: 800 / 400 = 2; ort-web 2000 / 400 = 5; batch 8 has no ort-node record
    expect(r.slice(8, 12)).toEqual([2, 1, 5, null]);
    // load: 325 / 650 = 0.5
    expect(r.slice(12)).toEqual([0.5, 1]);
  });
});

describe('--json schema', () => {
  it('writes the seven stable fields first, in order, then the optional ones', () => {
    const rows = stableRows(RECORDS);
    expect(Object.keys(rows[2]!)).toEqual(['engine', 'backend', 'model', 'batch', 'threads', 'median_ms', 'min_ms', 'suite', 'warmup_ms', 'runs', 'ratio_ort_node']);
    expect(Object.keys(rows[0]!)).toEqual(['engine', 'backend', 'model', 'batch', 'threads', 'median_ms', 'min_ms', 'suite', 'warmup_ms', 'runs', 'ratio_ort_node', 'rate', 'unit']);
    expect(rows[3]).toEqual({ engine: 'patchwise', backend: 'wasm-relaxed', model: 'ViT-Ti/16', batch: 1, threads: 2, median_ms: 40, min_ms: 39, suite: 'e2e', warmup_ms: 80, runs: 7, ratio_ort_node: 3.2 });
  });

  it('is a JSON array with one row per record', () => {
    const parsed = JSON.parse(stableJson(RECORDS)) as unknown[];
    expect(parsed).toEqual(stableRows(RECORDS));
    expect(parsed).toHaveLength(RECORDS.length);
  });
});

describe('README tables', () => {
  it('has one table per model with engine, backend, threads, batch, median, min and the ratio', () => {
    const t = modelTables(RECORDS);
    expect([...t.keys()]).toEqual(['ViT-Ti/16', 'ViT-B/16']);
    const ti = t.get('ViT-Ti/16')!.split('\n');
    expect(ti[0]).toBe('| engine | backend | threads | batch | warm-up ms | median ms | min ms | img/s | vs ort-node |');
    // 1000 * 1 / 60 = 16.7 img/s; 60 / 20 = 3.00x
    expect(ti).toContain('| patchwise | wasm-relaxed | 1 | 1 | 120 | 60.0 | 58.0 | 16.7 | 3.00x |');
    expect(ti).toContain('| onnxruntime-node | native-cpu | 2 | 1 | 25.0 | 12.5 | 12.0 | 80.0 | 1.00x |');
    expect(ti).toContain('| tfjs | cpu | 1 | 1 | 10000 | 5000 | 4900 | 0.2 | 250.00x |');
    expect(ti).toHaveLength(2 + 6);
    const b = t.get('ViT-B/16')!.split('\n');
    // batch 8: 1000 * 8 / 6000 = 1.3 img/s, no ratio
    expect(b).toContain('| patchwise | wasm-relaxed | 2 | 8 | 12000 | 6000 | 5900 | 1.3 |  |');
    expect(b.indexOf('| patchwise | wasm-relaxed | 2 | 8 | 12000 | 6000 | 5900 | 1.3 |  |')).toBe(b.length - 1); // batch 1 rows first
  });

  it('lists load times against session creation, and the op cases with their rates', () => {
    expect(loadTable(RECORDS)!.split('\n')).toContain('| ViT-B/16 | patchwise | wasm-relaxed | 325 | 320 | 3 | 0.50x |');
    expect(opsTable(RECORDS)!.split('\n')).toContain('| linear 197x768x3072 (+bias, W packed) | wasm-relaxed | 1 | 25.0 | 24.0 | 37.20 GFLOP/s |');
    expect(loadTable(RECORDS.slice(0, 2))).toBeNull();
  });

  it('states the goals: ViT-B 2 threads against ort-node and ort-web, GEMM rates, load', () => {
    const h = headline({ machine: MACHINE, quick: false, records: RECORDS }).join('\n');
    // 35,127,656,448 FLOP / 0.8 s = 43.9 GFLOP/s of 2 * 41.6 = 83.2: 53%; ort-node at 0.4 s: 106% (it is not 128-bit)
    expect(h).toContain('patchwise wasm-relaxed 800 ms, 53% of the 128-bit ceiling');
    expect(h).toContain('onnxruntime-node 400 ms, 106% of the 128-bit ceiling: patchwise takes 2.00x its time');
    expect(h).toContain('onnxruntime-web 2000 ms: patchwise is 2.50x faster');
    expect(h).toContain('js 4.0 GFLOP/s, wasm-relaxed 37.2 GFLOP/s');
    expect(h).toContain('wasm-relaxed 325 ms; onnxruntime-node session creation 650 ms');
  });
});

describe('latency chart', () => {
  it('draws one bar per record, with escaped labels', () => {
    const recs = chartRecords(RECORDS);
    expect(recs).toHaveLength(9); // the batch-1 e2e records
    const svg = latencySvg(recs, 'a <title> & more');
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(9);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a &lt;title&gt; &amp; more');
    expect(svg).toContain('<title>ViT-B/16 onnxruntime-web wasm-simd x2: median 2000 ms, min 1950 ms</title>');
    // log axis from 10 ms (below 12.5) to 10 s (above 5000): 4 gridlines
    expect(svg.match(/<line /g)).toHaveLength(4);
  });

  it('makes a longer bar for a slower record (log scale)', () => {
    const svg = latencySvg([e2e('a', 'x', 'ViT-Ti/16', 1, 1, 10, 10), e2e('b', 'x', 'ViT-Ti/16', 1, 1, 1000, 1000)], 't');
    const widths = [...svg.matchAll(/class="bar" x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    // 10 ms sits at the axis origin (1 px minimum), 1000 ms at the end of the 480 px plot
    expect(widths).toEqual([1, 480]);
  });
});

describe('results files', () => {
  let dir = '';
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the file after the CPU model and Node major', () => {
    expect(cpuSlug('Intel(R) Xeon(R) Processor')).toBe('intel-xeon-processor');
    expect(cpuSlug('AMD EPYC 7R13 Processor')).toBe('amd-epyc-7r13-processor');
    expect(resultsFileName(MACHINE)).toBe('intel-xeon-processor-node20.json');
  });

  it('appends runs, keeps a first-schema run, and regenerates the README and the chart from all of them', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-bench-test-'));
    const file = path.join(dir, 'intel-xeon-processor-node20.json');
    const legacy = {
      schema: 'patchwise-bench/1',
      machine: { cpu: MACHINE.cpu, cores: 2, node: 'v20.20.2', platform: 'linux-x64', date: '2026-11-27T10:00:00.000Z', loadavg_start: 3.5 },
      quick: false,
      records: [{ suite: 'ops', name: 'softmax [12, 197, 197]', engine: 'patchwise', backend: 'wasm', kernel: 'softmax', threads: 1, warmup_ms: 1, median_ms: 2, min_ms: 1.5, runs: 31, rate: 1.5, unit: 'GB/s' }],
    };
    fs.writeFileSync(file, JSON.stringify(legacy));
    const run: BenchRun = { machine: MACHINE, quick: false, duration_s: 800, records: RECORDS };
    expect(appendRun(dir, run)).toBe(file);
    appendRun(dir, { ...run, quick: true, machine: { ...MACHINE, date: '2026-11-27T12:00:00.000Z' }, records: RECORDS.slice(2, 4) });
    const runs = readRuns(file);
    expect(runs).toHaveLength(3);
    expect(runs[0]!.records[0]).toMatchObject({ suite: 'ops', model: 'softmax [12, 197, 197]', batch: 1, backend: 'wasm', median_ms: 2 });
    expect(runs[0]!.machine.mhz).toBeNull();
    expect(runs[1]).toEqual(run);
    // the README shows the latest FULL run, not the later quick one
    expect(latestRun(runs)).toEqual(run);
    const { readme, chart } = regenerateReadme(dir);
    const md = fs.readFileSync(readme, 'utf8');
    expect(md).toContain('![batch-1 latency per engine](latency.svg)');
    expect(md).toContain('| patchwise | wasm-relaxed | 1 | 1 | 120 | 60.0 | 58.0 | 16.7 | 3.00x |');
    expect(md).toContain('### ViT-B/16');
    expect(md.match(/^- Intel\(R\) Xeon\(R\) Processor/gm)).toHaveLength(3); // the stored runs
    expect(fs.readFileSync(chart!, 'utf8').match(/<rect class="bar"/g)).toHaveLength(9);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to overwrite a results file it cannot read', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-bench-test-'));
    const file = path.join(dir, 'intel-xeon-processor-node20.json');
    fs.writeFileSync(file, '{"schema": "something-else"}');
    expect(() => appendRun(dir, { machine: MACHINE, quick: true, records: [] })).toThrow(/intel-xeon-processor-node20.json: expected \{"schema": "patchwise-bench\/2"/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"schema": "something-else"}');
  });
});

describe('FLOPs and the 128-bit ceiling', () => {
  it('counts a ViT-B/16 forward pass', () => {
    // T = 197, D = 768, M = 3072: per layer 2*197*768*(3*768 + 768 + 2*3072) = 2,788,687,872 (linears)
    // + 4*197*197*768 = 119,221,248 (QK^T, PV); x12 = 34,894,909,440; + patches 2*196*768*768 = 231,211,008
    // + classifier 2*768*1000 = 1,536,000 -> 35,127,656,448
    expect(vitForwardFlop({ hidden: 768, heads: 12, layers: 12, mlp: 3072, image: 224, patch: 16, labels: 1000 })).toBe(35_127_656_448);
  });

  it('is 2 FMA/cycle x 4 lanes x 2 FLOP x clock per core', () => {
    expect(simd128CeilingGflops(2600)).toBeCloseTo(41.6, 10);
    expect(simd128CeilingGflops(2600, 2)).toBeCloseTo(83.2, 10);
    // 41.6 GFLOP in 1 s on one 2.6 GHz core is exactly the ceiling
    expect(ceilingFraction(41.6e9, 1, 1000, 2600, 1)).toBeCloseTo(1, 10);
  });
});
