// placeholder: filled in by the image work; keeps the package index compiling.
export {};
