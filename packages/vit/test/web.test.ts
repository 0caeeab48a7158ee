// The browser demo (examples/web) end to end in headless Chromium: the dev server (COOP/COEP) serves the repo,
// the page loads the bundled model from the packages' dist/ builds through its import map, a bundled sample is
// dropped on it, and the predicted label and the rendered overlay are checked. Uses playwright-core with the
// system Chromium (Debian: apt-get install chromium); skips LOUDLY when either is missing.
// Set WEB_DEMO_SCREENSHOT=docs/images/web-demo.png to save a screenshot of the page.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer } from '../../../examples/web/serve.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Just the part of playwright-core's API this test uses (the package is an optional devDependency). */
interface PwPage {
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, opts?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(fn: string): Promise<T>;
  textContent(sel: string): Promise<string | null>;
  screenshot(opts: { path: string; fullPage?: boolean }): Promise<unknown>;
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
  });
});
