// A small glob matcher for bulk inputs: `*` and `?` (within one path segment), `**` (any number of whole
// segments), character classes `[abc]`, `[a-z]`, `[!x]` / `[^x]`, braces `{a,b}` (nestable) and `\` escapes.
// Optimized for clarity and for walking only the directories a pattern can reach. Semantics follow POSIX
// fnmatch with FNM_PATHNAME | FNM_PERIOD (a leading dot must be matched explicitly) plus bash globstar `**`.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BulkError } from './errors.js';

/** True when `s` contains an unescaped glob metacharacter. */
export function hasGlobChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[' || c === '{') return true;
  }
  return false;
}

/** Expands braces: `a{b,c{d,e}}f` -> [abf, acdf, acef]. An unmatched `{` is literal, as in bash. */
export function expandBraces(pattern: string): string[] {
  // Find the first top-level `{` that has a matching `}` and at least one top-level comma.
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    let close = -1;
    for (let j = i; j < pattern.length; j++) {
      const d = pattern[j]!;
      if (d === '\\') j++;
      else if (d === '{') depth++;
      else if (d === '}' && --depth === 0) {
        close = j;
        break;
      } else if (d === ',' && depth === 1) commas.push(j);
    }
    if (close < 0 || commas.length === 0) continue;
    const head = pattern.slice(0, i);
    const tail = pattern.slice(close + 1);
    const bounds = [i, ...commas, close];
    const out: string[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      for (const alt of expandBraces(head + pattern.slice(bounds[k]! + 1, bounds[k + 1]!) + tail)) out.push(alt);
    }
    return out;
  }
  return [pattern];
}

/** A literal character outside a class (the u flag allows only syntax characters to be escaped). */
function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** A literal character inside a class, where `-` is special too. */
function escapeClassChar(c: string): string {
  return /[\\^\]\[-]/.test(c) ? `\\${c}` : c;
}

/**
 * One path segment (no `/`, braces already expanded) -> a RegExp for whole-segment matches. `*`, `?` and
 * classes never match a leading `.` (FNM_PERIOD), so `*.png` skips `.hidden.png`.
 */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  let i = 0;
  const first = (): boolean => re.length === 0;
  while (i < seg.length) {
    const c = seg[i]!;
    if (c === '\\' && i + 1 < seg.length) {
      re += escapeRegExp(seg[i + 1]!);
      i += 2;
    } else if (c === '*') {
      re += first() ? '(?!\\.)[^/]*' : '[^/]*';
      while (seg[i] === '*') i++;
    } else if (c === '?') {
      re += first() ? '(?!\\.)[^/]' : '[^/]';
      i++;
    } else if (c === '[') {
      // A class: `]` right after `[` or `[!` is a member; no closing `]` makes `[` literal.
      let j = i + 1;
      const negate = seg[j] === '!' || seg[j] === '^';
      if (negate) j++;
      let body = '';
      let k = j;
      for (; k < seg.length; k++) {
        const d = seg[k]!;
        if (d === ']' && k > j) break;
        if (d === '\\' && k + 1 < seg.length) {
          body += escapeClassChar(seg[++k]!);
        } else if (d === '-' && k > j && k + 1 < seg.length && seg[k + 1] !== ']') {
          body += '-';
        } else {
          body += escapeClassChar(d);
        }
      }
      if (k >= seg.length) {
        re += '\\[';
        i++;
        continue;
      }
      re += `${first() ? '(?!\\.)' : ''}[${negate ? '^/' : ''}${body}]`;
      i = k + 1;
    } else {
      re += escapeRegExp(c);
      i++;
    }
  }
  return new RegExp(`^${re}$`, 'u');
}

/** A compiled pattern: `**` or a matcher per segment. */
type Segment = { readonly globstar: true } | { readonly globstar: false; readonly literal: string | null; readonly re: RegExp };

function compileSegments(rest: string): Segment[] {
  return rest
    .split('/')
    .filter((s) => s.length > 0)
    .map((s): Segment => (s === '**' ? { globstar: true } : { globstar: false, literal: hasGlobChars(s) ? null : s.replace(/\\(.)/g, '$1'), re: segmentRegExp(s) }));
}

