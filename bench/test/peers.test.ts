// Tests of the peer benchmark plumbing (bench/peers): the hand-written ONNX encoder against hand-computed
// values run through onnxruntime-node, and a tiny random ViT (2 layers, 32x32 input) built for
// onnxruntime-node/-web and tfjs, checked against @patchwise/vit (an independent implementation) at PEER_RTOL.
// Skips loudly when a peer package is missing from bench/node_modules. Runs in a few seconds.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromArray, withBackend } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { writeSafetensors } from '@patchwise/io';
import { loadModel } from '@patchwise/vit';
import { DataType, OnnxGraph } from '../peers/onnx-writer.js';
import { buildOnnxVit, ortNodeRunner, ortWebRunner } from '../peers/onnx-vit.js';
import { hfVitConfig, randomPixels, randomVitWeights, seqLen } from '../models/random-vit.js';
import type { VitSize } from '../models/random-vit.js';
import { tfjsRunner } from '../peers/tfjs-vit.js';
import { PEER_RTOL, checkAgreement } from '../peers/run-peers.js';
import type { VitOutputs } from '../peers/types.js';

async function has(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    console.warn(`SKIPPED: ${pkg} is not installed in bench/node_modules; its peer tests do not run`);
    return false;
  }
}
const hasOrtNode = await has('onnxruntime-node');
const hasOrtWeb = await has('onnxruntime-web');
const hasTfjs = (await has('@tensorflow/tfjs')) && (await has('@tensorflow/tfjs-backend-wasm'));

interface OrtMin {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => { data: unknown };
  InferenceSession: { create(m: Uint8Array): Promise<{ run(f: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>> }> };
}

describe.skipIf(!hasOrtNode)('onnx-writer through onnxruntime-node', () => {
  it('encodes MatMul, Add, Softmax (negative axis attribute), Reshape (-1 in int64 data) and Gather (scalar index)', async () => {
    const ort = (await import('onnxruntime-node')) as unknown as OrtMin;
    const g = new OnnxGraph('tiny', 17);
    const x = g.input('x', DataType.FLOAT, ['n', 2]);
    const y = g.node('Add', [g.node('MatMul', [x, g.f32('w', Float32Array.of(1, 0, 0, 2), [2, 2])]), g.f32('b', Float32Array.of(0.5, -1), [2])]);
    const p = g.node('Softmax', [y], { axis: { i: -1 } }, 'probs');
    const flat = g.node('Reshape', [y, g.i64(null, [-1])], {}, 'flat');
    g.node('Gather', [y, g.i64(null, [1], [])], { axis: { i: 0 } }, 'row1');
    g.output(p, DataType.FLOAT, ['n', 2]);
    g.output(flat, DataType.FLOAT, [4]);
    g.output('row1', DataType.FLOAT, [2]);
    const session = await ort.InferenceSession.create(g.toBytes());
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]) });
    // x @ w = [[1, 4], [3, 8]]; + b = [[1.5, 3], [3.5, 7]]
    expect(Array.from(out['flat']!.data as Float32Array)).toEqual([1.5, 3, 3.5, 7]);
    expect(Array.from(out['row1']!.data as Float32Array)).toEqual([3.5, 7]);
    // softmax([1.5, 3]) = [1, e^1.5] / (1 + e^1.5) = [0.182426, 0.817574]; [3.5, 7] -> [1, e^3.5] / (1 + e^3.5) = [0.029312, 0.970688]
    const probs = Array.from(out['probs']!.data as Float32Array);
    [0.182426, 0.817574, 0.029312, 0.970688].forEach((v, i) => expect(probs[i]).toBeCloseTo(v, 5));
  });

  it('rejects an undefined input and a duplicate value name', () => {
    const g = new OnnxGraph('bad', 17);
    g.input('x', DataType.FLOAT, [1]);
    expect(() => g.node('Relu', ['nope'])).toThrow(/input 'nope' is not defined/);
    expect(() => g.f32('x', Float32Array.of(1), [1])).toThrow(/already defined/);
    expect(() => g.f32('w', Float32Array.of(1, 2), [3])).toThrow(/has 2 values, dims \[3\] need 3/);
  });
});

