// placeholder: filled in by the safetensors work; keeps the package index compiling.
export {};
