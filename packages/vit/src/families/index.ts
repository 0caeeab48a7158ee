// placeholder: filled in by the families work; keeps the package index compiling.
export {};
