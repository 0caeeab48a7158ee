// Shared helpers of the CLI tests: run the CLI in-process (run(argv, io) with a BufferIO), temp folders, and
// reading safetensors outputs. The goldens compared against come from the fixtures' independent PyTorch
// reference (test/data/*/README.md), never from a previous run of ours.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors } from '@patchwise/io';
import type { Tensor } from '@patchwise/tensor';
import { run } from '../src/cli/run.js';
import { BufferIO } from '../src/cli/io.js';

export const DATA = fileURLToPath(new URL('./data/', import.meta.url));
export const CLI_DATA = join(DATA, 'cli');
export const PKG = fileURLToPath(new URL('../', import.meta.url));
export const SAMPLES = join(PKG, 'assets', 'samples');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...argv: string[]): Promise<CliResult> {
  const io = new BufferIO();
  const code = await run(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'patchwise-cli-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function readTensors(file: string): Promise<{ tensors: Map<string, Tensor>; metadata: Readonly<Record<string, string>> | null }> {
  const st = parseSafetensors(new Uint8Array(readFileSync(file)), file);
  const tensors = new Map<string, Tensor>();
  for (const n of st.names()) tensors.set(n, await st.tensor(n));
  return { tensors, metadata: st.metadata };
}

/** The one-line error contract: exactly one line on stderr, prefixed `patchwise: `, no stack frames. */
export function expectOneLineError(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${r.stderr}`);
  if (!lines[0]!.startsWith('patchwise: ')) throw new Error(`stderr does not start with 'patchwise: ': ${lines[0]}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`stack trace on stderr:\n${r.stderr}`);
  return lines[0]!;
}
