// Safetensors header parsing and validation: the 8-byte length, the JSON header, and the offset checks.
// Optimized for matching the reference exactly: every check runs in the Rust crate's order and fails with
// the crate's SafeTensorError variant (huggingface/safetensors safetensors/src/tensor.rs
// `SafeTensors::read_metadata`, `Metadata::validate`, serde derive of `HashMetadata`/`TensorInfo`).
// All sizes are checked as unsigned 64-bit BigInts, so nothing wraps or rounds the way JS doubles would.
//
// Policy where the format text (README / JSON schema) and the crate disagree:
// - Duplicate keys: the README says "Duplicate keys are disallowed"; the crate silently keeps the last entry.
//   We REJECT a repeated tensor name or a repeated __metadata__ key (kind 'DuplicateKey'): two parsers of
//   the same file must never see different tensors. A repeated field inside one tensor entry (two "dtype"s)
//   or a second "__metadata__" is rejected by the crate too ('InvalidHeaderDeserialization').
// - Leading whitespace: the README says the header starts with '{'; the crate accepts JSON whitespace
//   before it (test_whitespace_leading_padded_header). We ACCEPT it, like the crate (files in the wild
//   were written by the crate's rules). Only space, tab, LF and CR count; a BOM or NUL does not.
// - Extra fields in a tensor entry: the JSON schema says additionalProperties: false; serde ignores unknown
//   fields. We ACCEPT and ignore them, like the crate (future writers may add fields).
// Beyond those three, we also accept what serde accepts: a tensor entry written as a 3-element array
// [dtype, shape, data_offsets], a dtype written as {"F32": null}, and "__metadata__": null.

import { parseJson, JsonSyntaxError } from './json.js';
import type { JsonValue } from './json.js';
import { DTYPE_BITS, isSafetensorsDType } from './dtypes.js';
import type { SafetensorsDType } from './dtypes.js';
import { SafetensorsError } from './errors.js';

/** `MAX_HEADER_SIZE` of the crate. */
export const MAX_HEADER_SIZE = 100_000_000;

const U64_MAX = (1n << 64n) - 1n;

/** One tensor of a validated header. Offsets are relative to the start of the data section, as in the file. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  /** null when a dimension exceeds 2^53 - 1 (only possible for a zero-element tensor); see `shapeText`. */
  readonly shape: readonly number[] | null;
  /** The shape as written, e.g. "[2, 0]" (exact even for huge dims). */
  readonly shapeText: string;
  readonly begin: number;
  readonly end: number;
}

export interface ParsedHeader {
  /** N: the header's byte length as stored in the first 8 bytes. */
  readonly headerLength: number;
  /** 8 + N: file position of data offset 0. */
  readonly dataStart: number;
  /** Tensors by name (a Map, so names like `__proto__` are ordinary keys). */
  readonly entries: ReadonlyMap<string, TensorEntry>;
  /** Tensors sorted by data offsets, as the crate validates them. */
  readonly ordered: readonly TensorEntry[];
  /** `__metadata__` as a null-prototype object, or null when absent. */
  readonly metadata: Readonly<Record<string, string>> | null;
}

/**
 * Checks the 8-byte length prefix against the file size and returns N (the header length).
 * Crate order: fewer than 8 bytes -> HeaderTooSmall; N > 100,000,000 -> HeaderTooLarge; 8 + N > size ->
 * InvalidHeaderLength. N is read as an unsigned 64-bit value: a reader using only the low 32 bits would
 * accept a file whose high bits are set.
 */
export function checkPrefix(prefix: Uint8Array, fileLength: number, file: string | undefined): number {
  if (fileLength < 8 || prefix.byteLength < 8) {
    throw new SafetensorsError('HeaderTooSmall', `expected at least 8 bytes (the header length), found a file of ${fileLength} bytes`, { file });
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE)) {
    throw new SafetensorsError('HeaderTooLarge', `header length ${n} exceeds the maximum of ${MAX_HEADER_SIZE} bytes`, { file });
  }
  const headerLength = Number(n);
  if (8 + headerLength > fileLength) {
    throw new SafetensorsError('InvalidHeaderLength', `header length ${headerLength} needs a file of at least ${8 + headerLength} bytes, found ${fileLength}`, { file });
  }
  return headerLength;
}

