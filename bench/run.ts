// Benchmark entry point (`npx pnpm@10 bench` from the repo root, = `cd bench && tsx run.ts` after building dist/):
// in ONE process, so the ratios hold on a noisy machine, the op suites over the ViT-B/16 shapes, then per model
// (ViT-Ti/16, ViT-S/16, ViT-B/16 at 224, one random checkpoint shared by every engine) our engine and the peers,
// each checked against our js output before it is timed, then ViT-B load time. Appends the run to
// bench/results/<cpu>-node<major>.json, regenerates bench/results/README.md and latency.svg, and writes --json PATH.
// Flags: --quick (< 2 min: Ti and S at batch 1, fewer runs), --json PATH, --filter TEXT (op cases; not stored),
// --suites ops,e2e,peers,load and --models ti,s,b (subsets; not stored), --no-save, --b8-runs N (ViT-B batch 8),
// --report-only (measure nothing: regenerate results/README.md and latency.svg from the stored runs).

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOpSuites } from './ops/suites.js';
import { machineInfo, printTable } from './ops/harness.js';
import { measureLoad, runOurs } from './e2e/vit.js';
import { ALL_ENGINES, formatPeerTable, runPeers } from './peers/run-peers.js';
import type { Agreement } from './peers/run-peers.js';
import type { VitKey } from './models/random-vit.js';
import type { VitOutputs } from './peers/types.js';
import { stableJson } from './report/schema.js';
import type { BenchRecord, BenchRun } from './report/schema.js';
import { appendRun, regenerateReadme, writeAtomic } from './report/store.js';

type SuiteName = 'ops' | 'e2e' | 'peers' | 'load';
const ALL_SUITES: readonly SuiteName[] = ['ops', 'e2e', 'peers', 'load'];

interface Args {
  quick: boolean;
  json: string | null;
  filter: string | undefined;
  suites: SuiteName[];
  models: VitKey[] | null;
  save: boolean;
  b8Runs: number | undefined;
  reportOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, json: null, filter: undefined, suites: [...ALL_SUITES], models: null, save: true, b8Runs: undefined, reportOnly: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = value(++i, a);
    else if (a.startsWith('--json=')) args.json = a.slice(7);
    else if (a === '--filter') args.filter = value(++i, a);
    else if (a.startsWith('--filter=')) args.filter = a.slice(9);
    else if (a === '--suites') args.suites = value(++i, a).split(',') as SuiteName[];
    else if (a === '--models') args.models = value(++i, a).split(',') as VitKey[];
    else if (a === '--b8-runs') args.b8Runs = Number(value(++i, a));
    else if (a === '--no-save') args.save = false;
    else if (a === '--report-only') args.reportOnly = true;
    else if (a === '--') continue;
    else throw new Error(`bench: unknown argument '${a}' (expected --quick, --json PATH, --filter TEXT, --suites ${ALL_SUITES.join(',')}, --models ti,s,b, --b8-runs N, --no-save, --report-only)`);
  }
  for (const s of args.suites) if (!ALL_SUITES.includes(s)) throw new Error(`bench: unknown suite '${s}' (expected ${ALL_SUITES.join(', ')})`);
  for (const m of args.models ?? []) if (!['ti', 's', 'b'].includes(m)) throw new Error(`bench: unknown model '${m}' (expected ti, s, b)`);
  if (args.b8Runs !== undefined && !(Number.isInteger(args.b8Runs) && args.b8Runs >= 1)) throw new Error('bench: --b8-runs needs a positive integer');
  return args;
}

