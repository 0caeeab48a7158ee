// Typed errors of the preprocessing stage: a config that cannot be read, or an image/argument that does not
// fit the operation. Each message names the field or argument, what was expected and what was found.

/** A `preprocessor_config.json` / timm `pretrained_cfg` that cannot be turned into a PreprocessConfig. */
export class PreprocessConfigError extends Error {
  override readonly name = 'PreprocessConfigError';
  /** The offending field (e.g. `size`, `image_processor_type`), when there is one. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** An image buffer or operation argument that does not fit (bad channel count, short buffer, zero size...). */
export class PreprocessError extends Error {
  override readonly name = 'PreprocessError';
  constructor(message: string) {
    super(message);
  }
}
