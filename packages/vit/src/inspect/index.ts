// See inside the encoder: attention rollout and CLS attention maps, colour-mapped overlays, the explain report
// and the comparison with a PyTorch dump. Browser-safe (no node: imports); the CLI commands add file I/O.
export * from './rollout.js';
export * from './colormap.js';
export * from './upsample.js';
export * from './region.js';
export * from './overlay.js';
export * from './stats.js';
export * from './explain.js';
export * from './diff.js';
export * from './figures.js';
