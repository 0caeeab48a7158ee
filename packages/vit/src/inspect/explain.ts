// The `explain` walk through the encoder on one image: every step of the forward pass with its real shapes and
// a few real numbers (decode, preprocess, patches, projection, prefix tokens + positions, each block, output).
// Optimized for a learner reading the report next to docs/walkthrough.md; the numbers come from the model's
// own code (embed() for the embeddings step, the forward pass's per-layer hook for the blocks), not a copy.

import { preprocess, preprocessU8, resampleName, toL, toRGB } from '@patchwise/io';
import type { DecodedImage, PreprocessConfig, U8Image } from '@patchwise/io';
import { linear } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import { numPrefixTokens } from '../config/types.js';
import { embed, im2col, prepareEmbeddings } from '../model/embeddings.js';
import { norm, normOf } from '../model/encoder.js';
import type { VisionModel } from '../model/vision.js';
import { attentionEntropy, channelStats, meanTokenNorm, topK } from './stats.js';
import type { Prediction } from './stats.js';
import type { TokenLayout } from './rollout.js';

export interface ExplainReport {
  decode: {
    file: string | null;
    format: string;
    width: number;
    height: number;
    mode: string;
    bitDepth: number;
    /** EXIF orientation tag (1..8) or null; `orientationApplied` says whether pixels were rotated/flipped. */
    orientation: number | null;
    orientationApplied: boolean;
    /** The PIL-style conversion the model's input mode needs ('L' or 'RGB'). */
    convertedTo: 'L' | 'RGB';
  };
  preprocess: {
    processorType: string;
    /** Human-readable steps in order (resize, crop, rescale, normalize). */
    steps: string[];
    /** pixel_values [1, C, H, W] */
    shape: number[];
    channelMean: number[];
    channelStd: number[];
  };
  patches: { patchSize: number; height: number; width: number; gridH: number; gridW: number; count: number };
  projection: {
    /** Conv weight [D, C, p, p], used as a [D, C*p*p] matrix on flattened patches. */
    weightShape: number[];
    matrixShape: [number, number];
    bias: boolean;
    /** [1, N, D] */
    outputShape: number[];
    /** Mean L2 norm of the projected patches, before and after the position embeddings are added. */
    meanPatchNorm: number;
    meanPatchNormWithPositions: number;
  };
  tokens: {
    prefix: string[];
    /** The stored position table [rows, D] and the grid it was trained at. */
    positionTableShape: number[];
    trainedGrid: [number, number];
    /** True when the grid differs from the trained grid and the table was resized. */
    interpolated: boolean;
    interpolation: string | null;
    /** [1, T, D]: the first block's input */
    sequenceShape: number[];
    meanTokenNorm: number;
  };
  blocks: Array<{
    layer: number;
    /** Mean attention entropy per head, nats (uniform over T tokens = ln T). */
    entropy: number[];
    /** Mean token L2 norm of the residual stream after the block. */
    residualNorm: number;
    /** Mean token L2 norm of what the block added (output - input). */
    updateNorm: number;
  }>;
  /** ln T: the entropy of uniform attention, for scale. */
  maxEntropy: number;
  output:
    | { kind: 'labels'; top: Prediction[] }
    | { kind: 'embedding'; name: string; dim: number; norm: number };
}

/** What explain computed besides the report: the tensors its pictures are drawn from. */
export interface ExplainResult {
  report: ExplainReport;
  /** The model input as 8-bit pixels after resize/crop ([h, w, C]), for drawing. */
  input: U8Image;
  /** pixel_values [1, C, H, W] */
  pixels: Tensor;
  /** attentions.0..L-1, each [1, H, T, T] */
  attentions: Tensor[];
  layout: TokenLayout;
}

function describeSteps(pc: PreprocessConfig): string[] {
  const s: string[] = [];
  if (pc.doResize) {
    const r = pc.resize;
    const to = r.kind === 'exact' ? `${r.width}x${r.height}` : r.kind === 'shortest_edge' ? `shortest edge ${r.size}` : `keep ratio into ${r.width}x${r.height}`;
    s.push(`resize to ${to} (${resampleName(pc.resample)})`);
  }
  if (pc.doCenterCrop) s.push(`center crop ${pc.cropSize.width}x${pc.cropSize.height}`);
  if (pc.doRescale) s.push(`rescale x ${pc.rescaleFactor.toPrecision(6)} (0..255 -> 0..1)`);
  if (pc.doNormalize) s.push(`normalize (x - mean) / std, mean [${pc.imageMean.join(', ')}], std [${pc.imageStd.join(', ')}]`);
  return s;
}

