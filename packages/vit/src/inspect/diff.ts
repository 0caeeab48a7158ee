// Comparing our forward pass with a reference dump (PyTorch / transformers): per tensor max-abs error and NMSE,
// a pass/fail against |ours - ref| <= atol + rtol * |ref| (numpy.allclose's rule, elementwise), and the first
// tensor in forward order that fails, named by layer. Optimized for a report a person can act on.
// Names follow HF outputs: hidden_states.0 = embeddings, hidden_states.i = layer i-1's output, attentions.i =
// layer i's probabilities, last_hidden_state after the final norm, pooler_output, logits (modeling_vit.py).

import type { Tensor } from '@patchwise/tensor';

export interface Tolerance {
  /** Absolute part (default 1e-4). */
  atol: number;
  /** Relative part, times |reference| (default 1e-4). */
  rtol: number;
}

export const DEFAULT_DIFF_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-4 };

export type DiffStatus = 'ok' | 'diverged' | 'shape-mismatch';

export interface DiffRow {
  /** HF output name (hidden_states.2, logits, ...). */
  name: string;
  /** Where in the model it comes from: 'embeddings', 'layer 1', 'final norm', 'head'... */
  stage: string;
  shape: number[];
  refShape: number[];
  maxAbs: number;
  /** sum((ours - ref)^2) / sum(ref^2); 0 when both are zero. */
  nmse: number;
  /** Elements outside atol + rtol * |ref|. */
  violations: number;
  status: DiffStatus;
}

export interface DiffReport {
  tolerance: Tolerance;
  /** Compared tensors in forward order. */
  rows: DiffRow[];
  /** The first row (forward order) that is not 'ok', or null when everything is within tolerance. */
  firstDivergence: DiffRow | null;
  /** Reference tensors we do not produce (e.g. an extra debug tensor), listed, not compared. */
  notProduced: string[];
}

/** Inputs a dump carries next to the outputs; never compared. */
export const INPUT_NAMES: readonly string[] = ['pixel_values', 'input_ids', 'attention_mask'];

const VISION_TAIL = ['last_hidden_state', 'pooler_output', 'pre_logits', 'image_features', 'image_embeds', 'cls_logits', 'distillation_logits', 'logits'];
const TEXT_TAIL = ['text_last_hidden_state', 'text_eos_positions', 'text_pooler_output', 'text_features', 'text_embeds', 'logits_per_image', 'logits_per_text'];

/**
 * Forward-order key of an HF output name: vision embeddings, then per layer attention then output, then the
 * vision heads; then the CLIP text tower the same way, and the image-text scores; unknown names last.
 */
export function forwardOrder(name: string): [number, number] {
  const m = /^(text_)?(hidden_states|attentions)\.(\d+)$/.exec(name);
  if (m) {
    const i = Number(m[3]);
    // attentions.i is computed inside layer i, before its output hidden_states.(i+1)
    return [m[1] ? 3 : 1, m[2] === 'attentions' ? 2 * i + 1 : 2 * i];
  }
  if (VISION_TAIL.includes(name)) return [2, VISION_TAIL.indexOf(name)];
  if (TEXT_TAIL.includes(name)) return [4, TEXT_TAIL.indexOf(name)];
  return [5, 0];
}

/** The model stage an output name belongs to. */
export function stageOf(name: string): string {
  const m = /^(text_)?(hidden_states|attentions)\.(\d+)$/.exec(name);
  if (m) {
    const i = Number(m[3]);
    const tower = m[1] ? 'text ' : '';
    if (m[2] === 'attentions') return `${tower}layer ${i}`;
    return i === 0 ? `${tower}embeddings` : `${tower}layer ${i - 1}`;
  }
  const stages: Readonly<Record<string, string>> = {
    last_hidden_state: 'final norm', pooler_output: 'pooler', pre_logits: 'pooler', image_features: 'projection',
    image_embeds: 'projection', cls_logits: 'head', distillation_logits: 'head', logits: 'head',
    text_last_hidden_state: 'text final norm', text_eos_positions: 'text pooler', text_pooler_output: 'text pooler',
    text_features: 'text projection', text_embeds: 'text projection', logits_per_image: 'scores', logits_per_text: 'scores',
  };
  return stages[name] ?? name;
}

