// Benchmark entry point (`npx pnpm@10 bench` from the repo root): runs the op suites over the ViT-B/16 shapes
// for every registered backend, prints a table and writes JSON with the machine description to
// bench/results/<cpu>-node<major>[-quick].json (unless --filter) and to --json PATH. Flags: --quick (short
// run), --json PATH, --filter TEXT (only cases whose name contains TEXT). Imports the tensor sources directly so the numbers always
// describe the current code, not a stale dist/. End-to-end suites hook in next to runOpSuites below.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOpSuites } from './ops/suites.js';
import { cpuSlug, machineInfo, printTable } from './ops/harness.js';
import type { BenchRecord } from './ops/harness.js';

interface Args {
  quick: boolean;
  json: string | null;
  filter: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, json: null, filter: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = argv[++i] ?? null;
    else if (a.startsWith('--json=')) args.json = a.slice(7);
    else if (a === '--filter') args.filter = argv[++i];
    else if (a.startsWith('--filter=')) args.filter = a.slice(9);
    else if (a === '--') continue;
    else throw new Error(`bench: unknown argument '${a}' (expected --quick, --json PATH, --filter TEXT)`);
  }
  if (args.json === null && argv.includes('--json')) throw new Error('bench: --json needs a PATH');
  return args;
}

/** Writes via a temp file and rename, so a reader never sees half a file. */
function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  console.log(`patchwise bench${args.quick ? ' (--quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadavg_start.toFixed(2)}`);
  const records: BenchRecord[] = [];
  records.push(
    ...runOpSuites({
      quick: args.quick,
      filter: args.filter,
      onRecord: (r) => console.log(`  ${r.name} [${r.backend}]: median ${r.median_ms.toFixed(2)} ms${r.rate === null ? '' : `, ${r.rate.toFixed(2)} ${r.unit}`}`),
    }),
  );
  machine.loadavg_end = os.loadavg()[0]!;
  console.log('');
  printTable(records);
  const result = { schema: 'patchwise-bench/1', machine, quick: args.quick, records };
  const here = path.dirname(fileURLToPath(import.meta.url));
  const major = process.version.split('.')[0]!.replace('v', '');
  // A filtered run is partial: it must not replace the machine's results file.
  if (args.filter === undefined) {
    const file = path.join(here, 'results', `${cpuSlug(machine.cpu)}-node${major}${args.quick ? '-quick' : ''}.json`);
    writeJsonAtomic(file, result);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  }
  if (args.json) {
    writeJsonAtomic(path.resolve(args.json), result);
    console.log(`wrote ${args.json}`);
  }
}

main();