/** Runs the model on one decoded image and reports each step. */
export function explainImage(model: VisionModel, image: DecodedImage, pc: PreprocessConfig, fileName: string | null = null): ExplainResult {
  const cfg = model.config;
  // 1. decode (done by the caller) and PIL-style mode conversion
  const modeImg = pc.channels === 1 ? toL(image) : toRGB(image); // [h, w, C] uint8
  // 2. resize / crop / rescale / normalize
  const input = preprocessU8(modeImg, pc); // [H, W, C] uint8, what the model sees
  const pixels = preprocess([modeImg], pc); // [1, C, H, W] float32
  const stats = channelStats(pixels);
  const [, C, H, W] = pixels.shape as [number, number, number, number];

  // 3-5. patches, projection, prefix tokens + positions: the model's own embed()
  const p = cfg.patchSize;
  const emb = prepareEmbeddings(model.weights, cfg);
  const e = embed(pixels, emb, cfg); // x [1, T, D]
  const prefixCount = numPrefixTokens(cfg);
  const N = e.gh * e.gw;
  const patchTokens = e.x.narrow(1, prefixCount, N); // [1, N, D] (includes the position embedding)
  const projected = linear(im2col(pixels, p).cols, emb.patch).view(1, N, cfg.hidden); // [1, N, D], no positions yet
  let x0 = e.x;
  if (cfg.preNorm) x0 = norm(x0, normOf(model.weights, 'pre_norm'), cfg.eps); // CLIP pre_layrnorm
  const [gh0, gw0] = cfg.position.grid;
  const interpolated = gh0 !== e.gh || gw0 !== e.gw;
  const prefix: string[] = [];
  if (cfg.tokens.cls) prefix.push('CLS');
  if (cfg.tokens.distillation) prefix.push('distillation');
  if (cfg.tokens.registers > 0) prefix.push(`${cfg.tokens.registers} register`);

  // 6. the blocks, seen through the per-layer hook
  const blocks: ExplainReport['blocks'] = [];
  const attentions: Tensor[] = [];
  let prev = x0;
  const out = model.forward(pixels, {
    outputAttentions: true,
    onLayer: (layer, ev) => {
      blocks.push({
        layer,
        entropy: ev.attention ? attentionEntropy(ev.attention) : [],
        residualNorm: meanTokenNorm(ev.hidden),
        updateNorm: meanTokenNorm(ev.hidden, 0, prev),
      });
      if (ev.attention) attentions.push(ev.attention);
      prev = ev.hidden;
    },
  });

  // 7. output: labels, or the norm of the image embedding
  let output: ExplainReport['output'];
  const logits = out['logits'];
  if (logits) {
    output = { kind: 'labels', top: topK(logits.select(0, 0).toArray(), 5, cfg.id2label) };
  } else {
    // image_features before image_embeds: CLIPModel's image_embeds are normalised to length 1
    const name = ['image_features', 'image_embeds', 'pooler_output', 'pre_logits'].find((n) => out[n]) ?? 'last_hidden_state';
    const v = name === 'last_hidden_state' ? out[name]!.select(1, 0) : out[name]!; // [1, D]
    const a = v.toArray();
    output = { kind: 'embedding', name: name === 'last_hidden_state' ? 'last_hidden_state[:, 0]' : name, dim: a.length, norm: Math.hypot(...a) };
  }

  const T = prefixCount + N;
  const report: ExplainReport = {
    decode: {
      file: fileName,
      format: image.format,
      width: image.width,
      height: image.height,
      mode: image.mode,
      bitDepth: image.bitDepth,
      orientation: image.orientation ?? null,
      orientationApplied: image.orientationApplied,
      convertedTo: pc.channels === 1 ? 'L' : 'RGB',
    },
    preprocess: { processorType: pc.processorType, steps: describeSteps(pc), shape: [...pixels.shape], channelMean: stats.mean, channelStd: stats.std },
    patches: { patchSize: p, height: H, width: W, gridH: e.gh, gridW: e.gw, count: N },
    projection: {
      weightShape: [cfg.hidden, C, p, p],
      matrixShape: [cfg.hidden, C * p * p],
      bias: cfg.patchBias,
      outputShape: [1, N, cfg.hidden],
      meanPatchNorm: meanTokenNorm(projected),
      meanPatchNormWithPositions: meanTokenNorm(patchTokens),
    },
    tokens: {
      prefix,
      positionTableShape: [...emb.pos.shape],
      trainedGrid: [gh0, gw0],
      interpolated,
      interpolation: interpolated ? cfg.position.interpolation : null,
      sequenceShape: [...x0.shape],
      meanTokenNorm: meanTokenNorm(x0),
    },
    blocks,
    maxEntropy: Math.log(T),
    output,
  };
  return { report, input, pixels, attentions, layout: { prefix: prefixCount, gridH: e.gh, gridW: e.gw, hasCls: cfg.tokens.cls } };
}

