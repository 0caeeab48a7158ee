// Entry point of the `patchwise` bin (bin/patchwise.js imports the built dist/cli/main.js): runs the CLI on
// the process arguments and sets the exit code. Kept to these few lines so that importing run.ts (tests,
// embedding) has no side effects; the command table lives in run.ts.

import { processIO } from './io.js';
import { run } from './run.js';
import { releaseBackend } from './backend.js';

// `patchwise ... | head`: the reader went away; stop quietly like other Unix tools instead of a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await run(process.argv.slice(2), processIO);
releaseBackend(); // worker threads would otherwise keep the process alive