/** max |a - b|, NMSE and the number of elements outside tolerance, over two same-shape tensors. */
export function compareTensors(ours: Tensor, ref: Tensor, tol: Tolerance = DEFAULT_DIFF_TOLERANCE): { maxAbs: number; nmse: number; violations: number } {
  const a = ours.toArray();
  const b = ref.toArray();
  if (a.length !== b.length) throw new RangeError(`compareTensors: ${a.length} vs ${b.length} elements`);
  let maxAbs = 0;
  let err = 0;
  let energy = 0;
  let violations = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    // NaN anywhere counts as a violation and makes maxAbs NaN-proof: report it as Infinity
    if (!(d <= tol.atol + tol.rtol * Math.abs(b[i]!))) violations++;
    const dd = Number.isNaN(d) ? Infinity : d;
    if (dd > maxAbs) maxAbs = dd;
    err += dd * dd;
    energy += b[i]! * b[i]!;
  }
  const nmse = energy > 0 ? err / energy : err > 0 ? Infinity : 0;
  return { maxAbs, nmse, violations };
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Compares every reference tensor we also produce (inputs such as pixel_values are skipped). `ours` and
 * `reference` map HF names to tensors.
 */
export function diffOutputs(ours: Readonly<Record<string, Tensor>>, reference: Readonly<Record<string, Tensor>>, tol: Tolerance = DEFAULT_DIFF_TOLERANCE): DiffReport {
  const rows: DiffRow[] = [];
  const notProduced: string[] = [];
  const names = Object.keys(reference)
    .filter((n) => !INPUT_NAMES.includes(n))
    .sort((x, y) => {
      const [a1, a2] = forwardOrder(x);
      const [b1, b2] = forwardOrder(y);
      return a1 - b1 || a2 - b2 || x.localeCompare(y);
    });
  for (const name of names) {
    const r = reference[name]!;
    const o = ours[name];
    if (!o) {
      notProduced.push(name);
      continue;
    }
    const base = { name, stage: stageOf(name), shape: [...o.shape], refShape: [...r.shape] };
    if (!sameShape(o.shape, r.shape)) {
      rows.push({ ...base, maxAbs: Infinity, nmse: Infinity, violations: r.size, status: 'shape-mismatch' });
      continue;
    }
    const c = compareTensors(o, r, tol);
    rows.push({ ...base, ...c, status: c.violations === 0 ? 'ok' : 'diverged' });
  }
  return { tolerance: tol, rows, firstDivergence: rows.find((r) => r.status !== 'ok') ?? null, notProduced };
}

const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
const fmtNum = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));

/** A fixed-width table plus a verdict line naming the first divergent layer. */
export function formatDiff(report: DiffReport): string {
  const lines: string[] = [];
  const w = Math.max(4, ...report.rows.map((r) => r.name.length));
  const sw = Math.max(5, ...report.rows.map((r) => r.stage.length));
  const hw = Math.max(5, ...report.rows.map((r) => fmtShape(r.shape).length));
  lines.push(`${'name'.padEnd(w)}  ${'stage'.padEnd(sw)}  ${'shape'.padEnd(hw)}  ${'max-abs'.padStart(9)}  ${'NMSE'.padStart(9)}  status`);
  for (const r of report.rows) {
    const status = r.status === 'shape-mismatch' ? `SHAPE MISMATCH (reference ${fmtShape(r.refShape)})` : r.status === 'ok' ? 'ok' : `DIVERGED (${r.violations} elements)`;
    lines.push(`${r.name.padEnd(w)}  ${r.stage.padEnd(sw)}  ${fmtShape(r.shape).padEnd(hw)}  ${fmtNum(r.maxAbs).padStart(9)}  ${fmtNum(r.nmse).padStart(9)}  ${status}`);
  }
  if (report.notProduced.length > 0) lines.push(`not compared (we do not produce them): ${report.notProduced.join(', ')}`);
  const t = report.tolerance;
  const rule = `|ours - ref| <= ${t.atol} + ${t.rtol} * |ref|`;
  const f = report.firstDivergence;
  if (report.rows.length === 0) lines.push('nothing compared: the reference has none of our output names');
  else if (f) lines.push(`first divergence: ${f.stage} (${f.name}), max-abs ${fmtNum(f.maxAbs)} beyond ${rule}`);
  else lines.push(`all ${report.rows.length} tensors within ${rule}`);
  return lines.join('\n');
}
