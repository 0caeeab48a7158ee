// The shape of one `patchwise` subcommand: its name, help text, option table and run function. Each command
// lives in its own file under commands/ and is listed once in the table in run.ts. Optimized for uniform
// help and strict parsing: the option table is what args.ts validates against and what `--help` prints.

import type { OptionSpec, ParsedArgs } from './args.js';
import type { CliIO } from './io.js';

export interface CommandOption extends OptionSpec {
  /** Placeholder for the value in help (`K`, `F.safetensors`); absent for switches. */
  readonly value?: string;
  /** One-line description for `--help`. */
  readonly help: string;
}

export interface CommandContext {
  readonly io: CliIO;
  /** --debug: print stack traces (the caller handles it) and extra diagnostics. */
  readonly debug: boolean;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Usage line(s) without the leading `patchwise `. */
  readonly usage: readonly string[];
  /** A few lines of explanation printed by `patchwise <command> --help`. */
  readonly description?: readonly string[];
  readonly options: Readonly<Record<string, CommandOption>>;
  /** Runs the command; returns the exit code (0 when omitted). Throws UsageError / CliError / library errors. */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number | void>;
}

/** Options every command accepts; added to each option table by run.ts. */
export const COMMON_OPTIONS: Readonly<Record<string, CommandOption>> = {
  help: { boolean: true, help: 'show this help and exit' },
  debug: { boolean: true, help: 'print stack traces on errors' },
  backend: { value: 'B', help: 'compute backend: auto (WebAssembly SIMD with threads where available, else js), wasm, js or ref; default $PATCHWISE_BACKEND or auto' },
  threads: { value: 'N', help: 'threads for the wasm backend (default $PATCHWISE_THREADS or every core)' },
};

/** The --model option as most commands declare it. */
export const MODEL_OPTION: CommandOption = {
  value: 'M',
  help: 'model folder (config.json + model.safetensors [+ preprocessor_config.json]) or hub id owner/name[@rev]; default: the bundled vit-fashion-mnist',
};

/** The --pixels option of the commands that take images. */
export const PIXELS_OPTION: CommandOption = {
  value: 'F.safetensors',
  help: 'read pixel_values [B, C, H, W] from a safetensors file instead of decoding images (e.g. a dump of the HF processor)',
};

/** Help text of one command. */
export function commandHelp(cmd: Command): string {
  const lines: string[] = [];
  cmd.usage.forEach((u, i) => lines.push(`${i === 0 ? 'usage: ' : '       '}patchwise ${u}`));
  lines.push('', cmd.summary);
  if (cmd.description && cmd.description.length > 0) lines.push('', ...cmd.description);
  const all = { ...cmd.options, ...COMMON_OPTIONS };
  const heads = Object.entries(all).map(([name, o]) => `  --${name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  lines.push('', 'options:');
  Object.values(all).forEach((o, i) => lines.push(`${heads[i]!.padEnd(width)}${o.help}${o.repeat ? ' (repeatable)' : ''}`));
  return lines.join('\n') + '\n';
}
