// The ONNX graph of an HF ViTForImageClassification built from its safetensors weights (HF tensor names), and
// runners for onnxruntime-node (native) and onnxruntime-web (wasm). Optimized for being the graph an exporter
// would write (Conv patchify, MatMul+Add linears, LayerNormalization, Erf GELU) so ORT's fusions apply as usual.
// Semantics match HF transformers models/vit/modeling_vit.py (ViTEmbeddings, ViTSelfAttention, ViTLayer).

import type { Tensor } from '@patchwise/tensor';
import { DataType, OnnxGraph } from './onnx-writer.js';
import type { PeerRunner, VitOutputs } from './types.js';
import { checkPixels } from './types.js';
import type { VitSize } from '../models/random-vit.js';
import { seqLen } from '../models/random-vit.js';

/** Looks a weight up by HF name, checking its shape (typed error naming the tensor). */
function weight(ws: ReadonlyMap<string, Tensor>, name: string, shape: readonly number[]): Float32Array {
  const t = ws.get(name);
  if (t === undefined) throw new Error(`onnx-vit: checkpoint has no tensor '${name}' (expected shape [${shape.join(', ')}])`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`onnx-vit: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return t.toArray() as Float32Array;
}

/** [out, in] -> [in, out], so a linear is MatMul(x, W^T) + b as torch.onnx exports nn.Linear on 3-D input. */
function transposed(w: Float32Array, out: number, inp: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = w[o * inp + i]!;
  return t;
}

/**
 * Builds the serialized ONNX model (opset 17). Inputs: pixel_values [batch, 3, H, W]; outputs: logits
 * [batch, labels] and last_hidden_state [batch, T, D]. The batch dimension is symbolic.
 */
export function buildOnnxVit(s: VitSize, ws: ReadonlyMap<string, Tensor>): Uint8Array {
  const D = s.hidden;
  const H = s.heads;
  const Dh = D / H;
  const T = seqLen(s);
  const g = new OnnxGraph(`vit_${s.key}`, 17);
  const px = g.input('pixel_values', DataType.FLOAT, ['batch', 3, s.image, s.image]);

  const linear = (x: string, prefix: string, out: number, inp: number): string => {
    const w = g.f32(`${prefix}.weight_t`, transposed(weight(ws, `${prefix}.weight`, [out, inp]), out, inp), [inp, out]);
    const b = g.f32(`${prefix}.bias`, weight(ws, `${prefix}.bias`, [out]), [out]);
    return g.node('Add', [g.node('MatMul', [x, w]), b]);
  };
  const layerNorm = (x: string, prefix: string): string => {
    const w = g.f32(`${prefix}.weight`, weight(ws, `${prefix}.weight`, [D]), [D]);
    const b = g.f32(`${prefix}.bias`, weight(ws, `${prefix}.bias`, [D]), [D]);
    return g.node('LayerNormalization', [x, w, b], { axis: { i: -1 }, epsilon: { f: s.eps } });
  };

  // 1. Patch embedding: Conv k=16 s=16: [B, 3, 224, 224] -> [B, D, 14, 14] -> [B, D, 196] -> [B, 196, D]
  const pw = g.f32('patch.weight', weight(ws, 'vit.embeddings.patch_embeddings.projection.weight', [D, 3, s.patch, s.patch]), [D, 3, s.patch, s.patch]);
  const pb = g.f32('patch.bias', weight(ws, 'vit.embeddings.patch_embeddings.projection.bias', [D]), [D]);
  const conv = g.node('Conv', [px, pw, pb], { kernel_shape: { ints: [s.patch, s.patch] }, strides: { ints: [s.patch, s.patch] } });
  const patches = g.node('Transpose', [g.node('Reshape', [conv, g.i64(null, [0, D, -1])])], { perm: { ints: [0, 2, 1] } });

  // 2. CLS token broadcast to the batch: [1, 1, D] -> [B, 1, D] (batch taken from the input's shape)
  const batch = g.node('Slice', [g.node('Shape', [px]), g.i64(null, [0]), g.i64(null, [1])]); // [1]
  const clsShape = g.node('Concat', [batch, g.i64(null, [1, D])], { axis: { i: 0 } }); // [3]
  const cls = g.node('Expand', [g.f32('cls_token', weight(ws, 'vit.embeddings.cls_token', [1, 1, D]), [1, 1, D]), clsShape]);
  // 3. [CLS | patches] + positions: [B, T, D]
  const pos = g.f32('position_embeddings', weight(ws, 'vit.embeddings.position_embeddings', [1, T, D]), [1, T, D]);
  let x = g.node('Add', [g.node('Concat', [cls, patches], { axis: { i: 1 } }), pos]);

  const headsShape = g.i64(null, [0, 0, H, Dh]);
  const mergeShape = g.i64(null, [0, 0, D]);
  const scale = g.scalar(1 / Math.sqrt(Dh));
  const sqrt2 = g.scalar(Math.SQRT2);
  const one = g.scalar(1);
  const half = g.scalar(0.5);

  // 4. Pre-norm blocks (ViTLayer)
  for (let i = 0; i < s.layers; i++) {
    const L = `vit.encoder.layer.${i}`;
    const h = layerNorm(x, `${L}.layernorm_before`); // [B, T, D]
    const split = (name: string, perm: number[]): string =>
      g.node('Transpose', [g.node('Reshape', [linear(h, `${L}.attention.attention.${name}`, D, D), headsShape])], { perm: { ints: perm } });
    const q = split('query', [0, 2, 1, 3]); // [B, H, T, Dh]
    const kT = split('key', [0, 2, 3, 1]); // [B, H, Dh, T]
    const v = split('value', [0, 2, 1, 3]); // [B, H, T, Dh]
    const probs = g.node('Softmax', [g.node('Mul', [g.node('MatMul', [q, kT]), scale])], { axis: { i: -1 } }); // [B, H, T, T]
    const ctx = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: { ints: [0, 2, 1, 3] } }), mergeShape]); // [B, T, D]
    x = g.node('Add', [x, linear(ctx, `${L}.attention.output.dense`, D, D)]);

    const h2 = layerNorm(x, `${L}.layernorm_after`);
    const f = linear(h2, `${L}.intermediate.dense`, s.mlp, D); // [B, T, 4D]
    // exact GELU as torch.onnx writes it: x * 0.5 * (1 + erf(x / sqrt(2))) (ORT fuses it into one Gelu)
    const gelu = g.node('Mul', [g.node('Mul', [f, g.node('Add', [g.node('Erf', [g.node('Div', [f, sqrt2])]), one])]), half]);
    x = g.node('Add', [x, linear(gelu, `${L}.output.dense`, D, s.mlp)]); // [B, T, D]
  }

  // 5. Final LayerNorm on every token, classifier on CLS
  const last = layerNorm(x, 'vit.layernorm');
  const lastOut = g.node('Identity', [last], {}, 'last_hidden_state');
  const clsOut = g.node('Gather', [last, g.i64(null, [0], [])], { axis: { i: 1 } }); // [B, D]
  const cw = g.f32('classifier.weight', weight(ws, 'classifier.weight', [s.labels, D]), [s.labels, D]);
  const cb = g.f32('classifier.bias', weight(ws, 'classifier.bias', [s.labels]), [s.labels]);
  g.node('Gemm', [clsOut, cw, cb], { transB: { i: 1 } }, 'logits');
  g.output('logits', DataType.FLOAT, ['batch', s.labels]);
  g.output(lastOut, DataType.FLOAT, ['batch', T, D]);
  return g.toBytes();
}

/** The slice of the onnxruntime API used here, common to onnxruntime-node and onnxruntime-web. */
interface OrtTensor {
  data: unknown;
  dispose?: () => void;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
}

function outputsOf(r: Record<string, OrtTensor>): VitOutputs {
  const logits = r['logits']?.data;
  const last = r['last_hidden_state']?.data;
  if (!(logits instanceof Float32Array) || !(last instanceof Float32Array)) {
    throw new Error(`onnxruntime: expected float32 outputs logits and last_hidden_state, got [${Object.keys(r).join(', ')}]`);
  }
  return { logits, lastHiddenState: last };
}

function runnerOf(ort: OrtModule, session: OrtSession, engine: string, backend: string, threads: number, s: VitSize): PeerRunner {
  return {
    engine,
    backend,
    threads,
    async run(pixels, batch) {
      checkPixels(engine, pixels, batch, s.image);
      const input = new ort.Tensor('float32', pixels, [batch, 3, s.image, s.image]);
      const out = await session.run({ pixel_values: input });
      const res = outputsOf(out);
      for (const t of Object.values(out)) t.dispose?.();
      return res;
    },
    dispose: () => session.release(),
  };
}

/** Session options shared by both runtimes: every graph optimization, one op at a time. */
function sessionOptions(threads: number): Record<string, unknown> {
  return { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1 };
}

/** onnxruntime-node (native CPU EP). Returns the runner and the session creation time. */
export async function ortNodeRunner(model: Uint8Array, s: VitSize, threads: number): Promise<{ runner: PeerRunner; createMs: number }> {
  const ort = (await import('onnxruntime-node')) as unknown as OrtModule;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model, { ...sessionOptions(threads), executionProviders: ['cpu'] });
  const createMs = performance.now() - t0;
  return { runner: runnerOf(ort, session, 'onnxruntime-node', 'native-cpu', threads, s), createMs };
}

interface OrtWebEnv {
  env: { wasm: { numThreads?: number; simd?: boolean; proxy?: boolean } };
}

let ortWebThreads: number | null = null;

/**
 * onnxruntime-web (wasm EP). Its WebAssembly instance is created once per process with env.wasm.numThreads,
 * so the first call fixes the pool size; later calls with another count throw (run them in another process).
 */
export async function ortWebRunner(model: Uint8Array, s: VitSize, threads: number): Promise<PeerRunner> {
  const mod = (await import('onnxruntime-web')) as unknown as OrtModule & OrtWebEnv;
  if (ortWebThreads === null) {
    mod.env.wasm.numThreads = threads;
    ortWebThreads = threads;
  } else if (ortWebThreads !== threads) {
    throw new Error(`onnxruntime-web: the wasm module was initialised with ${ortWebThreads} thread(s) in this process; ${threads} needs a new process`);
  }
  const session = await mod.InferenceSession.create(model, { ...sessionOptions(threads), executionProviders: ['wasm'] });
  return runnerOf(mod, session, 'onnxruntime-web', 'wasm-simd', threads, s);
}
