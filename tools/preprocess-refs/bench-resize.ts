// Timing of resizeU8 / preprocess on ViT-sized work (not a benchmark suite; bench/ owns that).
// Run: npx tsx tools/preprocess-refs/bench-resize.ts   (numbers depend on machine load; 2 shared cores here)

import { resizeU8, preprocess, parsePreprocessorConfig } from '../../packages/io/src/index.js';
const mk = (w: number, h: number) => ({ width: w, height: h, channels: 3, data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 2654435761) >>> 24) });
for (const [w, h] of [[640, 480], [1800, 1200]]) {
  const img = mk(w, h);
  for (const r of [2, 3] as const) {
    for (let i = 0; i < 3; i++) resizeU8(img, 224, 224, r);
    const t: number[] = []; for (let i = 0; i < 10; i++) { const t0 = performance.now(); resizeU8(img, 224, 224, r); t.push(performance.now() - t0); }
    t.sort((a, b) => a - b); console.log(`${w}x${h} -> 224 filter ${r}: median ${t[5]!.toFixed(1)} ms min ${t[0]!.toFixed(1)} ms`);
  }
}
const cfg = parsePreprocessorConfig({ image_processor_type: 'ViTImageProcessor' });
const img = mk(640, 480); for (let i = 0; i < 3; i++) preprocess([img], cfg);
const t0 = performance.now(); for (let i = 0; i < 10; i++) preprocess([img], cfg); console.log('preprocess 640x480 ViT', ((performance.now() - t0) / 10).toFixed(1), 'ms');