const loadNow = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (args.reportOnly) {
    const { readme, chart } = regenerateReadme(path.join(here, 'results'));
    console.log(`regenerated ${path.relative(process.cwd(), readme)}${chart ? ` and ${path.relative(process.cwd(), chart)}` : ''}`);
    return;
  }
  const t0 = performance.now();
  const machine = machineInfo();
  console.log(
    `patchwise bench${args.quick ? ' (--quick)' : ''}: ${machine.cpu}, ${machine.cores} cores${machine.mhz ? ` at ${machine.mhz} MHz` : ''} (${machine.isa}), ` +
      `Node ${machine.node}, load ${loadNow()}`,
  );
  const records: BenchRecord[] = [];
  const notes: string[] = [];
  const agreement: Agreement[] = [];
  const on = (s: SuiteName): boolean => args.suites.includes(s);

  if (on('ops')) {
    console.log('\n== op suites (ViT-B/16 shapes) ==');
    const ops = await runOpSuites({
      quick: args.quick,
      filter: args.filter,
      onRecord: (r) => console.log(`  ${r.model} [${r.backend} x${r.threads}]: median ${r.median_ms.toFixed(2)} ms${r.rate === undefined ? '' : `, ${r.rate.toFixed(2)} ${r.unit}`}`),
    });
    records.push(...ops);
    console.log('');
    printTable(ops);
  }

  const models: VitKey[] = args.models ?? (args.quick ? ['ti', 's'] : ['ti', 's', 'b']);
  // ViT-B batch 8 is the slowest case by far (tens of seconds per run on the wasm engines): fewer runs keep the
  // full suite near 15 minutes on a 2-core machine.
  const b8Runs = args.b8Runs ?? 3;
  for (const key of models) {
    let reference: VitOutputs | undefined;
    if (on('e2e') || on('peers')) {
      console.log(`\n== ${key === 'ti' ? 'ViT-Ti/16' : key === 's' ? 'ViT-S/16' : 'ViT-B/16'}: patchwise (load ${loadNow()}) ==`);
      // Our engine always runs when the peers do: its js batch-1 output is what every peer is checked against.
      const ours = await runOurs(key, { quick: args.quick, runsBigBatch: b8Runs, batches: on('e2e') ? undefined : [1] });
      if (on('e2e')) records.push(...ours.records);
      agreement.push(...ours.agreement);
      reference = ours.reference;
    }
    if (on('peers')) {
      console.log(`-- peers (load ${loadNow()}) --`);
      const peers = await runPeers({
        quick: args.quick,
        models: [key],
        engines: ALL_ENGINES,
        reference: () => reference,
        runsFor: (k, batch) => (k === 'b' && batch > 1 ? b8Runs : undefined),
        load: on('load') && key === 'b',
      });
      records.push(...peers.records.map((r) => ({ suite: 'e2e' as const, ...r })));
      records.push(...peers.load.map((r) => ({ suite: 'load' as const, ...r, warmup_ms: null })));
      agreement.push(...peers.agreement);
      notes.push(...peers.notes);
    }
    if (on('load') && key === 'b') {
      console.log(`-- load time (load ${loadNow()}) --`);
      records.push(...(await measureLoad(3)));
    }
  }
  machine.loadavg_end = os.loadavg()[0]!;
  const duration = (performance.now() - t0) / 1000;

  const e2e = records.filter((r) => r.suite !== 'ops');
  if (e2e.length > 0) console.log(`\n${formatPeerTable(e2e.map((r) => ({ ...r, warmup_ms: r.warmup_ms ?? 0 })))}`);
  for (const n of notes) console.log(`note: ${n}`);
  if (agreement.length > 0) {
    const worst = (f: (a: Agreement) => number): string => Math.max(...agreement.map(f)).toExponential(2);
    const line = `outputs agree with patchwise js before timing: worst relative max-abs difference logits ${worst((a) => a.logits_rel)}, last_hidden_state ${worst((a) => a.hidden_rel)} (${agreement.length} checks)`;
    notes.push(line);
    console.log(line);
  }
  console.log(`total ${duration.toFixed(0)} s, load at end ${loadNow()}`);

  // A partial run (filtered cases, a subset of suites or models) must not enter the machine's results.
  const partial = args.filter !== undefined || args.suites.length !== ALL_SUITES.length || args.models !== null;
  if (args.save && !partial) {
    const run: BenchRun = { machine, quick: args.quick, duration_s: duration, records, notes };
    const dir = path.join(here, 'results');
    const file = appendRun(dir, run);
    const { readme, chart } = regenerateReadme(dir);
    console.log(`\nappended to ${path.relative(process.cwd(), file)}; regenerated ${path.relative(process.cwd(), readme)}${chart ? ` and ${path.relative(process.cwd(), chart)}` : ''}`);
  } else {
    console.log(`\nnot stored (${partial ? 'partial run' : '--no-save'})`);
  }
  if (args.json) {
    writeAtomic(path.resolve(args.json), stableJson(records));
    console.log(`wrote ${args.json}`);
  }
}

main().then(
  () => process.exit(0), // tfjs-wasm keeps handles open
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
