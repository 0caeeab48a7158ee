// The browser demo (examples/web) end to end in headless Chromium: the dev server (COOP/COEP) serves the repo,
// the page loads the bundled model from the packages' dist/ builds through its import map, a bundled sample is
// dropped on it, and the predicted label and the rendered overlay are checked. Uses playwright-core with the
// system Chromium (Debian: apt-get install chromium); skips LOUDLY when either is missing.
// Set WEB_DEMO_SCREENSHOT=docs/images/web-demo.png to save a screenshot of the page.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, resolvePath, startServer } from '../../../examples/web/serve.js';
import { cli, DATA, SAMPLES } from './cli-helpers.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Just the part of playwright-core's API this test uses (the package is an optional devDependency). */
interface PwPage {
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, opts?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  textContent(sel: string): Promise<string | null>;
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<unknown>;
  setInputFiles(selector: string, files: string[]): Promise<void>;
  on(event: 'console' | 'pageerror', fn: (m: { text?: () => string; message?: string }) => void): void;
}
interface PwBrowser {
  newPage(opts?: { viewport?: { width: number; height: number } }): Promise<PwPage>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(opts: { executablePath: string; headless: boolean; args: string[] }): Promise<PwBrowser> };
}

async function loadPlaywright(): Promise<Playwright | string> {
  // PLAYWRIGHT_CORE_PATH: a playwright-core folder outside the repo (for trying the test before it is a devDependency)
  const spec = process.env['PLAYWRIGHT_CORE_PATH'] ? pathToFileURL(join(process.env['PLAYWRIGHT_CORE_PATH'], 'index.mjs')).href : 'playwright-core';
  try {
    const m = (await import(spec)) as Playwright & { default?: Playwright };
    return m.chromium ? m : m.default!;
  } catch (e) {
    return `cannot import playwright-core (${(e as Error).message.split('\n')[0]})`;
  }
}

