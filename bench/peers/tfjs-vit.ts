// HF ViTForImageClassification written in @tensorflow/tfjs ops (fused conv2d / matMul with bias, LayerNorm from
// moments, softmax, erf GELU), run on the tfjs 'wasm' backend (XNNPACK; no threads under Node) or 'cpu' (pure JS).
// Optimized for being how a careful tfjs user would write it (pre-transposed weights, fused bias, 3-D matMuls).
// Semantics match HF transformers models/vit/modeling_vit.py (ViTEmbeddings, ViTSelfAttention, ViTLayer).

import type { Tensor } from '@patchwise/tensor';
import type * as TF from '@tensorflow/tfjs';
import type { PeerRunner, VitOutputs } from './types.js';
import { checkPixels } from './types.js';
import type { VitSize } from '../models/random-vit.js';
import { seqLen } from '../models/random-vit.js';

type Tf = typeof TF;
type T = TF.Tensor;

let tfModule: Tf | null = null;
let wasmThreads: () => number = () => 1;

/** Loads tfjs once, with the wasm backend registered; silences its "install tfjs-node" hint. */
async function loadTf(): Promise<Tf> {
  if (tfModule) return tfModule;
  const log = console.log;
  const warn = console.warn;
  console.log = (): void => undefined;
  console.warn = (): void => undefined;
  try {
    const tf = (await import('@tensorflow/tfjs')) as Tf;
    const wasm = await withoutNewProcessHandlers(() => import('@tensorflow/tfjs-backend-wasm')); // registers 'wasm'
    wasmThreads = wasm.getThreadsCount;
    tfModule = tf;
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/**
 * Runs `fn`, then removes any process 'uncaughtException' / 'unhandledRejection' listeners it added: the
 * emscripten glue of tfjs-backend-wasm installs ones that rethrow (crashing the host with a page of minified
 * source on any later rejection), which must not leak into the suite that hosts the peers.
 */
async function withoutNewProcessHandlers<R>(fn: () => Promise<R>): Promise<R> {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejection = new Set(process.listeners('unhandledRejection'));
  try {
    return await fn();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!uncaught.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejection.has(l)) process.removeListener('unhandledRejection', l);
  }
}

function weightOf(ws: ReadonlyMap<string, Tensor>, name: string, shape: readonly number[]): Float32Array {
  const t = ws.get(name);
  if (t === undefined) throw new Error(`tfjs-vit: checkpoint has no tensor '${name}' (expected shape [${shape.join(', ')}])`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`tfjs-vit: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return t.toArray() as Float32Array;
}

interface Linear { w: TF.Tensor2D; b: TF.Tensor1D }
interface LayerNormW { g: TF.Tensor1D; b: TF.Tensor1D }
interface Block { ln1: LayerNormW; q: Linear; k: Linear; v: Linear; o: Linear; ln2: LayerNormW; fc1: Linear; fc2: Linear }
interface TfWeights {
  patchW: TF.Tensor4D; // [16, 16, 3, D] (HWIO, what tf.conv2d wants)
  patchB: TF.Tensor1D;
  cls: TF.Tensor3D; // [1, 1, D]
  pos: TF.Tensor3D; // [1, T, D]
  blocks: Block[];
  final: LayerNormW;
  head: Linear;
}

/** Uploads the weights to the active tfjs backend, linear weights as [in, out]. */
function uploadWeights(tf: Tf, s: VitSize, ws: ReadonlyMap<string, Tensor>): TfWeights {
  const D = s.hidden;
  const linear = (prefix: string, out: number, inp: number): Linear => {
    const w = tf.tensor2d(weightOf(ws, `${prefix}.weight`, [out, inp]), [out, inp]);
    const wt = tf.transpose(w) as TF.Tensor2D;
    w.dispose();
    return { w: wt, b: tf.tensor1d(weightOf(ws, `${prefix}.bias`, [out])) };
  };
  const ln = (prefix: string): LayerNormW => ({ g: tf.tensor1d(weightOf(ws, `${prefix}.weight`, [D])), b: tf.tensor1d(weightOf(ws, `${prefix}.bias`, [D])) });
  const pw = tf.tensor4d(weightOf(ws, 'vit.embeddings.patch_embeddings.projection.weight', [D, 3, s.patch, s.patch]), [D, 3, s.patch, s.patch]);
  const patchW = tf.transpose(pw, [2, 3, 1, 0]) as TF.Tensor4D; // OIHW -> HWIO
  pw.dispose();
  const blocks: Block[] = [];
  for (let i = 0; i < s.layers; i++) {
    const L = `vit.encoder.layer.${i}`;
    blocks.push({
      ln1: ln(`${L}.layernorm_before`),
      q: linear(`${L}.attention.attention.query`, D, D),
      k: linear(`${L}.attention.attention.key`, D, D),
      v: linear(`${L}.attention.attention.value`, D, D),
      o: linear(`${L}.attention.output.dense`, D, D),
      ln2: ln(`${L}.layernorm_after`),
      fc1: linear(`${L}.intermediate.dense`, s.mlp, D),
      fc2: linear(`${L}.output.dense`, D, s.mlp),
    });
  }
  return {
    patchW,
    patchB: tf.tensor1d(weightOf(ws, 'vit.embeddings.patch_embeddings.projection.bias', [D])),
    cls: tf.tensor3d(weightOf(ws, 'vit.embeddings.cls_token', [1, 1, D]), [1, 1, D]),
    pos: tf.tensor3d(weightOf(ws, 'vit.embeddings.position_embeddings', [1, seqLen(s), D]), [1, seqLen(s), D]),
    blocks,
    final: ln('vit.layernorm'),
    head: linear('classifier', s.labels, D),
  };
}

function disposeWeights(w: TfWeights): void {
  const all: T[] = [w.patchW, w.patchB, w.cls, w.pos, w.final.g, w.final.b, w.head.w, w.head.b];
  for (const b of w.blocks) all.push(b.ln1.g, b.ln1.b, b.ln2.g, b.ln2.b, ...[b.q, b.k, b.v, b.o, b.fc1, b.fc2].flatMap((l) => [l.w, l.b]));
  for (const t of all) t.dispose();
}

/** The forward pass: pixels [B, 3, H, W] -> { logits [B, K], last_hidden_state [B, T, D] } (call inside tidy). */
function forward(tf: Tf, s: VitSize, w: TfWeights, pixels: TF.Tensor4D): [T, T] {
  const B = pixels.shape[0];
  const D = s.hidden;
  const H = s.heads;
  const Dh = D / H;
  const Tn = seqLen(s);
  const layerNorm = (x: T, p: LayerNormW): T => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, s.eps))), p.g), p.b);
  };
  // x2: [N, in] -> [N, out]
  const linear = (x2: T, l: Linear): T => tf.fused.matMul({ a: x2 as TF.Tensor2D, b: l.w, bias: l.b });

  // Patch embedding: NCHW -> NHWC, conv k=16 s=16 -> [B, 14, 14, D] -> [B, 196, D]
  const nhwc = tf.transpose(pixels, [0, 2, 3, 1]) as TF.Tensor4D;
  const patches = tf.reshape(tf.fused.conv2d({ x: nhwc, filter: w.patchW, strides: s.patch, pad: 'valid', bias: w.patchB }), [B, Tn - 1, D]);
  // [CLS | patches] + positions: [B, T, D], kept as [B*T, D] between blocks
  let x = tf.reshape(tf.add(tf.concat([tf.tile(w.cls, [B, 1, 1]), patches], 1), w.pos), [B * Tn, D]);
  const scale = 1 / Math.sqrt(Dh);
  for (const blk of w.blocks) {
    const h = layerNorm(x, blk.ln1); // [B*T, D]
    const heads = (l: Linear): T => tf.reshape(tf.transpose(tf.reshape(linear(h, l), [B, Tn, H, Dh]), [0, 2, 1, 3]), [B * H, Tn, Dh]);
    const q = heads(blk.q); // [B*H, T, Dh]
    const k = heads(blk.k);
    const v = heads(blk.v);
    const probs = tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)); // [B*H, T, T]
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, v), [B, H, Tn, Dh]), [0, 2, 1, 3]), [B * Tn, D]);
    x = tf.add(x, linear(ctx, blk.o));
    const f = linear(layerNorm(x, blk.ln2), blk.fc1); // [B*T, 4D]
    const gelu = tf.mul(tf.mul(f, 0.5), tf.add(tf.erf(tf.div(f, Math.SQRT2)), 1)); // exact GELU
    x = tf.add(x, linear(gelu, blk.fc2));
  }
  const last = tf.reshape(layerNorm(x, w.final), [B, Tn, D]);
  const cls = tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, D]), [B, D]);
  return [linear(cls, w.head), last];
}

export type TfjsBackend = 'wasm' | 'cpu';

/** A runner on the tfjs backend `backend` (one backend active per process at a time; dispose before the next). */
export async function tfjsRunner(s: VitSize, ws: ReadonlyMap<string, Tensor>, backend: TfjsBackend): Promise<PeerRunner> {
  const tf = await loadTf();
  const warn = console.warn;
  console.warn = (): void => undefined; // the cpu backend prints an "install tfjs-node" banner on its first upload
  let w: TfWeights;
  try {
    const ok = await withoutNewProcessHandlers(async () => {
      const set = await tf.setBackend(backend);
      await tf.ready();
      return set;
    });
    if (!ok) throw new Error(`tfjs: backend '${backend}' failed to initialise`);
    w = uploadWeights(tf, s, ws);
  } finally {
    console.warn = warn;
  }
  return {
    engine: 'tfjs',
    backend,
    // Under Node tfjs-wasm reports WASM_HAS_MULTITHREAD_SUPPORT false and loads its single-threaded build.
    threads: backend === 'wasm' ? wasmThreads() : 1,
    async run(pixels, batch): Promise<VitOutputs> {
      checkPixels(`tfjs-${backend}`, pixels, batch, s.image);
      const [logits, last] = tf.tidy(() => forward(tf, s, w, tf.tensor4d(pixels, [batch, 3, s.image, s.image])));
      const out = { logits: (await logits.data()) as Float32Array, lastHiddenState: (await last.data()) as Float32Array };
      logits.dispose();
      last.dispose();
      return out;
    },
    async dispose() {
      disposeWeights(w);
    },
  };
}
