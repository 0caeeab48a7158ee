// Peak-RSS measurement for loading a ViT-B/16-sized safetensors checkpoint (86,567,656 random F32 weights,
// 346,270,624 bytes: google/vit-base-patch16-224's shapes) with @patchwise/io's lazy reader.
// Optimized for an honest number: the file is generated in one child process and loaded in another, so the
// generator's memory never counts; peak RSS is the loader process's ru_maxrss.
// Usage: npx tsx tools/safetensors-rss/measure.ts [--keep] [--path /tmp/x.safetensors]   (file goes to /tmp; never commit it)

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Relative import: the repo root does not depend on @patchwise/io (run after `pnpm build` or `tsc -b`, since
// the io sources import @patchwise/tensor from its dist/).
import { loadTensors, openSafetensors, writeSafetensors } from '../../packages/io/src/index.ts';
import type { RawTensorData } from '../../packages/io/src/index.ts';

const D = 768;
const MLP = 3072;
const LAYERS = 12;
const TOKENS = 197;
const CLASSES = 1000;

/** HF ViTForImageClassification (vit-base-patch16-224) tensor names and shapes. */
function vitShapes(): [string, number[]][] {
  const s: [string, number[]][] = [
    ['vit.embeddings.cls_token', [1, 1, D]],
    ['vit.embeddings.position_embeddings', [1, TOKENS, D]],
    ['vit.embeddings.patch_embeddings.projection.weight', [D, 3, 16, 16]],
    ['vit.embeddings.patch_embeddings.projection.bias', [D]],
  ];
  for (let l = 0; l < LAYERS; l++) {
    const p = `vit.encoder.layer.${l}`;
    for (const n of ['attention.attention.query', 'attention.attention.key', 'attention.attention.value', 'attention.output.dense']) {
      s.push([`${p}.${n}.weight`, [D, D]], [`${p}.${n}.bias`, [D]]);
    }
    s.push([`${p}.intermediate.dense.weight`, [MLP, D]], [`${p}.intermediate.dense.bias`, [MLP]]);
    s.push([`${p}.output.dense.weight`, [D, MLP]], [`${p}.output.dense.bias`, [D]]);
    for (const n of ['layernorm_before', 'layernorm_after']) s.push([`${p}.${n}.weight`, [D]], [`${p}.${n}.bias`, [D]]);
  }
  s.push(['vit.layernorm.weight', [D]], ['vit.layernorm.bias', [D]], ['classifier.weight', [CLASSES, D]], ['classifier.bias', [CLASSES]]);
  return s;
}

async function generate(path: string): Promise<void> {
  let state = 0x12345678;
  const tensors = new Map<string, RawTensorData>();
  for (const [name, shape] of vitShapes()) {
    const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < a.length; i++) {
      // xorshift32 -> uniform [-0.05, 0.05)
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      a[i] = ((state >>> 0) / 4294967296 - 0.5) * 0.1;
    }
    tensors.set(name, { dtype: 'F32', shape, data: new Uint8Array(a.buffer) });
  }
  await writeSafetensors(path, tensors, { format: 'pt' });
}

const mb = (b: number): string => (b / 1e6).toFixed(1);

async function load(path: string, mode: 'all' | 'stream'): Promise<void> {
  const gcFn = (globalThis as { gc?: () => void }).gc;
  gcFn?.();
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  let weightBytes = 0;
  if (mode === 'all') {
    // Every tensor stays in memory (what a model load does).
    const m = await loadTensors(path);
    for (const t of m.values()) weightBytes += t.size * 4;
  } else {
    // Tensor by tensor, each dropped after use (converting a checkpoint bigger than RAM).
    const f = await openSafetensors(path);
    for (const n of f.names()) weightBytes += (await f.tensor(n)).size * 4;
    await f.close();
  }
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ mode, weightBytes, baselineRssMB: +mb(base), peakRssMB: +mb(peak), peakOverWeights: +(peak / weightBytes).toFixed(3), peakAboveBaselineOverWeights: +((peak - base) / weightBytes).toFixed(3), loadMs: Math.round(ms) }));
}

const args = process.argv.slice(2);
const self = fileURLToPath(import.meta.url);
if (args[0] === 'generate') {
  await generate(args[1]!);
} else if (args[0] === 'load') {
  await load(args[1]!, args[2] === 'stream' ? 'stream' : 'all');
} else {
  const pi = args.indexOf('--path');
  const path = pi >= 0 ? args[pi + 1]! : join(tmpdir(), `patchwise-vitb-${process.pid}.safetensors`);
  const run = (...a: string[]): string => {
    const r = spawnSync(process.execPath, [...process.execArgv, self, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`child ${a.join(' ')} failed with status ${r.status}`);
    return r.stdout.trim();
  };
  try {
    run('generate', path);
    console.log(`file: ${path}`);
    console.log(run('load', path, 'all'));
    console.log(run('load', path, 'stream'));
  } finally {
    if (!args.includes('--keep')) rmSync(path, { force: true });
  }
}
