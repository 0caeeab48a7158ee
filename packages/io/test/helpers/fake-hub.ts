// A loopback stand-in for the Hugging Face hub (127.0.0.1, port 0) for the hub downloader tests: the model
// info API, resolve URLs (200 + ETag for small files, 302 to a "CDN" server on another port for LFS files
// with X-Linked-Etag / X-Linked-Size), X-Repo-Commit, Range requests, X-Error-Code on errors, and fault
// injection (status codes, dropped connections, truncated or corrupted bodies, throttling).
// Mimics the headers huggingface_hub reads in file_download.py (get_hf_file_metadata) and hf_api.py.
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** git's blob id: sha1("blob <size>\0" + bytes), the ETag the hub gives non-LFS files. */
export const gitBlobSha1 = (b: Uint8Array): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
export const randomCommit = (): string => randomBytes(20).toString('hex');

export interface FakeRepo {
  commit: string;
  /** branch / tag -> commit; "main" -> commit is added */
  refs?: Record<string, string>;
  files: Record<string, Uint8Array>;
  /** names served as LFS files (302 to the CDN); default: *.safetensors, *.bin */
  lfs?: (name: string) => boolean;
  /** downloads need "Authorization: Bearer <token>" (401 GatedRepo otherwise) */
  token?: string;
  /** override the 302 Location of a file (e.g. a file: URL) */
  location?: Record<string, string>;
  /** override X-Linked-Size of a file */
  linkedSize?: Record<string, number>;
}

export interface Fault {
  /** which request: method, path (no query), "hub" or "cdn" server */
  when: (r: { method: string; path: string; server: 'hub' | 'cdn' }) => boolean;
  /** how many times it fires (default 1; Infinity for always) */
  times?: number;
  status?: number;
  /** send this many body bytes (Content-Length announced in full), then destroy the socket */
  dropAfter?: number;
  /** send this many body bytes without Content-Length (chunked), then end cleanly */
  truncateAfter?: number;
  /** flip one byte of the body */
  corrupt?: boolean;
  /** send the body in chunks of this size with this delay between them */
  throttle?: { chunk: number; delayMs: number };
}

export interface LoggedRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range?: string;
  authorization?: string;
  /** body bytes written so far (updated while streaming) */
  sent: number;
}

export interface FakeHub {
  url: string;
  cdnUrl: string;
  repos: Map<string, FakeRepo>;
  faults: Fault[];
  log: LoggedRequest[];
  close(): Promise<void>;
}

const defaultLfs = (name: string): boolean => /\.(safetensors|bin|h5|onnx)$/.test(name);

