// placeholder: filled in by the ops work; keeps ops/index.ts compiling.
export {};
