import { loadModel } from './src/index.js';
import { fromArray, initWasmBackend, stopThreads } from '../tensor/src/index.js';
await initWasmBackend({ threads: 2 });
const model = await loadModel('/work/main/packages/vit/test/data/vit-mnist/vit-mnist-10class');
for (const B of [100, 500]) {
  const px = fromArray(new Float32Array(B * 784).map(() => Math.random()), [B, 1, 28, 28]);
  model.forward(px);
  const t = performance.now();
  const times: number[] = [];
  let last = performance.now();
  model.forward(px, { onLayer: () => { const n = performance.now(); times.push(n - last); last = n; } });
  console.log('B', B, 'forward', (performance.now() - t).toFixed(0), 'ms; per layer', times.map((x) => x.toFixed(0)).join(' '));
}
stopThreads();
