// @patchwise/tensor: typed-array tensors with reference and fast kernels. Zero dependencies; Node and browsers.
// Importing this module registers the ref and js kernels (side effect of the ops modules).

export * from './storage.js';
export * from './errors.js';
export * from './tensor.js';
export * from './registry.js';
export * from './dtype.js';
export * from './ops/index.js';
export * from './kernels/wasm/index.js';
