// All op front-ends. Each module validates arguments, allocates the output and calls the active backend's
// kernel through the registry; importing a module also registers its ref (and js) kernels.
export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
export * from './interpolate.js';
export * from './activation.js';
export * from './matmul.js';
export * from './softmax.js';
export * from './norm.js';
export * from './attention.js';
