// Preprocessing pipeline: config parsing (HF families, legacy forms, timm), center crop rounding, pixel values
// bit-exact against HF's pixel_values_lut, and whole pipelines against references made by PIL + numpy/torch
// (tools/preprocess-refs/make_resize_refs.py), plus the file glue over the image decoder.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  IMAGENET_DEFAULT_MEAN, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, PreprocessConfigError, PreprocessError, Resample,
  centerCrop, centerCropOrigin, parsePreprocessorConfig, pixelValueLut, preprocess, preprocessFromTimmConfig,
  preprocessImageFiles, preprocessU8, pyRound, resizeOutputSize, toPixelValues, type PreprocessConfig, type U8Image,
} from '@patchwise/io';
import { compareExact, dataPath, grayToRgb, hwcImage, loadFixture } from './preprocess-fixtures.js';

const readJson = (name: string): unknown => JSON.parse(readFileSync(dataPath(name), 'utf8'));

/** Expected pixel_values [1, 3, H, W] from HF's lut and the PIL-resized uint8 image (README: bit-exact identity). */
function fromLut(lut: Float32Array, resized: { shape: readonly number[]; data: Uint8Array }): Float32Array {
  const [H, W, C] = resized.shape as [number, number, number];
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[c * H * W + p] = lut[c * 256 + resized.data[p * C + c]!]!;
  return out;
}

