// hubDownload: one repo file into the shared Hugging Face cache, as hf_hub_download does: HEAD the resolve
// URL for commit / ETag / size / CDN location, download to blobs/<etag>.incomplete with Range resume,
// retries and backoff, verify size and hash, rename atomically, then link snapshots/<commit>/<file>.
// Optimized for robustness (a killed or failed download never leaves a file that is later taken as
// complete). Matches huggingface_hub file_download.py (get_hf_file_metadata, _hf_hub_download_to_cache_dir).
import { createReadStream, promises as fsp } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { HubError } from './errors.js';
import { hubCacheDir, hubEndpoint, hubOffline, hubToken, type Env } from './env.js';
import {
  COMMIT_RE, SHA256_RE, normalizeEtag, validateCommit, validateRepoFilename, validateRepoId, validateRevision,
} from './names.js';
import { RepoCache, exists } from './cache.js';
import {
  DEFAULT_RETRY, backoffMs, header, isRetryableNetworkError, isRetryableStatus, readBody, redactUrl, request, sleep,
  type HttpResponse, type RetryPolicy,
} from './http.js';
import { silentProgress, stderrProgress, type ProgressSink } from './progress.js';

export interface HubOptions {
  /** Branch, tag or commit (default "main", or the "@revision" of an id given to resolveModel). */
  revision?: string;
  /** Cache root (default $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Hub URL (default $HF_ENDPOINT, else https://huggingface.co). */
  endpoint?: string;
  /** Access token (default $HF_TOKEN or the login token file); null for anonymous requests. */
  token?: string | null;
  /** Serve from the cache only (default $HF_HUB_OFFLINE). */
  offline?: boolean;
  /** Environment to read the defaults from (default process.env). */
  env?: Env;
  /** true: a progress bar on stderr when it is a TTY (default); false: none; or a custom sink. */
  progress?: boolean | ProgressSink;
  /** Retry policy for 5xx, 429 and connection failures. */
  retry?: Partial<RetryPolicy>;
  /** Idle socket timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Free bytes at a path, for the disk-space check before a download (default: fs.statfs). */
  freeBytes?: (dir: string) => Promise<number | undefined>;
}

/** Options resolved once per call chain. */
export interface HubContext {
  endpoint: string;
  cacheDir: string;
  token: string | undefined;
  offline: boolean;
  retry: RetryPolicy;
  timeoutMs: number;
  progress: ProgressSink;
  freeBytes: (dir: string) => Promise<number | undefined>;
}

