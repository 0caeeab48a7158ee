// safetensors reader/writer unit tests: canonical bytes (the Rust crate's own test vectors), every dtype
// round-trip with hand-computed values, JSON traps (big integers, duplicates, prototype names, serde's
// accepted forms), integer range checks, chunked file reads, sharded checkpoints and atomic writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, intTensor, arange } from '@patchwise/tensor';
import type { Tensor } from '@patchwise/tensor';
import {
  SafetensorsError,
  encodeTensorData,
  loadTensors,
  openCheckpoint,
  openSafetensors,
  openSharded,
  parseSafetensors,
  readSafetensorsSync,
  serializeSafetensors,
  writeSafetensors,
  SAFETENSORS_DTYPES,
} from '@patchwise/io';
import type { RawTensorData, SafetensorsDType } from '@patchwise/io';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patchwise-st-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Builds a file from a header string (used verbatim) and data bytes. */
function build(header: string, data: Uint8Array | number[] = []): Uint8Array {
  const h = new TextEncoder().encode(header);
  const d = data instanceof Uint8Array ? data : new Uint8Array(data);
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

function errorOf(f: () => unknown): SafetensorsError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    return e;
  }
  throw new Error('expected a SafetensorsError');
}

async function asyncErrorOf(f: () => Promise<unknown>): Promise<SafetensorsError> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof SafetensorsError)) throw e;
    return e;
  }
  throw new Error('expected a SafetensorsError');
}

const f32le = (...v: number[]): number[] => [...new Uint8Array(new Float32Array(v).buffer)];

