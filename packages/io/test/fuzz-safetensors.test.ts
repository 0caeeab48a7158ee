// Bounded fuzz test of the safetensors reader: a few thousand byte mutations (fixed-seed PRNG) of valid
// files, each read completely (header, info, tensor, raw). The only exception allowed is SafetensorsError;
// no hang (time-capped). Successfully read mutants must also survive a write -> read round trip.
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '@patchwise/tensor';
import { SafetensorsError, encodeTensorData, openSafetensors, parseSafetensors, serializeSafetensors } from '@patchwise/io';
import type { RawTensorData, SafetensorsFile } from '@patchwise/io';
import { mulberry32 } from './helpers/prng.js';

const SEED = 0x5afe7e25;
const ITERATIONS = 10_000;
const TIME_CAP_MS = 10_000;
const FILE_EVERY = 25; // also run every 25th mutant through the file-backed reader

const dir = fileURLToPath(new URL('./data/safetensors/bad/', import.meta.url));
const seeds: Uint8Array[] = [
  'ok-mixed-dtypes.safetensors',
  'ok-unaligned-f32.safetensors',
  'ok-zero-sized-tensor.safetensors',
  'ok-header-not-offset-ordered.safetensors',
  'ok-metadata-only.safetensors',
  'ok-scalar.safetensors',
].map((f) => new Uint8Array(readFileSync(dir + f)));
seeds.push(
  serializeSafetensors(
    new Map<string, RawTensorData | ReturnType<typeof tensor>>([
      ['w', tensor([1, 2, 3, 4, 5, 6], [2, 3])],
      ['h', encodeTensorData('F16', [1, -2, 0.5])],
      ['q', encodeTensorData('I64', [1, -1])],
      ['u', encodeTensorData('U32', [7])],
      ['f4', { dtype: 'F4', shape: [4], data: new Uint8Array([0x72, 0xa9]) }],
      ['e4', { dtype: 'F8_E4M3', shape: [2], data: new Uint8Array([0x38, 0x7f]) }],
      ['c', { dtype: 'C64', shape: [1], data: new Uint8Array(8) }],
    ]),
    { format: 'pt', note: 'fuzz seed' },
  ),
);

const INTERESTING = [0, 0xff, 0x7f, 0x80, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x30, 0x31, 0x39, 0x3a, 0x5b, 0x5d, 0x5c, 0x65, 0x7b, 0x7d, 0xc0, 0xed];
const NUMBERS = ['18446744073709551615', '18446744073709551616', '9007199254740993', '4294967296', '-1', '-0', '1e999', '2.0', '0', '100000000', '1e2'];

function headerEnd(b: Uint8Array): number {
  if (b.length < 8) return b.length;
  const n = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  return n > BigInt(b.length - 8) ? b.length : 8 + Number(n);
}

function setLength(b: Uint8Array, n: number): void {
  if (b.length >= 8) new DataView(b.buffer, b.byteOffset, 8).setBigUint64(0, BigInt(n), true);
}

/** One random mutation; header-region edits usually keep the length prefix consistent so JSON gets parsed. */
function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rnd() * n);
  let b = src.slice();
  const end = headerEnd(b);
  const inHeader = (): number => (end > 8 ? 8 + pick(end - 8) : pick(Math.max(1, b.length)));
  const fixLen = rnd() < 0.8;
  switch (pick(8)) {
    case 0: // flip 1-4 bits anywhere
      for (let k = 1 + pick(4); k > 0 && b.length > 0; k--) b[pick(b.length)]! ^= 1 << pick(8);
      break;
    case 1: // an interesting byte in the header
      if (b.length > 0) b[inHeader()] = INTERESTING[pick(INTERESTING.length)]!;
      break;
    case 2: {
      // insert 1-8 bytes into the header
      const at = inHeader();
      const ins = Uint8Array.from({ length: 1 + pick(8) }, () => (rnd() < 0.5 ? INTERESTING[pick(INTERESTING.length)]! : pick(256)));
      const out = new Uint8Array(b.length + ins.length);
      out.set(b.subarray(0, at));
      out.set(ins, at);
      out.set(b.subarray(at), at + ins.length);
      b = out;
      if (fixLen) setLength(b, end - 8 + ins.length);
      break;
    }
    case 3: {
      // delete 1-8 bytes of the header
      const at = inHeader();
      const len = Math.min(1 + pick(8), Math.max(0, end - at));
      b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + len)]);
      if (fixLen) setLength(b, end - 8 - len);
      break;
    }
    case 4: // truncate
      b = b.slice(0, pick(b.length + 1));
      break;
    case 5: {
      // replace a run of digits in the header with a trap number
      const text = new TextDecoder('latin1').decode(b.subarray(8, end));
      const runs = [...text.matchAll(/\d+/g)];
      if (runs.length === 0) break;
      const r = runs[pick(runs.length)]!;
      const num = new TextEncoder().encode(NUMBERS[pick(NUMBERS.length)]!);
      const at = 8 + r.index!;
      b = new Uint8Array([...b.subarray(0, at), ...num, ...b.subarray(at + r[0].length)]);
      if (fixLen) setLength(b, end - 8 + num.length - r[0].length);
      break;
    }
    case 6: {
      // duplicate a slice of the header in place (repeated keys, nesting)
      const a = inHeader();
      const len = Math.min(1 + pick(40), Math.max(0, end - a));
      const piece = b.slice(a, a + len);
      b = new Uint8Array([...b.subarray(0, a), ...piece, ...b.subarray(a)]);
      if (fixLen) setLength(b, end - 8 + len);
      break;
    }
    default: // random bytes in the data section or the length prefix
      if (b.length > 0) b[rnd() < 0.3 ? pick(Math.min(8, b.length)) : pick(b.length)] = pick(256);
  }
  return b;
}

