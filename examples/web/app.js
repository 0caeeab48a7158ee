// @ts-check
// The demo page's logic: load a model (the bundled one by fetch, or picked files), decode an image with the
// browser's own decoder, preprocess and run it with @patchwise/vit, show the top-5 labels, the attention
// rollout overlay and the time taken. Plain ES module JavaScript, no bundler: the import map in index.html
// resolves the package names. Differences from the CLI: images are decoded by the browser (createImageBitmap +
// canvas getImageData, no colour-space conversion) instead of our PNG/JPEG decoders, which need Node.

import { initWasmBackend, getBackend } from '@patchwise/tensor';
import { parsePreprocessorConfig, preprocessFromTimmConfig, preprocess, toL, toRGB } from '@patchwise/io';
import {
  loadModelFromFiles, numPrefixTokens, attentionRollout, overlayHeatmap, inputRegion, enlarge, displayScale, topK,
} from '@patchwise/vit';

const MODEL_URL = '/packages/vit/assets/models/vit-fashion-mnist/';
const SAMPLES_URL = '/packages/vit/assets/samples/';
const SAMPLES = ['ankle-boot', 'bag', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 't-shirt-top', 'trouser'];

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {{ model: import('@patchwise/vit').VisionModel, pc: import('@patchwise/io').PreprocessConfig, name: string } | null} */
let current = null;
let backendNote = '';

/** Shows an error on the page (and keeps it for the test to read). @param {unknown} e */
function showError(e) {
  $('error').textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  document.body.dataset['state'] = 'error';
}

/** WASM SIMD backend, with worker threads when the page is crossOriginIsolated (COOP/COEP headers). */
async function startBackend() {
  const threads = globalThis.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency || 1, 8) : 1;
  try {
    const rt = await initWasmBackend({ threads });
    backendNote = rt ? `wasm backend, ${threads} thread${threads > 1 ? 's' : ''}` : 'js backend (no WebAssembly SIMD here)';
  } catch (e) {
    backendNote = `js backend (wasm failed: ${e instanceof Error ? e.message : e})`;
  }
  backendNote += globalThis.crossOriginIsolated ? ', crossOriginIsolated' : ', not crossOriginIsolated (no threads)';
  $('status').textContent = `${backendNote}; active: ${getBackend()}`;
}

/**
 * The image pipeline of a model: its preprocessor_config.json, a timm pretrained_cfg, or the family's
 * defaults at the model's own image size (what the CLI does too).
 * @param {import('@patchwise/vit').VisionModel} model @param {unknown} configJson
 */
function pipelineFor(model, configJson) {
  const cfg = model.config;
  const family = cfg.family === 'timm' ? undefined : cfg.family;
  if (model.preprocessor) return parsePreprocessorConfig(model.preprocessor, { family, numChannels: cfg.channels, source: 'preprocessor_config.json' });
  if (cfg.family === 'timm') return preprocessFromTimmConfig(configJson, { source: 'config.json' });
  const [height, width] = cfg.imageSize;
  return parsePreprocessorConfig({ size: { height, width }, do_center_crop: false }, { family: family ?? 'vit', numChannels: cfg.channels });
}

/** @param {{ config: string, weights: Uint8Array, preprocessor: string | null }} files @param {string} name */
async function useModel(files, name) {
  const model = await loadModelFromFiles({ config: files.config, weights: files.weights, preprocessor: files.preprocessor, name });
  current = { model, pc: pipelineFor(model, JSON.parse(files.config)), name };
  const c = model.config;
  $('model-status').textContent = `${name}: ${c.architecture}, ${c.layers} layers x ${c.heads} heads, D = ${c.hidden}, ` +
    `${c.imageSize[0]}x${c.imageSize[1]} input, ${c.patchSize}px patches`;
  document.body.dataset['model'] = 'ready';
}

async function loadBundledModel() {
  /** @param {string} f */
  const get = async (f) => {
    const r = await fetch(MODEL_URL + f);
    if (!r.ok) throw new Error(`${MODEL_URL + f}: HTTP ${r.status}`);
    return r;
  };
  const [config, weights, pre] = await Promise.all([get('config.json'), get('model.safetensors'), get('preprocessor_config.json')]);
  await useModel({ config: await config.text(), weights: new Uint8Array(await weights.arrayBuffer()), preprocessor: await pre.text() }, 'vit-fashion-mnist (bundled)');
}

/** Picked model files, recognised by name. @param {FileList} list */
async function loadPickedModel(list) {
  const byName = new Map(Array.from(list, (f) => [f.name, f]));
  const config = byName.get('config.json');
  const weights = byName.get('model.safetensors');
  if (!config || !weights) throw new Error(`pick config.json and model.safetensors (and preprocessor_config.json); got ${[...byName.keys()].join(', ')}`);
  const pre = byName.get('preprocessor_config.json');
  await useModel({ config: await config.text(), weights: new Uint8Array(await weights.arrayBuffer()), preprocessor: pre ? await pre.text() : null }, 'picked model');
}

