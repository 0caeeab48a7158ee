// Minimal HTTP client for the hub over node:http / node:https: one request, manual redirects (http/https
// only, Authorization kept only on the endpoint's origin), timeouts, and the retry/backoff policy.
// Optimized for predictable failure modes (no hidden decompression, socket errors surface as-is).
// Policy follows huggingface_hub utils/_http.py (http_backoff: retry 5xx and connection errors).
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';
import { HubError } from './errors.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: string;
  body: IncomingMessage;
}

export interface RequestOptions {
  method: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Bearer token sent only to `authOrigin` (the endpoint), never to a CDN on another origin. */
  token?: string;
  authOrigin?: string;
  /** Follow redirects (up to 10). When false, a 3xx response is returned as is. */
  followRedirects?: boolean;
  /** Socket idle timeout in ms (no bytes for this long -> ETIMEDOUT). */
  timeoutMs?: number;
}

const USER_AGENT = 'patchwise-hub/0.1 (+node)';

function requestOnce(url: URL, opts: RequestOptions): Promise<HttpResponse> {
  const lib = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...opts.headers };
  if (opts.token !== undefined && opts.authOrigin !== undefined && url.origin === opts.authOrigin) {
    headers.authorization = `Bearer ${opts.token}`;
  }
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: opts.method, headers }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, url: url.href, body: res });
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => {
      req.destroy(Object.assign(new Error(`no response from ${url.origin} for ${opts.timeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One request, following redirects to http(s) URLs only. The response body must be consumed or destroyed. */
export async function request(urlStr: string, opts: RequestOptions): Promise<HttpResponse> {
  let url = new URL(urlStr);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HubError('BadResponse', `refusing redirect to ${url.protocol} URL ${redactUrl(url.href)}: only http and https are followed`);
    }
    const res = await requestOnce(url, opts);
    const location = res.headers.location;
    if (opts.followRedirects === false || res.status < 300 || res.status > 399 || res.status === 304 || location === undefined) return res;
    res.body.resume(); // drain the redirect body so the socket can be reused
    if (hop >= 10) throw new HubError('BadResponse', `more than 10 redirects starting at ${redactUrl(urlStr)}`);
    url = new URL(location, url);
  }
}

/** Reads a (small) response body fully. */
export async function readBody(res: HttpResponse, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res.body) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      res.body.destroy();
      throw new HubError('BadResponse', `response from ${redactUrl(res.url)} is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Query strings of CDN URLs carry signatures: keep them out of messages. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q) + '?…';
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND',
  'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** A transport failure worth retrying (reset, refused, timeout, premature close), as opposed to a bug. */
export function isRetryableNetworkError(e: unknown): boolean {
  if (e instanceof HubError) return e.kind === 'Network';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  const msg = (e as Error | null)?.message ?? '';
  return /socket hang up|aborted|premature close/i.test(msg);
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export interface RetryPolicy {
  /** attempts after the first; default 5 */
  retries: number;
  /** first wait in ms, doubled each time up to maxDelayMs; default 500 */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
