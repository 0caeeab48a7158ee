// v7: generated micro-kernels to sweep the tile shape (MR x NR) and the packed-A element type. The body is
// written out as source text (one accumulator per local, fully unrolled over the tile) and compiled with
// new Function, so V8 sees the same straight-line code a hand-written kernel would give it.
// Packed A in a Float64Array skips the float32 -> float64 conversion of the A loads (A is small: M x KC).
import type { GemmVersion } from './types.js';

interface Packed { K: number; N: number; data: Float32Array }
type Run = (M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array, Ap: Float64Array | Float32Array) => void;

function packB(B: Float32Array, K: number, N: number, NR: number): Packed {
  const panels = Math.ceil(N / NR);
  const data = new Float32Array(panels * K * NR);
  for (let p = 0; p < panels; p++) for (let k = 0; k < K; k++) for (let j = 0; j < NR && p * NR + j < N; j++) data[(p * K + k) * NR + j] = B[k * N + p * NR + j]!;
  return { K, N, data };
}

function generate(MR: number, NR: number, KC: number, f32math = false): Run {
  const acc = (r: number, j: number): string => `c${r}_${j}`;
  const lines: string[] = [];
  lines.push(`const panels = Math.ceil(N / ${NR}); const tiles = Math.ceil(M / ${MR});`);
  lines.push(`for (let k0 = 0; k0 < K; k0 += ${KC}) { const kb = Math.min(${KC}, K - k0); const first = k0 === 0;`);
  lines.push(`Ap.fill(0);`);
  lines.push(`for (let t = 0; t < tiles; t++) for (let r = 0; r < ${MR} && t * ${MR} + r < M; r++) { const s = (t * ${MR} + r) * K + k0; const d = t * kb * ${MR} + r; for (let k = 0; k < kb; k++) Ap[d + k * ${MR}] = A[s + k]; }`);
  lines.push(`for (let p = 0; p < panels; p++) { const w = Math.min(${NR}, N - p * ${NR}); const b0 = p * K * ${NR} + k0 * ${NR};`);
  lines.push(`for (let t = 0; t < tiles; t++) {`);
  for (let r = 0; r < MR; r++) lines.push(`let ${Array.from({ length: NR }, (_, j) => `${acc(r, j)} = 0`).join(', ')};`);
  lines.push(`let a = t * kb * ${MR}; let b = b0;`);
  lines.push(`for (let k = 0; k < kb; k++, a += ${MR}, b += ${NR}) {`);
  for (let r = 0; r < MR; r++) lines.push(`const x${r} = Ap[a + ${r}];`);
  for (let j = 0; j < NR; j++) lines.push(`const y${j} = B[b + ${j}];`);
  // f32math: every operation rounded with Math.fround, which V8 compiles to single-precision mulss/addss.
  const upd = (r: number, j: number): string =>
    f32math ? `${acc(r, j)} = Math.fround(${acc(r, j)} + Math.fround(x${r} * y${j}));` : `${acc(r, j)} += x${r} * y${j};`;
  for (let r = 0; r < MR; r++) lines.push(Array.from({ length: NR }, (_, j) => upd(r, j)).join(' '));
  lines.push(`}`);
  for (let r = 0; r < MR; r++) {
    lines.push(`if (t * ${MR} + ${r} < M) { const c = (t * ${MR} + ${r}) * N + p * ${NR};`);
    for (let j = 0; j < NR; j++) lines.push(`if (${j} < w) C[c + ${j}] = first ? ${acc(r, j)} : C[c + ${j}] + ${acc(r, j)};`);
    lines.push(`}`);
  }
  lines.push(`}}}`);
  return new Function('M', 'N', 'K', 'A', 'B', 'C', 'Ap', lines.join('\n')) as Run;
}

function version(MR: number, NR: number, f64: boolean, KC = 256, f32math = false): GemmVersion<Packed> {
  const run = generate(MR, NR, KC, f32math);
  return {
    name: `v7-gen-${MR}x${NR}-${f64 ? 'A64' : 'A32'}${f32math ? '-f32math' : ''}`,
    about: `generated ${MR}x${NR} tile, packed A as ${f64 ? 'Float64' : 'Float32'}, KC ${KC}${f32math ? ', float32 arithmetic via Math.fround' : ''}`,
    prepare: (B, K, N) => packB(B, K, N, NR),
    run(M, N, K, A, pb, C) {
      const Ap = f64 ? new Float64Array(Math.ceil(M / MR) * MR * KC) : new Float32Array(Math.ceil(M / MR) * MR * KC);
      run(M, N, K, A, pb.data, C, Ap);
    },
  };
}

export const v7s: GemmVersion<Packed>[] = [
  version(4, 8, true),
  version(4, 8, false),
  version(3, 8, true),
  version(2, 8, true),
  version(4, 4, true),
  version(6, 4, true),
  version(8, 4, true),
  version(2, 16, true),
  // Rejected: float32 arithmetic is 3-4x SLOWER in V8 (0.8 vs 2.8 GFLOP/s in the same loaded run; the fround
  // pattern does not turn into packed or even plain single-precision code here).
  version(4, 8, false, 256, true),
];