const f4 = (v: number): string => v.toFixed(4);
const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** The report as text, one numbered section per step. */
export function formatExplain(r: ExplainReport): string {
  const L: string[] = [];
  const d = r.decode;
  L.push(`1. decode      ${d.file ?? '(image)'}: ${d.format.toUpperCase()} ${d.width}x${d.height}, mode ${d.mode}, ${d.bitDepth}-bit`);
  L.push(`               EXIF orientation: ${d.orientation === null ? 'none' : `${d.orientation}${d.orientationApplied ? ' (applied)' : ' (not applied)'}`}; converted to ${d.convertedTo}`);
  const pp = r.preprocess;
  L.push(`2. preprocess  ${pp.processorType}: ${pp.steps.join(' -> ')}`);
  L.push(`               pixel_values ${shape(pp.shape)}, per-channel mean [${pp.channelMean.map(f4).join(', ')}], std [${pp.channelStd.map(f4).join(', ')}]`);
  const pa = r.patches;
  L.push(`3. patches     ${pa.height}x${pa.width} image / ${pa.patchSize}px patches -> ${pa.gridH}x${pa.gridW} grid = ${pa.count} patches`);
  const pr = r.projection;
  L.push(`4. projection  conv weight ${shape(pr.weightShape)} = a ${pr.matrixShape[0]}x${pr.matrixShape[1]} matrix${pr.bias ? ' + bias' : ''}: each patch's ${pr.matrixShape[1]} pixel values -> one ${pr.matrixShape[0]}-d vector`);
  L.push(`               patch embeddings ${shape(pr.outputShape)}, mean norm ${f4(pr.meanPatchNorm)} (${f4(pr.meanPatchNormWithPositions)} once positions are added)`);
  const t = r.tokens;
  const prefix = t.prefix.length > 0 ? `${t.prefix.join(' + ')} token${t.prefix.length > 1 ? 's' : ''} prepended` : 'no prefix tokens';
  L.push(`5. tokens      ${prefix}; position table ${shape(t.positionTableShape)} trained for a ${t.trainedGrid[0]}x${t.trainedGrid[1]} grid${t.interpolated ? `, resized to ${pa.gridH}x${pa.gridW} (${t.interpolation})` : ' (used as is)'}`);
  L.push(`               sequence ${shape(t.sequenceShape)}, mean token norm ${f4(t.meanTokenNorm)}`);
  L.push(`6. blocks      attention entropy per head in nats (uniform over ${t.sequenceShape[1]} tokens = ${f4(r.maxEntropy)}); residual = mean token norm after the block, update = what the block added`);
  for (const b of r.blocks) {
    L.push(`               layer ${String(b.layer).padEnd(3)} entropy [${b.entropy.map((v) => v.toFixed(3)).join(', ')}]  residual ${f4(b.residualNorm)}  update ${f4(b.updateNorm)}`);
  }
  const o = r.output;
  if (o.kind === 'labels') {
    L.push(`7. output      top ${o.top.length}: ${o.top.map((p) => `${p.label} ${p.prob.toFixed(4)}`).join(', ')}`);
  } else {
    L.push(`7. output      ${o.name}: ${o.dim}-d embedding, L2 norm ${f4(o.norm)}`);
  }
  return L.join('\n') + '\n';
}
