// Measures our JPEG decode (exact path), our jpeg-js fallback (jpeg-js planes + libjpeg-style upsampling and
// colour) and plain jpeg-js against Pillow 9.4 / libjpeg-turbo 2.1.5 over the shared corpora, per file class
// (components x chroma sampling).
// Run from the repo root: npx tsx tools/image-measure/measure.ts --realdata <realdata dir> [--json out.json]
// Needs /usr/bin/python3 with PIL + numpy (pil_decode.py writes PIL's RGB decodes to a temp dir).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { decodeImage, toRGB } from '../../packages/io/src/image/index.js';
import { decodeJpeg } from '../../packages/io/src/image/jpeg.js';

// jpeg-js is a dependency of packages/io only: resolve it from there.
const jpeg = createRequire(new URL('../../packages/io/package.json', import.meta.url))('jpeg-js') as typeof import('jpeg-js');

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : dflt; };
const REAL = opt('--realdata', '');
if (REAL === '') throw new Error('usage: measure.ts --realdata <realdata dir> [--json out.json]');
const jsonOut = opt('--json', '');

interface Entry { file: string; expect: string; structure?: { sampling?: string; components?: number; sof?: string; adobe_transform?: number } }
interface Stat { max: number; mean: number; p99: number }

function stats(a: Uint8Array, b: Uint8Array): Stat {
  const hist = new Float64Array(256);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    hist[d]!++;
    sum += d;
    if (d > max) max = d;
  }
  let acc = 0, p99 = 0;
  for (let d = 0; d < 256; d++) { acc += hist[d]!; if (acc >= 0.99 * a.length) { p99 = d; break; } }
  return { max, mean: sum / a.length, p99 };
}

function cls(e: Entry): string {
  const s = e.structure ?? {};
  const samp = (s.sampling ?? '').split('x');
  const sub = samp.length <= 1 || samp.every((x) => x === samp[0]) ? '4:4:4' : samp[0] === '22' ? '4:2:0' : samp[0] === '21' ? '4:2:2' : samp[0] === '12' ? '4:4:0' : `other(${s.sampling})`;
  const cs = s.components === 1 ? 'gray' : s.components === 4 ? 'cmyk/ycck' : 'colour';
  return s.components === 1 ? 'gray' : `${cs} ${sub}`;
}

const files: Array<{ path: string; entry: Entry; corpus: string }> = [];
for (const corpus of ['jpeg', 'photos']) {
  const man = JSON.parse(readFileSync(join(REAL, corpus, 'manifest.json'), 'utf8')) as { files: Entry[] };
  for (const e of man.files) if (e.expect === 'decode' || e.expect === 'decode-lenient') files.push({ path: join(REAL, corpus, e.file), entry: e, corpus });
}
const tmp = mkdtempSync(join(tmpdir(), 'pil-decode-'));
try {
  execFileSync('/usr/bin/python3', [new URL('./pil_decode.py', import.meta.url).pathname, tmp], { input: files.map((f) => f.path).join('\n') });
  const index = JSON.parse(readFileSync(join(tmp, 'index.json'), 'utf8')) as Record<string, { w: number; h: number; file: string } | { error: string }>;
  const rows: Array<{ file: string; cls: string; w: number; h: number; ours: Stat; fallback: Stat | null; jpegjs: Stat | null }> = [];
  for (const f of files) {
    const ref = index[f.path];
    if (ref === undefined || 'error' in ref) continue;
    const bytes = readFileSync(f.path);
    let decoded;
    try {
      decoded = decodeImage(bytes);
    } catch (e) {
      if (f.entry.expect === 'decode') throw e;
      console.log(`(decode-lenient, we refuse) ${f.corpus}/${f.entry.file}: ${String(e).slice(0, 100)}`);
      continue;
    }
    const ours = toRGB(decoded);
    const pil = new Uint8Array(readFileSync(join(tmp, ref.file)));
    if (ours.width !== ref.w || ours.height !== ref.h) { console.log(`size mismatch ${f.entry.file}`); continue; }
    // plain jpeg-js 0.4.4 defaults (what a naive user gets), only comparable without EXIF rotation
    let jj: Stat | null = null;
    let fb: Stat | null = null;
    const raw = decodeImage(bytes, { applyExifOrientation: false });
    if ((raw.orientation ?? 1) === 1) {
      try {
        const f = decodeJpeg(bytes, { maxPixels: 1e9, maxMemoryMB: 4096, forceJpegJs: true });
        fb = stats(toRGB({ ...raw, ...f }).data, pil);
      } catch { /* the fallback refuses it */ }
      try {
        const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
        jj = stats(d.data, pil);
      } catch { /* plain jpeg-js refuses it */ }
    }
    rows.push({ file: `${f.corpus}/${f.entry.file}`, cls: (f.entry.expect === 'decode' ? '' : 'lenient ') + cls(f.entry), w: ref.w, h: ref.h, ours: stats(ours.data, pil), fallback: fb, jpegjs: jj });
  }
  const byCls = new Map<string, typeof rows>();
  for (const r of rows) byCls.set(r.cls, [...(byCls.get(r.cls) ?? []), r]);
  const fmt = (s: Stat): string => `${String(s.max).padStart(3)} / ${s.mean.toFixed(3)} / ${String(s.p99).padStart(2)}`;
  console.log('per file: max / mean / p99 abs difference vs Pillow 9.4 (8-bit levels)');
  const opt2 = (s: Stat | null): string => (s ? fmt(s) : '(rotated or refused)');
  for (const r of rows) console.log(`${r.file.padEnd(80)} ${r.cls.padEnd(16)} ours ${fmt(r.ours)}   fallback ${opt2(r.fallback)}   jpeg-js ${opt2(r.jpegjs)}`);
  console.log('\nper class: files, max / mean-of-means / worst p99 for: ours | our jpeg-js fallback | plain jpeg-js');
  for (const [c, rs] of [...byCls.entries()].sort()) {
    const agg = (sel: (r: (typeof rows)[number]) => Stat | null): string => {
      const ss = rs.map(sel).filter((s): s is Stat => s !== null);
      if (ss.length === 0) return '-';
      return `${Math.max(...ss.map((s) => s.max))} / ${(ss.reduce((a, s) => a + s.mean, 0) / ss.length).toFixed(3)} / ${Math.max(...ss.map((s) => s.p99))}`;
    };
    console.log(`${c.padEnd(20)} n=${String(rs.length).padStart(2)}  ours ${agg((r) => r.ours).padEnd(14)} fallback ${agg((r) => r.fallback).padEnd(18)} jpeg-js ${agg((r) => r.jpegjs)}`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
