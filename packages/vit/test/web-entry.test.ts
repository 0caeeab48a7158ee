// The browser entries (@patchwise/io/browser, @patchwise/vit/browser, @patchwise/tensor) must load in a page
// without a bundler: no static import, anywhere in their module graph, of a node: builtin or of a CommonJS
// package (pngjs, jpeg-js). Dynamic `await import('node:fs')` inside a Node-only function is fine. This
// walks the sources (the dist/ files have the same imports) and also checks that every name the vit graph
// imports from @patchwise/io is exported by io's browser entry (else the page fails to link).

import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES: Readonly<Record<string, string>> = {
  '@patchwise/tensor': join(PACKAGES, 'tensor/src/index.ts'),
  '@patchwise/io': join(PACKAGES, 'io/src/browser.ts'),
  '@patchwise/vit': join(PACKAGES, 'vit/src/browser.ts'),
};

/** Static import / export-from statements (type-only ones are erased by tsc and skipped). */
const STATIC = /^\s*(import|export)\s+(?!type\s)([^'";]*?)\s*from\s*'([^']+)'|^\s*import\s+'([^']+)'/gm;

interface Edge {
  from: string;
  spec: string;
  names: string[];
}

function walk(entry: string): { files: Set<string>; edges: Edge[] } {
  const files = new Set<string>();
  const edges: Edge[] = [];
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(STATIC)) {
      const spec = m[3] ?? m[4]!;
      const clause = m[2] ?? '';
      const names = [...clause.matchAll(/(?:^|[{,])\s*(?!type\s)(\w+)(?:\s+as\s+\w+)?/g)].map((x) => x[1]!).filter((n) => n !== 'type');
      edges.push({ from: file, spec, names: clause.includes('{') ? names : [] });
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (ENTRIES[spec]) todo.push(ENTRIES[spec]);
    }
  }
  return { files, edges };
}

describe('browser entries load without Node', () => {
  for (const [name, entry] of Object.entries(ENTRIES)) {
    it(`${name} (${relative(PACKAGES, entry)}) imports no node: builtin or CommonJS package statically`, () => {
      const { edges } = walk(entry);
      const bad = edges.filter((e) => !e.spec.startsWith('.') && !ENTRIES[e.spec]).map((e) => `${relative(PACKAGES, e.from)} imports '${e.spec}'`);
      expect(bad).toEqual([]);
    });
  }

  it('every name examples/web/app.js imports exists in the entry its import map points at', async () => {
    const app = readFileSync(join(PACKAGES, '../examples/web/app.js'), 'utf8');
    const mods: Record<string, Record<string, unknown>> = {
      '@patchwise/tensor': (await import('../../tensor/src/index.js')) as Record<string, unknown>,
      '@patchwise/io': (await import('../../io/src/browser.js')) as Record<string, unknown>,
      '@patchwise/vit': (await import('../src/browser.js')) as Record<string, unknown>,
    };
    const missing: string[] = [];
    const imports = [...app.matchAll(/^import\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm)];
    expect(imports.map((m) => m[2])).toEqual(['@patchwise/tensor', '@patchwise/io', '@patchwise/vit']);
    for (const m of imports) {
      const names = m[1]!.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
      expect(Object.keys(mods)).toContain(m[2]);
      for (const n of names) if (!(n in mods[m[2]!]!)) missing.push(`${m[2]}: ${n}`);
    }
    expect(missing).toEqual([]);
  });

  it('every name the browser graph imports from @patchwise/io is exported by io/browser', async () => {
    const io = (await import('../../io/src/browser.js')) as Record<string, unknown>;
    const { edges } = walk(ENTRIES['@patchwise/vit']!);
    const missing = edges.filter((e) => e.spec === '@patchwise/io').flatMap((e) => e.names.filter((n) => !(n in io)).map((n) => `${relative(PACKAGES, e.from)}: ${n}`));
    expect(missing).toEqual([]);
  });
});
