// The browser demo's dev server: serves the repository read-only on 127.0.0.1 with the cross-origin isolation
// headers (COOP same-origin + COEP require-corp) that SharedArrayBuffer, and so the WASM backend's threads,
// need. No dependencies (node:http). Optimized for being small and safe: GET/HEAD only, no dotfiles, no path
// escapes. Run it with `npx pnpm@10 demo:web` (builds first) or `npx tsx examples/web/serve.ts [--port N]`.

import { createReadStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (two levels above examples/web). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

/** Headers that make the page crossOriginIsolated (so SharedArrayBuffer and wasm threads are available). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function send(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...ISOLATION_HEADERS });
  res.end(`${text}\n`);
}

/** Maps a URL path to a file under `root`, or null when it would leave root or touch a dotfile. */
export function resolvePath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s.startsWith('.'))) return null; // .git, .env, '..'
  const file = path.resolve(root, ...segments);
  const rel = path.relative(root, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? null : file;
}

async function handle(root: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
  const url = req.url ?? '/';
  if (url === '/' || url === '/index.html') {
    res.writeHead(302, { Location: '/examples/web/', ...ISOLATION_HEADERS });
    res.end();
    return;
  }
  let file = resolvePath(root, url);
  if (file === null) return send(res, 403, 'forbidden');
  let st = await fsp.stat(file).catch(() => null);
  if (st?.isDirectory()) {
    file = path.join(file, 'index.html');
    st = await fsp.stat(file).catch(() => null);
  }
  if (!st?.isFile()) return send(res, 404, `not found: ${url}`);
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(st.size),
    'Cache-Control': 'no-store',
    ...ISOLATION_HEADERS,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

/** Starts the server (port 0 = any free port) and resolves with its base URL. */
export async function startServer(opts: { root?: string; port?: number; host?: string } = {}): Promise<{ server: http.Server; url: string }> {
  const root = path.resolve(opts.root ?? REPO_ROOT);
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    handle(root, req, res).catch((e: unknown) => send(res, 500, `error: ${(e as Error).message}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host}:${port}` };
}

// Run directly: serve until interrupted.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--port');
  const port = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env['PORT'] ?? 8080);
  const { url } = await startServer({ port });
  process.stdout.write(`patchwise web demo: ${url}/examples/web/ (serving ${REPO_ROOT}, COOP/COEP on; Ctrl-C to stop)\n`);
}
