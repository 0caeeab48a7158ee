// The cache is shared with Python both ways, checked against the real huggingface_hub (the independent
// reference): Python downloads from the fake hub and we read its cache offline, and the other way round.
// Skipped unless `python3 -c "import huggingface_hub"` works (set HF_HUB_PYTHONPATH to where it is installed,
// e.g. `pip install --target /tmp/hfhub huggingface_hub`); last run with huggingface_hub 2.0.0.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, promises as fsp, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModel } from '@patchwise/io';
import { startFakeHub, randomCommit, sha256Hex, type FakeHub } from './helpers/fake-hub.js';

const pythonPath = process.env.HF_HUB_PYTHONPATH ?? '';
const hasPythonHub = spawnSync('python3', ['-c', 'import huggingface_hub'], { env: { ...process.env, PYTHONPATH: pythonPath } }).status === 0;
const execFileP = promisify(execFile);

describe.skipIf(!hasPythonHub)('cache interoperability with Python huggingface_hub', () => {
  let hub: FakeHub;
  let root: string;
  const weights = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) & 255);
  const commit = randomCommit();

  beforeAll(async () => {
    hub = await startFakeHub();
    hub.repos.set('test-org/interop', {
      commit,
      files: { 'config.json': new TextEncoder().encode('{"hidden_size": 8}'), 'model.safetensors': weights },
    });
    root = mkdtempSync(join(tmpdir(), 'pw-hub-interop-'));
  });
  afterAll(async () => {
    await hub.close();
    await fsp.rm(root, { recursive: true, force: true });
  });

  // Async exec: the fake hub lives in this process and must keep serving while Python runs.
  const python = async (cache: string, offline: boolean): Promise<string[]> => {
    const code = "from huggingface_hub import hf_hub_download as d\nfor f in ['config.json', 'model.safetensors']: print(d('test-org/interop', f))";
    const { stdout } = await execFileP('python3', ['-c', code], {
      env: { ...process.env, PYTHONPATH: pythonPath, HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: offline ? '1' : '0', HF_HUB_DISABLE_TELEMETRY: '1' },
    });
    return stdout.trim().split('\n');
  };

  it('Python writes, patchwise reads offline', async () => {
    const cache = join(root, 'py');
    const paths = await python(cache, false);
    const dir = await resolveModel('test-org/interop', { cacheDir: cache, offline: true, env: {}, progress: false });
    expect(paths).toEqual([join(dir, 'config.json'), join(dir, 'model.safetensors')]);
    expect(sha256Hex(readFileSync(join(dir, 'model.safetensors')))).toBe(sha256Hex(weights));
  });

  it('patchwise writes, Python reads offline', async () => {
    const cache = join(root, 'ours');
    const dir = await resolveModel('test-org/interop', { cacheDir: cache, endpoint: hub.url, token: null, env: {}, progress: false });
    hub.log.length = 0;
    expect(await python(cache, true)).toEqual([join(dir, 'config.json'), join(dir, 'model.safetensors')]);
    expect(hub.log).toEqual([]);
  });
});
