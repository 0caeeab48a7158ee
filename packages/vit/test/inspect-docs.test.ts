// The docs written for the inspect tools (walkthrough, architecture, diff, the browser demo's README) render on
// GitHub: every relative link and figure exists, every anchor has its heading, and every code excerpt marked
// <!-- snippet: file --> is still, line for line, the code in that file (tools/check-docs.ts).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, ROOT, slug } from '../../../tools/check-docs.js';

const DOCS = ['docs/walkthrough.md', 'docs/architecture.md', 'docs/diff.md', 'examples/web/README.md'];

describe('docs links, figures and code excerpts', () => {
  for (const d of DOCS) {
    it(`${d} has no broken link, figure, anchor or stale snippet`, () => {
      expect(checkFile(join(ROOT, d))).toEqual([]);
    });
  }

  it('the checker catches a broken link, a missing anchor and a stale snippet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-docs-'));
    try {
      const md = join(dir, 'bad.md');
      writeFileSync(md, [
        '# Title', '', '[missing](nothing-here.png) and [anchor](#no-such-heading) and [ok](#title)', '',
        '<!-- snippet: packages/vit/src/inspect/rollout.ts -->', '```ts', 'export function rolloutMatrix(layers: readonly Float64Array[], T: number): Float64Array {', 'this line is not in the file', '```', '',
      ].join('\n'));
      const problems = checkFile(md, ROOT).map((p) => p.message);
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/broken link: nothing-here\.png/);
      expect(problems[1]).toMatch(/no heading for #no-such-heading/);
      expect(problems[2]).toMatch(/snippet line not found .* this line is not in the file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('computes GitHub heading anchors', () => {
    expect(slug('3. Reading the report')).toBe('3-reading-the-report');
    expect(slug('Adding a family: a worked example (ViT-MSN)')).toBe('adding-a-family-a-worked-example-vit-msn');
    expect(slug('`patchwise diff` options')).toBe('patchwise-diff-options');
  });
});