describe('parsePreprocessorConfig', () => {
  it('ViTImageProcessor (fixture bilinear config)', () => {
    const c = parsePreprocessorConfig(readJson('preprocessor_config.bilinear.json'));
    expect(c).toMatchObject({
      processorType: 'ViTImageProcessor', doResize: true, resize: { kind: 'exact', height: 224, width: 224 },
      resample: 2, doCenterCrop: false, doRescale: true, rescaleFactor: 0.00392156862745098, doNormalize: true,
      imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5], channels: 3, pixelMath: 'hf', cropRounding: 'hf',
    });
  });

  it('CLIPImageProcessor: shortest_edge + crop', () => {
    const c = parsePreprocessorConfig(readJson('configs/clip_full.preprocessor_config.json'));
    expect(c).toMatchObject({
      resize: { kind: 'shortest_edge', size: 28 }, resample: 3, doCenterCrop: true, cropSize: { height: 28, width: 28 },
      imageMean: OPENAI_CLIP_MEAN, imageStd: OPENAI_CLIP_STD, doConvertRgb: true,
    });
  });

  it('BitImageProcessor as DINOv2 uses it', () => {
    const c = parsePreprocessorConfig(readJson('configs/dinov2.preprocessor_config.json'));
    expect(c).toMatchObject({
      processorType: 'BitImageProcessor', resize: { kind: 'shortest_edge', size: 32 }, cropSize: { height: 28, width: 28 },
      imageMean: IMAGENET_DEFAULT_MEAN, resample: 3,
    });
  });

  it('DeiTImageProcessor and SiglipImageProcessor (null do_convert_rgb = default)', () => {
    expect(parsePreprocessorConfig(readJson('configs/deit_distilled.preprocessor_config.json'))).toMatchObject({
      resize: { kind: 'exact', height: 37, width: 37 }, doCenterCrop: true, cropSize: { height: 32, width: 32 },
    });
    expect(parsePreprocessorConfig(readJson('configs/siglip_vision.preprocessor_config.json'))).toMatchObject({
      resize: { kind: 'exact', height: 32, width: 32 }, doCenterCrop: false, resample: 3, doConvertRgb: false,
    });
  });

  it('fills each family default when fields are missing', () => {
    expect(parsePreprocessorConfig({ image_processor_type: 'ViTImageProcessor' })).toMatchObject({
      resize: { kind: 'exact', height: 224, width: 224 }, resample: 2, doCenterCrop: false, imageMean: [0.5, 0.5, 0.5],
      rescaleFactor: 1 / 255,
    });
    expect(parsePreprocessorConfig({ image_processor_type: 'DeiTImageProcessor' })).toMatchObject({
      resize: { kind: 'exact', height: 256, width: 256 }, resample: 3, doCenterCrop: true, cropSize: { height: 224, width: 224 },
      imageMean: [0.5, 0.5, 0.5],
    });
    expect(parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessor' })).toMatchObject({
      resize: { kind: 'shortest_edge', size: 224 }, resample: 3, doCenterCrop: true, imageMean: OPENAI_CLIP_MEAN,
    });
    expect(parsePreprocessorConfig({ image_processor_type: 'BitImageProcessor' })).toMatchObject({
      resize: { kind: 'shortest_edge', size: 224 }, imageStd: OPENAI_CLIP_STD,
    });
    expect(parsePreprocessorConfig({ image_processor_type: 'SiglipImageProcessor' })).toMatchObject({
      resize: { kind: 'exact', height: 224, width: 224 }, resample: 3, doCenterCrop: false,
    });
    expect(parsePreprocessorConfig({}, { family: 'dinov2' }).processorType).toBe('BitImageProcessor');
  });

  it('legacy forms: int size (square for ViT, shortest edge for CLIP), int crop_size, feature_extractor_type, JSON text', () => {
    expect(parsePreprocessorConfig({ feature_extractor_type: 'ViTFeatureExtractor', size: 384 }).resize)
      .toEqual({ kind: 'exact', height: 384, width: 384 });
    const clip = parsePreprocessorConfig('{"feature_extractor_type": "CLIPFeatureExtractor", "size": 336, "crop_size": 336}');
    expect(clip.resize).toEqual({ kind: 'shortest_edge', size: 336 });
    expect(clip.cropSize).toEqual({ height: 336, width: 336 });
  });

  it('a 1-channel model keeps mode L with one mean/std (vit-fashion-mnist)', () => {
    const c = parsePreprocessorConfig(readJson('configs/vit-fashion-mnist.preprocessor_config.json'), { numChannels: 1 });
    expect(c).toMatchObject({ channels: 1, imageMean: [0.286], imageStd: [0.353], doConvertRgb: false, resize: { height: 28, width: 28 } });
  });

  it('raises PreprocessConfigError naming an unknown processor', () => {
    let err: unknown;
    try {
      parsePreprocessorConfig({ image_processor_type: 'ConvNextImageProcessor' }, { source: 'x/preprocessor_config.json' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PreprocessConfigError);
    expect((err as Error).message).toMatch(/ConvNextImageProcessor/);
    expect((err as Error).message).toMatch(/x\/preprocessor_config\.json/);
    expect((err as PreprocessConfigError).field).toBe('image_processor_type');
    expect(() => parsePreprocessorConfig({ feature_extractor_type: 'Nope' })).toThrow(/feature_extractor_type.*Nope/);
    expect(() => parsePreprocessorConfig({})).toThrow(PreprocessConfigError);
  });

  it('rejects malformed fields with the field named', () => {
    const vit = { image_processor_type: 'ViTImageProcessor' };
    expect(() => parsePreprocessorConfig({ ...vit, size: { shortest_edge: 224 } })).toThrow(/size.*height/);
    expect(() => parsePreprocessorConfig({ ...vit, size: { height: 0, width: 3 } })).toThrow(/size\.height/);
    expect(() => parsePreprocessorConfig({ ...vit, resample: 9 })).toThrow(/resample/);
    expect(() => parsePreprocessorConfig({ ...vit, image_mean: [0.5, 0.5] })).toThrow(/image_mean.*expected 3 values/);
    expect(() => parsePreprocessorConfig({ ...vit, do_resize: 'yes' })).toThrow(/do_resize/);
    expect(() => parsePreprocessorConfig('{not json')).toThrow(PreprocessConfigError);
    expect(() => parsePreprocessorConfig(vit, { numChannels: 2 })).toThrow(/num_channels/);
  });
});

