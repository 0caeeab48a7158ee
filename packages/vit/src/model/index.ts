// The encoder and its parts: embeddings, blocks, heads, CLIP text tower, LLaVA projector, loading.
export * from './position.js';
export * from './embeddings.js';
export * from './encoder.js';
export * from './heads.js';
export * from './clip-text.js';
export * from './vision.js';
export * from './load.js';
export * from './llava.js';