export function hubContext(opts: HubOptions = {}): HubContext {
  const env = opts.env ?? process.env;
  const endpoint = (opts.endpoint ?? hubEndpoint(env)).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new HubError('InvalidRepoId', `HF_ENDPOINT ${JSON.stringify(endpoint)}: expected an http(s) URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HubError('InvalidRepoId', `HF_ENDPOINT ${JSON.stringify(endpoint)}: expected an http(s) URL, found ${parsed.protocol}`);
  }
  return {
    endpoint,
    cacheDir: opts.cacheDir ?? hubCacheDir(env),
    token: opts.token === null ? undefined : opts.token ?? hubToken(env),
    offline: opts.offline ?? hubOffline(env),
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    timeoutMs: opts.timeoutMs ?? 30_000,
    progress: opts.progress === false ? silentProgress : opts.progress === true || opts.progress === undefined ? stderrProgress() : opts.progress,
    freeBytes: opts.freeBytes ?? defaultFreeBytes,
  };
}

async function defaultFreeBytes(dir: string): Promise<number | undefined> {
  try {
    const st = await fsp.statfs(dir);
    return Number(st.bavail) * Number(st.bsize);
  } catch {
    return undefined; // statfs unsupported: rely on ENOSPC while writing
  }
}

/** What a HEAD on the resolve URL tells us (huggingface_hub HfFileMetadata). */
export interface FileMetadata {
  commit: string;
  /** normalised ETag: sha256 for LFS files, git blob sha1 otherwise */
  etag: string;
  /** bytes, from X-Linked-Size (LFS) or Content-Length */
  size: number;
  /** where to GET the bytes: the resolve URL or the CDN URL it redirects to */
  location: string;
}

export function resolveUrl(endpoint: string, repoId: string, revision: string, filename: string): string {
  const file = filename.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** Maps a hub error status to a HubError that names the repo and file and says what to do. */
export function statusError(res: HttpResponse, repoId: string, revision: string, filename: string | undefined): HubError {
  const code = header(res, 'x-error-code');
  const what = filename !== undefined ? `${filename} in ${repoId}@${revision}` : `${repoId}@${revision}`;
  if (res.status === 401 || res.status === 403) {
    if (code === 'RepoNotFound') {
      return new HubError('RepoNotFound', `repository ${repoId} not found on the hub (HTTP ${res.status}): check the id, or set HF_TOKEN if it is private`);
    }
    return new HubError('Unauthorized', `access to ${what} was refused (HTTP ${res.status}${code ? `, ${code}` : ''}): the repository is gated or private; ` +
      'accept its terms on the hub and set HF_TOKEN to a token with read access');
  }
  if (res.status === 404) {
    if (code === 'RevisionNotFound') return new HubError('RevisionNotFound', `revision ${JSON.stringify(revision)} not found in ${repoId} (HTTP 404)`);
    if (code === 'RepoNotFound' || filename === undefined) return new HubError('RepoNotFound', `repository ${repoId} not found on the hub (HTTP 404)`);
    return new HubError('EntryNotFound', `file ${filename} not found in ${repoId}@${revision} (HTTP 404)`);
  }
  return new HubError('Network', `unexpected HTTP ${res.status} for ${what} from ${redactUrl(res.url)}`);
}

/** Runs `fn` with retries on retryable statuses / transport errors, with exponential backoff. */
async function withRetries<T>(ctx: HubContext, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRetryableNetworkError(e) || attempt >= ctx.retry.retries) {
        if (isRetryableNetworkError(e) && !(e instanceof HubError)) {
          throw new HubError('Network', `${what}: ${(e as Error).message} (gave up after ${attempt + 1} attempts)`, { cause: e });
        }
        throw e;
      }
      await sleep(backoffMs(ctx.retry, attempt));
    }
  }
}

/** A retryable status as a Network HubError, so withRetries retries it. */
function retryableStatus(res: HttpResponse, what: string): HubError {
  res.body.resume();
  return new HubError('Network', `${what}: HTTP ${res.status} from ${redactUrl(res.url)}`);
}

/**
 * HEAD on the resolve URL without following the CDN redirect (only same-origin relative redirects, as for a
 * renamed repo), reading X-Repo-Commit, X-Linked-Etag / ETag, X-Linked-Size / Content-Length, Location.
 */
export async function getFileMetadata(ctx: HubContext, repoId: string, revision: string, filename: string): Promise<FileMetadata> {
  const what = `${filename} in ${repoId}@${revision}`;
  return withRetries(ctx, `HEAD ${what}`, async () => {
    let url = resolveUrl(ctx.endpoint, repoId, revision, filename);
    for (let hop = 0; ; hop++) {
      const res = await request(url, { method: 'HEAD', token: ctx.token, authOrigin: new URL(ctx.endpoint).origin, followRedirects: false, timeoutMs: ctx.timeoutMs });
      res.body.resume();
      if (isRetryableStatus(res.status)) throw retryableStatus(res, `HEAD ${what}`);
      if (res.status >= 400) throw statusError(res, repoId, revision, filename);
      let location = url;
      if (res.status >= 300 && res.status <= 399) {
        const loc = header(res, 'location');
        if (loc === undefined) throw new HubError('BadResponse', `HEAD ${what}: HTTP ${res.status} without a Location header`);
        const target = new URL(loc, url);
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
          throw new HubError('BadResponse', `HEAD ${what}: refusing redirect to ${target.protocol} URL; only http and https are followed`);
        }
        // A redirect that stays on the hub (renamed repo) is followed; one to another host is the CDN, and
        // the metadata is on this response (huggingface_hub _httpx2_follow_hub_redirects_with_backoff).
        if (isHubHost(ctx, url, target) && hop < 5) {
          url = target.href;
          continue;
        }
        location = target.href;
      }
      const commit = validateCommit(header(res, 'x-repo-commit'), `HEAD ${what}`);
      const etag = normalizeEtag(header(res, 'x-linked-etag') ?? header(res, 'etag'), `HEAD ${what}`);
      const sizeStr = header(res, 'x-linked-size') ?? (res.status === 200 ? header(res, 'content-length') : undefined);
      const size = sizeStr !== undefined && /^\d+$/.test(sizeStr) ? Number(sizeStr) : NaN;
      if (!Number.isSafeInteger(size)) {
        throw new HubError('BadResponse', `HEAD ${what}: expected the file size in X-Linked-Size or Content-Length, found ${JSON.stringify(sizeStr ?? null)}`);
      }
      return { commit, etag, size, location };
    }
  });
}

/** Same host name as the request, or a Hugging Face host (huggingface_hub constants.HF_URL_HOSTS). */
function isHubHost(ctx: HubContext, from: string, target: URL): boolean {
  const host = target.hostname.toLowerCase();
  return host === new URL(from).hostname.toLowerCase() ||
    ['hf.co', 'huggingface.co', 'hub-ci.huggingface.co', new URL(ctx.endpoint).hostname.toLowerCase()].includes(host);
}

/** sha256 hex of a file (LFS ETag), or git's blob sha1 ("blob <size>\0" + bytes) for 40-hex ETags. */
async function fileDigest(path: string, algo: 'sha256' | 'git-sha1', size: number): Promise<string> {
  const h = createHash(algo === 'sha256' ? 'sha256' : 'sha1');
  if (algo === 'git-sha1') h.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function diskFull(path: string, e: unknown): HubError {
  return new HubError('DiskFull', `disk full while writing ${path} (ENOSPC): free some space or point HF_HUB_CACHE at a larger disk; ` +
    'the partial download is kept as .incomplete and resumes on the next run', { cause: e });
}

async function sizeOf(p: string): Promise<number> {
  try {
    return (await fsp.stat(p)).size;
  } catch {
    return 0;
  }
}

/**
 * Downloads `meta` into blobs/<etag>: bytes go to <blob>.incomplete (resumed with Range after a drop, also
 * across processes), the finished file must have the announced size and hash, and only then is it renamed
 * to the blob name. On a hash mismatch the partial file is deleted and the download restarted once.
 */
export async function downloadBlob(ctx: HubContext, cache: RepoCache, meta: FileMetadata, label: string): Promise<string> {
  const blob = cache.blobPath(meta.etag);
  const incomplete = `${blob}.incomplete`;
  await fsp.mkdir(dirname(blob), { recursive: true });
  const algo = SHA256_RE.test(meta.etag) ? 'sha256' : COMMIT_RE.test(meta.etag) ? 'git-sha1' : undefined;

  const have0 = await sizeOf(incomplete);
  const free = await ctx.freeBytes(dirname(blob));
  if (free !== undefined && free < meta.size - have0) {
    throw new HubError('DiskFull', `not enough free space for ${label} in ${dirname(blob)}: need ${meta.size - have0} bytes, ${free} available; ` +
      'free some space or point HF_HUB_CACHE at a larger disk');
  }

  let checksumFailures = 0;
  let failures = 0; // consecutive attempts that made no progress
  let totalAttempts = 0;
  ctx.progress.start(label, meta.size, have0);
  try {
    for (;;) {
      totalAttempts++;
      let have = await sizeOf(incomplete);
      if (have > meta.size) {
        await fsp.rm(incomplete, { force: true }); // larger than the file: not ours to resume
        have = 0;
      }
      let progressed = false;
      try {
        if (have < meta.size) progressed = await fetchInto(ctx, meta, incomplete, have, label);
        const got = await sizeOf(incomplete);
        if (got < meta.size) {
          // The body ended early without a transport error (truncated): resume from here.
          throw Object.assign(new Error(`${label}: body ended after ${got} of ${meta.size} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        }
        if (got > meta.size) {
          await fsp.rm(incomplete, { force: true });
          throw new HubError('SizeMismatch', `${label}: received ${got} bytes, X-Linked-Size / Content-Length says ${meta.size}; partial file deleted`);
        }
        if (algo !== undefined) {
          const digest = await fileDigest(incomplete, algo, meta.size);
          if (digest !== meta.etag) {
            await fsp.rm(incomplete, { force: true });
            checksumFailures++;
            const msg = `${label}: ${algo === 'sha256' ? 'sha256' : 'git blob sha1'} of the downloaded bytes is ${digest}, the hub's ETag says ${meta.etag}; the file was deleted`;
            if (checksumFailures >= 2) throw new HubError('ChecksumMismatch', msg);
            continue; // once more from scratch: a corrupted transfer is not a corrupted repo
          }
        }
        await fsp.rename(incomplete, blob);
        return blob;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFull(incomplete, e);
        if (!isRetryableNetworkError(e)) throw e;
        failures = progressed ? 0 : failures + 1;
        if (failures > ctx.retry.retries || totalAttempts > 10 * (ctx.retry.retries + 1)) {
          throw new HubError('Network', `${label}: download failed after ${totalAttempts} attempts: ${(e as Error).message}; ` +
            'run again to resume from the partial .incomplete file', { cause: e });
        }
        await sleep(backoffMs(ctx.retry, Math.max(0, failures - 1)));
      }
    }
  } finally {
    ctx.progress.end();
  }
}

