// `patchwise inspect`: what a model folder or a safetensors file holds, without running it: family and the
// config fields that change the math, the image pipeline, the tensor table (name, dtype, shape) and the
// parameter count and bytes. Reads headers only (no tensor data), so it is instant on any checkpoint size.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { openCheckpoint } from '@patchwise/io';
import type { PreprocessConfig, SafetensorsFile } from '@patchwise/io';
import { RESAMPLE_NAMES } from '@patchwise/io';
import { ConfigError, parseConfig } from '../../config/index.js';
import type { EncoderConfig } from '../../config/types.js';
import { optFlag } from '../args.js';
import type { Command } from '../command.js';
import { CliError, UsageError, errorLine } from '../errors.js';
import { fmtBytes, fmtInt, fmtShape, printJson, table } from '../format.js';
import { preprocessFor, resolveModelDir } from '../model.js';

interface TensorRow {
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2']);

/** Key facts of an EncoderConfig as label/value lines. */
export function describeConfig(c: EncoderConfig): [string, string][] {
  const [H, W] = c.imageSize;
  const grid = [H / c.patchSize, W / c.patchSize];
  const prefix = [c.tokens.cls ? 'CLS' : '', c.tokens.distillation ? 'distillation' : '', c.tokens.registers ? `${c.tokens.registers} registers` : '']
    .filter(Boolean)
    .join(' + ');
  const head =
    c.head.kind === 'classifier' || c.head.kind === 'distilled'
      ? `${c.head.kind === 'distilled' ? 'CLS + distillation classifiers (mean)' : 'classifier'}, ${c.head.numClasses} labels` +
        (c.id2label ? ` (${c.id2label.slice(0, 5).join(', ')}${c.id2label.length > 5 ? ', ...' : ''})` : '')
      : c.head.kind === 'projection'
        ? `visual projection to ${c.head.projectionDim}`
        : 'none';
  const lines: [string, string][] = [
    ['family', `${c.family} (${c.architecture}, model_type ${c.modelType})`],
    ['image', `${H}x${W}, patch ${c.patchSize} -> ${grid[0]}x${grid[1]} = ${grid[0]! * grid[1]!} patches, ${c.channels} channel(s)`],
    ['tokens', `${prefix || 'no prefix tokens'} + patches = ${numTokens(c)}`],
    ['encoder', `${c.layers} layers, hidden ${c.hidden}, ${c.heads} heads x ${c.headDim}, mlp ${c.mlp}, ${c.act}, eps ${c.eps}, qkv bias ${c.qkvBias ? 'yes' : 'no'}${c.layerScale ? ', layer scale' : ''}`],
    ['norms', `${c.preNorm ? 'pre-norm before the blocks, ' : ''}final norm: ${c.finalNorm}`],
    ['pooling', c.pooling],
    ['head', head],
  ];
  if (c.text) {
    const t = c.text;
    lines.push(['text tower', `${t.layers} layers, hidden ${t.hidden}, ${t.heads} heads, vocab ${t.vocabSize}, ${t.maxPositions} positions, eos id ${t.eosTokenId}`]);
  }
  if (c.projectionDim !== null) lines.push(['shared space', `${c.projectionDim} dims`]);
  return lines;
}

function numTokens(c: EncoderConfig): number {
  const [H, W] = c.imageSize;
  return (c.tokens.cls ? 1 : 0) + (c.tokens.distillation ? 1 : 0) + c.tokens.registers + (H / c.patchSize) * (W / c.patchSize);
}

function describePreprocess(p: PreprocessConfig): string {
  const r = p.resize;
  const size = r.kind === 'exact' ? `${r.height}x${r.width}` : r.kind === 'shortest_edge' ? `shortest edge ${r.size}` : `keep ratio ${r.height}x${r.width}`;
  const parts = [
    p.doResize ? `resize ${size} ${RESAMPLE_NAMES[p.resample]?.toLowerCase() ?? p.resample}` : 'no resize',
    p.doCenterCrop ? `center crop ${p.cropSize.height}x${p.cropSize.width}` : '',
    p.doRescale ? `rescale ${+p.rescaleFactor.toPrecision(6)}` : '',
    p.doNormalize ? `mean [${p.imageMean.join(', ')}] std [${p.imageStd.join(', ')}]` : '',
    p.channels === 1 ? 'grayscale (L)' : 'RGB',
  ];
  return parts.filter(Boolean).join(', ');
}

function tensorRows(st: SafetensorsFile): TensorRow[] {
  return st.names().map((name) => {
    const i = st.info(name);
    return { name, dtype: i.dtype, shape: [...i.shape], bytes: i.byteLength };
  });
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'show a model folder\'s family, config, tensors, parameter count and size (reads headers only)',
  usage: ['inspect <model dir | hub id | file.safetensors | model.safetensors.index.json> [--json]'],
  options: {
    json: { boolean: true, help: 'print one JSON document' },
  },
  async run(args, { io }) {
    if (args.positionals.length !== 1) throw new UsageError(`inspect takes one model folder or safetensors file, got ${args.positionals.length} arguments`);
    const target = args.positionals[0]!;
    let isFile = false;
    try {
      isFile = (await fsp.stat(target)).isFile();
    } catch {
      // not a local path: a folder or hub id for resolveModelDir
    }
    if (isFile && !/\.safetensors$|\.index\.json$/.test(target)) {
      throw new CliError(`${target}: expected a model folder, a .safetensors file or a model.safetensors.index.json`);
    }
    const dir = isFile ? null : await resolveModelDir(target);
    let config: EncoderConfig | null = null;
    let preprocess: PreprocessConfig | null = null;
    let configError: string | null = null;
    if (dir !== null) {
      const configPath = path.join(dir, 'config.json');
      try {
        config = parseConfig(await fsp.readFile(configPath, 'utf8'), configPath);
      } catch (e) {
        // An unsupported config still has a tensor table worth seeing (that is often why one inspects it).
        if (!(e instanceof ConfigError)) throw e;
        configError = errorLine(e);
      }
    }
    const st = await openCheckpoint(dir ?? target);
    let tensors: TensorRow[];
    let metadata: Readonly<Record<string, string>> | null;
    try {
      tensors = tensorRows(st);
      metadata = st.metadata;
    } finally {
      await st.close();
    }
    if (dir !== null && config !== null) {
      // The pipeline needs only the config and the processor file: no weights are loaded.
      let pre: unknown = null;
      try {
        pre = JSON.parse(await fsp.readFile(path.join(dir, 'preprocessor_config.json'), 'utf8')) as unknown;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      preprocess = await preprocessFor({ config, preprocessor: pre }, dir);
    }
    const params = tensors.filter((t) => FLOAT_DTYPES.has(t.dtype)).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    const bytes = tensors.reduce((n, t) => n + t.bytes, 0);
    if (optFlag(args, 'json')) {
      printJson(io, {
        path: dir ?? target,
        kind: dir !== null ? 'model' : 'file',
        config,
        configError,
        summary: config === null ? null : Object.fromEntries(describeConfig(config)),
        preprocess: preprocess === null ? null : describePreprocess(preprocess),
        metadata,
        tensors,
        parameters: params,
        bytes,
      });
      return;
    }
    const lines: [string, string][] = [[dir !== null ? 'model' : 'file', dir ?? target]];
    if (config) lines.push(...describeConfig(config));
    if (configError !== null) lines.push(['config', `not supported: ${configError}`]);
    if (preprocess) lines.push(['preprocess', describePreprocess(preprocess)]);
    io.out(table(lines));
    io.out(`\ntensors (${tensors.length}):\n`);
    io.out(table([['  name', 'dtype', 'shape'], ...tensors.map((t) => ['  ' + t.name, t.dtype, fmtShape(t.shape)])]));
    io.out(`\nparameters  ${fmtInt(params)} (${(params / 1e6).toFixed(2)} M, floating-point tensors)\n`);
    io.out(`bytes       ${fmtInt(bytes)} (${fmtBytes(bytes)} of tensor data)\n`);
  },
};
