// Typed errors for model configuration and weights. Each names the field or tensor, what was expected and what
// was found, so a user can fix the checkpoint without reading our code.

/** A config.json that is missing a field, has a wrong type or value, or describes an unsupported model. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super(message);
  }
}

/** One problem with one tensor of a checkpoint (missing, unexpected, or of the wrong shape/dtype). */
export interface WeightProblem {
  kind: 'missing' | 'unexpected' | 'shape' | 'dtype';
  /** Name in the checkpoint (source format). */
  tensor: string;
  expected?: string;
  found?: string;
}

/** A checkpoint whose tensors do not match the config: lists EVERY problem, not just the first. */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
  readonly problems: readonly WeightProblem[];
  constructor(source: string, problems: readonly WeightProblem[]) {
    const lines = problems.map((p) => {
      switch (p.kind) {
        case 'missing':
          return `  missing tensor ${p.tensor} (expected shape ${p.expected})`;
        case 'unexpected':
          return `  unexpected tensor ${p.tensor} (${p.found})`;
        case 'shape':
          return `  tensor ${p.tensor}: expected shape ${p.expected}, found ${p.found}`;
        case 'dtype':
          return `  tensor ${p.tensor}: expected dtype ${p.expected}, found ${p.found}`;
      }
    });
    super(`${source}: ${problems.length} tensor problem(s):\n${lines.join('\n')}`);
    this.problems = problems;
  }
}
