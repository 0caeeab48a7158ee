// Hub download + cache against a loopback fake hub (test/helpers/fake-hub.ts): layout shared with Python's
// huggingface_hub, fetching only the needed files, offline mode, and every fault the issue lists (dropped
// connection, 500 then success, truncated body, wrong checksum, a killed process, a hostile shard index).
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach, vi, onTestFinished } from 'vitest';
import { promises as fsp, mkdtempSync, readdirSync, lstatSync, readlinkSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  HubError, resolveModel, hubDownload, parseRepoRef, validateRepoFilename, normalizeEtag, repoFolderName,
  hubCacheDir, hubEndpoint, hubOffline, formatProgressLine, stderrProgress, checkConfigLimits, type HubOptions,
} from '@patchwise/io';
import { startFakeHub, sha256Hex, gitBlobSha1, randomCommit, type FakeHub, type FakeRepo } from './helpers/fake-hub.js';
import { randomBytes } from './helpers/prng.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const CONFIG = enc(JSON.stringify({ model_type: 'vit', hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, image_size: 32, patch_size: 8 }));
const WEIGHTS = randomBytes(300_000, 7);

let hub: FakeHub;
let root: string; // per-test temp dir; the cache is root/hub, nothing may appear elsewhere in root
let cacheDir: string;

beforeAll(async () => {
  hub = await startFakeHub();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pw-hub-'));
  cacheDir = join(root, 'hub');
  hub.faults.length = 0;
  hub.log.length = 0;
});
afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

const opts = (extra: HubOptions = {}): HubOptions => ({
  endpoint: hub.url, cacheDir, token: null, offline: false, progress: false,
  retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 20 }, env: {}, ...extra,
});

function addRepo(id: string, files: Record<string, Uint8Array>, extra: Partial<FakeRepo> = {}): FakeRepo {
  const repo: FakeRepo = { commit: randomCommit(), files, ...extra };
  hub.repos.set(id, repo);
  return repo;
}

/** Every file under dir (relative), following no symlinks. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(relative(cacheDir, p));
  }
  return out;
}

/** The cache holds only complete, verified files: no .incomplete/.tmp, every blob's name is its hash. */
function expectCacheClean(): void {
  for (const f of walk(cacheDir)) {
    expect(f).not.toMatch(/\.(incomplete|tmp)$/);
    const m = /blobs\/([0-9a-f]+)$/.exec(f);
    if (m) {
      const data = readFileSync(join(cacheDir, f));
      expect(m[1]!.length === 64 ? sha256Hex(data) : gitBlobSha1(data)).toBe(m[1]);
    }
  }
  expect(readdirSync(root)).toEqual(existsSync(cacheDir) ? ['hub'] : []); // nothing written outside the cache
}

/** Compares by sha256: vitest's deep equality on 300 KB buffers takes seconds. */
function expectSameBytes(path: string, want: Uint8Array): void {
  expect(sha256Hex(readFileSync(path))).toBe(sha256Hex(want));
}

async function hubErr(p: Promise<unknown>): Promise<HubError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HubError);
    return e as HubError;
  }
  throw new Error('expected a HubError, the call succeeded');
}

