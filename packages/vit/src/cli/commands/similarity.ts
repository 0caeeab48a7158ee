// `patchwise similarity`: cosine similarities in the model's embedding space: images x images, and with
// --text, images x texts (CLIP's shared space). Image vectors are image_embeds when the model has a visual
// projection, else the default `embed` pooling. cos(a, b) = a.b / (|a| |b|), as CLIP compares embeddings.

import { div, matmul, mul, sqrt, sum } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { optFlag, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { fmtNum, printJson, rows, table } from '../format.js';
import { collect, commandInputs } from '../inputs.js';
import { loadCliModel } from '../model.js';
import { defaultPool, pooled, stackRows } from '../pool.js';
import type { Pool } from '../pool.js';
import { embedTexts } from '../text.js';

/** Rows scaled to unit L2 norm: [N, D] -> [N, D]. */
export function unitRows(x: Tensor): Tensor {
  return div(x, sqrt(sum(mul(x, x), -1, true)));
}

/** Cosine matrix [N, M] of the rows of a [N, D] and b [M, D]. */
export function cosineMatrix(a: Tensor, b: Tensor): Tensor {
  return matmul(unitRows(a), unitRows(b).transpose(0, 1));
}

function matrixText(rowNames: readonly string[], colNames: readonly string[], m: number[][]): string {
  const head = ['', ...colNames.map((_, j) => `[${j}]`)];
  return table([head, ...rowNames.map((r, i) => [r, ...m[i]!.map(fmtNum)])], colNames.map((_, j) => j + 1));
}

export const similarity: Command = {
  name: 'similarity',
  summary: 'cosine similarity matrices: images x images, and images x texts (CLIP)',
  usage: ['similarity <image...> [--text "..."...] [--model M] [--json]', 'similarity --pixels F.safetensors [--text "..."...] [--model M] [--json]'],
  options: {
    text: { value: 'T', repeat: true, help: 'a text to compare with every image (needs a CLIPModel)' },
    model: MODEL_OPTION,
    json: { boolean: true, help: 'print one JSON document' },
    pixels: PIXELS_OPTION,
  },
  async run(args, { io }) {
    const texts = args.lists.get('text') ?? [];
    const lm = await loadCliModel(optString(args, 'model'));
    const te = texts.length > 0 ? await embedTexts(lm, texts, 'similarity --text') : null;
    const { batches } = await commandInputs(args, lm);
    let pool: Pool | undefined;
    const { names, results } = await collect(batches, (b) => {
      const out = lm.model.forward(b.pixels);
      pool ??= defaultPool(out, lm.model.config);
      return pooled(out, lm.model.config, pool);
    });
    const img = stackRows(results); // [N, D]
    const ii = rows(cosineMatrix(img, img));
    const it = te ? rows(cosineMatrix(img, te.embeds)) : null;
    if (optFlag(args, 'json')) {
      printJson(io, { model: lm.name, embedding: pool, images: names, texts, image_image: ii, image_text: it ?? [] });
      return;
    }
    io.out(`images (embedding: ${pool}):\n`);
    names.forEach((n, i) => io.out(`  [${i}] ${n}\n`));
    io.out('\ncosine, images x images:\n');
    io.out(matrixText(names.map((_, i) => `  [${i}]`), names, ii));
    if (it) {
      io.out('\ntexts:\n');
      texts.forEach((t, j) => io.out(`  [${j}] ${t}\n`));
      io.out('\ncosine, images x texts:\n');
      io.out(matrixText(names.map((_, i) => `  [${i}]`), texts, it));
    }
  },
};
