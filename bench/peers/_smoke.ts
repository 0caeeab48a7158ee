import { loadTensors } from '@patchwise/io';
import { loadModel } from '@patchwise/vit';
import { fromArray, withBackend, backendsOf } from '@patchwise/tensor';
import { VIT_SIZES, randomVitDir, randomPixels } from './random-vit.js';
import { buildOnnxVit, ortNodeRunner } from './onnx-vit.js';
const s = VIT_SIZES.ti;
let t = performance.now();
const dir = await randomVitDir('ti');
console.log('dir', dir, performance.now() - t); t = performance.now();
const ws = await loadTensors(dir);
const bytes = buildOnnxVit(s, ws);
console.log('onnx bytes', bytes.length, performance.now() - t);
const { runner, createMs } = await ortNodeRunner(bytes, s, 1);
console.log('create', createMs);
const px = randomPixels(s, 1);
const o = await runner.run(px, 1);
console.log(o.logits.slice(0, 5));
console.log('backends', backendsOf('matmul'));
const model = await loadModel(dir);
t = performance.now();
const ref = withBackend('js', () => model.forward(fromArray(px, [1, 3, 224, 224])));
console.log('ours js ms', performance.now() - t);
const rl = ref['logits']!.toArray(); const rh = ref['last_hidden_state']!.toArray();
let m = 0, sc = 0; for (let i = 0; i < rl.length; i++) { m = Math.max(m, Math.abs(rl[i]! - o.logits[i]!)); sc = Math.max(sc, Math.abs(rl[i]!)); }
let m2 = 0, sc2 = 0; for (let i = 0; i < rh.length; i++) { m2 = Math.max(m2, Math.abs(rh[i]! - o.lastHiddenState[i]!)); sc2 = Math.max(sc2, Math.abs(rh[i]!)); }
console.log('logits maxabs', m, 'scale', sc, 'hidden maxabs', m2, 'scale', sc2);
for (let k = 0; k < 5; k++) { t = performance.now(); await runner.run(px, 1); console.log('ort', performance.now() - t); }
