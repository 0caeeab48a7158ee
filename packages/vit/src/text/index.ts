// Text side of CLIP: the byte-level BPE tokenizer (and, later, the text tower).
export * from './tokenizer.js';
export * from './tokenizer-load.js';
export { clipNormalize, fixTextLite, htmlUnescape, whitespaceClean } from './tokenizer-normalize.js';
