#!/usr/bin/env node
// Launcher for the `patchwise` command: a committed file, so pnpm can link the bin on a fresh clone before
// the TypeScript build has produced dist/. The CLI itself lives in src/cli/main.ts.
import '../dist/cli/main.js';
