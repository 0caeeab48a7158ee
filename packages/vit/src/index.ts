// @patchwise/vit: Vision Transformer encoders on real checkpoints, and the patchwise command line.
export {};
