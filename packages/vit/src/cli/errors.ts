// Errors of the command line and how they reach the user: ONE line on stderr, `patchwise: <message>`, and an
// exit code (2 = usage, 1 = anything else). Stack traces only with --debug. Optimized for messages a user can
// act on: library errors (ConfigError, SafetensorsError, ImageDecodeError...) already name the file and field.

import { UsageError } from './args.js';

export { UsageError };

/** A failure with a message meant for the user as is (bad input file, missing model part...): exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Error classes whose messages are written for users; anything else is reported as an internal error. */
const USER_FACING = new Set([
  'CliError', 'UsageError', 'ConfigError', 'WeightsError', 'SafetensorsError', 'ImageDecodeError',
  'PreprocessConfigError', 'PreprocessError', 'HubError', 'TokenizerError', 'ShapeError', 'DTypeError', 'BulkError',
]);

/** Exit code for a thrown value: 2 for a bad command line (including the bulk library's usage errors), 1 otherwise. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError) return 2;
  const bulkUsage = e instanceof Error && e.name === 'BulkError' && (e as Error & { kind?: string }).kind === 'usage';
  return bulkUsage ? 2 : 1;
}

/** Node's system errors (ENOENT, EACCES...) as a short phrase naming the path. */
function systemErrorText(e: NodeJS.ErrnoException): string | undefined {
  const what: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory, expected a file',
    ENOTDIR: 'not a directory',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
  };
  if (e.code === undefined || what[e.code] === undefined) return undefined;
  return e.path !== undefined ? `${e.path}: ${what[e.code]}` : `${what[e.code]} (${e.message})`;
}

/** The one line printed for an error (without the `patchwise: ` prefix): newlines folded into "; ". */
export function errorLine(e: unknown): string {
  let msg: string;
  if (e instanceof Error) {
    const sys = systemErrorText(e as NodeJS.ErrnoException);
    if (sys !== undefined) msg = sys;
    else if (USER_FACING.has(e.name)) msg = e.message;
    else msg = `internal error (${e.name}: ${e.message}); rerun with --debug for the stack trace`;
  } else {
    msg = `internal error (${String(e)})`;
  }
  return msg
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .join('; ');
}
