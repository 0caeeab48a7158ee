// placeholder: filled in by the preprocess work; keeps the package index compiling.
export {};