describe('preprocessFromTimmConfig', () => {
  it('reads the timm fixture: Resize(floor(36 / 0.9) = 40) shortest edge, CenterCrop 36, torchvision math', () => {
    const c = preprocessFromTimmConfig(readJson('configs/timm-vit-tiny-random.config.json'));
    expect(c).toMatchObject({
      processorType: 'timm', resize: { kind: 'shortest_edge', size: 40 }, resample: 3, doCenterCrop: true,
      cropSize: { height: 36, width: 36 }, cropRounding: 'torchvision', pixelMath: 'torchvision', imageMean: [0.5, 0.5, 0.5],
    });
  });

  it('defaults: 224, crop_pct 0.875 -> 256, bicubic, ImageNet mean/std; squash and border modes', () => {
    expect(preprocessFromTimmConfig({})).toMatchObject({
      resize: { kind: 'shortest_edge', size: 256 }, resample: 3, imageMean: IMAGENET_DEFAULT_MEAN, cropSize: { height: 224, width: 224 },
    });
    expect(preprocessFromTimmConfig({ crop_mode: 'squash', crop_pct: 1.0, interpolation: 'bilinear' }).resize)
      .toEqual({ kind: 'exact', height: 224, width: 224 });
    const border = preprocessFromTimmConfig({ crop_mode: 'border', crop_pct: 0.95 });
    expect(border.resize).toEqual({ kind: 'keep_ratio', height: 235, width: 235, longest: 1 });
    expect(border.cropFill).toEqual([124, 116, 104]); // round(255 * [0.485, 0.456, 0.406]) = 123.675, 116.28, 103.53
    expect(preprocessFromTimmConfig({ input_size: [3, 224, 320], crop_pct: 1 }).resize)
      .toEqual({ kind: 'keep_ratio', height: 224, width: 320, longest: 0 });
  });

  it('rejects unknown interpolation and crop modes', () => {
    expect(() => preprocessFromTimmConfig({ interpolation: 'random' })).toThrow(/interpolation.*random/);
    expect(() => preprocessFromTimmConfig({ crop_mode: 'zoom' })).toThrow(/crop_mode/);
    expect(() => preprocessFromTimmConfig({ input_size: [224, 224] })).toThrow(/input_size/);
  });
});

describe('resizeOutputSize', () => {
  it('shortest edge: int(size * long / short), like HF get_resize_output_image_size / torchvision', () => {
    expect(resizeOutputSize(500, 333, { kind: 'shortest_edge', size: 224 })).toEqual({ height: 336, width: 224 }); // 224*500/333 = 336.34
    expect(resizeOutputSize(480, 640, { kind: 'shortest_edge', size: 224 })).toEqual({ height: 224, width: 298 }); // 298.67
    expect(resizeOutputSize(100, 100, { kind: 'shortest_edge', size: 7 })).toEqual({ height: 7, width: 7 });
  });

  it('keep_ratio: one ratio, each edge rounded half to even', () => {
    // 300x500 into 224x320, longest 0: ratio = min(300/224, 500/320) = 1.3393 -> 224, round(373.33) = 373.
    expect(resizeOutputSize(300, 500, { kind: 'keep_ratio', height: 224, width: 320, longest: 0 })).toEqual({ height: 224, width: 373 });
    // longest 1: ratio = max = 1.5625 -> round(192) = 192, 320.
    expect(resizeOutputSize(300, 500, { kind: 'keep_ratio', height: 224, width: 320, longest: 1 })).toEqual({ height: 192, width: 320 });
    expect([pyRound(0.5), pyRound(1.5), pyRound(2.5), pyRound(2.6)]).toEqual([0, 2, 2, 3]);
  });
});

describe('centerCrop', () => {
  const row = (w: number): U8Image => ({ width: w, height: 1, channels: 1, data: Uint8Array.from({ length: w }, (_, i) => i + 1) });

  it('HF floors (size - crop) / 2; torchvision rounds half to even', () => {
    // d = 3: HF 3 // 2 = 1; torchvision round(1.5) = 2.   d = 5: HF 2; torchvision round(2.5) = 2.
    expect(Array.from(centerCrop(row(5), 1, 2).data)).toEqual([2, 3]);
    expect(Array.from(centerCrop(row(5), 1, 2, { rounding: 'torchvision' }).data)).toEqual([3, 4]);
    expect(centerCropOrigin(7, 2, 'hf')).toBe(2);
    expect(centerCropOrigin(7, 2, 'torchvision')).toBe(2);
  });

  it('pads when the crop is larger: HF puts ceil(d / 2) before, torchvision floor(d / 2)', () => {
    // 3 -> 6, d = 3: HF [0, 0, 1, 2, 3, 0]; torchvision [0, 1, 2, 3, 0, 0].
    expect(Array.from(centerCrop(row(3), 1, 6).data)).toEqual([0, 0, 1, 2, 3, 0]);
    expect(Array.from(centerCrop(row(3), 1, 6, { rounding: 'torchvision' }).data)).toEqual([0, 1, 2, 3, 0, 0]);
    expect(Array.from(centerCrop(row(3), 1, 6, { rounding: 'torchvision', fill: [9] }).data)).toEqual([9, 1, 2, 3, 9, 9]);
  });

  it('crops rows and columns of a multi-channel image', () => {
    // 3x3 RGB, value = 10 * y + x in every channel; 1x1 centre = (1, 1) -> 11.
    const data = new Uint8Array(27);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) data.fill(10 * y + x, (y * 3 + x) * 3, (y * 3 + x) * 3 + 3);
    expect(Array.from(centerCrop({ width: 3, height: 3, channels: 3, data }, 1, 1).data)).toEqual([11, 11, 11]);
    expect(() => centerCrop(row(3), 0, 1)).toThrow(PreprocessError);
  });
});

