// Typed errors of @patchwise/tensor. Each says what was expected and what was found, so a user can fix the
// call without reading our code.

/** A shape, rank, axis or size that does not fit the operation. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(message: string) {
    super(message);
  }
}

/** An operand of the wrong dtype (for example an int32 tensor passed to softmax). */
export class DTypeError extends Error {
  override readonly name = 'DTypeError';
  constructor(message: string) {
    super(message);
  }
}

/** A kernel that is not registered for any usable backend. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(message: string) {
    super(message);
  }
}

/** Formats a shape like PyTorch prints it: [2, 3, 4]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
