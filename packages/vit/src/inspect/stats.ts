// Summary numbers for the explain report: per-channel statistics of pixel_values, attention entropy per head,
// token norms of the residual stream, softmax top-k. Optimized for clarity (float64 accumulation, plain loops).
// Entropy is in nats, -sum p ln p over keys, averaged over query tokens (uniform attention over T tokens = ln T).

import type { Tensor } from '@patchwise/tensor';

/** Per-channel mean and (population) standard deviation of one image: pixels [B, C, H, W]. */
export function channelStats(pixels: Tensor, batch = 0): { mean: number[]; std: number[] } {
  const x = pixels.select(0, batch).contiguous(); // [C, H, W]
  const [C, H, W] = x.shape as [number, number, number];
  const d = x.data() as Float32Array;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    let s2 = 0;
    const base = x.offset + c * H * W;
    for (let i = 0; i < H * W; i++) s += d[base + i]!;
    const m = s / (H * W);
    for (let i = 0; i < H * W; i++) s2 += (d[base + i]! - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(s2 / (H * W)));
  }
  return { mean, std };
}

/** Mean over query tokens of each head's attention entropy (nats): attention [B, H, T, T] -> [H]. */
export function attentionEntropy(attention: Tensor, batch = 0): number[] {
  const a = attention.select(0, batch).contiguous(); // [H, T, T]
  const [H, T] = a.shape as [number, number, number];
  const d = a.data() as Float32Array;
  const out: number[] = [];
  for (let h = 0; h < H; h++) {
    let total = 0;
    for (let i = 0; i < T; i++) {
      const row = a.offset + (h * T + i) * T;
      let e = 0;
      for (let j = 0; j < T; j++) {
        const p = d[row + j]!;
        if (p > 0) e -= p * Math.log(p); // 0 ln 0 = 0
      }
      total += e;
    }
    out.push(total / T);
  }
  return out;
}

/** Mean over tokens of the L2 norm of each token vector: x [B, T, D] -> scalar (one image). */
export function meanTokenNorm(x: Tensor, batch = 0, minus?: Tensor): number {
  const a = x.select(0, batch).contiguous(); // [T, D]
  const b = minus ? minus.select(0, batch).contiguous() : null;
  const [T, D] = a.shape as [number, number];
  const da = a.data() as Float32Array;
  const db = b ? (b.data() as Float32Array) : null;
  let total = 0;
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let k = 0; k < D; k++) {
      const v = da[a.offset + t * D + k]! - (db ? db[b!.offset + t * D + k]! : 0);
      s += v * v;
    }
    total += Math.sqrt(s);
  }
  return total / T;
}

export interface Prediction {
  index: number;
  label: string;
  prob: number;
}

/** Softmax over one row of logits, the k most probable classes first. */
export function topK(logits: ArrayLike<number>, k: number, labels: readonly string[] | null): Prediction[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const e = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const z = e.reduce((s, v) => s + v, 0);
  return e
    .map((v, i) => ({ index: i, label: labels?.[i] ?? `class ${i}`, prob: v / z }))
    .sort((a, b) => b.prob - a.prob || a.index - b.index)
    .slice(0, k);
}