// A ViT small enough to build and run everywhere in well under a second: 32x32 input -> 4 patches + CLS.
const TINY: VitSize = { key: 'ti', name: 'tiny-vit', hidden: 32, heads: 2, layers: 2, mlp: 128, image: 32, patch: 16, labels: 10, eps: 1e-12 };

describe.skipIf(!hasOrtNode && !hasOrtWeb && !hasTfjs)('tiny ViT: peers agree with @patchwise/vit', () => {
  let dir = '';
  let weights: Map<string, Tensor>;
  let ours: VitOutputs; // batch 2, both images
  const batch = 2;
  const pixels = randomPixels(TINY, batch);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchwise-peers-test-'));
    weights = randomVitWeights(TINY);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(hfVitConfig(TINY)));
    await writeSafetensors(path.join(dir, 'model.safetensors'), weights);
    const model = await loadModel(dir);
    const out = withBackend('js', () => model.forward(fromArray(pixels, [batch, 3, TINY.image, TINY.image])));
    ours = { logits: out['logits']!.toArray() as Float32Array, lastHiddenState: out['last_hidden_state']!.toArray() as Float32Array };
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Both images of the batch must agree (image 1 checks the symbolic batch dimension and the CLS broadcast). */
  function expectAgree(peer: VitOutputs, engine: string): void {
    const nl = TINY.labels;
    const nh = seqLen(TINY) * TINY.hidden;
    expect(peer.logits.length).toBe(batch * nl);
    expect(peer.lastHiddenState.length).toBe(batch * nh);
    for (let b = 0; b < batch; b++) {
      const slice = (o: VitOutputs): VitOutputs => ({ logits: o.logits.subarray(b * nl, (b + 1) * nl), lastHiddenState: o.lastHiddenState.subarray(b * nh, (b + 1) * nh) });
      const a = checkAgreement(TINY, slice(ours), slice(peer), { engine, backend: '', model: TINY.name, batch, threads: 1 });
      expect(a.logits_rel).toBeLessThanOrEqual(PEER_RTOL);
      expect(a.hidden_rel).toBeLessThanOrEqual(PEER_RTOL);
    }
  }

  it.skipIf(!hasOrtNode)('onnxruntime-node', async () => {
    const { runner } = await ortNodeRunner(buildOnnxVit(TINY, weights), TINY, 1);
    expectAgree(await runner.run(pixels, batch), 'onnxruntime-node');
    await runner.dispose();
  });

  it.skipIf(!hasOrtWeb)('onnxruntime-web (wasm, 1 thread)', async () => {
    const runner = await ortWebRunner(buildOnnxVit(TINY, weights), TINY, 1);
    expectAgree(await runner.run(pixels, batch), 'onnxruntime-web');
    await runner.dispose();
  });

  it.skipIf(!hasTfjs)('tfjs wasm and cpu backends (leaving no process-level error handlers behind)', async () => {
    const handlers = process.listenerCount('unhandledRejection') + process.listenerCount('uncaughtException');
    for (const be of ['wasm', 'cpu'] as const) {
      const runner = await tfjsRunner(TINY, weights, be);
      expectAgree(await runner.run(pixels, batch), `tfjs-${be}`);
      await expect(runner.run(pixels.subarray(1), batch)).rejects.toThrow(/pixel_values has 6143 values, \[2, 3, 32, 32\] needs 6144/);
      await runner.dispose();
    }
    expect(process.listenerCount('unhandledRejection') + process.listenerCount('uncaughtException')).toBe(handlers);
  });

  it('a wrong graph is caught: a peer with one logit perturbed by 1e-3 of the scale fails the check', () => {
    const bad = { logits: ours.logits.slice(), lastHiddenState: ours.lastHiddenState };
    let scale = 0;
    for (const v of ours.logits.subarray(0, TINY.labels)) scale = Math.max(scale, Math.abs(v));
    bad.logits[3]! += 1e-3 * scale;
    expect(() => checkAgreement(TINY, ours, bad, { engine: 'bad', backend: '', model: TINY.name, batch: 1, threads: 1 })).toThrow(/disagrees with patchwise/);
  });
});
