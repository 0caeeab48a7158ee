// placeholder: filled in by the model work; keeps the package index compiling.
export {};
