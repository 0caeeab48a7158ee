// Every file of the bad-safetensors corpus against its manifest outcome (checked against the Rust crate):
// rejected files must fail with the crate's SafeTensorError variant as `.kind`, valid files must give the
// manifest's dtypes, shapes and values. Runs both readers: in-memory (parseSafetensors) and file-backed.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openSafetensors, parseSafetensors, SafetensorsError } from '@patchwise/io';
import type { SafetensorsFile } from '@patchwise/io';

const dir = fileURLToPath(new URL('./data/safetensors/bad/', import.meta.url));

interface Case {
  file: string;
  valid: boolean | null;
  expect_error: string | null;
  description: string;
  tensors: Record<string, { dtype: string; shape: number[]; values: (number | string | boolean)[] }> | null;
}
const manifest = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8')) as { cases: Case[] };

async function errorOf(f: () => Promise<unknown>): Promise<SafetensorsError> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return e as SafetensorsError;
  }
  throw new Error('expected a SafetensorsError, but the call succeeded');
}

async function checkTensors(f: SafetensorsFile, c: Case): Promise<void> {
  const expected = c.tensors!;
  expect([...f.names()].sort()).toEqual(Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) {
    const info = f.info(name);
    expect(info.dtype).toBe(t.dtype);
    expect(info.shape).toEqual(t.shape);
    if (t.dtype === 'I64' || t.dtype === 'U64') {
      // The manifest holds 64-bit values as decimal strings; compare the stored bytes exactly.
      const raw = await f.raw(name);
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const got = t.values.map((_, i) => (t.dtype === 'I64' ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true)));
      expect(got).toEqual(t.values.map((v) => BigInt(v as string)));
      const fits = t.values.every((v) => BigInt(v as string) >= -(2n ** 31n) && BigInt(v as string) < 2n ** 31n);
      if (!fits) expect((await errorOf(() => f.tensor(name))).kind).toBe('IntegerOverflow');
      continue;
    }
    const tensor = await f.tensor(name);
    expect(tensor.shape).toEqual(t.shape);
    const values = Array.from(tensor.toArray());
    if (t.dtype === 'BOOL') {
      expect(tensor.dtype).toBe('int32');
      expect(values).toEqual(t.values.map((v) => (v ? 1 : 0)));
    } else if (/^[IU]/.test(t.dtype)) {
      expect(tensor.dtype).toBe('int32');
      expect(values).toEqual(t.values);
    } else {
      // Reals become float32: the manifest value rounded to f32 (F64 -1e300 overflows to -Infinity, as torch
      // .float() does). Object.is keeps -0.0 distinct from 0.0.
      expect(tensor.dtype).toBe('float32');
      expect(values.length).toBe(t.values.length);
      values.forEach((v, i) => expect(Object.is(v, Math.fround(t.values[i] as number)), `${name}[${i}]: ${v} vs ${t.values[i]}`).toBe(true));
    }
  }
}

describe('bad-safetensors manifest', () => {
  it('covers the whole corpus (52 files)', () => {
    expect(manifest.cases.length).toBe(52);
  });

  for (const c of manifest.cases) {
    it(`${c.file}: ${c.description}`, async () => {
      const bytes = new Uint8Array(readFileSync(dir + c.file));
      const path = dir + c.file;
      if (c.valid === false) {
        const e1 = await errorOf(async () => parseSafetensors(bytes, c.file));
        expect(e1.kind).toBe(c.expect_error);
        expect(e1.file).toBe(c.file);
        const e2 = await errorOf(() => openSafetensors(path));
        expect(e2.kind).toBe(c.expect_error);
        expect(e2.file).toBe(path);
        return;
      }
      if (c.valid === null) {
        // Policy (packages/io/README.md "safetensors policy"): duplicate tensor names are rejected.
        expect(c.file).toBe('edge-duplicate-key.safetensors');
        const e = await errorOf(async () => parseSafetensors(bytes, c.file));
        expect(e.kind).toBe('DuplicateKey');
        expect(e.tensor).toBe('a');
        expect((await errorOf(() => openSafetensors(path))).kind).toBe('DuplicateKey');
        return;
      }
      await checkTensors(parseSafetensors(bytes, c.file), c);
      const f = await openSafetensors(path);
      try {
        await checkTensors(f, c);
      } finally {
        await f.close();
      }
    });
  }

  it('names the tensor for offset errors', async () => {
    const e = await errorOf(async () => parseSafetensors(new Uint8Array(readFileSync(dir + 'err-offset-gap.safetensors')), 'gap'));
    expect(e.tensor).toBe('b');
    expect(e.message).toContain('gap');
  });
});
