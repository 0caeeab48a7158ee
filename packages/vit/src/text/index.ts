// placeholder: filled in by the text work; keeps the package index compiling.
export {};