describe('pixel values vs HF (pixel_values_lut, bit-exact)', () => {
  const vitBilinear = parsePreprocessorConfig(readJson('preprocessor_config.bilinear.json'));
  const vitBicubic = parsePreprocessorConfig(readJson('preprocessor_config.bicubic.json'));

  it('pixelValueLut reproduces every HF value (float64 rescale, float32 normalize)', () => {
    const want = loadFixture('rgb_17x31.expected.safetensors').f32('pixel_values_lut');
    const got = pixelValueLut(3, { doRescale: true, rescaleFactor: vitBilinear.rescaleFactor, doNormalize: true, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(compareExact(got, want.data)).toEqual({ count: 0, first: -1, max: 0 });
    // torchvision's float32(v / 255) happens to equal float32(v * 0.00392156862745098) for every v in 0..255
    // (checked exhaustively here), so timm's ToTensor and HF's rescale agree bit for bit at factor 1/255.
    const tv = pixelValueLut(3, { doRescale: true, rescaleFactor: 1 / 255, doNormalize: true, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], math: 'torchvision' });
    expect(compareExact(tv, want.data).count).toBe(0);
    // Sanity that the comparison can fail: normalizing with std 0.25 instead must differ.
    const wrong = pixelValueLut(3, { doRescale: true, rescaleFactor: 1 / 255, doNormalize: true, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 0.5] });
    expect(compareExact(wrong, want.data).count).toBe(256); // all of channel 0: x - 0.5 is never 0 for a byte
  });

  for (const name of ['rgb_640x480_baseline_q90', 'rgb_333x500_progressive_q90', 'gray_1000x200_q90', 'rgb_17x31', 'rgba_200x150', 'gray16_160x120', 'palette_240x180_trns']) {
    it(`${name}: preprocess(rgb) == lut[resized_u8] for bilinear and bicubic`, () => {
      const fx = loadFixture(`${name}.expected.safetensors`);
      const rgb = fx.names.includes('rgb_u8') ? hwcImage(fx.u8('rgb_u8')) : grayToRgb(hwcImage(fx.u8('decoded_raw_u8')));
      const lut = fx.f32('pixel_values_lut').data;
      for (const [filter, cfg] of [['bilinear', vitBilinear], ['bicubic', vitBicubic]] as const) {
        const pv = preprocess([rgb], cfg);
        expect(pv.shape).toEqual([1, 3, 224, 224]);
        expect(compareExact(pv.toArray() as Float32Array, fromLut(lut, fx.u8(`resized_u8.${filter}`)))).toEqual({ count: 0, first: -1, max: 0 });
      }
    });
  }
});

describe('whole pipelines vs PIL + numpy/torch references (make_resize_refs.py)', () => {
  const fx = loadFixture('pil_resize_refs.safetensors');
  const photo = hwcImage(fx.u8('pipe.src')); // 109x80 RGB

  it('HF CLIP-style: shortest edge 64 (-> 87x64), BICUBIC, crop 64 (left = 23 // 2 = 11), numpy arithmetic', () => {
    const cfg = parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessor', size: { shortest_edge: 64 }, crop_size: { height: 64, width: 64 } });
    const want = fx.f32('pipe.clip.pixel_values');
    const got = preprocess([photo], cfg);
    expect(got.shape).toEqual(want.shape);
    expect(compareExact(got.toArray() as Float32Array, want.data)).toEqual({ count: 0, first: -1, max: 0 });
  });

  it('timm eval: Resize(73) -> 99x73, CenterCrop 64 with round(17.5) = 18, ToTensor / Normalize in float32', () => {
    const cfg = preprocessFromTimmConfig({ input_size: [3, 64, 64], crop_pct: 0.875, interpolation: 'bicubic' });
    const want = fx.f32('pipe.timm.pixel_values');
    const got = preprocess([photo], cfg);
    expect(got.shape).toEqual(want.shape);
    expect(compareExact(got.toArray() as Float32Array, want.data)).toEqual({ count: 0, first: -1, max: 0 });
    // With HF's crop rounding (left 17) the same pipeline must not match: the rounding is observable.
    const hfCrop: PreprocessConfig = { ...cfg, cropRounding: 'hf' };
    expect(compareExact(preprocess([photo], hfCrop).toArray() as Float32Array, want.data).count).toBeGreaterThan(0);
  });
});