/**
 * The browser decodes (EXIF orientation applied, as HF load_image does; no colour management, like PIL) and we
 * read RGBA pixels back; PIL's convert('L') / ('RGB') then run on them in toL / toRGB.
 * @param {Blob} blob @returns {Promise<import('@patchwise/io').DecodedImage>}
 */
async function decodeInBrowser(blob) {
  const bmp = await createImageBitmap(blob, { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.drawImage(bmp, 0, 0);
  const { data } = ctx.getImageData(0, 0, bmp.width, bmp.height);
  return {
    width: bmp.width, height: bmp.height, mode: 'RGBA', channels: 4, bitDepth: 8, components: 4,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    format: blob.type === 'image/jpeg' ? 'jpeg' : 'png', orientationApplied: true,
  };
}

/** Draws an 8-bit RGB image on a canvas (resizing the canvas). @param {HTMLCanvasElement} canvas @param {import('@patchwise/io').Image8} img */
function draw(canvas, img) {
  canvas.width = img.width;
  canvas.height = img.height;
  const rgba = new ImageData(img.width, img.height);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let c = 0; c < 3; c++) rgba.data[p * 4 + c] = img.data[p * img.channels + (img.channels < 3 ? 0 : c)];
    rgba.data[p * 4 + 3] = 255;
  }
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).putImageData(rgba, 0, 0);
}

/** @param {Blob} blob @param {string} name */
async function classify(blob, name) {
  if (!current) throw new Error('no model loaded yet');
  const { model, pc } = current;
  document.body.dataset['state'] = 'running';
  $('error').textContent = '';
  const t0 = performance.now();
  const image = await decodeInBrowser(blob);
  const pixels = preprocess([pc.channels === 1 ? toL(image) : toRGB(image)], pc); // [1, C, H, W]
  const t1 = performance.now();
  const out = model.forward(pixels, { outputAttentions: true });
  const logits = out['logits'];
  const t2 = performance.now();

  const cfg = model.config;
  const top5 = $('top5');
  top5.textContent = '';
  if (logits) {
    for (const p of topK(logits.select(0, 0).toArray(), 5, cfg.id2label)) {
      const li = document.createElement('li');
      li.textContent = `${p.label} ${(p.prob * 100).toFixed(1)}%`;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.round(p.prob * 120)}px`;
      li.append(bar);
      top5.append(li);
    }
  } else {
    top5.textContent = `${cfg.architecture} has no classifier; showing attention only`;
  }

  // Attention rollout over the patch grid, drawn on the image enlarged to >= 224 px.
  const attentions = Array.from({ length: cfg.layers }, (_, l) => out[`attentions.${l}`]);
  const layout = { prefix: numPrefixTokens(cfg), gridH: Math.floor(pixels.shape[2] / cfg.patchSize), gridW: Math.floor(pixels.shape[3] / cfg.patchSize), hasCls: cfg.tokens.cls };
  const map = attentionRollout(attentions, layout);
  const rgb = toRGB(image);
  const s = displayScale(rgb.width, rgb.height);
  const big = enlarge(rgb, s);
  const r = inputRegion(image.width, image.height, pc);
  const region = { x0: r.x0 * s, y0: r.y0 * s, x1: r.x1 * s, y1: r.y1 * s };
  draw(/** @type {HTMLCanvasElement} */ ($('input')), big);
  draw(/** @type {HTMLCanvasElement} */ ($('overlay')), overlayHeatmap(big, map, { alpha: 0.6, region }));
  const t3 = performance.now();
  $('time').textContent = `${name}: decode + preprocess ${(t1 - t0).toFixed(1)} ms, forward ${(t2 - t1).toFixed(1)} ms, ` +
    `rollout + overlay ${(t3 - t2).toFixed(1)} ms (${getBackend()} backend)`;
  document.body.dataset['state'] = 'done';
}

/** @param {() => Promise<void>} fn */
const guarded = (fn) => fn().catch(showError);

function wire() {
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void guarded(() => classify(f, f.name));
  });
  $('image-file').addEventListener('change', (e) => {
    const f = /** @type {HTMLInputElement} */ (e.target).files?.[0];
    if (f) void guarded(() => classify(f, f.name));
  });
  $('model-files').addEventListener('change', (e) => {
    const files = /** @type {HTMLInputElement} */ (e.target).files;
    if (files && files.length > 0) void guarded(() => loadPickedModel(files));
  });
  const box = $('samples');
  for (const s of SAMPLES) {
    const b = document.createElement('button');
    b.title = s;
    b.dataset['sample'] = s;
    const img = document.createElement('img');
    img.src = `${SAMPLES_URL}${s}.png`;
    img.alt = s;
    b.append(img);
    b.addEventListener('click', () => void guarded(async () => {
      const r = await fetch(`${SAMPLES_URL}${s}.png`);
      await classify(await r.blob(), `${s}.png`);
    }));
    box.append(b);
  }
}

wire();
void guarded(async () => {
  await startBackend();
  await loadBundledModel();
});
