import { loadTensors } from '@patchwise/io';
import { VIT_SIZES, randomVitDir, randomPixels } from './random-vit.js';
import { buildOnnxVit, ortWebRunner } from './onnx-vit.js';
const th = Number(process.argv[2] ?? 1);
const s = VIT_SIZES.ti;
const dir = await randomVitDir('ti');
const bytes = buildOnnxVit(s, await loadTensors(dir));
let t = performance.now();
const r = await ortWebRunner(bytes, s, th);
console.log('create', performance.now() - t);
const px = randomPixels(s, 1);
const o = await r.run(px, 1);
console.log(o.logits.slice(0, 3));
const c0 = process.cpuUsage();
for (let k = 0; k < 5; k++) { t = performance.now(); await r.run(px, 1); console.log('ortweb', th, (performance.now() - t).toFixed(1)); }
const c = process.cpuUsage(c0); console.log('cpu user ms', c.user / 1000);
await r.dispose();
process.exit(0);
