// placeholder: filled in by the config work; keeps the package index compiling.
export {};
