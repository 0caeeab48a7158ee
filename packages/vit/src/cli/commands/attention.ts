// `patchwise attention`: where the model looks, as one value per patch: attention rollout (Abnar & Zuidema
// 2020) or the last layer's CLS attention (one head or the mean), printed as JSON or drawn as a viridis overlay
// on the original image at its own size. Optimized for pictures that line up with the image: the patch grid is
// placed on the part of the original the model saw (resize + crop inverted) and upsampled bilinearly.

import { loadImageFile, preprocess, toModelMode, toRGB, writePNGFile } from '@patchwise/io';
import type { DecodedImage } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { numPrefixTokens } from '../../config/types.js';
import { attentionRollout, clsAttention, heatmapImage, inputRegion, overlayHeatmap } from '../../inspect/index.js';
import type { PatchMap, TokenLayout } from '../../inspect/index.js';
import { optChoice, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { printJson } from '../format.js';
import { checkImageFiles, readPixelFile } from '../inputs.js';
import { loadCliModel } from '../model.js';

export const attention: Command = {
  name: 'attention',
  summary: 'attention rollout or last-layer CLS attention per patch, as JSON or a heat-map overlay PNG',
  usage: [
    'attention <image> [--model M] [--method rollout|last-cls] [--head H] [--out heat.png] [--alpha A]',
    'attention --pixels px.safetensors [--model M] [--method rollout|last-cls] [--head H] [--out heat.png]',
  ],
  description: [
    'rollout: per layer, mean over heads + identity, rows renormalised, multiplied from the first layer to the',
    'last; the CLS row over the patches, or the mean row for models without CLS such as SigLIP (Abnar &',
    'Zuidema 2020). last-cls: the last layer\'s CLS attention to each patch, for --head H (0-based) or the mean',
    'over heads. Without --out, prints',
    '{"image", "model", "method", "head", "grid": [rows, cols], "values": [[...], ...]} (one row per grid row).',
    'With --pixels (pixel_values [1, C, H, W]), --out writes the colour map alone at the input size.',
  ],
  options: {
    model: MODEL_OPTION,
    method: { value: 'rollout|last-cls', help: 'which map (default rollout)' },
    head: { value: 'H', help: 'with --method last-cls: one head (0-based) instead of the mean over heads' },
    out: { value: 'heat.png', help: 'write the overlay on the original image (same size) as PNG instead of printing JSON' },
    pixels: PIXELS_OPTION,
    alpha: { value: 'A', help: 'weight of the colour map in the overlay, 0..1 (default 0.5)' },
  },
  async run(args, { io }) {
    const pixelsFile = optString(args, 'pixels');
    if (pixelsFile !== undefined && args.positionals.length > 0) throw new UsageError('give one image or --pixels, not both');
    if (pixelsFile === undefined && args.positionals.length !== 1) throw new UsageError(`attention takes one image, got ${args.positionals.length}`);
    const method = optChoice(args, 'method', ['rollout', 'last-cls'] as const, 'rollout');
    const headArg = optString(args, 'head');
    if (headArg !== undefined && method !== 'last-cls') throw new UsageError('--head applies to --method last-cls (rollout averages the heads)');
    const alpha = Number(optString(args, 'alpha', '0.5'));
    if (!(alpha >= 0 && alpha <= 1)) throw new UsageError(`--alpha expects a number in [0, 1], got '${optString(args, 'alpha')}'`);
    const outFile = optString(args, 'out');

    if (pixelsFile === undefined) await checkImageFiles(args.positionals);
    const lm = await loadCliModel(optString(args, 'model'));
    const cfg = lm.model.config;
    let image: DecodedImage | null = null;
    let pixels: Tensor; // [1, C, H, W]
    if (pixelsFile !== undefined) {
      pixels = (await readPixelFile(pixelsFile, lm)).batch.pixels;
      if (pixels.shape[0] !== 1) throw new CliError(`${pixelsFile}: expected pixel_values for one image ([1, C, H, W]), found [${pixels.shape.join(', ')}]`);
    } else {
      image = await loadImageFile(args.positionals[0]!); // EXIF orientation applied, like HF load_image
      pixels = preprocess([toModelMode(image, lm.preprocess)], lm.preprocess);
    }
    const out = lm.model.forward(pixels, { outputAttentions: true });
    const attentions = Array.from({ length: cfg.layers }, (_, l) => out[`attentions.${l}`]!); // L x [1, heads, T, T]
    const layout: TokenLayout = {
      prefix: numPrefixTokens(cfg),
      gridH: Math.floor(pixels.shape[2]! / cfg.patchSize),
      gridW: Math.floor(pixels.shape[3]! / cfg.patchSize),
      hasCls: cfg.tokens.cls,
    };

    let map: PatchMap;
    let head: number | null = null;
    if (method === 'rollout') {
      map = attentionRollout(attentions, layout);
    } else {
      if (!cfg.tokens.cls) throw new CliError(`${lm.dir}: ${cfg.architecture} has no CLS token; use --method rollout`);
      if (headArg !== undefined) {
        head = Number(headArg);
        if (!Number.isInteger(head) || head < 0 || head >= cfg.heads) throw new UsageError(`--head expects an integer in 0..${cfg.heads - 1} (the model has ${cfg.heads} heads), got '${headArg}'`);
      }
      map = clsAttention(attentions[attentions.length - 1]!, layout, head === null ? {} : { head });
    }

    if (outFile === undefined) {
      const values = Array.from({ length: map.gridH }, (_, r) => Array.from(map.values.subarray(r * map.gridW, (r + 1) * map.gridW)));
      printJson(io, { image: pixelsFile ?? args.positionals[0]!, model: lm.name, method, head, grid: [map.gridH, map.gridW], values });
      return;
    }
    // The overlay goes on the original image at its own size; from --pixels there is no image: the map alone.
    const overlay = image
      ? overlayHeatmap(toRGB(image), map, { alpha, region: inputRegion(image.width, image.height, lm.preprocess) })
      : heatmapImage(map, pixels.shape[3]!, pixels.shape[2]!);
    await writePNGFile(outFile, overlay);
    io.out(`wrote ${outFile} (${overlay.width}x${overlay.height}, ${method}${head !== null ? ` head ${head}` : ''}, ${map.gridH}x${map.gridW} patches)\n`);
  },
};
