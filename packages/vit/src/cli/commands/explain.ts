// `patchwise explain`: walks the encoder's pipeline on the user's own image and prints each step with real
// shapes and numbers (decode, preprocess, patches, projection, tokens + positions, each block, output); --save
// writes pictures of the patch grid and of each layer's attention. Optimized for learning: the report's
// sections match docs/walkthrough.md; the numbers come from inspect/explain.ts (the model's own code + hook).

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { loadImageFile, writePNGFile } from '@patchwise/io';
import {
  attentionRollout, clsAttention, displayScale, enlarge, explainImage, formatExplain, overlayHeatmap, patchGridImage, positionSimilarityImage,
  projectionFiltersImage,
} from '../../inspect/index.js';
import type { VisionModel } from '../../model/vision.js';
import type { ExplainResult } from '../../inspect/index.js';
import { optFlag, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION } from '../command.js';
import { UsageError } from '../errors.js';
import { printJson } from '../format.js';
import { checkImageFiles } from '../inputs.js';
import { loadCliModel } from '../model.js';

/**
 * The pictures of --save, drawn on the model input enlarged to >= 224 px: the patch grid, each layer's CLS
 * attention (mean over heads; the rollout up to that layer for models without CLS), and the full rollout;
 * plus two pictures of learned parameters: the projection filters and the position-embedding similarities.
 */
export async function savePictures(dir: string, r: ExplainResult, model: VisionModel): Promise<string[]> {
  const patch = model.config.patchSize;
  await fsp.mkdir(dir, { recursive: true });
  const scale = displayScale(r.input.width, r.input.height);
  const big = enlarge(r.input, scale); // [h * scale, w * scale, 3]
  const written: string[] = [];
  const save = async (name: string, img: Parameters<typeof writePNGFile>[1]): Promise<void> => {
    const file = path.join(dir, name);
    await writePNGFile(file, img);
    written.push(file);
  };
  await save('input.png', big);
  await save('patches.png', patchGridImage(r.input, patch, scale));
  for (let l = 0; l < r.attentions.length; l++) {
    const map = r.layout.hasCls ? clsAttention(r.attentions[l]!, r.layout) : attentionRollout(r.attentions, r.layout, { layers: l + 1 });
    await save(`attention-layer-${l}.png`, overlayHeatmap(big, map, { alpha: 0.6 }));
  }
  await save('rollout.png', overlayHeatmap(big, attentionRollout(r.attentions, r.layout), { alpha: 0.6 }));
  await save('projection-filters.png', projectionFiltersImage(model.weights.get('patch.weight')!));
  const [gh, gw] = model.config.position.grid;
  await save('position-similarity.png', positionSimilarityImage(model.weights.get('pos')!, model.config.position.prefixRows, gh, gw, Math.max(2, Math.ceil(32 / gw))));
  return written;
}

export const explain: Command = {
  name: 'explain',
  summary: 'walk the pipeline on one image: each step with its shapes and real numbers (--save DIR: pictures)',
  usage: ['explain <image> [--model M] [--save DIR] [--json]'],
  description: [
    'Steps: decode, resize/crop/normalize (per-channel mean and std of the result), patches, patch projection,',
    'prefix tokens and position embeddings (resized if the grid differs), each block (attention entropy per',
    'head, residual norms), output (top labels or embedding norm). --save DIR writes input.png, patches.png,',
    'attention-layer-N.png (CLS attention, mean over heads), rollout.png, projection-filters.png (the patch',
    'projection\'s learned filters) and position-similarity.png (cosine similarity between position embeddings).',
  ],
  options: {
    model: MODEL_OPTION,
    save: { value: 'DIR', help: 'write the patch-grid and per-layer attention pictures (PNG) into DIR' },
    json: { boolean: true, help: 'print the report as one JSON document' },
  },
  async run(args, { io }) {
    if (args.positionals.length !== 1) throw new UsageError(`explain takes one image, got ${args.positionals.length}`);
    const file = args.positionals[0]!;
    await checkImageFiles([file]);
    const lm = await loadCliModel(optString(args, 'model'));
    const image = await loadImageFile(file);
    const r = explainImage(lm.model, image, lm.preprocess, file);
    if (optFlag(args, 'json')) printJson(io, { model: lm.name, ...r.report });
    else io.out(`model ${lm.name} (${lm.model.config.architecture}, ${lm.model.config.layers} layers x ${lm.model.config.heads} heads, D = ${lm.model.config.hidden})\n` + formatExplain(r.report));
    const dir = optString(args, 'save');
    if (dir !== undefined) {
      const files = await savePictures(dir, r, lm.model);
      (optFlag(args, 'json') ? io.err.bind(io) : io.out.bind(io))(`wrote ${files.length} pictures to ${dir}: ${files.map((f) => path.basename(f)).join(', ')}\n`);
    }
  },
};
