// --model with a hub id: `classify --model test-org/tiny-vit` against the loopback fake hub of the io tests
// (HF_ENDPOINT), then again offline from the cache (HF_HUB_OFFLINE=1, hub stopped), and a missing repo as one
// error line. The repo holds the bundled model's files, so the expected labels are the samples' classes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomCommit, startFakeHub } from '../../io/test/helpers/fake-hub.js';
import type { FakeHub } from '../../io/test/helpers/fake-hub.js';
import { PKG, SAMPLES, cli, expectOneLineError, tempDir } from './cli-helpers.js';

const ENV_KEYS = ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_HOME', 'HF_HUB_OFFLINE', 'HF_TOKEN'] as const;
const saved = new Map<string, string | undefined>(ENV_KEYS.map((k) => [k, process.env[k]]));
const tmp = tempDir();
let hub: FakeHub;

beforeAll(async () => {
  hub = await startFakeHub();
  const dir = join(PKG, 'assets', 'models', 'vit-fashion-mnist');
  const file = (n: string): Uint8Array => new Uint8Array(readFileSync(join(dir, n)));
  hub.repos.set('test-org/tiny-vit', {
    commit: randomCommit(),
    files: { 'config.json': file('config.json'), 'model.safetensors': file('model.safetensors'), 'preprocessor_config.json': file('preprocessor_config.json') },
  });
  for (const k of ENV_KEYS) delete process.env[k];
  process.env['HF_ENDPOINT'] = hub.url;
  process.env['HF_HUB_CACHE'] = join(tmp.dir, 'hub-cache');
});

afterAll(async () => {
  await hub.close().catch(() => undefined);
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  tmp.cleanup();
});

interface ClassifyJson {
  model: string;
  results: { image: string; top: { label: string }[] }[];
}

describe('--model owner/name from the hub', () => {
  it('downloads into the HF cache and classifies; JSON names the model by its id', async () => {
    const r = await cli('classify', join(SAMPLES, 'sandal.png'), join(SAMPLES, 'coat.png'), '--model', 'test-org/tiny-vit', '--json', '--top', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as ClassifyJson;
    expect(j.model).toBe('test-org/tiny-vit');
    expect(j.results.map((x) => x.top[0]!.label)).toEqual(['Sandal', 'Coat']);
    expect(hub.log.some((l) => l.path.endsWith('/model.safetensors'))).toBe(true);
  });
  it('works again offline from the cache with the hub stopped', async () => {
    await hub.close();
    process.env['HF_HUB_OFFLINE'] = '1';
    try {
      const r = await cli('classify', join(SAMPLES, 'sandal.png'), '--model', 'test-org/tiny-vit', '--json', '--top', '1');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as ClassifyJson).results[0]!.top[0]!.label).toBe('Sandal');
      // a repo that was never downloaded: one line, exit 1
      const m = await cli('classify', join(SAMPLES, 'sandal.png'), '--model', 'test-org/not-there');
      expect(m.code).toBe(1);
      expect(expectOneLineError(m)).toContain('test-org/not-there');
    } finally {
      delete process.env['HF_HUB_OFFLINE'];
    }
  });
  it('a --model that is neither a folder nor a hub id -> one line, exit 1', async () => {
    const r = await cli('classify', join(SAMPLES, 'sandal.png'), '--model', './no/such/folder');
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/no such folder/);
  });
});
