// A small argv parser for the patchwise CLI: `--name value`, `--name=value`, boolean switches, repeatable
// options and positionals. Hand-written (no dependency) and strict: an unknown option is an error that names
// the known ones, so a typo never silently changes what runs.

/** Thrown for a bad command line; the CLI prints its message (one line) and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** A switch takes no value (`--json`). */
  readonly boolean?: boolean;
  /** May be given several times; values are collected in order. */
  readonly repeat?: boolean;
}

export interface ParsedArgs {
  readonly positionals: string[];
  /** Last value of each non-repeatable option, or `true` for a switch. */
  readonly options: Map<string, string | true>;
  /** All values of repeatable options. */
  readonly lists: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown option --${name} (known: ${known || 'none'})`);
    }
    let value: string | true;
    if (s.boolean) {
      if (eq >= 0) throw new UsageError(`--${name} is a switch and takes no value`);
      value = true;
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (s.repeat && typeof value === 'string') {
      const l = lists.get(name) ?? [];
      l.push(value);
      lists.set(name, l);
    }
    options.set(name, value);
  }
  return { positionals, options, lists };
}

/** The string value of an option, or `fallback`. */
export function optString(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : fallback;
}

export function optFlag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** An integer option within [min, max], with a UsageError that says what was expected. */
export function optInt(args: ParsedArgs, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = optString(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} expects an integer${Number.isFinite(min) ? ` >= ${min}` : ''}${Number.isFinite(max) ? ` <= ${max}` : ''}, got '${v}'`);
  }
  return n;
}

/** A value that must be one of `choices`. */
export function optChoice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const v = optString(args, name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join('|')}, got '${v}'`);
  return v as T;
}
