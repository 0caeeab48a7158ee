// @patchwise/vit: Vision Transformer encoders on real checkpoints (HF ViT, DeiT, timm, CLIP, SigLIP, DINOv2),
// and the patchwise command line (src/cli, not exported here).
export * from './config/index.js';
export * from './weights/index.js';
export * from './model/index.js';
export * from './families/index.js';
export * from './text/index.js';
export * from './inspect/index.js';
export * from './bulk/index.js';
