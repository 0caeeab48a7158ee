// `patchwise where`: where in the image a text matches, per patch. Each patch token of the last layer is put
// through the same head as the pooled CLS token (CLIP post_layernorm, then visual_projection) into the shared
// space and compared with the text embedding by cosine; the grid is overlaid on the image as a PNG.
// An interpretation aid in the spirit of MaskCLIP (Zhou et al. 2022); see docs/cli.md for its limits.

import { writePNGFile } from '@patchwise/io';
import type { Image8, PreprocessConfig } from '@patchwise/io';
import { linear, prepareLinear } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { numPrefixTokens } from '../../config/types.js';
import { displayScale, enlarge, overlayHeatmap } from '../../inspect/index.js';
import { norm, normOf } from '../../model/encoder.js';
import { optFlag, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { fmtNum, printJson } from '../format.js';
import { commandInputs } from '../inputs.js';
import type { LoadedModel } from '../model.js';
import { loadCliModel } from '../model.js';
import { cosineMatrix } from './similarity.js';
import { embedTexts } from '../text.js';

/** Smallest side of the written picture: tiny model inputs are enlarged so the map is visible. */
const MIN_PICTURE_SIDE = 224;

/**
 * pixel_values [1, C, H, W] back to 8-bit RGB, the picture the model saw: x * std + mean, divided by the rescale
 * factor (the inverse of the processor's rescale + normalize), clamped to 0..255. Grayscale is repeated to RGB.
 */
function viewFromPixels(px: Tensor, pc: PreprocessConfig): Image8 {
  const [, C, H, W] = px.shape as [number, number, number, number];
  const a = px.contiguous().toArray();
  const data = new Uint8Array(H * W * 3);
  for (let c = 0; c < 3; c++) {
    const src = Math.min(c, C - 1);
    const mean = pc.doNormalize ? (pc.imageMean[src] ?? 0) : 0;
    const std = pc.doNormalize ? (pc.imageStd[src] ?? 1) : 1;
    const scale = pc.doRescale ? pc.rescaleFactor : 1;
    for (let i = 0; i < H * W; i++) {
      const v = (a[src * H * W + i]! * std + mean) / scale;
      data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width: W, height: H, channels: 3, data };
}

/**
 * Patch tokens in the shared space: last_hidden_state [1, T, D] without the prefix tokens, through the final
 * norm where the family applies it to the pooled token only (CLIP), then the visual projection -> [N, P].
 */
export function projectPatches(lm: LoadedModel, lastHidden: Tensor): Tensor {
  const cfg = lm.model.config;
  const ws = lm.model.weights;
  const w = ws.get('projection.weight');
  if (cfg.head.kind !== 'projection' || !w) {
    throw new CliError(`where needs a model with a visual projection (CLIPModel); ${lm.dir} is ${cfg.architecture}`);
  }
  const p = numPrefixTokens(cfg);
  const [, T, D] = lastHidden.shape as [number, number, number];
  let patches = lastHidden.narrow(1, p, T - p).reshape(T - p, D); // [N, D]
  if (cfg.finalNorm === 'pooled') patches = norm(patches, normOf(ws, 'final_norm'), cfg.eps); // CLIP post_layernorm
  return linear(patches, prepareLinear(w, null)); // [N, P]: visual_projection has no bias
}

export const where: Command = {
  name: 'where',
  summary: 'per-patch similarity between an image and a text (CLIP), as a colour-mapped PNG overlay',
  usage: ['where <image> --text "a dog" [--model M] [--out map.png] [--json]', 'where --pixels F.safetensors --text "..." [--model M] [--out map.png]'],
  description: [
    'Patch tokens -> post_layernorm -> visual_projection, cosine with the text embedding, per patch.',
    'Colours (viridis) run from the lowest (dark purple) to the highest (yellow) patch of this image; the printed',
    'numbers are the cosines themselves. The picture is the model\'s view (after resize and crop).',
  ],
  options: {
    text: { value: 'T', help: 'the text to locate (required)' },
    model: MODEL_OPTION,
    out: { value: 'F.png', help: 'write the overlay PNG here' },
    json: { boolean: true, help: 'print the per-patch cosines as JSON' },
    pixels: PIXELS_OPTION,
  },
  async run(args, { io }) {
    const text = optString(args, 'text');
    if (text === undefined) throw new UsageError('where needs --text "..."');
    const outFile = optString(args, 'out');
    const lm = await loadCliModel(optString(args, 'model'));
    const te = await embedTexts(lm, [text], 'where');
    const { batches } = await commandInputs(args, lm, { single: true });
    let name = '';
    let px: Tensor | null = null;
    for await (const b of batches) {
      name = b.names[0]!;
      px = b.pixels; // [1, C, H, W]
    }
    const out = lm.model.forward(px!);
    const sims = cosineMatrix(projectPatches(lm, out['last_hidden_state']!), te.embeds).assertDType('float32', 'where cosines').toArray(); // [N, 1] -> N values
    const [, , H, W] = px!.shape as [number, number, number, number];
    const gh = Math.floor(H / lm.model.config.patchSize);
    const gw = Math.floor(W / lm.model.config.patchSize);
    if (gh * gw !== sims.length) throw new CliError(`internal: ${sims.length} patch tokens for a ${gh}x${gw} grid`);
    let lo = Infinity;
    let hi = -Infinity;
    let best = 0;
    sims.forEach((v, i) => {
      lo = Math.min(lo, v);
      if (v > hi) {
        hi = v;
        best = i;
      }
    });
    if (outFile !== undefined) {
      // the viridis overlay of `attention --out` (alpha 0.5), min-max scaled over this image's patches
      const view = enlarge(viewFromPixels(px!.narrow(0, 0, 1), lm.preprocess), displayScale(W, H, MIN_PICTURE_SIDE));
      await writePNGFile(outFile, overlayHeatmap(view, { gridH: gh, gridW: gw, values: sims }));
    }
    const grid = Array.from({ length: gh }, (_, r) => Array.from(sims.subarray(r * gw, (r + 1) * gw))); // [gh][gw]
    if (optFlag(args, 'json')) {
      printJson(io, { model: lm.name, image: name, text, grid: [gh, gw], similarity: grid, min: lo, max: hi, out: outFile ?? null });
      return;
    }
    io.out(`${name}: "${text}", ${gh}x${gw} patches, cosine min ${lo.toFixed(4)} max ${hi.toFixed(4)} at row ${Math.floor(best / gw)} col ${best % gw}\n`);
    for (const r of grid) io.out(`  ${r.map(fmtNum).join(' ')}\n`);
    if (outFile !== undefined) io.out(`wrote ${outFile}\n`);
  },
};

