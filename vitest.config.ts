// Vitest runs the TypeScript sources directly (aliases below), so tests never depend on a stale dist/.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string): string => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@patchwise/tensor': src('tensor'),
      '@patchwise/io': src('io'),
      '@patchwise/vit': src('vit'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
