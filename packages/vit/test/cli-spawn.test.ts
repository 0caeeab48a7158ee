// One end-to-end smoke test of the real bin: `node packages/vit/bin/patchwise.js` (bin -> dist/cli/main.js) in
// a child process, as a user runs it. Builds dist/ first when it is missing. Checks the exit codes and the
// stdout/stderr split that the in-process tests cannot see (process.exitCode, top-level await in main).

import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PKG, SAMPLES } from './cli-helpers.js';

const ROOT = join(PKG, '..', '..');
const BIN = join(PKG, 'bin', 'patchwise.js');

beforeAll(() => {
  if (!existsSync(join(PKG, 'dist', 'cli', 'main.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', PKG], { cwd: ROOT, stdio: 'inherit' });
  }
});

function patchwise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the patchwise bin', () => {
  it('classify a bundled sample with the bundled model: exit 0, JSON on stdout, nothing on stderr', () => {
    const r = patchwise('classify', join(SAMPLES, 'sneaker.png'), '--json', '--top', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as { results: { top: { label: string }[] }[] };
    expect(j.results[0]!.top[0]!.label).toBe('Sneaker');
  });
  it('errors: one line on stderr, exit 1 (missing image) and 2 (unknown option)', () => {
    const a = patchwise('classify', 'no-such-image.png');
    expect(a.status).toBe(1);
    expect(a.stdout).toBe('');
    expect(a.stderr).toBe('patchwise: image no-such-image.png: no such file\n');
    const b = patchwise('embed', '--nope');
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
  });
});