const pw = await loadPlaywright();
const missing: string[] = [];
if (typeof pw === 'string') missing.push(`${pw}; add it as a devDependency (npm: playwright-core)`);
if (!existsSync(CHROMIUM)) missing.push(`no Chromium at ${CHROMIUM}; install it with apt-get install -y chromium (or set CHROMIUM_PATH)`);
const built = ['packages/tensor/dist/index.js', 'packages/io/dist/browser.js', 'packages/vit/dist/browser.js'].filter((f) => !existsSync(join(REPO_ROOT, f)));
if (missing.length > 0) {
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! SKIPPING the browser demo test (examples/web):\n${missing.map((m) => `!!!   - ${m}`).join('\n')}\n${bar}\n`);
}

describe('the demo\'s dev server', () => {
  it('serves files with the cross-origin isolation headers and refuses paths outside the repo or dotfiles', async () => {
    expect(resolvePath('/srv/repo', '/examples/web/index.html')).toBe('/srv/repo/examples/web/index.html');
    expect(resolvePath('/srv/repo', '/../etc/passwd')).toBeNull();
    expect(resolvePath('/srv/repo', '/%2e%2e/etc/passwd')).toBeNull();
    expect(resolvePath('/srv/repo', '/.git/config')).toBeNull();
    const s = await startServer();
    try {
      const r = await fetch(`${s.url}/packages/vit/assets/models/vit-fashion-mnist/config.json`);
      expect(r.status).toBe(200);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(((await r.json()) as { model_type: string }).model_type).toBe('vit');
      expect((await fetch(`${s.url}/.git/HEAD`)).status).toBe(403);
      expect((await fetch(`${s.url}/no/such/file`)).status).toBe(404);
    } finally {
      await new Promise((r) => s.server.close(() => r(undefined)));
    }
  });
});

describe.skipIf(missing.length > 0)('browser demo (headless Chromium)', () => {
  let browser: PwBrowser;
  let close: () => Promise<void>;
  let base = '';

  beforeAll(async () => {
    expect(built, 'the page loads dist/ builds: run `npx pnpm@10 run build` first').toEqual([]);
    const s = await startServer();
    base = s.url;
    close = () => new Promise((r) => s.server.close(() => r()));
    browser = await (pw as Playwright).chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  it('loads the bundled model, classifies a dropped sample and draws the overlay', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 860 } });
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text?.() ?? ''));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message ?? ''}`));
    await page.goto(`${base}/examples/web/`);
    try {
      await page.waitForFunction("document.body.dataset.model === 'ready' || document.body.dataset.state === 'error'", undefined, { timeout: 60_000 });
    } catch (e) {
      throw new Error(`page did not load the model; console:\n${logs.join('\n')}`, { cause: e });
    }
    expect(await page.textContent('#error')).toBe('');
    expect(await page.evaluate<boolean>('crossOriginIsolated')).toBe(true); // the dev server's COOP/COEP headers

    // Drop the bundled ankle-boot sample on the drop zone, as a user dragging a file would.
    await page.evaluate(`(async () => {
      const blob = await (await fetch('/packages/vit/assets/samples/ankle-boot.png')).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'ankle-boot.png', { type: 'image/png' }));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.waitForFunction("document.body.dataset.state === 'done' || document.body.dataset.state === 'error'", undefined, { timeout: 60_000 });
    expect(await page.textContent('#error')).toBe('');
    // assets/samples/SOURCES.md: every sample is classified correctly by the bundled model
    expect(await page.textContent('#top5 li:first-child')).toMatch(/^Ankle boot /);
    expect(await page.evaluate<number>('document.querySelectorAll("#top5 li").length')).toBe(5);
    expect(await page.textContent('#time')).toMatch(/forward [\d.]+ ms/);
    // The overlay is the 28x28 image enlarged 8x with the heat map: many distinct colours, not a blank canvas.
    const stats = await page.evaluate<{ w: number; h: number; colours: number }>(`(() => {
      const c = document.getElementById('overlay');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const set = new Set();
      for (let i = 0; i < d.length; i += 4) set.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return { w: c.width, h: c.height, colours: set.size };
    })()`);
    expect([stats.w, stats.h]).toEqual([224, 224]);
    expect(stats.colours).toBeGreaterThan(50);
    const shot = process.env['WEB_DEMO_SCREENSHOT'];
    if (shot) await page.screenshot({ path: join(REPO_ROOT, shot), fullPage: true });

    // Every bundled sample, picked from the gallery, gets its own label (SOURCES.md), as with the CLI's decoder.
    const labels: Record<string, string> = {
      'ankle-boot': 'Ankle boot', bag: 'Bag', coat: 'Coat', dress: 'Dress', pullover: 'Pullover',
      sandal: 'Sandal', shirt: 'Shirt', sneaker: 'Sneaker', 't-shirt-top': 'T-shirt/top', trouser: 'Trouser',
    };
    for (const [sample, label] of Object.entries(labels)) {
      await page.evaluate(`(() => { document.body.dataset.state = ''; document.querySelector('[data-sample="${sample}"]').click(); })()`);
      await page.waitForFunction("document.body.dataset.state === 'done' || document.body.dataset.state === 'error'", undefined, { timeout: 60_000 });
      expect(await page.textContent('#top5 li:first-child'), sample).toMatch(new RegExp(`^${label.replace('/', '\\/')} `));
    }
  });

  it('loads a model from picked files (an RGB fixture) and agrees with the CLI on it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/examples/web/`);
    await page.waitForFunction("document.body.dataset.model === 'ready'", undefined, { timeout: 60_000 });
    const fixture = join(DATA, 'hf-vit-tiny-random');
    await page.evaluate("document.body.dataset.model = ''");
    await page.setInputFiles('#model-files', ['config.json', 'model.safetensors', 'preprocessor_config.json'].map((f) => join(fixture, f)));
    await page.waitForFunction("document.body.dataset.model === 'ready' || document.body.dataset.state === 'error'", undefined, { timeout: 60_000 });
    expect(await page.textContent('#error')).toBe('');
    expect(await page.textContent('#model-status')).toMatch(/^picked model: ViTForImageClassification, 3 layers x 4 heads, D = 64, 32x32 input, 8px patches/);
    await page.setInputFiles('#image-file', [join(SAMPLES, 'bag.png')]);
    await page.waitForFunction("document.body.dataset.state === 'done' || document.body.dataset.state === 'error'", undefined, { timeout: 60_000 });
    expect(await page.textContent('#error')).toBe('');
    // Same labels and probabilities (to the 0.1% the page prints) as `patchwise classify` with our own decoder.
    const want = JSON.parse((await cli('classify', join(SAMPLES, 'bag.png'), '--model', fixture, '--json')).stdout) as {
      results: { top: { label: string; probability: number }[] }[];
    };
    const shown = await page.evaluate<string[]>('Array.from(document.querySelectorAll("#top5 li"), (li) => li.textContent)');
    expect(shown).toEqual(want.results[0]!.top.map((p) => `${p.label} ${(p.probability * 100).toFixed(1)}%`));
  });
});