// `fatal`: invalid UTF-8 must fail (not turn into U+FFFD); `ignoreBOM`: keep a BOM so the JSON parser
// rejects it, as serde_json does (a default TextDecoder silently strips it).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses and validates the header bytes (the N bytes after the prefix) of a file of `fileLength` bytes.
 * Crate order: UTF-8 -> JSON syntax and schema -> offsets, sizes (sorted by offsets) -> coverage of the file.
 */
export function parseHeader(headerBytes: Uint8Array, fileLength: number, file: string | undefined): ParsedHeader {
  const headerLength = headerBytes.byteLength;
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch (e) {
    throw new SafetensorsError('InvalidHeader', `expected the ${headerLength}-byte header to be valid UTF-8, found an invalid byte sequence`, { file, cause: e });
  }
  let json: JsonValue;
  try {
    json = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new SafetensorsError('InvalidHeaderDeserialization', `invalid JSON in header: ${e.message}`, { file });
    }
    throw e;
  }
  const { tensors, metadata } = readSchema(json, file);
  const ordered = validate(tensors, headerLength, fileLength, file);
  const entries = new Map<string, TensorEntry>();
  for (const t of ordered) entries.set(t.name, t);
  return { headerLength, dataStart: 8 + headerLength, entries, ordered, metadata };
}

// ---------------------------------------------------------------------------------------------------------
// Schema: the serde derive of HashMetadata { __metadata__: Option<HashMap<String,String>>, #[flatten] tensors:
// HashMap<String, TensorInfo> } and TensorInfo { dtype: Dtype, shape: Vec<usize>, data_offsets: (usize, usize) }.

interface RawTensor {
  name: string;
  dtype: SafetensorsDType;
  shape: bigint[];
  begin: bigint;
  end: bigint;
}

function schemaError(file: string | undefined, detail: string, tensor?: string): SafetensorsError {
  return new SafetensorsError('InvalidHeaderDeserialization', detail, tensor !== undefined ? { file, tensor } : { file });
}

function describe(v: JsonValue): string {
  switch (v.type) {
    case 'null':
      return 'null';
    case 'bool':
      return `boolean \`${v.value}\``;
    case 'number':
      return `${v.integer ? 'integer' : 'floating point'} \`${v.text.length > 40 ? v.text.slice(0, 40) + '...' : v.text}\``;
    case 'string':
      return `string ${JSON.stringify(v.value.length > 40 ? v.value.slice(0, 40) + '...' : v.value)}`;
    case 'array':
      return `an array of ${v.items.length}`;
    case 'object':
      return 'an object';
  }
}

function readSchema(json: JsonValue, file: string | undefined): { tensors: RawTensor[]; metadata: Record<string, string> | null } {
  if (json.type !== 'object') throw schemaError(file, `expected the header to be a JSON object, found ${describe(json)}`);
  let metadata: Record<string, string> | null = null;
  let sawMetadata = false;
  const tensors: RawTensor[] = [];
  for (const [key, value] of json.entries) {
    if (key === '__metadata__') {
      if (sawMetadata) throw schemaError(file, 'duplicate field `__metadata__`');
      sawMetadata = true;
      metadata = readMetadata(value, file);
    } else {
      tensors.push(readTensorInfo(key, value, file));
    }
  }
  // Policy (see the file header): repeated tensor names are rejected, after the schema checks the crate does.
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) {
      throw new SafetensorsError('DuplicateKey', 'expected unique tensor names, found this name twice (the format forbids duplicate keys; parsers disagree on which entry wins)', { file, tensor: t.name });
    }
    seen.add(t.name);
  }
  return { tensors, metadata };
}

