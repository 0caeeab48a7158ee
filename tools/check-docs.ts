// Checks markdown docs the way GitHub will render them: every relative link and image points at a file that
// exists (and, for `file.md#anchor` or `#anchor`, at a heading that exists), and every code excerpt marked
// `<!-- snippet: path/to/file.ts -->` still appears, line for line and in order, in that file, so the code a
// learner reads in the docs is the code that runs. Usage: npx tsx tools/check-docs.ts [file.md...]
// (default: README.md, docs/**/*.md, examples/**/*.md). Exit code 1 when anything is wrong.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** GitHub's heading anchor: lower case, punctuation dropped (except - and _), spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[`*_~]/g, (c) => (c === '_' ? '_' : ''))
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`); // GitHub numbers repeated headings
  }
  return out;
}

/** Links and images outside code fences: [text](target), ![alt](target), <img src="target">, <a href="target">. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let inFence = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) inFence = !inFence;
    if (inFence) return;
    const noCode = text.replace(/`[^`]*`/g, '');
    for (const m of noCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1]!, line: i + 1 });
    for (const m of noCode.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)) out.push({ target: m[1]!, line: i + 1 });
  });
  return out;
}

/** Code fences preceded by <!-- snippet: path -->: their non-blank lines must occur in that file, in order. */
function snippetsOf(markdown: string): { path: string; lines: string[]; line: number }[] {
  const lines = markdown.split('\n');
  const out: { path: string; lines: string[]; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*<!--\s*snippet:\s*(\S+)\s*-->\s*$/.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    if (!/^\s*```/.test(lines[j] ?? '')) {
      out.push({ path: m[1]!, lines: [], line: i + 1 });
      continue;
    }
    const body: string[] = [];
    for (j++; j < lines.length && !/^\s*```/.test(lines[j]!); j++) body.push(lines[j]!);
    out.push({ path: m[1]!, lines: body, line: i + 1 });
  }
  return out;
}

export function checkFile(file: string, root = ROOT): Problem[] {
  const problems: Problem[] = [];
  const rel = relative(root, file);
  const text = readFileSync(file, 'utf8');
  const here = anchorsOf(text);
  for (const { target, line } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [pathPart, anchor] = target.split('#') as [string, string | undefined];
    if (pathPart === '') {
      if (anchor && !here.has(anchor)) problems.push({ file: rel, line, message: `no heading for #${anchor} in this file` });
      continue;
    }
    const dest = pathPart.startsWith('/') ? join(root, pathPart) : resolve(dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(dest)) {
      problems.push({ file: rel, line, message: `broken link: ${target} (${relative(root, dest)} does not exist)` });
      continue;
    }
    if (anchor && dest.endsWith('.md') && statSync(dest).isFile() && !anchorsOf(readFileSync(dest, 'utf8')).has(anchor)) {
      problems.push({ file: rel, line, message: `broken anchor: ${target} (no heading #${anchor} in ${relative(root, dest)})` });
    }
  }
  for (const s of snippetsOf(text)) {
    const src = join(root, s.path);
    if (!existsSync(src)) {
      problems.push({ file: rel, line: s.line, message: `snippet source ${s.path} does not exist` });
      continue;
    }
    if (s.lines.length === 0) {
      problems.push({ file: rel, line: s.line, message: `snippet marker for ${s.path} is not followed by a code block` });
      continue;
    }
    const source = readFileSync(src, 'utf8').split('\n').map((l) => l.trim());
    let at = 0;
    for (const l of s.lines) {
      const want = l.trim();
      if (want === '' || want === '// ...' || want === '...') continue; // elisions
      const found = source.indexOf(want, at);
      if (found < 0) {
        problems.push({ file: rel, line: s.line, message: `snippet line not found (in order) in ${s.path}: ${want}` });
        break;
      }
      at = found + 1;
    }
  }
  return problems;
}

function markdownUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name.startsWith('.') || e.name === 'node_modules' ? [] : e.isDirectory() ? markdownUnder(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
}

/** The default set: README.md, docs/**, examples/**. */
export function defaultFiles(root = ROOT): string[] {
  return [join(root, 'README.md'), ...markdownUnder(join(root, 'docs')), ...markdownUnder(join(root, 'examples'))].filter((f) => existsSync(f));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFiles();
  const problems = files.flatMap((f) => checkFile(f));
  for (const p of problems) process.stderr.write(`${p.file}:${p.line}: ${p.message}\n`);
  process.stdout.write(`checked ${files.length} files: ${problems.length === 0 ? 'all links, figures and snippets OK' : `${problems.length} problems`}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
