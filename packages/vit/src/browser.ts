// @patchwise/vit for browsers (package subpath "./browser"): the encoder, configs, weights, families, the CLIP
// text side and the inspect tools (rollout, overlays, explain), without the Node-only parts (bulk jobs, CLI).
// Load models with loadModelFromFiles (bytes); loadModel(dir) needs Node. Pair it with @patchwise/io/browser.
export * from './config/index.js';
export * from './weights/index.js';
export * from './model/index.js';
export * from './families/index.js';
export * from './text/index.js';
export * from './inspect/index.js';
