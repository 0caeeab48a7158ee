// @patchwise/io: safetensors, image decoding, PIL-exact preprocessing and the Hugging Face hub cache.
// Depends on @patchwise/tensor, pngjs and jpeg-js only.
export * from './safetensors/index.js';
export * from './image/index.js';
export * from './preprocess/index.js';
export * from './hub/index.js';