/** Splits a pattern into its literal base directory (no glob characters) and the rest. */
export function globBase(pattern: string): { base: string; rest: string } {
  const norm = pattern.replace(/\/+/g, '/');
  const segs = norm.split('/');
  let k = 0;
  while (k < segs.length - 1 && !hasGlobChars(segs[k]!)) k++;
  const baseSegs = segs.slice(0, k);
  const base = baseSegs.length === 0 ? '.' : baseSegs.join('/') === '' ? '/' : baseSegs.join('/');
  return { base: base.replace(/\\(.)/g, '$1'), rest: segs.slice(k).join('/') };
}

/** Does `rel` (a `/`-separated path) match the pattern `rest` (relative to the same base)? */
export function matchGlob(rest: string, rel: string): boolean {
  const parts = rel.split('/').filter((s) => s.length > 0);
  return expandBraces(rest).some((alt) => matchSegments(compileSegments(alt), 0, parts, 0));
}

function matchSegments(segs: readonly Segment[], si: number, parts: readonly string[], pi: number): boolean {
  if (si === segs.length) return pi === parts.length;
  const s = segs[si]!;
  if (s.globstar) {
    // `**` takes zero or more whole segments, never ones starting with a dot.
    for (let k = pi; k <= parts.length; k++) {
      if (matchSegments(segs, si + 1, parts, k)) return true;
      if (k < parts.length && parts[k]!.startsWith('.')) return false;
    }
    return false;
  }
  return pi < parts.length && s.re.test(parts[pi]!) && matchSegments(segs, si + 1, parts, pi + 1);
}

/**
 * The regular files matching `pattern`, as paths relative to its base (with `/`). Walks only directories the
 * pattern can reach; symlinks to files count as files, symlinked directories are not followed (no cycles).
 */
export async function walkGlob(pattern: string): Promise<{ base: string; matches: string[] }> {
  const { base, rest } = globBase(pattern);
  const found = new Set<string>();
  for (const alt of expandBraces(rest)) await walkSegments(base, compileSegments(alt), 0, '', found);
  return { base, matches: [...found] };
}

async function entriesOf(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]> {
  let ents;
  try {
    ents = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new BulkError('input', `cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const out: { name: string; isDir: boolean; isFile: boolean }[] = [];
  for (const d of ents) {
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      const st = await fsp.stat(path.join(dir, d.name)).catch(() => null);
      isFile = st?.isFile() ?? false;
    }
    out.push({ name: d.name, isDir: d.isDirectory(), isFile });
  }
  return out;
}

async function walkSegments(dir: string, segs: readonly Segment[], si: number, rel: string, found: Set<string>): Promise<void> {
  const s = segs[si];
  if (s === undefined) return;
  const last = si === segs.length - 1;
  const join = (name: string): string => (rel === '' ? name : `${rel}/${name}`);
  if (s.globstar) {
    if (last) {
      // A trailing `**` matches every file below (bash: `dir/**` lists the whole tree).
      for (const e of await entriesOf(dir)) {
        if (e.name.startsWith('.')) continue;
        if (e.isFile) found.add(join(e.name));
        else if (e.isDir) await walkSegments(path.join(dir, e.name), segs, si, join(e.name), found);
      }
      return;
    }
    await walkSegments(dir, segs, si + 1, rel, found); // zero segments
    for (const e of await entriesOf(dir)) {
      if (e.isDir && !e.name.startsWith('.')) await walkSegments(path.join(dir, e.name), segs, si, join(e.name), found);
    }
    return;
  }
  if (s.literal !== null && !last) {
    // No need to list a directory to descend into a literal name.
    await walkSegments(path.join(dir, s.literal), segs, si + 1, join(s.literal), found);
    return;
  }
  for (const e of await entriesOf(dir)) {
    if (!s.re.test(e.name)) continue;
    if (last) {
      if (e.isFile) found.add(join(e.name));
    } else if (e.isDir) {
      await walkSegments(path.join(dir, e.name), segs, si + 1, join(e.name), found);
    }
  }
}
