// Weights: canonical parameter inventory, per-format name tables, and the validating mapper.
export * from './canonical.js';
export * from './tables.js';
export * from './map.js';
