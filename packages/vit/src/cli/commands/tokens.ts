// `patchwise tokens`: LLaVA visual tokens. The vision tower's hidden_states[--layer] (default -2), CLS dropped
// (--strategy default) or kept (full), then optionally the multi_modal_projector (--projector) into the
// language model's width. Matches HF modeling_llava.py get_image_features + LlavaMultiModalProjector; the
// layer and strategy defaults come from the LLaVA config next to the projector when there is one.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { openCheckpoint, openSafetensors, writeSafetensors } from '@patchwise/io';
import type { SafetensorsFile } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { concat } from '@patchwise/tensor';
import { loadLlavaProjector, projectVisualTokens, visualTokens } from '../../model/llava.js';
import type { FeatureStrategy, LlavaProjector } from '../../model/llava.js';
import { optChoice, optInt, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION, PIXELS_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { fmtShape } from '../format.js';
import { commandInputs } from '../inputs.js';
import { loadCliModel } from '../model.js';

/** The LLaVA settings a projector comes with (llava config.json fields). */
interface LlavaSettings {
  layer?: number;
  strategy?: FeatureStrategy;
  act?: string;
  bias?: boolean;
}

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
}

/** A LLaVA config beside the projector: llava_config.json, or a config.json whose model_type is llava. */
async function llavaSettings(dir: string): Promise<LlavaSettings> {
  let cfg = await readJson(path.join(dir, 'llava_config.json'));
  if (cfg === null) {
    const c = await readJson(path.join(dir, 'config.json'));
    if (c !== null && c['model_type'] === 'llava') cfg = c;
  }
  if (cfg === null) return {};
  const layer = cfg['vision_feature_layer'];
  const strategy = cfg['vision_feature_select_strategy'];
  return {
    layer: typeof layer === 'number' ? layer : undefined,
    strategy: strategy === 'default' || strategy === 'full' ? strategy : undefined,
    act: typeof cfg['projector_hidden_act'] === 'string' ? (cfg['projector_hidden_act'] as string) : undefined,
    bias: typeof cfg['multimodal_projector_bias'] === 'boolean' ? (cfg['multimodal_projector_bias'] as boolean) : undefined,
  };
}

/** --projector P: a .safetensors file, or a folder with llava_projector.safetensors or model.safetensors. */
async function openProjector(p: string): Promise<{ projector: LlavaProjector; settings: LlavaSettings }> {
  let st;
  try {
    st = await fsp.stat(p);
  } catch {
    throw new CliError(`projector ${p}: no such file or folder`);
  }
  const dir = st.isDirectory() ? p : path.dirname(p);
  const settings = await llavaSettings(dir);
  let src: SafetensorsFile;
  if (st.isDirectory()) {
    const own = path.join(p, 'llava_projector.safetensors');
    src = await fsp.stat(own).then(() => openSafetensors(own), () => openCheckpoint(p));
  } else {
    src = await openCheckpoint(p);
  }
  try {
    const projector = await loadLlavaProjector(src, src.file, { projectorHiddenAct: settings.act, bias: settings.bias });
    return { projector, settings };
  } finally {
    await src.close();
  }
}

export const tokens: Command = {
  name: 'tokens',
  summary: 'LLaVA visual tokens: a vision layer\'s patch tokens, optionally through the multi-modal projector',
  usage: [
    'tokens <image...> --model M [--layer -2] [--strategy default|full] [--projector P] --out F.safetensors',
    'tokens --pixels F.safetensors --model M [...] --out F.safetensors',
  ],
  description: [
    'Writes visual_tokens [B, N, D_vision] (hidden_states[layer], CLS dropped for "default") and, with',
    '--projector, projected_tokens [B, N, D_text]; plus the pixel_values used. P is a .safetensors file or a',
    'folder holding the multi_modal_projector tensors (and optionally the LLaVA config for the defaults).',
  ],
  options: {
    model: MODEL_OPTION,
    layer: { value: 'L', help: 'index into hidden_states (0 = embeddings, negative from the end; default -2)' },
    strategy: { value: 'S', help: 'default (drop CLS) | full (keep it); default from the LLaVA config, else default' },
    projector: { value: 'P', help: 'LLaVA multi_modal_projector weights (file or folder)' },
    out: { value: 'F', help: 'output safetensors file (required)' },
    pixels: PIXELS_OPTION,
  },
  async run(args, { io }) {
    const outFile = optString(args, 'out');
    if (outFile === undefined) throw new UsageError('tokens needs --out F.safetensors');
    const projArg = optString(args, 'projector');
    const proj = projArg !== undefined ? await openProjector(projArg) : null;
    const layer = optInt(args, 'layer', proj?.settings.layer ?? -2);
    const strategy = optChoice<FeatureStrategy>(args, 'strategy', ['default', 'full'], proj?.settings.strategy ?? 'default');
    const lm = await loadCliModel(optString(args, 'model'));
    const { batches } = await commandInputs(args, lm);
    const pix: Tensor[] = [];
    const vis: Tensor[] = [];
    for await (const b of batches) {
      pix.push(b.pixels);
      vis.push(visualTokens(lm.model, b.pixels, { layer, strategy })); // [b, N, D]
    }
    const cat = (ts: Tensor[]): Tensor => (ts.length === 1 ? ts[0]! : concat(ts, 0));
    const tensors: Record<string, Tensor> = { pixel_values: cat(pix), visual_tokens: cat(vis) };
    if (proj) tensors['projected_tokens'] = projectVisualTokens(proj.projector, tensors['visual_tokens']!); // [B, N, D_text]
    await writeSafetensors(outFile, tensors, {
      format: 'pt',
      producer: 'patchwise tokens',
      model: lm.name,
      layer: String(layer),
      strategy,
      ...(projArg !== undefined ? { projector: projArg } : {}),
    });
    io.out(`wrote ${outFile}: ${Object.entries(tensors).map(([n, t]) => `${n} ${fmtShape(t.shape)}`).join(', ')} (layer ${layer}, strategy ${strategy})\n`);
  },
};
