// Unit tests of the bulk job's building blocks: FNV-1a sharding (published test vectors), --shard parsing,
// code-point path order, the glob matcher (fnmatch/bash semantics by hand), input resolution, and the
// safetensors header the output streamer writes (checked with the io reader, an independent parser).

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '@patchwise/io';
import {
  BulkError, comparePaths, expandBraces, fnv1a32, globBase, matchGlob, parseShard, resolveInputs, shardOf, walkGlob,
} from '@patchwise/vit';
import { embeddingsHeader } from '../src/bulk/output.js';
import { progressLine } from '../src/bulk/progress.js';

describe('fnv1a32 / shards', () => {
  it('matches the FNV-1a 32-bit test vectors', () => {
    // From the FNV reference (isthe.com/chongo/tech/comp/fnv, test_fnv.c): "" -> offset basis.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  it('hashes UTF-8 bytes', () => {
    // 'é' is C3 A9 in UTF-8: h = ((basis ^ 0xC3) * p) ^ 0xA9) * p mod 2^32, computed step by step below.
    let h = 0x811c9dc5;
    for (const b of [0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(h);
  });
  it('assigns every key to exactly one shard, the same for any n = 1', () => {
    for (const k of ['a.png', 'd00/img00001.png', 'x/y/z.jpg']) {
      expect(shardOf(k, 1)).toBe(0);
      expect(shardOf(k, 3)).toBe(fnv1a32(k) % 3);
    }
    // 0xe40c292c = 3826002220; 3826002220 mod 3 = 1 (digit sum 25 -> 25 mod 3 = 1).
    expect(shardOf('a', 3)).toBe(1);
  });
  it('parses i/n and rejects bad specs', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard(' 2/3 ')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', '-1/3', '1/3/4', 'a/b', '1', '1.5/3', '']) {
      expect(() => parseShard(bad), bad).toThrow(BulkError);
    }
  });
});

describe('comparePaths', () => {
  it('orders by code point, not UTF-16 unit', () => {
    // U+FFFD (BMP) < U+1F600 (astral) by code point; as UTF-16 units 0xFFFD > 0xD83D, so sort() would invert them.
    const a = 'x\ufffd';
    const b = 'x\u{1f600}';
    expect(comparePaths(a, b)).toBeLessThan(0);
    expect([b, a].sort()).toEqual([b, a]);
    expect(comparePaths('a', 'ab')).toBeLessThan(0);
    expect(comparePaths('B', 'a')).toBeLessThan(0); // 0x42 < 0x61
    expect(comparePaths('d0/x', 'd0/x')).toBe(0);
  });
});

describe('glob matcher', () => {
  it('expands braces, nested, with unmatched braces literal', () => {
    expect(expandBraces('a{b,c{d,e}}f')).toEqual(['abf', 'acdf', 'acef']);
    expect(expandBraces('{x,y}/{1,2}')).toEqual(['x/1', 'x/2', 'y/1', 'y/2']);
    expect(expandBraces('a{b}c')).toEqual(['a{b}c']); // no comma: literal, as in bash
    expect(expandBraces('a{b,c')).toEqual(['a{b,c']);
  });
  it('splits the literal base', () => {
    expect(globBase('imgs/train/**/*.png')).toEqual({ base: 'imgs/train', rest: '**/*.png' });
    expect(globBase('*.png')).toEqual({ base: '.', rest: '*.png' });
    expect(globBase('/data/x/*.jpg')).toEqual({ base: '/data/x', rest: '*.jpg' });
  });
  it('matches * ? [..] within one segment', () => {
    expect(matchGlob('*.png', 'a.png')).toBe(true);
    expect(matchGlob('*.png', 'd/a.png')).toBe(false); // * does not cross /
    expect(matchGlob('*.png', '.hidden.png')).toBe(false); // leading dot needs an explicit .
    expect(matchGlob('.*.png', '.hidden.png')).toBe(true);
    expect(matchGlob('img?.png', 'img7.png')).toBe(true);
    expect(matchGlob('img?.png', 'img77.png')).toBe(false);
    expect(matchGlob('img[0-4].png', 'img3.png')).toBe(true);
    expect(matchGlob('img[0-4].png', 'img5.png')).toBe(false);
    expect(matchGlob('img[!0-4].png', 'img5.png')).toBe(true);
    expect(matchGlob('img[^0-4].png', 'img3.png')).toBe(false);
    expect(matchGlob('[]a].png', '].png')).toBe(true); // ] first in a class is a member
    expect(matchGlob('a[.png', 'a[.png')).toBe(true); // unclosed [ is literal
    expect(matchGlob('a\\*.png', 'a*.png')).toBe(true);
    expect(matchGlob('a\\*.png', 'ab.png')).toBe(false);
    expect(matchGlob('a+b(1).png', 'a+b(1).png')).toBe(true); // regex characters are literal
    expect(matchGlob('*.{png,jpg}', 'x.jpg')).toBe(true);
  });
  it('matches ** across zero or more segments, never into dot dirs', () => {
    expect(matchGlob('**/*.png', 'a.png')).toBe(true);
    expect(matchGlob('**/*.png', 'x/y/a.png')).toBe(true);
    expect(matchGlob('x/**/a.png', 'x/a.png')).toBe(true);
    expect(matchGlob('x/**/a.png', 'x/1/2/a.png')).toBe(true);
    expect(matchGlob('**/*.png', '.git/a.png')).toBe(false);
    expect(matchGlob('**', 'x/y/z')).toBe(true);
  });
});

