// placeholder: filled in by the weights work; keeps the package index compiling.
export {};
