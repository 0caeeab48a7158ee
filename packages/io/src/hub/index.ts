// placeholder: filled in by the hub work; keeps the package index compiling.
export {};