describe('preprocess: batching, channels and errors', () => {
  const cfg = parsePreprocessorConfig({ image_processor_type: 'ViTImageProcessor', size: { height: 2, width: 2 } });
  const img = (v: number): U8Image => ({ width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(v) });

  it('stacks a batch as [B, C, H, W] in image order', () => {
    const pv = preprocess([img(0), img(255)], cfg);
    expect(pv.shape).toEqual([2, 3, 2, 2]);
    const a = pv.toArray();
    expect(a[0]).toBe(-1); // (0 * (1/255) - 0.5) / 0.5
    expect(a[12]).toBe(1); // (255 * (1/255) - 0.5) / 0.5, float32(1.0)
  });

  it('requires the model channel count (convert first) and one size per batch', () => {
    expect(() => preprocess([{ width: 2, height: 2, channels: 1, data: new Uint8Array(4) }], cfg)).toThrow(/3-channel/);
    const noResize = { ...cfg, doResize: false };
    expect(() => preprocess([img(0), { width: 3, height: 2, channels: 3, data: new Uint8Array(18) }], noResize)).toThrow(/batch must share one size/);
    expect(() => toPixelValues([], { doRescale: true, rescaleFactor: 1, doNormalize: false, mean: [], std: [] })).toThrow(PreprocessError);
  });

  it('do_resize false and do_normalize false keep the bytes (x * 1/255 only)', () => {
    const c = { ...cfg, doResize: false, doNormalize: false };
    const out = preprocessU8(img(51), c);
    expect(out.width).toBe(2);
    expect(preprocess([img(51)], c).toArray()[0]).toBe(Math.fround(51 * 0.00392156862745098)); // 0.2
  });
});

describe('file glue (decoder from ../image) on the PNG fixtures: PNG decode is lossless, so bit-exact end to end', () => {
  const vit = parsePreprocessorConfig(readJson('preprocessor_config.bilinear.json'));
  for (const [file, fxName] of [
    ['rgb_17x31.png', 'rgb_17x31'], ['rgba_200x150.png', 'rgba_200x150'], ['palette_240x180_trns.png', 'palette_240x180_trns'],
    ['gray16_160x120.png', 'gray16_160x120'],
  ] as const) {
    it(`${file} -> pixel_values == HF`, async () => {
      const fx = loadFixture(`${fxName}.expected.safetensors`);
      const pv = await preprocessImageFiles([dataPath(file)], vit);
      const want = fromLut(fx.f32('pixel_values_lut').data, fx.u8('resized_u8.bilinear'));
      expect(compareExact(pv.toArray() as Float32Array, want)).toEqual({ count: 0, first: -1, max: 0 });
    });
  }

  it('a 1-channel model keeps mode L (fashion-mnist style config, 28x28 identity resize)', async () => {
    const cfg = parsePreprocessorConfig(readJson('configs/vit-fashion-mnist.preprocessor_config.json'), { numChannels: 1 });
    const pv = await preprocessImageFiles([dataPath('gray16_160x120.png')], { ...cfg, resize: { kind: 'exact', height: 120, width: 160 } });
    expect(pv.shape).toEqual([1, 1, 120, 160]);
    // PIL convert('L') of a mode I PNG clips to 0..255 (fixture README): nearly all 255 -> (1 - 0.286) / 0.353.
    const top = Math.fround(Math.fround(Math.fround(255 * 0.00392156862745098) - Math.fround(0.286)) / Math.fround(0.353));
    const a = pv.toArray();
    expect(a.filter((v) => v === top).length).toBeGreaterThan(0.9 * a.length);
  });
});

// Resample ids are re-exported for configs built by hand.
it('Resample ids follow PIL', () => {
  expect(Resample).toEqual({ NEAREST: 0, LANCZOS: 1, BILINEAR: 2, BICUBIC: 3, BOX: 4, HAMMING: 5 });
});
