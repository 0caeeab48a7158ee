// The `patchwise` dispatcher: the command table, global --help / --version, per-command strict option parsing,
// and the one-line error policy (`patchwise: <message>`, exit 2 for usage, 1 otherwise; the stack only with
// --debug). `run(argv, io)` is the whole CLI as a function, so tests call it in-process.

import { readFileSync } from 'node:fs';
import { parseArgs } from './args.js';
import type { Command } from './command.js';
import { COMMON_OPTIONS, commandHelp } from './command.js';
import { UsageError, errorLine, exitCodeOf } from './errors.js';
import type { CliIO } from './io.js';
import { selectBackend } from './backend.js';
import { classify } from './commands/classify.js';
import { embed } from './commands/embed.js';
import { encode } from './commands/encode.js';
import { inspect } from './commands/inspect.js';
import { zeroShot } from './commands/zero-shot.js';
import { similarity } from './commands/similarity.js';
import { tokens } from './commands/tokens.js';
import { tokenize } from './commands/tokenize.js';
import { where } from './commands/where.js';
import { merge } from './commands/merge.js';
import { attention } from './commands/attention.js';
import { explain } from './commands/explain.js';
import { diff } from './commands/diff.js';

/** Every command, in the order `patchwise --help` lists them. Later commands (attention, explain, diff, merge) join here. */
export const COMMANDS: readonly Command[] = [classify, embed, encode, inspect, zeroShot, similarity, tokens, tokenize, where, attention, explain, diff, merge];

/** The package version, read from package.json next to src/ and dist/. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function toolHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: patchwise <command> [options]',
    '',
    'Vision Transformer encoders (ViT, DeiT, timm, CLIP, SigLIP, DINOv2) on real checkpoints, in TypeScript.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'global options:',
    '  --help      show this help (or `patchwise <command> --help`)',
    '  --version   print the version',
    '  --debug     print stack traces on errors',
    '  --backend B compute backend: auto (default; WebAssembly SIMD with threads where available), wasm, js, ref',
    '  --threads N threads for the wasm backend (default: every core)',
    '',
    'Without --model, commands use the bundled vit-fashion-mnist model. Reference: docs/cli.md.',
    '',
  ].join('\n');
}

/** Runs the CLI on `argv` (without node and script), writing to `io`; resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const dashdash = argv.indexOf('--');
  const debug = (dashdash < 0 ? argv : argv.slice(0, dashdash)).includes('--debug');
  try {
    const first = argv.find((a) => a !== '--debug');
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? argv[argv.indexOf('help') + 1] : undefined;
      const cmd = topic !== undefined ? COMMANDS.find((c) => c.name === topic) : undefined;
      if (topic !== undefined && cmd === undefined) throw new UsageError(`unknown command '${topic}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
      if (first === undefined) {
        io.err(toolHelp());
        return 2;
      }
      io.out(cmd ? commandHelp(cmd) : toolHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.out(`patchwise ${version()}\n`);
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`expected a command before options, got '${first}' (see patchwise --help)`);
    const cmd = COMMANDS.find((c) => c.name === first);
    if (cmd === undefined) throw new UsageError(`unknown command '${first}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    const rest = argv.slice(argv.indexOf(first) + 1);
    const args = parseArgs(rest, { ...cmd.options, ...COMMON_OPTIONS });
    if (args.options.get('help') === true) {
      io.out(commandHelp(cmd));
      return 0;
    }
    await selectBackend(args);
    const code = await cmd.run(args, { io, debug });
    return code ?? 0;
  } catch (e) {
    io.err(`patchwise: ${errorLine(e)}\n`);
    if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return exitCodeOf(e);
  }
}
