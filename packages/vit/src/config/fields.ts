// Typed readers for JSON config fields: each one names the file and the field path in its ConfigError, says
// what was expected, and refuses absurd sizes before anything is allocated.

import { ConfigError } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Upper bounds that no real checkpoint reaches; a config beyond them is corrupt or hostile. */
export const LIMITS = {
  layers: 1000,
  hidden: 65536,
  heads: 4096,
  mlp: 1 << 20,
  imageSide: 1 << 16,
  channels: 64,
  vocab: 1 << 22,
  positions: 1 << 20,
  classes: 1 << 22,
} as const;

/** Reads fields of one JSON object, naming `where` (e.g. "config.json: vision_config") in errors. */
export class Fields {
  constructor(
    readonly obj: JsonObject,
    readonly where: string,
  ) {}

  static of(value: unknown, where: string): Fields {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ConfigError(`${where}: expected a JSON object, found ${describe(value)}`);
    }
    return new Fields(value as JsonObject, where);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  sub(key: string): Fields {
    if (!this.has(key)) throw new ConfigError(`${this.where}: missing field "${key}" (expected an object)`);
    return Fields.of(this.obj[key], `${this.where}: ${key}`);
  }

  optSub(key: string): Fields | null {
    return this.has(key) ? this.sub(key) : null;
  }

  /** A positive integer no larger than `max`; `dflt` is used when the field is absent (undefined = required). */
  int(key: string, max: number, dflt?: number, min = 1): number {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new ConfigError(`${this.where}: missing field "${key}" (expected an integer in ${min}..${max})`);
      return dflt;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ConfigError(`${this.where}: field "${key}" must be an integer in ${min}..${max}, found ${describe(v)}`);
    }
    return v;
  }

  num(key: string, dflt?: number): number {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new ConfigError(`${this.where}: missing field "${key}" (expected a number)`);
      return dflt;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(`${this.where}: field "${key}" must be a finite number, found ${describe(v)}`);
    }
    return v;
  }

  str(key: string, dflt?: string): string {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new ConfigError(`${this.where}: missing field "${key}" (expected a string)`);
      return dflt;
    }
    if (typeof v !== 'string') throw new ConfigError(`${this.where}: field "${key}" must be a string, found ${describe(v)}`);
    return v;
  }

  bool(key: string, dflt?: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new ConfigError(`${this.where}: missing field "${key}" (expected true or false)`);
      return dflt;
    }
    if (typeof v !== 'boolean') throw new ConfigError(`${this.where}: field "${key}" must be true or false, found ${describe(v)}`);
    return v;
  }

  /** Image size as (height, width): an integer, or a [h, w] pair. */
  size2(key: string, dflt?: number): [number, number] {
    const v = this.obj[key];
    if (Array.isArray(v)) {
      if (v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= LIMITS.imageSide)) {
        throw new ConfigError(`${this.where}: field "${key}" must be an integer or [height, width], found ${describe(v)}`);
      }
      return [v[0] as number, v[1] as number];
    }
    const s = this.int(key, LIMITS.imageSide, dflt);
    return [s, s];
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Parses config text into an object, turning a JSON syntax error into a ConfigError naming the file. */
export function parseJsonObject(text: string, where: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  return Fields.of(value, where);
}

/** id2label as a dense array indexed by class; missing entries become "LABEL_i" like HF. */
export function readId2label(f: Fields, numClasses: number): string[] {
  const labels = Array.from({ length: numClasses }, (_, i) => `LABEL_${i}`);
  const raw = f.obj['id2label'];
  if (raw === undefined || raw === null) return labels;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${f.where}: field "id2label" must be an object {"0": "label", ...}, found ${describe(raw)}`);
  }
  for (const [k, v] of Object.entries(raw)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= numClasses) {
      throw new ConfigError(`${f.where}: id2label key "${k}" is not a class index in 0..${numClasses - 1}`);
    }
    if (typeof v !== 'string') throw new ConfigError(`${f.where}: id2label["${k}"] must be a string, found ${describe(v)}`);
    labels[i] = v;
  }
  return labels;
}

/** Number of classes from id2label (HF's num_labels), or from num_labels; null when neither is there. */
export function countLabels(f: Fields): number | null {
  const raw = f.obj['id2label'];
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const n = Object.keys(raw).length;
    if (n > LIMITS.classes) throw new ConfigError(`${f.where}: id2label has ${n} classes (limit ${LIMITS.classes})`);
    return n;
  }
  if (f.has('num_labels')) return f.int('num_labels', LIMITS.classes);
  return null;
}
