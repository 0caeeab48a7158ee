// Runs one bulk embedding job in its own process (runBulkEmbed), for the kill-and-resume test and for the
// measurements in measure.ts: `node --import tsx tools/bulk/job.ts <input> --out F [--batch N] [--shard i/n]
// [--format safetensors|jsonl] [--checkpoint-every K] [--model M] [--backend js|wasm] [--threads N]`. Prints the result and the peak RSS as JSON.

import { parseArgs } from 'node:util';
// The tensor package as the model code sees it (its package entry, dist/): backend choice is per module instance.
import { initWasmBackend, setBackend, stopThreads } from '../../packages/tensor/dist/index.js';
import { runBulkEmbed } from '../../packages/vit/src/bulk/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    batch: { type: 'string' },
    shard: { type: 'string' },
    format: { type: 'string' },
    'checkpoint-every': { type: 'string' },
    model: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
  },
});
if (positionals.length !== 1 || values.out === undefined) {
  process.stderr.write('usage: job.ts <dir|list.txt|glob> --out F [--batch N] [--shard i/n] [--format F] [--checkpoint-every K] [--model M] [--backend js|wasm] [--threads N]\n');
  process.exit(2);
}
// --backend wasm [--threads N]: the WebAssembly SIMD backend with its thread pool (default: the package default).
if (values.backend === 'wasm') {
  const rt = await initWasmBackend({ threads: values.threads === undefined ? undefined : Number(values.threads) });
  if (rt === null) throw new Error('--backend wasm: this engine has no WebAssembly SIMD');
} else if (values.backend === 'js' || values.backend === 'ref') {
  setBackend(values.backend);
}
let first: { t: number; done: number } | undefined;
let last: { t: number; done: number } | undefined;
const result = await runBulkEmbed({
  input: positionals[0]!,
  out: values.out,
  batch: values.batch === undefined ? undefined : Number(values.batch),
  shard: values.shard,
  format: values.format,
  checkpointEvery: values['checkpoint-every'] === undefined ? undefined : Number(values['checkpoint-every']),
  model: values.model,
  io: { err: (t) => void process.stderr.write(t), errIsTTY: process.stderr.isTTY === true },
  onProgress: (p) => {
    // Steady-state rate: from the end of the first batch (model loaded, caches warm) to the last one.
    const now = performance.now();
    first ??= { t: now, done: p.done };
    last = { t: now, done: p.done };
  },
});
const steady = first && last && last.t > first.t ? (last.done - first.done) / ((last.t - first.t) / 1000) : null;
// maxRSS is in KiB on Linux (getrusage ru_maxrss).
stopThreads();
process.stdout.write(`${JSON.stringify({ backend: values.backend ?? 'default', threads: values.threads ?? null, ...result, failed: result.failed.length, steadyImagesPerSecond: steady, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
