// What a bulk job reads: a directory (walked recursively for .png/.jpg/.jpeg), a .txt list (one path per line),
// or a glob. Each input becomes {path, key}: `path` is what the job opens and what the output names; `key` is
// the path relative to the input (directory, glob base, or the list line), which decides the shard and the
// order. Optimized for determinism: the same folder gives the same sorted list on every machine.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BulkError } from './errors.js';
import { hasGlobChars, walkGlob } from './glob.js';
import { comparePaths } from './order.js';

export type InputKind = 'dir' | 'list' | 'glob';

export interface InputItem {
  /** The file to read, and the name written to the output (`/`-separated). */
  readonly path: string;
  /** Normalised path relative to the input: the shard key and the sort key. */
  readonly key: string;
}

export interface InputSet {
  readonly kind: InputKind;
  /** The input argument as given. */
  readonly spec: string;
  /** Sorted by key (code point order), without duplicates. */
  readonly items: InputItem[];
}

/** File endings a directory walk takes as images (case-insensitive); the decoders read PNG and JPEG. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** `a//b/./c` -> `a/b/c`, backslashes kept (they are legal in POSIX names). */
export function normalizeKey(p: string): string {
  const n = path.posix.normalize(p);
  return n.startsWith('./') ? n.slice(2) : n;
}

/** `dir` + `rel` as the output names it: the argument as given, then the relative path. */
function under(root: string, rel: string): string {
  if (root === '.' || root === './') return rel;
  return root.endsWith('/') ? `${root}${rel}` : `${root}/${rel}`;
}

function sortedUnique(items: InputItem[]): InputItem[] {
  items.sort((a, b) => comparePaths(a.key, b.key));
  return items.filter((it, i) => i === 0 || it.key !== items[i - 1]!.key);
}

/** True when a symlink points to a regular file (a dangling link is not an input). */
async function isFileTarget(p: string): Promise<boolean> {
  return (await fsp.stat(p).catch(() => null))?.isFile() ?? false;
}

/** Every image file below `root` (hidden files and directories skipped, symlinked directories not followed). */
async function walkDir(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const abs = rel === '' ? root : path.join(root, rel);
    let ents;
    try {
      ents = await fsp.readdir(abs, { withFileTypes: true });
    } catch (e) {
      throw new BulkError('input', `cannot list directory ${abs}: ${(e as Error).message}`, { cause: e });
    }
    for (const d of ents) {
      if (d.name.startsWith('.')) continue;
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) stack.push(r);
      else if (isImageName(d.name) && (d.isFile() || (d.isSymbolicLink() && (await isFileTarget(path.join(root, r)))))) out.push(r);
    }
  }
  return out;
}

/** Lines of a list file: trimmed, blank lines and `#` comments skipped. Relative paths are relative to the list. */
async function readList(file: string): Promise<InputItem[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw new BulkError('input', `cannot read list ${file}: ${(e as Error).message}`, { cause: e });
  }
  const dir = path.dirname(file);
  const items: InputItem[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const key = normalizeKey(line);
    items.push({ path: path.isAbsolute(line) ? key : normalizeKey(under(dir, key)), key });
  }
  return items;
}

/** Resolves a bulk input argument (directory, .txt list, or glob) to its sorted items. */
export async function resolveInputs(spec: string): Promise<InputSet> {
  const st = await fsp.stat(spec).catch(() => null);
  let kind: InputKind;
  let items: InputItem[];
  if (st?.isDirectory()) {
    kind = 'dir';
    items = (await walkDir(spec)).map((rel) => ({ path: under(spec, rel), key: rel }));
  } else if (st?.isFile() && spec.toLowerCase().endsWith('.txt')) {
    kind = 'list';
    items = await readList(spec);
  } else if (hasGlobChars(spec)) {
    kind = 'glob';
    const { base, matches } = await walkGlob(spec);
    items = matches.map((rel) => ({ path: under(base, rel), key: rel }));
  } else {
    throw new BulkError('input', `${spec}: expected a directory, a .txt list of image paths, or a glob pattern, found ${st === null ? 'nothing at that path' : 'a file that is not a .txt list'}`);
  }
  items = sortedUnique(items);
  if (items.length === 0) {
    const what = kind === 'dir' ? `no ${IMAGE_EXTENSIONS.join('/')} files below ${spec}` : kind === 'list' ? `no paths in list ${spec}` : `no files match ${spec}`;
    throw new BulkError('input', `nothing to embed: ${what}`);
  }
  return { kind, spec, items };
}