/** One GET (with Range when resuming), appending to `incomplete`. Returns whether any byte was written. */
async function fetchInto(ctx: HubContext, meta: FileMetadata, incomplete: string, have: number, label: string): Promise<boolean> {
  const headers: Record<string, string> = {};
  if (have > 0) headers.range = `bytes=${have}-`;
  const res = await request(meta.location, { method: 'GET', headers, token: ctx.token, authOrigin: new URL(ctx.endpoint).origin, timeoutMs: ctx.timeoutMs });
  if (isRetryableStatus(res.status)) throw retryableStatus(res, `GET ${label}`);
  let start = 0;
  if (res.status === 206) {
    const m = /^bytes (\d+)-/.exec(header(res, 'content-range') ?? '');
    start = m ? Number(m[1]) : -1;
    if (start !== have) {
      res.body.resume();
      await fsp.rm(incomplete, { force: true }); // the server resumed somewhere else: start over
      throw Object.assign(new Error(`${label}: asked for bytes ${have}-, server sent ${header(res, 'content-range') ?? 'no Content-Range'}`), { code: 'ECONNRESET' });
    }
  } else if (res.status === 416) {
    res.body.resume();
    // The server has no bytes past `have`: the file is shorter than X-Linked-Size announced.
    await fsp.rm(incomplete, { force: true });
    throw new HubError('SizeMismatch', `${label}: the server has only ${have} bytes, X-Linked-Size / Content-Length announced ${meta.size}; partial file deleted`);
  } else if (res.status !== 200) {
    res.body.resume();
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      throw new HubError(res.status === 404 ? 'EntryNotFound' : 'Unauthorized', `GET ${label}: HTTP ${res.status} from ${redactUrl(res.url)}`);
    }
    throw new HubError('BadResponse', `GET ${label}: unexpected HTTP ${res.status} from ${redactUrl(res.url)}`);
  }
  // 200 = the whole file (a server that ignores Range): overwrite instead of appending.
  const fh = await fsp.open(incomplete, start > 0 ? 'a' : 'w');
  let done = start;
  let wrote = false;
  let overflow = false;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      if (done + buf.length > meta.size) {
        overflow = true;
        res.body.destroy();
        break;
      }
      await fh.write(buf);
      done += buf.length;
      wrote = true;
      ctx.progress.update(done);
    }
  } finally {
    await fh.close();
  }
  if (overflow) {
    await fsp.rm(incomplete, { force: true });
    throw new HubError('SizeMismatch', `${label}: the server sent more than the ${meta.size} bytes that X-Linked-Size / Content-Length announced; partial file deleted`);
  }
  return wrote;
}

