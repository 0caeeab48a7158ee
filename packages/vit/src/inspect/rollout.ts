// Attention maps over the patch grid: attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in
// Transformers", section 3) and the last layer's CLS attention per head. Optimized for readability: plain loops
// on float64 over [T, T] matrices (T = 50 for the bundled model, 197 for ViT-B/16: cheap next to the forward).
// Matches the paper's rollout: per layer A' = rownorm(mean_heads(A) + I), R = A'_L ... A'_1; the CLS row of R
// over the patch tokens is the map (as in jacobgil/vit-explain's rollout with head_fusion='mean', discard 0).

import { ShapeError } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';

/** One value per patch, row-major over the patch grid (gridH rows of gridW). */
export interface PatchMap {
  gridH: number;
  gridW: number;
  /** [gridH * gridW] */
  values: Float32Array;
}

/** Where the patch tokens sit in the sequence: `prefix` leading tokens (CLS, distillation, registers), then the grid. */
export interface TokenLayout {
  prefix: number;
  gridH: number;
  gridW: number;
  /** Whether token 0 is a CLS token (rollout reads its row; without one, the mean row is used). */
  hasCls: boolean;
}

function checkAttention(a: Tensor, layout: TokenLayout, what: string): [number, number, number] {
  if (a.rank !== 4 || a.shape[2] !== a.shape[3]) throw new ShapeError(`${what}: expected attention probabilities [B, H, T, T], got [${a.shape.join(', ')}]`);
  const [B, H, T] = a.shape as [number, number, number, number];
  const want = layout.prefix + layout.gridH * layout.gridW;
  if (T !== want) {
    throw new ShapeError(`${what}: expected T = ${layout.prefix} prefix + ${layout.gridH}x${layout.gridW} patches = ${want} tokens, got ${T}`);
  }
  return [B, H, T];
}

/** Mean over heads of one image's attention: [B, H, T, T] -> [T, T] (float64, row-major). */
export function meanOverHeads(a: Tensor, batch: number): Float64Array {
  const [B, H, T] = a.shape as [number, number, number, number];
  if (batch < 0 || batch >= B) throw new RangeError(`batch index ${batch} out of range for batch size ${B}`);
  const x = a.select(0, batch).contiguous(); // [H, T, T]
  const src = x.data() as Float32Array;
  const out = new Float64Array(T * T);
  for (let h = 0; h < H; h++) {
    const base = x.offset + h * T * T;
    for (let i = 0; i < T * T; i++) out[i] += src[base + i]!;
  }
  for (let i = 0; i < T * T; i++) out[i] /= H;
  return out;
}

/**
 * The rollout product over layers, first to last: R = A'_L ... A'_1 with A'_l = rownorm(A_l + I).
 * Each A_l is [T, T] row-major (rows = queries, columns = keys, rows summing to 1). Returns R [T, T].
 */
export function rolloutMatrix(layers: readonly Float64Array[], T: number): Float64Array {
  let r = identity(T);
  for (const a of layers) {
    if (a.length !== T * T) throw new ShapeError(`rollout: expected a ${T}x${T} matrix, got ${a.length} values`);
    // A' = A + I, then each row divided by its sum (the residual connection's share of the flow)
    const ai = new Float64Array(T * T);
    for (let i = 0; i < T; i++) {
      let s = 0;
      for (let j = 0; j < T; j++) s += ai[i * T + j] = a[i * T + j]! + (i === j ? 1 : 0);
      for (let j = 0; j < T; j++) ai[i * T + j] /= s;
    }
    r = matmul(ai, r, T); // later layers multiply on the left: token i at layer l draws on tokens of layer l-1
  }
  return r;
}

function identity(T: number): Float64Array {
  const m = new Float64Array(T * T);
  for (let i = 0; i < T; i++) m[i * T + i] = 1;
  return m;
}

/** [T, T] x [T, T] -> [T, T], float64. */
function matmul(a: Float64Array, b: Float64Array, T: number): Float64Array {
  const c = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let k = 0; k < T; k++) {
      const aik = a[i * T + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < T; j++) c[i * T + j] += aik * b[k * T + j]!;
    }
  }
  return c;
}

/** The patch columns of one row (or of the mean row) of a [T, T] matrix, as a PatchMap. */
function patchRow(m: Float64Array, T: number, layout: TokenLayout, row: number | 'mean'): PatchMap {
  const N = layout.gridH * layout.gridW;
  const values = new Float32Array(N);
  for (let j = 0; j < N; j++) {
    const col = layout.prefix + j;
    if (row === 'mean') {
      let s = 0;
      for (let i = 0; i < T; i++) s += m[i * T + col]!;
      values[j] = s / T;
    } else {
      values[j] = m[row * T + col]!;
    }
  }
  return { gridH: layout.gridH, gridW: layout.gridW, values };
}

/**
 * Attention rollout of one image: attentions.0..L-1 ([B, H, T, T] each) -> how much each patch flows into the
 * CLS token's final representation (the mean token's, when the model has no CLS). `layers` limits the product
 * to the first n layers (explain draws the rollout up to each layer).
 */
export function attentionRollout(attentions: readonly Tensor[], layout: TokenLayout, opts: { batch?: number; layers?: number } = {}): PatchMap {
  if (attentions.length === 0) throw new ShapeError('rollout: no attention tensors (run the forward pass with outputAttentions)');
  const n = opts.layers ?? attentions.length;
  const per: Float64Array[] = [];
  let T = 0;
  for (let l = 0; l < n; l++) {
    [, , T] = checkAttention(attentions[l]!, layout, `attentions.${l}`);
    per.push(meanOverHeads(attentions[l]!, opts.batch ?? 0)); // [T, T]
  }
  const r = rolloutMatrix(per, T); // [T, T]
  return patchRow(r, T, layout, layout.hasCls ? 0 : 'mean');
}

/**
 * One layer's CLS attention over the patches for one image: head `head`, or the mean over heads when `head` is
 * undefined. attention [B, H, T, T] -> PatchMap (row 0, patch columns; not renormalised, so the prefix tokens'
 * share is what is missing from 1).
 */
export function clsAttention(attention: Tensor, layout: TokenLayout, opts: { batch?: number; head?: number } = {}): PatchMap {
  const [, H, T] = checkAttention(attention, layout, 'attention');
  if (!layout.hasCls) throw new ShapeError('CLS attention: this model has no CLS token (use rollout)');
  const b = opts.batch ?? 0;
  if (opts.head === undefined) return patchRow(meanOverHeads(attention, b), T, layout, 0);
  if (!Number.isInteger(opts.head) || opts.head < 0 || opts.head >= H) throw new RangeError(`head ${opts.head} out of range: the model has ${H} heads (0..${H - 1})`);
  const m = new Float64Array(attention.select(0, b).select(0, opts.head).toArray()); // [T, T]
  return patchRow(m, T, layout, 0);
}

/** The last layer's CLS attention, per head ([H] maps) and averaged over heads. */
export function lastLayerClsAttention(attentions: readonly Tensor[], layout: TokenLayout, batch = 0): { mean: PatchMap; heads: PatchMap[] } {
  const last = attentions[attentions.length - 1];
  if (!last) throw new ShapeError('CLS attention: no attention tensors (run the forward pass with outputAttentions)');
  const H = last.shape[1]!;
  const heads: PatchMap[] = [];
  for (let h = 0; h < H; h++) heads.push(clsAttention(last, layout, { batch, head: h }));
  return { mean: clsAttention(last, layout, { batch }), heads };
}