export async function startFakeHub(): Promise<FakeHub> {
  const repos = new Map<string, FakeRepo>();
  const faults: Fault[] = [];
  const log: LoggedRequest[] = [];
  const blobsBySha = new Map<string, Uint8Array>();

  const takeFault = (method: string, path: string, server: 'hub' | 'cdn'): Fault | undefined => {
    const f = faults.find((x) => (x.times ?? 1) > 0 && x.when({ method, path, server }));
    if (f !== undefined) f.times = (f.times ?? 1) - 1;
    return f;
  };

  /** Body with Range support and faults. */
  const sendBody = async (req: http.IncomingMessage, res: http.ServerResponse, data: Uint8Array, headers: Record<string, string>,
    entry: LoggedRequest, fault: Fault | undefined): Promise<void> => {
    let body = Buffer.from(data);
    if (fault?.corrupt && body.length > 0) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return;
      }
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
      body = body.subarray(start);
      status = 206;
    }
    headers['accept-ranges'] = 'bytes';
    if (fault?.truncateAfter !== undefined) {
      res.writeHead(status, headers); // no Content-Length: chunked, so a clean early end looks complete
      const part = body.subarray(0, fault.truncateAfter);
      res.write(part);
      entry.sent += part.length;
      res.end();
      return;
    }
    headers['content-length'] = String(body.length);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (fault?.dropAfter !== undefined) {
      const part = body.subarray(0, fault.dropAfter);
      res.write(part, () => {
        entry.sent += part.length;
        setTimeout(() => res.socket?.destroy(), 5);
      });
      return;
    }
    if (fault?.throttle !== undefined) {
      const { chunk, delayMs } = fault.throttle;
      for (let off = 0; off < body.length; off += chunk) {
        if (res.destroyed || req.socket.destroyed) return;
        const part = body.subarray(off, off + chunk);
        await new Promise<void>((r) => res.write(part, () => r()));
        entry.sent += part.length;
        await new Promise((r) => setTimeout(r, delayMs));
      }
      res.end();
      return;
    }
    res.end(body);
    entry.sent += body.length;
  };

  const errorReply = (res: http.ServerResponse, status: number, code: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'x-error-code': code, 'x-error-message': code, 'content-type': 'text/plain', ...extra });
    res.end(code);
  };

  const resolveRev = (repo: FakeRepo, rev: string): string | undefined =>
    rev === repo.commit ? repo.commit : ({ main: repo.commit, ...repo.refs } as Record<string, string>)[rev];

  let cdnUrl = '';
  const hub = http.createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(u.pathname);
      const entry: LoggedRequest = { server: 'hub', method: req.method ?? '', path, range: req.headers.range, authorization: req.headers.authorization, sent: 0 };
      log.push(entry);
      const fault = takeFault(entry.method, path, 'hub');
      if (fault?.status !== undefined) return errorReply(res, fault.status, 'Injected');

      let m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(path);
      if (m) {
        const repo = repos.get(m[1]!);
        if (repo === undefined) return errorReply(res, 404, 'RepoNotFound');
        const commit = resolveRev(repo, m[2]!);
        if (commit === undefined) return errorReply(res, 404, 'RevisionNotFound');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: m[1], sha: commit, siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })) }));
        return;
      }
      m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(u.pathname);
      if (m) {
        const repoId = decodeURIComponent(m[1]!);
        const rev = decodeURIComponent(m[2]!);
        const file = m[3]!.split('/').map(decodeURIComponent).join('/');
        const repo = repos.get(repoId);
        if (repo === undefined) return errorReply(res, 404, 'RepoNotFound');
        const commit = resolveRev(repo, rev);
        if (commit === undefined) return errorReply(res, 404, 'RevisionNotFound');
        if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
          return errorReply(res, 401, 'GatedRepo', { 'x-repo-commit': commit });
        }
        const data = repo.files[file];
        if (data === undefined) return errorReply(res, 404, 'EntryNotFound', { 'x-repo-commit': commit });
        if ((repo.lfs ?? defaultLfs)(file)) {
          const sha = sha256Hex(data);
          blobsBySha.set(sha, data);
          res.writeHead(302, {
            location: repo.location?.[file] ?? `${cdnUrl}/cdn/${sha}?X-Amz-Signature=secret-signature`,
            'x-repo-commit': commit,
            'x-linked-etag': `"${sha}"`,
            'x-linked-size': String(repo.linkedSize?.[file] ?? data.length),
            etag: `"${gitBlobSha1(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\n`))}"`,
            'content-length': '0',
          });
          res.end();
          return;
        }
        return sendBody(req, res, data, { 'x-repo-commit': commit, etag: `"${gitBlobSha1(data)}"` }, entry, fault);
      }
      errorReply(res, 404, 'NotFound');
    })();
  });

  const cdn = http.createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const entry: LoggedRequest = { server: 'cdn', method: req.method ?? '', path: u.pathname, range: req.headers.range, authorization: req.headers.authorization, sent: 0 };
      log.push(entry);
      const fault = takeFault(entry.method, u.pathname, 'cdn');
      if (fault?.status !== undefined) return errorReply(res, fault.status, 'Injected');
      const m = /^\/cdn\/([0-9a-f]{64})$/.exec(u.pathname);
      const data = m ? blobsBySha.get(m[1]!) : undefined;
      if (data === undefined) return errorReply(res, 404, 'NoSuchKey');
      return sendBody(req, res, data, {}, entry, fault);
    })();
  });

  const listen = (s: http.Server, host: string): Promise<string> =>
    new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, host, () => resolve(`http://${host}:${(s.address() as AddressInfo).port}`));
    });
  const url = await listen(hub, '127.0.0.1');
  // The CDN gets another host name, as on the real hub (so HEAD does not follow the redirect and the token
  // stays on the hub); 127.0.0.2 is loopback on Linux, elsewhere fall back to 127.0.0.1 on another port.
  try {
    cdnUrl = await listen(cdn, '127.0.0.2');
  } catch {
    cdnUrl = await listen(cdn, '127.0.0.1');
  }

  const close = async (): Promise<void> => {
    for (const s of [hub, cdn]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  };
  return { url, cdnUrl, repos, faults, log, close };
}
