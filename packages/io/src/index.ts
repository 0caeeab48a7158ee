// @patchwise/io: safetensors, image decoding, PIL-exact preprocessing and the Hugging Face hub cache.
export {};
