// Model configuration: one EncoderConfig parsed from HF config.json or timm hub config.json.
// Entry point `parseConfig(text | object, where)` picks the format; both parsers raise ConfigError naming the field.

import { Fields, parseJsonObject } from './fields.js';
import { parseHfConfig } from './hf.js';
import { isTimmConfig, parseTimmConfig } from './timm.js';
import type { EncoderConfig } from './types.js';

export * from './types.js';
export * from './errors.js';
export { Fields, LIMITS, parseJsonObject } from './fields.js';
export type { Json, JsonObject } from './fields.js';
export { HF_MODEL_TYPES, parseClipText } from './hf.js';
export { isTimmConfig } from './timm.js';

/** Parses config.json text (or an already parsed object) of a HF or timm checkpoint. */
export function parseConfig(source: string | object, where = 'config.json'): EncoderConfig {
  const f = typeof source === 'string' ? parseJsonObject(source, where) : Fields.of(source, where);
  return isTimmConfig(f) ? parseTimmConfig(f) : parseHfConfig(f);
}