describe('input resolution', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pw-bulk-inputs-'));
    for (const rel of ['b/2.png', 'b/1.JPG', 'a.png', 'a.txt', '.hidden/x.png', 'b/.y.png', 'c/d/e.jpeg', 'c/d/notes.md']) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), 'x');
    }
    await writeFile(path.join(dir, 'list.txt'), '# a comment\nb/2.png\n\n  a.png  \n./b/2.png\n/abs/z.png\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('walks a directory for image files, sorted, hidden entries skipped', async () => {
    const s = await resolveInputs(dir);
    expect(s.kind).toBe('dir');
    expect(s.items.map((i) => i.key)).toEqual(['a.png', 'b/1.JPG', 'b/2.png', 'c/d/e.jpeg']);
    expect(s.items[0]!.path).toBe(`${dir}/a.png`);
  });
  it('reads a .txt list relative to its folder, deduplicated and sorted by path', async () => {
    const s = await resolveInputs(path.join(dir, 'list.txt'));
    expect(s.kind).toBe('list');
    expect(s.items.map((i) => i.path)).toEqual(['/abs/z.png', `${dir}/a.png`, `${dir}/b/2.png`].sort(comparePaths));
    expect(s.items.find((i) => i.path === `${dir}/b/2.png`)!.key).toBe('b/2.png');
  });
  it('expands a glob relative to its base', async () => {
    const s = await resolveInputs(`${dir}/**/*.{png,jpeg}`);
    expect(s.kind).toBe('glob');
    expect(s.items.map((i) => i.key)).toEqual(['a.png', 'b/2.png', 'c/d/e.jpeg']);
    const w = await walkGlob(`${dir}/[ab]*`);
    expect(w.matches.sort()).toEqual(['a.png', 'a.txt']); // directories are not files
  });
  it('fails clearly on nothing to embed', async () => {
    await expect(resolveInputs(`${dir}/*.gif`)).rejects.toThrow(/no files match/);
    await expect(resolveInputs(path.join(dir, 'a.png'))).rejects.toThrow(/expected a directory, a \.txt list/);
  });
});

describe('output header', () => {
  it('is a valid safetensors header that the io reader parses', () => {
    const head = embeddingsHeader(2, 3, { a: 'x', paths: '["p","q"]' });
    expect(head.byteLength % 8).toBe(0);
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const file = new Uint8Array(head.byteLength + 24);
    file.set(head);
    file.set(new Uint8Array(data.buffer), head.byteLength);
    const st = parseSafetensors(file, 'mem');
    expect(st.metadata).toEqual({ a: 'x', paths: '["p","q"]' });
    expect(st.info('embeddings')).toMatchObject({ dtype: 'F32', shape: [2, 3] });
  });
  it('draws a progress line with rate and ETA', () => {
    // 50 of 200 done at 25 img/s: 150 left / 25 = 6 s -> ETA 0:06; 50/200 = 25% -> 6 of 24 cells.
    const line = progressLine({ done: 50, total: 200, failed: 1, resumedFrom: 0, elapsedSeconds: 2, rate: 25 });
    expect(line).toBe('embed [######------------------] 50/200 25%  25.0 img/s  ETA 0:06  1 unreadable');
  });
});
