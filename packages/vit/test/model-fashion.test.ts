// The bundled default model (assets/models/vit-fashion-mnist, the copy users get) on 100 real Fashion-MNIST
// test PNGs through the real decoder and preprocessing of @patchwise/io: predicted labels identical to
// expected.json and logits within TOL.f32Model (expected.json: float64 PyTorch reference; its pipeline is PIL
// open (mode L) -> identity resize -> float32(float64(u8) * 1/255) -> (x - float32(0.286)) / float32(0.353)).
// A second path computes the pixels with that arithmetic directly, so a preprocessing slip and a model slip
// are told apart.

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage, parsePreprocessorConfig, preprocessImageFiles, toL } from '@patchwise/io';
import { argmax, fromArray, tensor } from '@patchwise/tensor';
import { loadModel } from '@patchwise/vit';
import { DATA, compare, printReport, record } from './model-helpers.js';

interface Expected {
  images: { file: string; label: number; predicted: number; logits: number[] }[];
}

const DIR = join(DATA, 'fashion-mnist-100');
const MODEL = fileURLToPath(new URL('../assets/models/vit-fashion-mnist', import.meta.url));

afterAll(() => printReport('fashion-mnist-100, max abs logit diff vs expected.json'));

describe('vit-fashion-mnist on fashion-mnist-100', () => {
  const exp = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Expected;
  const want = tensor(exp.images.flatMap((e) => e.logits), [exp.images.length, 10]);

  it('through the io decoder and preprocessing: same labels, logits within tolerance', async () => {
    const model = await loadModel(MODEL);
    expect(model.config.id2label?.[9]).toBe('Ankle boot');
    const pre = parsePreprocessorConfig(model.preprocessor, { numChannels: model.config.channels, source: 'preprocessor_config.json' });
    const pixels = await preprocessImageFiles(exp.images.map((e) => join(DIR, e.file)), pre); // [100, 1, 28, 28]
    const logits = model.forward(pixels)['logits']!; // [100, 10]
    const d = compare(logits, want);
    record('fashion-mnist-100 (io pipeline)', d);
    expect(d.bad, d.worst).toBe(0);
    expect(Array.from(argmax(logits, -1).toArray())).toEqual(exp.images.map((e) => e.predicted));
  });

  it('with the documented arithmetic computed here', async () => {
    const model = await loadModel(MODEL);
    const px = new Float32Array(exp.images.length * 784);
    exp.images.forEach((e, b) => {
      const img = toL(decodeImage(new Uint8Array(readFileSync(join(DIR, e.file))), { fileName: e.file }));
      expect([img.width, img.height]).toEqual([28, 28]);
      for (let i = 0; i < 784; i++) {
        const x = Math.fround(img.data[i]! * 0.00392156862745098); // float64 product, rounded to float32
        px[b * 784 + i] = Math.fround(Math.fround(x - Math.fround(0.286)) / Math.fround(0.353));
      }
    });
    const logits = model.forward(fromArray(px, [exp.images.length, 1, 28, 28]))['logits']!;
    const d = compare(logits, want);
    record('fashion-mnist-100 (direct arithmetic)', d);
    expect(d.bad, d.worst).toBe(0);
    expect(Array.from(argmax(logits, -1).toArray())).toEqual(exp.images.map((e) => e.predicted));
  });
});