describe('writer: canonical layout (byte vectors from the Rust crate tests, safetensors/src/tensor.rs)', () => {
  it('test_serialization: attn.0 F32 [1,2,3]', () => {
    const out = serializeSafetensors(new Map([['attn.0', tensor([0, 1, 2, 3, 4, 5], [1, 2, 3])]]));
    expect([...out]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97,
      112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125,
      0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('test_serialization_forced_alignement: header padded with spaces to a multiple of 8', () => {
    const out = serializeSafetensors(new Map([['attn0', tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3])]]));
    expect([...out]).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112,
      101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125,
      125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('test_empty: no tensors, with and without metadata', () => {
    expect([...serializeSafetensors(new Map())]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...serializeSafetensors(new Map(), { framework: 'pt' })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34,
      58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it('orders tensors by descending dtype (crate enum order), then by name; every offset is aligned', () => {
    const bytes = serializeSafetensors({
      b8: encodeTensorData('U8', [1, 2, 3]),
      a8: encodeTensorData('U8', [4]),
      h: encodeTensorData('F16', [1]),
      d: encodeTensorData('F64', [1]),
      f: tensor([1]),
      i: encodeTensorData('I64', [1]),
    });
    const f = parseSafetensors(bytes);
    // Enum order ... F16 < ... < F32 < C64 < F64 < I64 < U64, descending: I64, F64, F32, F16, U8 (a8, b8).
    expect(f.names()).toEqual(['i', 'd', 'f', 'h', 'a8', 'b8']);
    expect(f.info('i').dataOffsets).toEqual([0, 8]);
    expect(f.info('d').dataOffsets).toEqual([8, 16]);
    expect(f.info('f').dataOffsets).toEqual([16, 20]);
    expect(f.info('h').dataOffsets).toEqual([20, 22]);
    expect(f.info('a8').dataOffsets).toEqual([22, 23]);
    expect(f.info('b8').dataOffsets).toEqual([23, 26]);
  });

  it('sorts names by UTF-8 bytes like Rust, not by UTF-16 units', () => {
    // U+FF5E (EF BD 9E) < U+1F600 (F0 9F 98 80) in UTF-8; in UTF-16 the surrogate D83D < FF5E.
    const f = parseSafetensors(serializeSafetensors(new Map([['\u{1F600}', tensor([1])], ['\uFF5E', tensor([2])]])));
    expect(f.names()).toEqual(['\uFF5E', '\u{1F600}']);
  });

  it('writes non-contiguous tensors densely', () => {
    const t = arange(0, 6).reshape(2, 3).transpose(0, 1); // [[0,3],[1,4],[2,5]]
    const f = parseSafetensors(serializeSafetensors(new Map([['t', t]])));
    expect(Array.from(f.tensorSync('t').toArray())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(f.info('t').shape).toEqual([3, 2]);
  });

  it('rejects bad writer input with typed errors', () => {
    expect(errorOf(() => serializeSafetensors(new Map([['__metadata__', tensor([1])]]))).kind).toBe('InvalidArgument');
    expect(errorOf(() => serializeSafetensors(new Map([['x\ud800', tensor([1])]]))).kind).toBe('InvalidArgument');
    expect(errorOf(() => serializeSafetensors({ t: { dtype: 'F32', shape: [2], data: new Uint8Array(4) } })).kind).toBe('InvalidTensorView');
    expect(errorOf(() => serializeSafetensors({ t: { dtype: 'F4', shape: [3], data: new Uint8Array(2) } })).kind).toBe('InvalidTensorView');
    expect(errorOf(() => encodeTensorData('I8', [128])).kind).toBe('InvalidArgument');
    expect(errorOf(() => encodeTensorData('U32', [-1])).kind).toBe('InvalidArgument');
    expect(errorOf(() => encodeTensorData('I64', [2 ** 53])).kind).toBe('InvalidArgument'); // not a safe integer: pass a bigint
    expect(errorOf(() => encodeTensorData('F8_E4M3', [1])).kind).toBe('UnsupportedDtype');
  });
});

describe('every dtype round-trips (write -> read), values hand-computed', () => {
  // [dtype, bytes written, values expected from tensor()] — values derived by hand from the format definitions.
  const cases: [SafetensorsDType, RawTensorData, number[] | 'int32-overflow' | 'unsupported'][] = [
    ['F64', encodeTensorData('F64', [0.1, -1e300, 2.5]), [Math.fround(0.1), -Infinity, 2.5]], // -1e300 overflows float32
    ['F32', encodeTensorData('F32', [1.5, -0, 3.4e38]), [1.5, -0, Math.fround(3.4e38)]],
    // F16: 65504 = max, 2^-24 = smallest subnormal, 1/3 rounds to 0x3555 = 1 + 341/1024 / 2 = 0.333251953125
    ['F16', encodeTensorData('F16', [65504, 2 ** -24, 1 / 3]), [65504, 2 ** -24, 0.333251953125]],
    // BF16: 1/3 -> f32 0x3EAAAAAB -> bf16 0x3EAB = 0.333984375 (round up); 3 is exact
    ['BF16', encodeTensorData('BF16', [1 / 3, 3]), [0.333984375, 3]],
    ['I64', encodeTensorData('I64', [-(2 ** 31), 2 ** 31 - 1, 0n]), [-(2 ** 31), 2 ** 31 - 1, 0]],
    ['U64', encodeTensorData('U64', [0, 2 ** 31 - 1]), [0, 2 ** 31 - 1]],
    ['I32', encodeTensorData('I32', [-(2 ** 31), 7]), [-(2 ** 31), 7]],
    ['U32', encodeTensorData('U32', [2 ** 31 - 1, 0]), [2 ** 31 - 1, 0]],
    ['I16', encodeTensorData('I16', [-32768, 32767]), [-32768, 32767]],
    ['U16', encodeTensorData('U16', [65535, 1]), [65535, 1]],
    ['I8', encodeTensorData('I8', [-128, 127]), [-128, 127]],
    ['U8', encodeTensorData('U8', [255, 0]), [255, 0]],
    ['BOOL', encodeTensorData('BOOL', [true, false, 1]), [1, 0, 1]],
    // float8_e4m3fn: 0x38 = e7 m0 = 1; 0x7e = e15 m6 = (1+6/8)*2^8 = 448 (max); 0x01 = 1/8 * 2^-6 = 2^-9;
    // 0x7f = NaN; 0xb0 = -(e6 m0) = -0.5; 0x80 = -0
    ['F8_E4M3', { dtype: 'F8_E4M3', shape: [6], data: new Uint8Array([0x38, 0x7e, 0x01, 0x7f, 0xb0, 0x80]) }, [1, 448, 2 ** -9, NaN, -0.5, -0]],
    // float8_e5m2: 0x3c = e15 m0 = 1; 0x7b = e30 m3 = 1.75*2^15 = 57344 (max); 0x7c = inf; 0xfc = -inf; 0x7d = NaN; 0x01 = 2^-16
    ['F8_E5M2', { dtype: 'F8_E5M2', shape: [6], data: new Uint8Array([0x3c, 0x7b, 0x7c, 0xfc, 0x7d, 0x01]) }, [1, 57344, Infinity, -Infinity, NaN, 2 ** -16]],
    // float8_e4m3fnuz (bias 8): 0x40 = e8 = 1; 0x7f = e15 m7 = 1.875*2^7 = 240 (max); 0x80 = NaN; 0x01 = 2^-10
    ['F8_E4M3FNUZ', { dtype: 'F8_E4M3FNUZ', shape: [4], data: new Uint8Array([0x40, 0x7f, 0x80, 0x01]) }, [1, 240, NaN, 2 ** -10]],
    // float8_e5m2fnuz (bias 16): 0x40 = e16 = 1; 0x7f = e31 m3 = 1.75*2^15 = 57344; 0x80 = NaN; 0x01 = 2^-17
    ['F8_E5M2FNUZ', { dtype: 'F8_E5M2FNUZ', shape: [4], data: new Uint8Array([0x40, 0x7f, 0x80, 0x01]) }, [1, 57344, NaN, 2 ** -17]],
    // float8_e8m0fnu: 2^(b-127): 127 -> 1, 0 -> 2^-127, 254 -> 2^127, 255 -> NaN
    ['F8_E8M0', { dtype: 'F8_E8M0', shape: [4], data: new Uint8Array([127, 0, 254, 255]) }, [1, 2 ** -127, 2 ** 127, NaN]],
    // F4 E2M1, low nibble first: 0x72 -> [0x2 = e1 m0 = 1, 0x7 = e3 m1 = 1.5*4 = 6]; 0xa9 -> [0x9 = -0.5, 0xa = -1]
    ['F4', { dtype: 'F4', shape: [2, 2], data: new Uint8Array([0x72, 0xa9]) }, [1, 6, -0.5, -1]],
    ['F6_E2M3', { dtype: 'F6_E2M3', shape: [4], data: new Uint8Array([1, 2, 3]) }, 'unsupported'],
    ['F6_E3M2', { dtype: 'F6_E3M2', shape: [4], data: new Uint8Array([1, 2, 3]) }, 'unsupported'],
    ['C64', { dtype: 'C64', shape: [1], data: new Uint8Array(f32le(1, 2)) }, 'unsupported'],
  ];

  it('covers every dtype of the crate', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(SAFETENSORS_DTYPES));
  });

  for (const [dtype, raw, expected] of cases) {
    it(dtype, async () => {
      const bytes = serializeSafetensors(new Map([['x', raw]]), { dtype });
      const path = join(dir, `rt-${dtype}.safetensors`);
      await writeSafetensors(path, new Map([['x', raw]]), { dtype });
      expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
      const mem = parseSafetensors(bytes);
      const file = await openSafetensors(path);
      try {
        for (const f of [mem, file]) {
          expect(f.metadata?.dtype).toBe(dtype);
          expect(f.info('x')).toEqual({ dtype, shape: raw.shape, byteLength: raw.data.byteLength, dataOffsets: [0, raw.data.byteLength] });
          expect(await f.raw('x')).toEqual(raw.data);
          if (expected === 'unsupported') {
            expect((await asyncErrorOf(() => f.tensor('x'))).kind).toBe('UnsupportedDtype');
            continue;
          }
          const t = await f.tensor('x');
          expect(t.shape).toEqual(raw.shape);
          const got = Array.from(t.toArray());
          expect(got.length).toBe((expected as number[]).length);
          got.forEach((v, i) => expect(Object.is(v, (expected as number[])[i]), `[${i}] ${v} vs ${(expected as number[])[i]}`).toBe(true));
        }
      } finally {
        await file.close();
      }
    });
  }

  it('I64/U64 keep the full 64-bit range in raw bytes', () => {
    const raw = encodeTensorData('I64', [-(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n]);
    const f = parseSafetensors(serializeSafetensors({ x: raw }));
    const got = new BigInt64Array(f.rawSync('x').buffer);
    expect([...got]).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n]);
  });

  it('integers that int32 cannot hold exactly raise IntegerOverflow naming the value and index', () => {
    const f = parseSafetensors(
      serializeSafetensors({
        u32: encodeTensorData('U32', [1, 2 ** 31]),
        i64: encodeTensorData('I64', [5, -(2n ** 31n) - 1n]),
        u64: encodeTensorData('U64', [2n ** 32n]),
      }),
    );
    const e = errorOf(() => f.tensorSync('u32'));
    expect(e.kind).toBe('IntegerOverflow');
    expect(e.tensor).toBe('u32');
    expect(e.message).toContain('2147483648 at flat index 1');
    expect(errorOf(() => f.tensorSync('i64')).message).toContain('-2147483649 at flat index 1');
    expect(errorOf(() => f.tensorSync('u64')).message).toContain('4294967296 at flat index 0');
  });

  it('BOOL bytes other than 0/1 read as 1', () => {
    const f = parseSafetensors(serializeSafetensors({ b: { dtype: 'BOOL', shape: [3], data: new Uint8Array([0, 2, 255]) } }));
    expect(Array.from(f.tensorSync('b').toArray())).toEqual([0, 1, 1]);
  });

  it('float32 and int32 Tensors write as F32 and I32', () => {
    const f = parseSafetensors(serializeSafetensors(new Map<string, Tensor>([['a', tensor([1.25])], ['b', intTensor([-3, 4], [2])]])));
    expect(f.info('a').dtype).toBe('F32');
    expect(f.info('b').dtype).toBe('I32');
    expect(f.tensorSync('b').dtype).toBe('int32');
    expect(Array.from(f.tensorSync('b').toArray())).toEqual([-3, 4]);
  });
});

describe('header parsing traps', () => {
  const t = (body: string): string => `{"t":${body}}`;
  const ok = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
  const data = f32le(2.5);

  it('accepts what serde accepts: array entry, {"F32": null} dtype, null metadata, unknown fields, leading whitespace', () => {
    expect(Array.from(parseSafetensors(build(t('["F32",[1],[0,4]]'), data)).tensorSync('t').toArray())).toEqual([2.5]);
    expect(parseSafetensors(build(t('{"dtype":{"F32":null},"shape":[1],"data_offsets":[0,4]}'), data)).info('t').dtype).toBe('F32');
    expect(parseSafetensors(build(`{"__metadata__":null,"t":${ok}}`, data)).metadata).toBeNull();
    expect(parseSafetensors(build(t('{"x":[[[{"y":1e300}]]],"dtype":"F32","shape":[1],"data_offsets":[0,4]}'), data)).info('t').shape).toEqual([1]);
    expect(parseSafetensors(build(` \r\n\t${t(ok)}\t `, data)).names()).toEqual(['t']);
  });

  it('rejects what serde rejects (InvalidHeaderDeserialization)', () => {
    const bad = [
      t('["F32",[1]]'), // array entry needs exactly 3 fields
      t('{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}'), // duplicate field
      `{"__metadata__":{},"__metadata__":{},"t":${ok}}`, // duplicate __metadata__
      t('{"dtype":"F32","shape":[1],"data_offsets":[0]}'),
      t('{"dtype":"F32","shape":[-0],"data_offsets":[0,4]}'), // -0 is a float to serde_json
      t('{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}'),
      t('{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}'),
      t('{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551616]}'), // 2^64
      t('{"dtype":"F32","shape":"1","data_offsets":[0,4]}'),
      t('{"dtype":{"F32":1},"shape":[1],"data_offsets":[0,4]}'),
      t('{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1e400}'), // number out of range
      t(`{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":${'['.repeat(126)}${']'.repeat(126)}}`), // depth 128
      '{"t\\ud800":' + ok + '}', // lone surrogate escape
      '{"t\\udc00":' + ok + '}',
      '{"t\u0001":' + ok + '}', // raw control character in a string
      `{"t":${ok},}`, // trailing comma
      `{"t":${ok}}\u000b`, // vertical tab is not JSON whitespace
      `{"t":${ok}} x`,
      `{"t":${ok}`,
      `\ufeff{"t":${ok}}`, // BOM
      '{"__metadata__":{"a":1}}',
      'null',
    ];
    for (const h of bad) {
      const e = errorOf(() => parseSafetensors(build(h, data), 'h'));
      expect(e.kind, h).toBe('InvalidHeaderDeserialization');
    }
  });

  it('accepts nesting up to depth 127 and escaped surrogate pairs', () => {
    const deep = t(`{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":${'['.repeat(125)}${']'.repeat(125)}}`);
    expect(parseSafetensors(build(deep, data)).names()).toEqual(['t']);
    expect(parseSafetensors(build('{"\\ud83d\\ude00\\n\\u00e9":' + ok + '}', data)).names()).toEqual(['\u{1F600}\n\u00e9']);
  });

  it('policy: duplicate tensor names and duplicate metadata keys are rejected (DuplicateKey)', () => {
    const e = errorOf(() => parseSafetensors(build(`{"t":${ok},"t":${ok}}`, data)));
    expect(e.kind).toBe('DuplicateKey');
    expect(e.tensor).toBe('t');
    expect(errorOf(() => parseSafetensors(build(`{"__metadata__":{"a":"1","a":"2"},"t":${ok}}`, data))).kind).toBe('DuplicateKey');
  });

  it('names like __proto__ and constructor are plain names; metadata is a null-prototype object', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const m = new Map(names.map((n, i) => [n, tensor([i])]));
    const f = parseSafetensors(serializeSafetensors(m, { __proto__x: 'a', constructor: 'b' }));
    expect([...f.names()].sort()).toEqual([...names].sort());
    for (const [i, n] of names.entries()) expect(Array.from(f.tensorSync(n).toArray())).toEqual([i]);
    expect(Object.getPrototypeOf(f.metadata)).toBeNull();
    expect(f.metadata!.constructor).toBe('b');
    // A hand-written header with "__proto__" in the metadata must not touch any prototype.
    const g = parseSafetensors(build(`{"__metadata__":{"__proto__":"x"},"t":${ok}}`, data));
    expect(g.metadata!['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(g.has('toString')).toBe(false);
    expect(errorOf(() => g.info('toString')).kind).toBe('TensorNotFound');
  });

  it('zero-element tensors may carry dims above 2^53 (valid for the crate): info() raises UnsupportedShape', () => {
    const f = parseSafetensors(build(`{"z":{"dtype":"F32","shape":[0,9007199254740993],"data_offsets":[0,0]},"t":${ok.replace('[0,4]', '[0,4]')}}`, data));
    expect(f.names()).toEqual(['z', 't']);
    const e = errorOf(() => f.info('z'));
    expect(e.kind).toBe('UnsupportedShape');
    expect(e.message).toContain('[0, 9007199254740993]');
  });

  it('offsets beyond 2^53 are compared exactly (no rounding to equal doubles)', () => {
    // 2^53 and 2^53+1 are the same double; as BigInts the second tensor starts 1 byte late: InvalidOffset.
    const h = '{"a":{"dtype":"U8","shape":[9007199254740992],"data_offsets":[0,9007199254740992]},"b":{"dtype":"U8","shape":[0],"data_offsets":[9007199254740993,9007199254740993]}}';
    const e = errorOf(() => parseSafetensors(build(h, [1])));
    expect(e.kind).toBe('InvalidOffset');
    expect(e.tensor).toBe('b');
  });

  it('every error names the file and says what was expected', () => {
    const e = errorOf(() => parseSafetensors(build(t('{"dtype":"F32","shape":[2],"data_offsets":[0,4]}'), data), 'w.safetensors'));
    expect(e.kind).toBe('TensorInvalidInfo');
    expect(e.file).toBe('w.safetensors');
    expect(e.tensor).toBe('t');
    expect(e.message).toContain('needs 8 bytes');
  });
});

describe('unaligned data (typed-array views would throw: the reader copies)', () => {
  // A 1-byte U8 tensor first puts every multi-byte tensor at an odd file position (header padded to 8).
  const cases: [SafetensorsDType, (number | bigint)[], number[]][] = [
    ['F16', [1.5, -2], [1.5, -2]],
    ['BF16', [3, -0.5], [3, -0.5]],
    ['F32', [0.25, 7], [0.25, 7]],
    ['F64', [1e-3, -8], [Math.fround(1e-3), -8]],
    ['I16', [-300, 300], [-300, 300]],
    ['U16', [60000, 1], [60000, 1]],
    ['I32', [-70000, 70000], [-70000, 70000]],
    ['U32', [123456, 0], [123456, 0]],
    ['I64', [-5n, 2n ** 31n - 1n], [-5, 2 ** 31 - 1]],
    ['U64', [9n, 0n], [9, 0]],
  ];
  for (const [dtype, values, expected] of cases) {
    it(dtype, async () => {
      const raw = encodeTensorData(dtype, values);
      let header = `{"p":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"${dtype}","shape":[2],"data_offsets":[1,${1 + raw.data.length}]}}`;
      header += ' '.repeat((8 - (header.length % 8)) % 8);
      const bytes = build(header, [42, ...raw.data]);
      expect((8 + header.length + 1) % 2).toBe(1); // odd position
      const path = join(dir, `unaligned-${dtype}.safetensors`);
      writeFileSync(path, bytes);
      const file = await openSafetensors(path);
      try {
        for (const f of [parseSafetensors(bytes), file]) {
          expect(Array.from((await f.tensor('x')).toArray())).toEqual(expected);
          expect(await f.raw('x')).toEqual(raw.data);
          expect(Array.from((await f.tensor('p')).toArray())).toEqual([42]);
        }
      } finally {
        await file.close();
      }
    });
  }
});

describe('file reader', () => {
  it('reads across chunk boundaries (F16 and I64 larger than one 2^21-element chunk)', async () => {
    const n = (1 << 21) + 3;
    const f16 = new Uint16Array(n);
    // Bits 0x3c00 + (i % 1024) are 1 + (i % 1024)/1024 (exponent 15 = 2^0, fraction i % 1024).
    for (let i = 0; i < n; i++) f16[i] = 0x3c00 + (i % 1024);
    const i64 = new BigInt64Array(n);
    for (let i = 0; i < n; i++) i64[i] = BigInt(i - 1000);
    i64[n - 1] = 2n ** 40n; // beyond int32, in the second chunk
    const path = join(dir, 'big.safetensors');
    await writeSafetensors(path, {
      h: { dtype: 'F16', shape: [n], data: new Uint8Array(f16.buffer) },
      q: { dtype: 'I64', shape: [n], data: new Uint8Array(i64.buffer) },
    });
    const f = await openSafetensors(path);
    try {
      const h = (await f.tensor('h')).toArray();
      for (const i of [0, 1023, 1024, (1 << 21) - 1, 1 << 21, n - 1]) expect(h[i]).toBe(1 + (i % 1024) / 1024);
      const e = await asyncErrorOf(() => f.tensor('q'));
      expect(e.kind).toBe('IntegerOverflow');
      expect(e.message).toContain(`1099511627776 at flat index ${n - 1}`);
    } finally {
      await f.close();
    }
  });

  it('throws Closed after close, TensorNotFound for unknown names, IoError for missing files', async () => {
    const path = join(dir, 'small.safetensors');
    await writeSafetensors(path, new Map([['a', tensor([1, 2])]]));
    const f = await openSafetensors(path);
    expect((await asyncErrorOf(() => f.tensor('nope'))).kind).toBe('TensorNotFound');
    await f.close();
    expect((await asyncErrorOf(() => f.tensor('a'))).kind).toBe('Closed');
    expect((await asyncErrorOf(() => openSafetensors(join(dir, 'missing.safetensors')))).kind).toBe('IoError');
    expect(Array.from(readSafetensorsSync(path).tensorSync('a').toArray())).toEqual([1, 2]);
  });

  it('detects a file truncated after it was opened', async () => {
    const path = join(dir, 'shrink.safetensors');
    await writeSafetensors(path, new Map([['a', tensor([1, 2, 3, 4])]]));
    const f = await openSafetensors(path);
    try {
      writeFileSync(path, readFileSync(path).subarray(0, 20));
      const e = await asyncErrorOf(() => f.tensor('a'));
      expect(e.kind).toBe('IoError');
    } finally {
      await f.close();
    }
  });

  it('writes atomically: no temp file left, an existing file is replaced whole', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const path = join(sub, 'model.safetensors');
    await writeSafetensors(path, new Map([['a', tensor([1])]]));
    await writeSafetensors(path, new Map([['b', tensor([2, 3])]]), { format: 'pt' });
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
    const m = await loadTensors(path);
    expect([...m.keys()]).toEqual(['b']);
    expect(Array.from(m.get('b')!.toArray())).toEqual([2, 3]);
    // A failing write (directory does not exist) leaves nothing behind and throws IoError.
    expect((await asyncErrorOf(() => writeSafetensors(join(sub, 'no', 'x.safetensors'), new Map())))).toMatchObject({ kind: 'IoError' });
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
  });
});

describe('sharded checkpoints', () => {
  async function makeSharded(weightMap: Record<string, string>): Promise<string> {
    const sub = mkdtempSync(join(dir, 'shard-'));
    await writeSafetensors(join(sub, 'model-00001-of-00002.safetensors'), new Map([['a', tensor([1, 2])], ['b', tensor([3])]]), { format: 'pt' });
    await writeSafetensors(join(sub, 'model-00002-of-00002.safetensors'), new Map([['c', intTensor([7], [1])]]));
    writeFileSync(join(sub, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 16 }, weight_map: weightMap }));
    return sub;
  }
  const good = { a: 'model-00001-of-00002.safetensors', b: 'model-00001-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' };

  it('presents one merged interface (openSharded, openCheckpoint, loadTensors)', async () => {
    const sub = await makeSharded(good);
    const f = await openSharded(join(sub, 'model.safetensors.index.json'));
    try {
      expect(f.names()).toEqual(['a', 'b', 'c']);
      expect(f.totalSize).toBe(16);
      expect(f.metadata).toEqual(Object.assign(Object.create(null), { format: 'pt' }));
      expect(f.info('c')).toEqual({ dtype: 'I32', shape: [1], byteLength: 4, dataOffsets: [0, 4] });
      expect(Array.from((await f.tensor('a')).toArray())).toEqual([1, 2]);
      expect((await asyncErrorOf(() => f.tensor('zz'))).kind).toBe('TensorNotFound');
    } finally {
      await f.close();
    }
    const c = await openCheckpoint(sub);
    expect(c.names()).toEqual(['a', 'b', 'c']);
    await c.close();
    const all = await loadTensors(sub);
    expect(Array.from(all.get('c')!.toArray())).toEqual([7]);
  });

  it('rejects unsafe shard names and missing tensors', async () => {
    for (const bad of ['../model-00001-of-00002.safetensors', '/etc/passwd', 'sub\\x.safetensors', '', './x', 'a//b', 'C:x.safetensors']) {
      const sub = await makeSharded({ ...good, c: bad });
      const e = await asyncErrorOf(() => openSharded(join(sub, 'model.safetensors.index.json')));
      expect(e.kind, bad).toBe('InvalidShardIndex');
    }
    const sub = await makeSharded({ ...good, d: 'model-00002-of-00002.safetensors' });
    const e = await asyncErrorOf(() => openSharded(join(sub, 'model.safetensors.index.json')));
    expect(e.kind).toBe('TensorNotFound');
    expect(e.tensor).toBe('d');
    const sub2 = mkdtempSync(join(dir, 'shard-bad-'));
    writeFileSync(join(sub2, 'model.safetensors.index.json'), '{"weight_map": [1]}');
    expect((await asyncErrorOf(() => openCheckpoint(sub2))).kind).toBe('InvalidShardIndex');
    expect((await asyncErrorOf(() => openCheckpoint(mkdtempSync(join(dir, 'empty-'))))).kind).toBe('IoError');
  });
});

describe('tensor(name, into): decoding into a caller-owned array (used to read q, k, v side by side)', () => {
  it('fills exactly the given subarray, from memory and from a file, F32 and F16 alike', async () => {
    // q = [1, 2], k = [3, 4] as F32; h = [0.5, -2] as F16 (0x3800, 0xc000): all exact in float32.
    const bytes = serializeSafetensors({
      q: tensor([1, 2]),
      k: tensor([3, 4]),
      h: { dtype: 'F16', shape: [2], data: new Uint8Array(new Uint16Array([0x3800, 0xc000]).buffer) },
    });
    const dir = mkdtempSync(join(tmpdir(), 'pw-into-'));
    const path = join(dir, 'x.safetensors');
    writeFileSync(path, bytes);
    const file = await openSafetensors(path);
    try {
      for (const f of [parseSafetensors(bytes), file]) {
        const fused = new Float32Array([9, 9, 9, 9, 9, 9, 9]);
        const q = await f.tensor('q', fused.subarray(0, 2));
        await f.tensor('k', fused.subarray(2, 4));
        await f.tensor('h', fused.subarray(4, 6));
        expect(Array.from(fused)).toEqual([1, 2, 3, 4, 0.5, -2, 9]); // the last slot is untouched
        expect(q.shape).toEqual([2]);
        expect(q.data().buffer).toBe(fused.buffer); // no copy: the tensor views the caller's memory
        // Wrong length or element type: a typed error naming the tensor, before anything is written.
        await expect(f.tensor('q', new Float32Array(3))).rejects.toMatchObject({ name: 'SafetensorsError', kind: 'InvalidArgument', tensor: 'q' });
        await expect(f.tensor('q', new Int32Array(2))).rejects.toMatchObject({ kind: 'InvalidArgument' });
      }
    } finally {
      await file.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