function readMetadata(value: JsonValue, file: string | undefined): Record<string, string> | null {
  if (value.type === 'null') return null; // Option::None
  if (value.type !== 'object') throw schemaError(file, `expected __metadata__ to be an object of strings, found ${describe(value)}`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const seen = new Set<string>();
  for (const [k, v] of value.entries) {
    if (v.type !== 'string') throw schemaError(file, `expected __metadata__[${JSON.stringify(k)}] to be a string, found ${describe(v)}`);
    if (seen.has(k)) throw new SafetensorsError('DuplicateKey', `expected unique __metadata__ keys, found ${JSON.stringify(k)} twice`, { file });
    seen.add(k);
    out[k] = v.value;
  }
  return out;
}

function readTensorInfo(name: string, value: JsonValue, file: string | undefined): RawTensor {
  let dtypeV: JsonValue | undefined;
  let shapeV: JsonValue | undefined;
  let offsetsV: JsonValue | undefined;
  if (value.type === 'array') {
    // serde also deserializes a struct from a sequence of its fields, in declaration order.
    if (value.items.length !== 3) throw schemaError(file, `expected a tensor entry (object, or array of 3 fields), found ${describe(value)}`, name);
    [dtypeV, shapeV, offsetsV] = value.items;
  } else if (value.type === 'object') {
    for (const [k, v] of value.entries) {
      if (k === 'dtype') {
        if (dtypeV) throw schemaError(file, 'duplicate field `dtype`', name);
        dtypeV = v;
      } else if (k === 'shape') {
        if (shapeV) throw schemaError(file, 'duplicate field `shape`', name);
        shapeV = v;
      } else if (k === 'data_offsets') {
        if (offsetsV) throw schemaError(file, 'duplicate field `data_offsets`', name);
        offsetsV = v;
      }
      // Unknown fields are ignored (policy: like serde; see the file header).
    }
  } else {
    throw schemaError(file, `expected a tensor entry object {dtype, shape, data_offsets}, found ${describe(value)}`, name);
  }
  if (!dtypeV) throw schemaError(file, 'missing field `dtype`', name);
  if (!shapeV) throw schemaError(file, 'missing field `shape`', name);
  if (!offsetsV) throw schemaError(file, 'missing field `data_offsets`', name);

  const dtype = readDtype(dtypeV, name, file);
  if (shapeV.type !== 'array') throw schemaError(file, `expected \`shape\` to be an array of unsigned integers, found ${describe(shapeV)}`, name);
  const shape = shapeV.items.map((d) => readUsize(d, 'shape', name, file));
  if (offsetsV.type !== 'array') throw schemaError(file, `expected \`data_offsets\` to be [begin, end], found ${describe(offsetsV)}`, name);
  if (offsetsV.items.length !== 2) throw schemaError(file, `expected \`data_offsets\` to have 2 elements, found ${offsetsV.items.length}`, name);
  const begin = readUsize(offsetsV.items[0]!, 'data_offsets', name, file);
  const end = readUsize(offsetsV.items[1]!, 'data_offsets', name, file);
  return { name, dtype, shape, begin, end };
}

function readDtype(v: JsonValue, name: string, file: string | undefined): SafetensorsDType {
  let s: string | undefined;
  if (v.type === 'string') s = v.value;
  // serde's externally tagged enum also reads a unit variant from {"F32": null}.
  else if (v.type === 'object' && v.entries.length === 1 && v.entries[0]![1].type === 'null') s = v.entries[0]![0];
  if (s === undefined) throw schemaError(file, `expected \`dtype\` to be a dtype name string, found ${describe(v)}`, name);
  if (!isSafetensorsDType(s)) {
    throw schemaError(file, `unknown dtype ${JSON.stringify(s)}: expected one of BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64 (case-sensitive)`, name);
  }
  return s;
}

/** A usize as serde_json reads it: a JSON integer token (no fraction/exponent), >= 0, <= 2^64 - 1. */
function readUsize(v: JsonValue, field: string, name: string, file: string | undefined): bigint {
  if (v.type !== 'number') throw schemaError(file, `expected \`${field}\` entries to be unsigned integers, found ${describe(v)}`, name);
  // `2.0`, `1e3` and `-0` are floats to serde_json; integers beyond u64 become floats too.
  if (!v.integer || v.text === '-0') throw schemaError(file, `expected \`${field}\` entries to be unsigned integers, found ${describe({ ...v, integer: false })}`, name);
  if (v.text.startsWith('-')) throw schemaError(file, `expected \`${field}\` entries to be unsigned integers, found negative ${describe(v)}`, name);
  // More than 20 digits (leading zeros are invalid JSON) is above 2^64 - 1; skip BigInt on huge tokens.
  if (v.text.length > 20) throw schemaError(file, `expected \`${field}\` entries to fit in 64 bits, found a ${v.text.length}-digit integer`, name);
  const n = BigInt(v.text);
  if (n > U64_MAX) throw schemaError(file, `expected \`${field}\` entries to fit in 64 bits, found \`${v.text}\``, name);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Validation: `Metadata::validate` plus the final coverage check of `read_metadata`.

function validate(tensors: RawTensor[], headerLength: number, fileLength: number, file: string | undefined): TensorEntry[] {
  // Sort by (begin, end) as the crate does; Array.prototype.sort is stable, like Rust's sort_by.
  const sorted = [...tensors].sort((a, b) => (a.begin !== b.begin ? (a.begin < b.begin ? -1 : 1) : a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
  let start = 0n;
  for (const t of sorted) {
    if (t.begin !== start || t.end < t.begin) {
      const found = `[${t.begin}, ${t.end}]`;
      const why = t.end < t.begin ? 'end before begin' : t.begin < start ? 'overlaps the previous tensor' : t.begin > start ? 'leaves a gap after the previous tensor' : '';
      throw new SafetensorsError('InvalidOffset', `expected data_offsets to begin at ${start} (contiguous from 0, sorted by offset), found ${found}: ${why}`, { file, tensor: t.name });
    }
    start = t.end;
    let nelements = 1n;
    for (const d of t.shape) {
      nelements *= d;
      if (nelements > U64_MAX) {
        throw new SafetensorsError('ValidationOverflow', `the element count of shape [${t.shape.join(', ')}] overflows 64 bits`, { file, tensor: t.name });
      }
    }
    const nbits = nelements * BigInt(DTYPE_BITS[t.dtype]);
    if (nbits > U64_MAX) {
      throw new SafetensorsError('ValidationOverflow', `the size in bits of ${t.dtype} shape [${t.shape.join(', ')}] overflows 64 bits`, { file, tensor: t.name });
    }
    if (nbits % 8n !== 0n) {
      throw new SafetensorsError('MisalignedSlice', `${t.dtype} shape [${t.shape.join(', ')}] holds ${nbits} bits, which is not a whole number of bytes`, { file, tensor: t.name });
    }
    const size = nbits / 8n;
    if (t.end - t.begin !== size) {
      throw new SafetensorsError('TensorInvalidInfo', `${t.dtype} shape [${t.shape.join(', ')}] needs ${size} bytes, data_offsets [${t.begin}, ${t.end}] give ${t.end - t.begin}`, { file, tensor: t.name });
    }
  }
  const dataLength = BigInt(fileLength) - BigInt(8 + headerLength);
  if (start !== dataLength) {
    throw new SafetensorsError('MetadataIncompleteBuffer', `expected the tensors to cover the ${dataLength} data bytes exactly (last end offset = end of file), found a last end offset of ${start}`, { file });
  }
  // Every offset is now <= the file length, so it is a safe JS number.
  return sorted.map((t) => {
    const safe = t.shape.every((d) => d <= BigInt(Number.MAX_SAFE_INTEGER));
    return {
      name: t.name,
      dtype: t.dtype,
      shape: safe ? t.shape.map(Number) : null,
      shapeText: `[${t.shape.join(', ')}]`,
      begin: Number(t.begin),
      end: Number(t.end),
    };
  });
}
