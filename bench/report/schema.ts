// The benchmark's record and run types, the stable `--json` schema, and the ratio to onnxruntime-node.
// Optimized for a schema that stays put: the seven issue-7 fields first, in a fixed order, then optional extras.
// Pure functions (no timing, no I/O) so bench/test can check them on fixed records.

/** Which part of the suite produced a record. */
export type Suite = 'ops' | 'e2e' | 'load';

/** One measured case of any suite. */
export interface BenchRecord {
  suite: Suite;
  /** 'patchwise' for our engine; 'onnxruntime-node', 'onnxruntime-web', 'tfjs' for the peers. */
  engine: string;
  /** e.g. 'js', 'wasm-simd', 'wasm-relaxed', 'native-cpu', 'session-create', 'ref'. */
  backend: string;
  /** 'ViT-B/16' for e2e and load records; the op case for op records, e.g. 'linear 197x768x3072 (+bias, W packed)'. */
  model: string;
  /** Images per call; 0 for load records (no forward pass). */
  batch: number;
  threads: number;
  /** The first call (JIT, packing, allocation), when there is one. */
  warmup_ms: number | null;
  median_ms: number;
  min_ms: number;
  runs: number;
  /** Op records: throughput at the median. */
  rate?: number;
  unit?: 'GFLOP/s' | 'GB/s';
  /** Op records: the registry op that was timed. */
  kernel?: string;
  note?: string;
}

/** The machine a run measured (load averages: the machine may be shared; high load means noisy numbers). */
export interface MachineInfo {
  cpu: string;
  cores: number;
  /** Nominal clock from /proc/cpuinfo 'cpu MHz' (null where unknown); under a VM this is what the host reports. */
  mhz: number | null;
  /** x86 vector extensions relevant to the native peer, e.g. 'avx2 fma avx512f'. */
  isa: string;
  node: string;
  platform: string;
  date: string;
  loadavg_start: number;
  loadavg_end?: number;
}

/** One run of `bench`: an entry of bench/results/<cpu>-node<major>.json. */
export interface BenchRun {
  machine: MachineInfo;
  quick: boolean;
  /** Wall time of the whole run, seconds. */
  duration_s?: number;
  records: BenchRecord[];
  notes?: string[];
}

/** A row of the `--json` output: the stable fields in this order, then the optional ones that are set. */
export interface StableRow {
  engine: string;
  backend: string;
  model: string;
  batch: number;
  threads: number;
  median_ms: number;
  min_ms: number;
  suite: Suite;
  warmup_ms: number | null;
  runs: number;
  ratio_ort_node: number | null;
  rate?: number;
  unit?: string;
}

/** The key under which a record is compared with onnxruntime-node: same suite, model, batch and threads. */
function ratioKey(r: Pick<BenchRecord, 'suite' | 'model' | 'batch' | 'threads'>): string {
  return `${r.suite}|${r.model}|${r.batch}|${r.threads}`;
}

/**
 * median_ms / onnxruntime-node's median_ms on the same suite, model, batch and thread count (load records compare
 * with its session creation); null where onnxruntime-node has no such record (op records, tfjs-cpu on a size
 * ort-node did not run). Above 1 means slower than onnxruntime-node.
 */
export function ratioToOrtNode(records: readonly BenchRecord[]): (number | null)[] {
  const base = new Map<string, number>();
  for (const r of records) if (r.engine === 'onnxruntime-node' && r.suite !== 'ops') base.set(ratioKey(r), r.median_ms);
  return records.map((r) => {
    if (r.suite === 'ops') return null;
    const b = base.get(ratioKey(r));
    return b === undefined || !(b > 0) ? null : r.median_ms / b;
  });
}

/** The `--json` rows: every record in the stable schema, with its ratio to onnxruntime-node. */
export function stableRows(records: readonly BenchRecord[]): StableRow[] {
  const ratios = ratioToOrtNode(records);
  return records.map((r, i) => {
    const row: StableRow = {
      engine: r.engine,
      backend: r.backend,
      model: r.model,
      batch: r.batch,
      threads: r.threads,
      median_ms: r.median_ms,
      min_ms: r.min_ms,
      suite: r.suite,
      warmup_ms: r.warmup_ms,
      runs: r.runs,
      ratio_ort_node: ratios[i]!,
    };
    if (r.rate !== undefined) row.rate = r.rate;
    if (r.unit !== undefined) row.unit = r.unit;
    return row;
  });
}

/** The `--json` file's text: a JSON array of StableRow, one row per line for readable diffs. */
export function stableJson(records: readonly BenchRecord[]): string {
  return `[\n${stableRows(records).map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}
