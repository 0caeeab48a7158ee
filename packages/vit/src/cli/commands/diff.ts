// `patchwise diff`: runs our forward pass on the reference's own pixel_values and compares every tensor of a
// PyTorch dump (hidden_states.N, attentions.N, last_hidden_state, pooler_output, logits) with ours: max-abs
// error, NMSE, and the first layer beyond tolerance. Optimized for locating a bug: forward order, named stages.
// The dump format is what docs/diff.md's transformers snippet writes (safetensors.torch.save_file).

import { openSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { DEFAULT_DIFF_TOLERANCE, diffOutputs, formatDiff } from '../../inspect/index.js';
import { optFlag, optString } from '../args.js';
import type { Command } from '../command.js';
import { MODEL_OPTION } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { printJson } from '../format.js';
import { readPixelFile } from '../inputs.js';
import { loadCliModel } from '../model.js';

function tolerance(args: Parameters<Command['run']>[0], name: 'atol' | 'rtol'): number {
  const s = optString(args, name);
  if (s === undefined) return DEFAULT_DIFF_TOLERANCE[name];
  const v = Number(s);
  if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`--${name} expects a number >= 0, got '${s}'`);
  return v;
}

/** Every tensor of a safetensors file, by name (decoded to float32 / int32). */
async function readAll(file: string): Promise<Record<string, Tensor>> {
  const st = await openSafetensors(file);
  try {
    const out: Record<string, Tensor> = {};
    for (const n of st.names()) out[n] = await st.tensor(n);
    return out;
  } finally {
    await st.close();
  }
}

export const diff: Command = {
  name: 'diff',
  summary: 'compare our forward pass with a PyTorch dump: per-layer max-abs error and NMSE, first divergent layer',
  usage: ['diff --reference ref.safetensors [--model M] [--pixels px.safetensors] [--atol A] [--rtol R] [--json]'],
  description: [
    'The reference holds HF-named outputs (hidden_states.N, attentions.N, last_hidden_state, pooler_output,',
    'logits) and normally pixel_values, the input they came from (else give --pixels); for a CLIPModel, with',
    'input_ids (and attention_mask) the text tower is compared too (text_*, logits_per_*). A tensor passes when',
    'every element has |ours - ref| <= atol + rtol * |ref| (defaults 1e-4, 1e-4). Exit code 1 when any tensor',
    'diverges. How to make a dump with transformers: docs/diff.md.',
  ],
  options: {
    model: MODEL_OPTION,
    reference: { value: 'ref.safetensors', help: 'the PyTorch dump to compare with (required)' },
    pixels: { value: 'px.safetensors', help: 'read pixel_values from this file instead of the reference' },
    atol: { value: 'A', help: 'absolute tolerance (default 1e-4)' },
    rtol: { value: 'R', help: 'relative tolerance, times |ref| (default 1e-4)' },
    json: { boolean: true, help: 'print the report as one JSON document' },
  },
  async run(args, { io }) {
    if (args.positionals.length > 0) throw new UsageError(`diff takes no positional arguments, got '${args.positionals[0]}'`);
    const refFile = optString(args, 'reference');
    if (refFile === undefined) throw new UsageError('diff needs --reference ref.safetensors');
    const tol = { atol: tolerance(args, 'atol'), rtol: tolerance(args, 'rtol') };
    const lm = await loadCliModel(optString(args, 'model'));
    const reference = await readAll(refFile);
    const pixelsFile = optString(args, 'pixels');
    let pixels: Tensor;
    let inputIds: Tensor | undefined = reference['input_ids'];
    let attentionMask: Tensor | undefined = reference['attention_mask'];
    if (pixelsFile !== undefined) {
      const pf = await readPixelFile(pixelsFile, lm);
      pixels = pf.batch.pixels;
      inputIds = pf.inputIds ?? inputIds;
      attentionMask = pf.attentionMask ?? attentionMask;
    } else {
      const px = reference['pixel_values'];
      if (!px) throw new CliError(`${refFile}: has no pixel_values; give the input with --pixels px.safetensors`);
      pixels = px;
    }
    const names = Object.keys(reference);
    const withText = inputIds !== undefined && lm.model.hasText; // CLIPModel: compare the text tower too
    const ours = lm.model.forward(pixels, {
      outputHiddenStates: names.some((n) => /^(text_)?hidden_states\./.test(n)),
      outputAttentions: names.some((n) => n.startsWith('attentions.')),
      ...(withText ? { inputIds, attentionMask } : {}),
    });
    const report = diffOutputs(ours, reference, tol);
    if (report.rows.length === 0) {
      throw new CliError(`${refFile}: none of its tensors (${names.join(', ')}) is an output we produce (expected hidden_states.N, last_hidden_state, logits...)`);
    }
    if (optFlag(args, 'json')) {
      const finite = (v: number): number | null => (Number.isFinite(v) ? v : null); // JSON has no Infinity
      printJson(io, {
        model: lm.name,
        reference: refFile,
        tolerance: tol,
        tensors: report.rows.map((r) => ({ ...r, maxAbs: finite(r.maxAbs), nmse: finite(r.nmse) })),
        firstDivergence: report.firstDivergence ? { name: report.firstDivergence.name, stage: report.firstDivergence.stage } : null,
        notCompared: report.notProduced,
      });
    } else {
      io.out(`model ${lm.name}\nreference ${refFile}\n${formatDiff(report)}\n`);
    }
    return report.firstDivergence ? 1 : 0;
  },
};