/**
 * Downloads one file of a repo into the cache (or finds it there) and returns its path in the snapshot
 * folder, like huggingface_hub.hf_hub_download. Offline, or when the hub cannot be reached, the cached
 * copy for the revision is returned if there is one.
 */
export async function hubDownload(repoId: string, filename: string, opts: HubOptions = {}): Promise<string> {
  return hubDownloadWith(hubContext(opts), repoId, filename, opts.revision ?? 'main');
}

export async function hubDownloadWith(ctx: HubContext, repoId: string, filename: string, revision: string): Promise<string> {
  validateRepoId(repoId);
  validateRevision(revision);
  validateRepoFilename(filename, `${repoId}@${revision}`);
  const cache = new RepoCache(ctx.cacheDir, repoId);
  const fromCache = async (): Promise<string | undefined> => {
    const commit = await cache.readRef(revision);
    return commit === undefined ? undefined : cache.cachedFile(commit, filename);
  };
  if (ctx.offline) {
    const hit = await fromCache();
    if (hit !== undefined) return hit;
    throw new HubError('Offline', `offline mode (HF_HUB_OFFLINE) is on and ${filename} of ${repoId}@${revision} is not in the cache ${ctx.cacheDir}; ` +
      'run once with network access, or unset HF_HUB_OFFLINE');
  }
  if (COMMIT_RE.test(revision)) {
    const hit = await cache.cachedFile(revision, filename);
    if (hit !== undefined) return hit; // a commit's files never change
  }
  let meta: FileMetadata;
  try {
    meta = await getFileMetadata(ctx, repoId, revision, filename);
  } catch (e) {
    if (e instanceof HubError && e.kind === 'Network') {
      const hit = await fromCache(); // as huggingface_hub: no connection -> last cached copy
      if (hit !== undefined) return hit;
    }
    throw e;
  }
  await cache.writeRef(revision, meta.commit);
  const pointer = await cache.cachedFile(meta.commit, filename);
  if (pointer !== undefined) return pointer;
  if (!(await exists(cache.blobPath(meta.etag)))) {
    await downloadBlob(ctx, cache, meta, filename);
  }
  return cache.linkPointer(meta.commit, filename, meta.etag);
}

/** GET a small JSON document from the hub API with retries (used for the file listing). */
export async function getJson(ctx: HubContext, url: string, repoId: string, revision: string): Promise<unknown> {
  return withRetries(ctx, `GET ${url}`, async () => {
    const res = await request(url, { method: 'GET', token: ctx.token, authOrigin: new URL(ctx.endpoint).origin, timeoutMs: ctx.timeoutMs });
    if (isRetryableStatus(res.status)) throw retryableStatus(res, `GET ${url}`);
    if (res.status !== 200) {
      res.body.resume();
      throw statusError(res, repoId, revision, undefined);
    }
    const body = await readBody(res, 16 * 1024 * 1024);
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new HubError('BadResponse', `GET ${url}: expected JSON, found ${JSON.stringify(body.subarray(0, 60).toString('utf8'))}`);
    }
  });
}
