// Preprocessing: PIL-exact resize, center crop, rescale/normalize to pixel_values, and the configs that drive
// them (HF preprocessor_config.json, timm pretrained_cfg). Works on raw HWC uint8 buffers; decoding and
// PIL-style mode conversion live in ../image.

export * from './errors.js';
export * from './image-u8.js';
export * from './filters.js';
export * from './resize.js';
export * from './crop.js';
export * from './pixel-values.js';
export * from './config.js';
export * from './python-math.js';
export * from './pipeline.js';
export * from './from-image.js';