describe('names and settings', () => {
  it('parses ids and refuses unsafe names', () => {
    expect(parseRepoRef('google/vit-base-patch16-224')).toEqual({ repoId: 'google/vit-base-patch16-224', revision: 'main' });
    expect(parseRepoRef('a/b@refs/pr/1')).toEqual({ repoId: 'a/b', revision: 'refs/pr/1' });
    expect(() => parseRepoRef('a/b/c')).toThrow(HubError);
    expect(() => parseRepoRef('a--b/c')).toThrow(/"--"/);
    expect(() => parseRepoRef('a/b@../x')).toThrow(/".." segment/);
    for (const bad of ['/etc/passwd', '../../evil.safetensors', 'a/../../b', 'a\\b', 'C:x', '', 'a//b', './a']) {
      expect(() => validateRepoFilename(bad, 'test'), bad).toThrow(HubError);
    }
    validateRepoFilename('sub/dir/model-00001-of-00002.safetensors', 'test');
    expect(repoFolderName('owner/name')).toBe('models--owner--name');
  });

  it('normalises ETags like huggingface_hub (_normalize_etag) and refuses path-like ones', () => {
    expect(normalizeEtag('"abc123"', 'h')).toBe('abc123');
    expect(normalizeEtag('W/"abc123"', 'h')).toBe('abc123');
    expect(() => normalizeEtag('"../../x"', 'h')).toThrow(/refusing ETag/);
    expect(() => normalizeEtag(undefined, 'h')).toThrow(/no ETag/);
  });

  it('reads HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, HF_ENDPOINT, HF_HUB_OFFLINE as huggingface_hub does', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/c', HF_HOME: '/h' })).toBe('/c');
    expect(hubCacheDir({ HF_HOME: '/h' })).toBe('/h/hub');
    expect(hubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/huggingface/hub');
    expect(hubEndpoint({ HF_ENDPOINT: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
    expect(hubEndpoint({})).toBe('https://huggingface.co');
    expect(['1', 'ON', 'yes', 'True'].map((v) => hubOffline({ HF_HUB_OFFLINE: v }))).toEqual([true, true, true, true]);
    expect(hubOffline({ HF_HUB_OFFLINE: '0' })).toBe(false);
  });

  it('progress line shows bytes, rate and ETA', () => {
    // 12.5 MB of 50 MB at 2.5 MB/s -> 25%, (50 - 12.5) / 2.5 = 15 s left
    expect(formatProgressLine('model.safetensors', 12_500_000, 50_000_000, 2_500_000))
      .toBe('model.safetensors   25%  12.5 MB/50.0 MB  2.50 MB/s  ETA 0:15');
  });

  it('draws the bar on a TTY only', () => {
    const written: string[] = [];
    const fake = (isTTY: boolean): NodeJS.WriteStream => ({ isTTY, columns: 120, write: (s: string) => written.push(s) }) as unknown as NodeJS.WriteStream;
    const quiet = stderrProgress(fake(false));
    quiet.start('f', 100, 0); quiet.update(50); quiet.end();
    expect(written).toEqual([]);
    const bar = stderrProgress(fake(true));
    bar.start('model.safetensors', 1000, 0); bar.update(500); bar.end();
    expect(written.join('')).toMatch(/^\r.*model\.safetensors\s+50%\s+500 B\/1.00 KB.*\n$/s);
  });

  it('refuses absurd config sizes', () => {
    expect(() => checkConfigLimits({ num_hidden_layers: 1_000_000 }, 'c')).toThrow(/num_hidden_layers = 1000000 refused/);
    expect(() => checkConfigLimits({ vision_config: { hidden_size: 1e9 } }, 'c')).toThrow(/vision_config.hidden_size/);
    checkConfigLimits({ hidden_size: 768, image_size: [224, 224], text_config: { vocab_size: 49408 } }, 'c');
  });
});

describe('resolveModel', () => {
  it('fetches only the needed files into the Hugging Face cache layout', async () => {
    const vocab = enc('{"a": 0}');
    const repo = addRepo('test-org/tiny-vit', {
      'config.json': CONFIG, 'preprocessor_config.json': enc('{"size": 32}'), 'vocab.json': vocab, 'merges.txt': enc('#version: 0.2\n'),
      'model.safetensors': WEIGHTS, 'pytorch_model.bin': randomBytes(1000, 3), 'README.md': enc('# hi'), 'flax_model.msgpack': randomBytes(10, 1),
    });
    const dir = await resolveModel('test-org/tiny-vit', opts());
    const repoRoot = join(cacheDir, 'models--test-org--tiny-vit');
    expect(dir).toBe(join(repoRoot, 'snapshots', repo.commit));
    expect(readFileSync(join(repoRoot, 'refs', 'main'), 'utf8')).toBe(repo.commit);
    // pointers are relative symlinks into blobs/<etag>: sha256 for LFS files, git blob sha1 otherwise
    const cfgLink = join(dir, 'config.json');
    expect(lstatSync(cfgLink).isSymbolicLink()).toBe(true);
    expect(readlinkSync(cfgLink)).toBe(`../../blobs/${gitBlobSha1(CONFIG)}`);
    expect(readlinkSync(join(dir, 'model.safetensors'))).toBe(`../../blobs/${sha256Hex(WEIGHTS)}`);
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    expectSameBytes(join(dir, 'vocab.json'), vocab);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'merges.txt', 'model.safetensors', 'preprocessor_config.json', 'vocab.json']);
    const fetched = hub.log.filter((r) => r.method === 'GET' && r.server === 'hub' && r.path.includes('/resolve/')).map((r) => r.path.split('/').pop());
    expect(fetched).not.toContain('pytorch_model.bin');
    expect(fetched).not.toContain('README.md');
    expect(hub.log.some((r) => r.server === 'cdn' && r.path.endsWith(sha256Hex(WEIGHTS)))).toBe(true);
    expectCacheClean();

    // again: files at a known commit are not requested again
    hub.log.length = 0;
    expect(await resolveModel('test-org/tiny-vit', opts())).toBe(dir);
    expect(hub.log.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/models/test-org/tiny-vit/revision/main`]);

    // offline: no request at all, same folder
    hub.log.length = 0;
    expect(await resolveModel('test-org/tiny-vit', opts({ env: { HF_HUB_OFFLINE: '1' }, offline: undefined }))).toBe(dir);
    expect(hub.log).toEqual([]);
  });

  it('a local folder passes through unchanged; a missing path that is not an id is refused', async () => {
    expect(await resolveModel(root, opts())).toBe(root);
    expect((await hubErr(resolveModel('./no/such/dir', opts()))).kind).toBe('InvalidRepoId');
    await fsp.writeFile(join(root, 'model.safetensors'), 'x');
    expect((await hubErr(resolveModel(join(root, 'model.safetensors'), opts()))).message).toMatch(/is a file; expected a model folder/);
    await fsp.rm(join(root, 'model.safetensors'));
    expect(hub.log).toEqual([]);
  });

  it('offline mode fails clearly when the model is not cached', async () => {
    const e = await hubErr(resolveModel('test-org/not-cached', opts({ offline: true })));
    expect(e.kind).toBe('Offline');
    expect(e.message).toMatch(/HF_HUB_OFFLINE.*test-org\/not-cached@main is not in the cache/);
    expect(hub.log).toEqual([]);
  });

  it('reads a cache written by Python huggingface_hub (refs/main, relative symlinks, blobs by etag)', async () => {
    // The layout _hf_hub_download_to_cache_dir + _create_symlink produce, built by hand.
    const commit = randomCommit();
    const r = join(cacheDir, 'models--py-org--cached');
    await fsp.mkdir(join(r, 'blobs'), { recursive: true });
    await fsp.mkdir(join(r, 'refs'), { recursive: true });
    await fsp.mkdir(join(r, 'snapshots', commit), { recursive: true });
    await fsp.writeFile(join(r, 'refs', 'main'), commit);
    for (const [name, data, etag] of [['config.json', CONFIG, gitBlobSha1(CONFIG)], ['model.safetensors', WEIGHTS, sha256Hex(WEIGHTS)]] as const) {
      await fsp.writeFile(join(r, 'blobs', etag), data);
      await fsp.symlink(`../../blobs/${etag}`, join(r, 'snapshots', commit, name));
    }
    expect(await resolveModel('py-org/cached', opts({ offline: true }))).toBe(join(r, 'snapshots', commit));
    // hubDownload of one file, offline, resolves the same pointer
    expect(await hubDownload('py-org/cached', 'config.json', opts({ offline: true }))).toBe(join(r, 'snapshots', commit, 'config.json'));
  });

  it('a sharded checkpoint: the index and exactly its shards', async () => {
    const s1 = randomBytes(50_000, 11);
    const s2 = randomBytes(40_000, 12);
    const index = { metadata: {}, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' } };
    addRepo('test-org/sharded', {
      'config.json': CONFIG, 'model.safetensors.index.json': enc(JSON.stringify(index)),
      'model-00001-of-00002.safetensors': s1, 'model-00002-of-00002.safetensors': s2, 'pytorch_model.bin': randomBytes(10, 1),
    });
    const dir = await resolveModel('test-org/sharded@main', opts());
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
    expectSameBytes(join(dir, 'model-00002-of-00002.safetensors'), s2);
    expectCacheClean();
    expect(await resolveModel('test-org/sharded', opts({ offline: true }))).toBe(dir);
  });

  it('an index naming ../../evil.safetensors (or an absolute or backslash path) is refused, nothing written outside', async () => {
    for (const [i, evil] of ['../../evil.safetensors', '/tmp/evil.safetensors', '..\\..\\evil.safetensors', 'sub/../../../evil.safetensors'].entries()) {
      const id = `evil-org/repo${i}`;
      addRepo(id, {
        'config.json': CONFIG,
        'model.safetensors.index.json': enc(JSON.stringify({ weight_map: { w: evil } })),
        [evil]: randomBytes(100, 5), // the listing even names it
      });
      const e = await hubErr(resolveModel(id, opts()));
      expect(e.kind).toBe('UnsafeName');
      expect(e.message).toContain(JSON.stringify(evil));
      // and asking for it directly is refused before any request
      hub.log.length = 0;
      expect((await hubErr(hubDownload(id, evil, opts()))).kind).toBe('UnsafeName');
      expect(hub.log).toEqual([]);
    }
    expect(walk(cacheDir).filter((f) => f.includes('evil.safetensors'))).toEqual([]);
    expectCacheClean();
  });

  it('a repo with only pytorch_model.bin gets the arbitrary-code explanation', async () => {
    addRepo('test-org/pickle-only', { 'config.json': CONFIG, 'pytorch_model.bin': randomBytes(100, 2) });
    const e = await hubErr(resolveModel('test-org/pickle-only', opts()));
    expect(e.kind).toBe('UnsupportedFormat');
    expect(e.message).toMatch(/pytorch_model\.bin.*arbitrary code.*safetensors only/);
    expect(hub.log.some((r) => r.path.endsWith('pytorch_model.bin'))).toBe(false);
  });

  it('an absurd config is refused before the weights are requested', async () => {
    addRepo('test-org/huge', { 'config.json': enc(JSON.stringify({ num_hidden_layers: 1_000_000, hidden_size: 1e9 })), 'model.safetensors': WEIGHTS });
    expect((await hubErr(resolveModel('test-org/huge', opts()))).kind).toBe('ConfigRefused');
    expect(hub.log.some((r) => r.path.endsWith('model.safetensors'))).toBe(false);
  });

  it('404 names the repo, or the file and the repo', async () => {
    const e1 = await hubErr(resolveModel('nobody/nothing', opts()));
    expect(e1.kind).toBe('RepoNotFound');
    expect(e1.message).toContain('nobody/nothing');
    addRepo('test-org/small', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
    const e2 = await hubErr(hubDownload('test-org/small', 'missing.json', opts()));
    expect(e2.kind).toBe('EntryNotFound');
    expect(e2.message).toMatch(/missing\.json.*test-org\/small@main/);
    const e3 = await hubErr(resolveModel('test-org/small@v9', opts()));
    expect(e3.kind).toBe('RevisionNotFound');
  });

  it('401 on a gated repo says to set HF_TOKEN; the token goes to the hub only, never to the CDN or a message', async () => {
    const token = 'hf_secret_token_value';
    addRepo('gated-org/model', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS }, { token });
    const e = await hubErr(resolveModel('gated-org/model', opts()));
    expect(e.kind).toBe('Unauthorized');
    expect(e.message).toMatch(/gated or private.*HF_TOKEN/);
    hub.log.length = 0;
    const dir = await resolveModel('gated-org/model', opts({ token: undefined, env: { HF_TOKEN: token } }));
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    expect(hub.log.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${token}`)).toBe(true);
    expect(hub.log.filter((r) => r.server === 'cdn').length).toBeGreaterThan(0);
    expect(hub.log.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined)).toBe(true);
  });

  it('redirects only to http(s)', async () => {
    addRepo('test-org/bad-redirect', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS }, { location: { 'model.safetensors': 'file:///etc/passwd' } });
    const e = await hubErr(resolveModel('test-org/bad-redirect', opts()));
    expect(e.kind).toBe('BadResponse');
    expect(e.message).toMatch(/only http and https/);
  });

  it('when the hub is unreachable, the cached snapshot is used; without one, a Network error', async () => {
    addRepo('test-org/for-outage', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
    const dir = await resolveModel('test-org/for-outage', opts());
    const dead = opts({ endpoint: 'http://127.0.0.1:9', retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    expect(await resolveModel('test-org/for-outage', dead)).toBe(dir);
    expect((await hubErr(resolveModel('test-org/never-seen', dead))).kind).toBe('Network');
  });

  it('prints nothing on stderr when it is not a TTY', async () => {
    addRepo('test-org/quiet', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
    const spy = vi.spyOn(process.stderr, 'write');
    try {
      await resolveModel('test-org/quiet', opts({ progress: true }));
      expect(process.stderr.isTTY).toBeFalsy();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('copies the blob where symlinks are not allowed', async () => {
    addRepo('test-org/nosymlink', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
    const spy = vi.spyOn(fsp, 'symlink').mockRejectedValue(Object.assign(new Error('EPERM'), { code: 'EPERM' }));
    try {
      const dir = await resolveModel('test-org/nosymlink', opts());
      expect(lstatSync(join(dir, 'model.safetensors')).isSymbolicLink()).toBe(false);
      expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('fault injection', () => {
  const lfsPath = `/cdn/${sha256Hex(WEIGHTS)}`;
  const cdnGet = (r: { method: string; path: string; server: string }): boolean => r.server === 'cdn' && r.method === 'GET' && r.path === lfsPath;
  const blob = (): string => join(cacheDir, 'models--test-org--faults', 'blobs', sha256Hex(WEIGHTS));
  const cdnRanges = (): Array<string | undefined> => hub.log.filter((r) => r.server === 'cdn').map((r) => r.range);

  beforeEach(() => {
    addRepo('test-org/faults', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
  });

  it('a connection dropped mid-file resumes with Range', async () => {
    hub.faults.push({ when: cdnGet, dropAfter: 100_000 });
    const dir = await resolveModel('test-org/faults', opts());
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    const ranges = cdnRanges();
    expect(ranges[0]).toBeUndefined();
    expect(ranges[1]).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(ranges[1]!)![0])).toBeGreaterThan(0);
    expectCacheClean();
  });

  it('500 then success (on HEAD, on the CDN GET and on the listing)', async () => {
    hub.faults.push({ when: (r) => r.method === 'GET' && r.path.startsWith('/api/'), status: 500 });
    hub.faults.push({ when: (r) => r.method === 'HEAD' && r.path.endsWith('model.safetensors'), status: 503, times: 2 });
    hub.faults.push({ when: cdnGet, status: 500 });
    const dir = await resolveModel('test-org/faults', opts());
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    expectCacheClean();
  });

  it('5xx forever: gives up with a Network error and leaves no blob', async () => {
    hub.faults.push({ when: cdnGet, status: 502, times: Infinity });
    const e = await hubErr(resolveModel('test-org/faults', opts({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } })));
    expect(e.kind).toBe('Network');
    expect(existsSync(blob())).toBe(false);
  });

  it('a truncated body (clean early end, no Content-Length) is resumed, not taken as complete', async () => {
    hub.faults.push({ when: cdnGet, truncateAfter: 123_456 });
    const dir = await resolveModel('test-org/faults', opts());
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    expect(cdnRanges()[1]).toBe('bytes=123456-');
    expectCacheClean();
  });

  it('a wrong checksum once: deleted and downloaded again', async () => {
    hub.faults.push({ when: cdnGet, corrupt: true });
    const dir = await resolveModel('test-org/faults', opts());
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    expectCacheClean();
  });

  it('a wrong checksum every time: ChecksumMismatch, and no blob, pointer or partial file remains', async () => {
    hub.faults.push({ when: cdnGet, corrupt: true, times: Infinity });
    const e = await hubErr(resolveModel('test-org/faults', opts()));
    expect(e.kind).toBe('ChecksumMismatch');
    expect(e.message).toContain(sha256Hex(WEIGHTS));
    expect(walk(cacheDir).filter((f) => f.includes(sha256Hex(WEIGHTS)) || f.endsWith('model.safetensors'))).toEqual([]);
    expectCacheClean();
  });

  it('a corrupted small (non-LFS) file is caught by its git blob sha1', async () => {
    hub.faults.push({ when: (r) => r.server === 'hub' && r.method === 'GET' && r.path.endsWith('/config.json'), corrupt: true, times: Infinity });
    expect((await hubErr(resolveModel('test-org/faults', opts()))).kind).toBe('ChecksumMismatch');
    expectCacheClean();
  });

  it('sizes are checked against X-Linked-Size', async () => {
    addRepo('test-org/size-lies', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS }, { linkedSize: { 'model.safetensors': WEIGHTS.length + 10 } });
    expect((await hubErr(resolveModel('test-org/size-lies', opts()))).kind).toBe('SizeMismatch');
    addRepo('test-org/size-lies2', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS }, { linkedSize: { 'model.safetensors': WEIGHTS.length - 10 } });
    expect((await hubErr(resolveModel('test-org/size-lies2', opts()))).kind).toBe('SizeMismatch');
    expectCacheClean();
  });

  it('not enough disk space is reported before downloading', async () => {
    const e = await hubErr(resolveModel('test-org/faults', opts({ freeBytes: async () => 1000 })));
    expect(e.kind).toBe('DiskFull');
    expect(e.message).toMatch(/need \d+ bytes, 1000 available.*HF_HUB_CACHE/);
  });

  it('ENOSPC while writing: DiskFull, and the partial file is never taken as complete', async () => {
    const realOpen = fsp.open.bind(fsp);
    const spy = vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const fh = await realOpen(...args);
      if (String(args[0]).endsWith('.incomplete')) {
        fh.write = (() => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }))) as typeof fh.write;
      }
      return fh;
    });
    try {
      const e = await hubErr(resolveModel('test-org/faults', opts()));
      expect(e.kind).toBe('DiskFull');
      expect(e.message).toMatch(/disk full while writing .*\.incomplete.*HF_HUB_CACHE/);
    } finally {
      spy.mockRestore();
    }
    expect(existsSync(blob())).toBe(false);
    expect((await hubErr(resolveModel('test-org/faults', opts({ offline: true })))).kind).toBe('Offline');
  });

  it('a process killed mid-download leaves only .incomplete; a rerun resumes with Range', async () => {
    hub.faults.push({ when: cdnGet, throttle: { chunk: 16_384, delayMs: 15 } });
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const scriptDir = mkdtempSync(join(tmpdir(), 'pw-hub-child-'));
    onTestFinished(() => fsp.rm(scriptDir, { recursive: true, force: true }));
    const script = join(scriptDir, 'child.mts');
    const hubIndex = fileURLToPath(new URL('../src/hub/index.ts', import.meta.url));
    await fsp.writeFile(script, `import { resolveModel } from ${JSON.stringify(hubIndex)};\nawait resolveModel('test-org/faults', { progress: false });\n`);
    // tsx runs the script in a child node process: start it as its own process group and kill the group,
    // so the downloader itself dies (killing only the tsx wrapper would orphan it).
    const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), [script], {
      env: { ...process.env, HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir, HF_HUB_OFFLINE: '', HF_TOKEN: '' },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const killGroup = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    try {
      // kill -9 once the CDN has sent ~100 KB of the 300 KB file
      const t0 = Date.now();
      while (!hub.log.some((r) => r.server === 'cdn' && r.sent >= 100_000)) {
        if (Date.now() - t0 > 15_000) throw new Error('child never started the download');
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      killGroup();
    }
    await exited;
    await new Promise((r) => setTimeout(r, 50)); // let the kernel close the group's sockets
    const partial = `${blob()}.incomplete`;
    expect(existsSync(blob())).toBe(false);
    expect(existsSync(partial)).toBe(true);
    const partialSize = (await fsp.stat(partial)).size;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThan(WEIGHTS.length);
    expect(walk(cacheDir).some((f) => f.endsWith('model.safetensors'))).toBe(false); // no pointer to a partial file

    // an offline run must not take the partial file as the model
    expect((await hubErr(resolveModel('test-org/faults', opts({ offline: true })))).kind).toBe('Offline');

    hub.faults.length = 0;
    hub.log.length = 0;
    const dir = await resolveModel('test-org/faults', opts());
    expectSameBytes(join(dir, 'model.safetensors'), WEIGHTS);
    expect(cdnRanges()).toEqual([`bytes=${partialSize}-`]);
    expectCacheClean();
  });
});
