// Applies a name table to a checkpoint: checks every tensor against the canonical shapes (reporting EVERY
// missing, unexpected or misshapen tensor at once in a WeightsError) and returns the canonical float32 weights.
// Optimized for clear failures; the conversion F16/BF16 -> F32 happens in the safetensors reader (@patchwise/io).

import type { Tensor } from '@patchwise/tensor';
import { WeightsError } from '../config/errors.js';
import type { WeightProblem } from '../config/errors.js';
import type { ShapeTable } from './canonical.js';
import type { Layout, NameRule, NameTable } from './tables.js';

/** What the loader needs of a checkpoint (the @patchwise/io safetensors reader satisfies it). */
export interface TensorSource {
  names(): string[];
  info(name: string): { readonly dtype: string; readonly shape: readonly number[] };
  tensor(name: string): Tensor;
}

/** Canonical name -> float32 tensor. */
export type WeightSet = Map<string, Tensor>;

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'float32', 'float16', 'bfloat16']);

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

interface Bound {
  from: string;
  to: readonly string[];
  layout: Layout | undefined;
}

/** Expands {p} and {i} of a table into concrete source names. */
function bindRules(rules: readonly NameRule[], prefix: string, layers: number, textLayers: number): Bound[] {
  const out: Bound[] = [];
  for (const [from, to, layout] of rules) {
    const targets = typeof to === 'string' ? [to] : [...to];
    const withP = from.replaceAll('{p}', prefix);
    if (!withP.includes('{i}')) {
      out.push({ from: withP, to: targets, layout });
      continue;
    }
    const n = targets[0]!.startsWith('text.') ? textLayers : layers;
    for (let i = 0; i < n; i++) {
      const s = String(i);
      out.push({ from: withP.replaceAll('{i}', s), to: targets.map((t) => t.replaceAll('{i}', s)), layout });
    }
  }
  return out;
}

/** The source shape a rule expects, given the canonical shape of its (first) target. */
function sourceShape(canon: readonly number[], layout: Layout | undefined): number[] {
  switch (layout) {
    case 'lead1':
      return [1, ...canon];
    case 'lead2':
      return [1, 1, ...canon];
    case 'split3':
      return [3 * canon[0]!, ...canon.slice(1)];
    default:
      return [...canon];
  }
}

/** The backbone prefix: whatever precedes the anchor tensor's name ('' when the anchor is absent). */
export function findPrefix(names: readonly string[], anchor: string): string {
  const hits = names.filter((n) => n === anchor || n.endsWith(`.${anchor}`));
  if (hits.length === 0) return '';
  // The shortest prefix wins (a CLIPModel's vision tower, not some nested copy).
  hits.sort((a, b) => a.length - b.length);
  return hits[0]!.slice(0, hits[0]!.length - anchor.length);
}

export interface MapOptions {
  layers: number;
  textLayers?: number;
  /** Names the source in error messages (a file path). */
  where: string;
  /** Use this backbone prefix instead of detecting it from the table's anchor. */
  prefix?: string;
}

/** The validated correspondence between a checkpoint and the canonical names. */
export interface WeightPlan {
  prefix: string;
  /** Source tensors to read, each with its canonical target(s) and layout. */
  rules: readonly { from: string; to: readonly string[]; layout: Layout | undefined }[];
  /** Source names that will be read (all others are ignored or absent). */
  sources: readonly string[];
  expected: ShapeTable;
}

/**
 * Checks a checkpoint's names, shapes and dtypes against `expected` without reading any data. Throws one
 * WeightsError listing every missing, unexpected or misshapen tensor.
 */
export function planWeights(src: Pick<TensorSource, 'names' | 'info'>, table: NameTable, expected: ShapeTable, opts: MapOptions): WeightPlan {
  const names = src.names();
  const prefix = opts.prefix ?? findPrefix(names, table.anchor);
  const bound = bindRules(table.rules, prefix, opts.layers, opts.textLayers ?? 0);
  const bySource = new Map<string, Bound>();
  for (const b of bound) if (b.to.every((t) => expected.has(t))) bySource.set(b.from, b);

  const problems: WeightProblem[] = [];
  const present = new Set(names);
  const covered = new Set<string>();

  for (const name of names) {
    if (table.ignore.some((re) => re.test(name))) continue;
    const info = src.info(name);
    const rule = bySource.get(name);
    if (!rule) {
      problems.push({ kind: 'unexpected', tensor: name, found: `${info.dtype} ${fmt(info.shape)}` });
      continue;
    }
    const dup = rule.to.find((t) => covered.has(t));
    if (dup !== undefined) {
      problems.push({ kind: 'unexpected', tensor: name, found: `a second source for ${dup}` });
      continue;
    }
    const want = sourceShape(expected.get(rule.to[0]!)!, rule.layout);
    if (!FLOAT_DTYPES.has(info.dtype)) {
      problems.push({ kind: 'dtype', tensor: name, expected: 'F32, F16 or BF16', found: info.dtype });
      continue;
    }
    if (fmt(want) !== fmt(info.shape)) {
      problems.push({ kind: 'shape', tensor: name, expected: fmt(want), found: fmt(info.shape) });
      continue;
    }
    rule.to.forEach((t) => covered.add(t));
  }
  // Each canonical tensor must come from one present source; alternatives (DeiT `cls_classifier` or
  // `classifier`) are all named when none is there.
  const producers = new Map<string, Bound[]>();
  for (const b of bySource.values()) for (const t of b.to) producers.set(t, [...(producers.get(t) ?? []), b]);
  for (const [canon, shape] of expected) {
    if (covered.has(canon)) continue;
    const alts = producers.get(canon);
    if (!alts) {
      // A canonical tensor that no rule of this table can produce is a config/format mismatch; name it too.
      problems.push({ kind: 'missing', tensor: `(${table.format} has no name for ${canon})`, expected: fmt(shape) });
      continue;
    }
    if (alts.some((b) => present.has(b.from))) continue; // reported above as a shape/dtype problem
    const first = alts[0]!;
    if (first.to.length > 1 && first.to[0] !== canon) continue; // a split source: reported once, for its first part
    problems.push({
      kind: 'missing',
      tensor: alts.map((b) => b.from).join(' or '),
      expected: fmt(sourceShape(expected.get(first.to[0]!)!, first.layout)),
    });
  }
  if (problems.length > 0) throw new WeightsError(`${opts.where} (${table.format}${prefix ? `, prefix "${prefix}"` : ''})`, problems);
  const rules = [...bySource.values()].filter((b) => present.has(b.from));
  return { prefix, rules, sources: rules.map((r) => r.from), expected };
}

/** Builds the canonical weights from a plan and the source tensors (float32; split3 parts copied out). */
export function assembleWeights(plan: WeightPlan, tensorOf: (name: string) => Tensor): WeightSet {
  const out: WeightSet = new Map();
  for (const b of plan.rules) {
    const t = tensorOf(b.from);
    const canonShape = plan.expected.get(b.to[0]!)!;
    if (b.layout === 'split3') {
      const rows = canonShape[0]!;
      b.to.forEach((name, k) => out.set(name, t.narrow(0, k * rows, rows).contiguous().reshape(canonShape)));
    } else {
      out.set(b.to[0]!, t.contiguous().reshape(canonShape));
    }
  }
  return out;
}

/** planWeights + assembleWeights for a source whose tensors are available synchronously. */
export function mapWeights(src: TensorSource, table: NameTable, expected: ShapeTable, opts: MapOptions): WeightSet {
  return assembleWeights(planWeights(src, table, expected, opts), (n) => src.tensor(n));
}