/** Reads everything a user could read; returns the raw tensors for the round trip. */
async function readAll(f: SafetensorsFile): Promise<Map<string, RawTensorData>> {
  void f.metadata;
  const out = new Map<string, RawTensorData>();
  for (const name of f.names()) {
    let info;
    try {
      info = f.info(name);
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw e;
      continue;
    }
    try {
      const t = await f.tensor(name);
      expect(t.size).toBe(info.shape.reduce((a, b) => a * b, 1));
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw e;
    }
    out.set(name, { dtype: info.dtype, shape: info.shape, data: await f.raw(name) });
  }
  return out;
}

describe('safetensors fuzz', () => {
  it(`${ITERATIONS} mutations raise only SafetensorsError (seed ${SEED.toString(16)})`, async () => {
    const rnd = mulberry32(SEED);
    const tmp = mkdtempSync(join(tmpdir(), 'patchwise-st-fuzz-'));
    const kinds = new Map<string, number>();
    let accepted = 0;
    let done = 0;
    const t0 = Date.now();
    try {
      for (; done < ITERATIONS && Date.now() - t0 < TIME_CAP_MS; done++) {
        const seed = seeds[Math.floor(rnd() * seeds.length)]!;
        let b = mutate(seed, rnd);
        if (rnd() < 0.3) b = mutate(b, rnd); // sometimes stack two mutations
        const it0 = Date.now();
        try {
          const f = parseSafetensors(b, `mutant-${done}`);
          const tensors = await readAll(f);
          accepted++;
          // Round trip: what we read, we can write, and reading that gives the same bytes.
          const again = parseSafetensors(serializeSafetensors(tensors, f.metadata));
          for (const [name, t] of tensors) expect(again.rawSync(name)).toEqual(t.data);
        } catch (e) {
          if (!(e instanceof SafetensorsError)) {
            throw new Error(`mutant ${done}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}; bytes (base64) ${Buffer.from(b).toString('base64')}`);
          }
          kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
        }
        if (done % FILE_EVERY === 0) {
          const path = join(tmp, 'm.safetensors');
          writeFileSync(path, b);
          let f: SafetensorsFile | undefined;
          try {
            f = await openSafetensors(path);
            await readAll(f);
          } catch (e) {
            if (!(e instanceof SafetensorsError)) throw new Error(`mutant ${done} (file reader): ${String(e)}`);
          } finally {
            await f?.close();
          }
        }
        expect(Date.now() - it0, `mutant ${done} took too long`).toBeLessThan(2000);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    // The run must be meaningful: enough mutants, some accepted, and many different rejection kinds.
    expect(done).toBeGreaterThanOrEqual(1000);
    expect(accepted).toBeGreaterThan(50);
    expect(kinds.size).toBeGreaterThanOrEqual(8);
    console.log(`fuzz: ${done} mutants in ${Date.now() - t0} ms, ${accepted} accepted; rejections: ${JSON.stringify(Object.fromEntries([...kinds].sort()))}`);
  });
});
