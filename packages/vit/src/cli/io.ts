// The CLI's view of the outside world: where text goes (stdout / stderr), whether stderr is a terminal, and
// the working directory. Optimized for testing: `run(argv, io)` takes one of these, so tests capture output
// in memory instead of spawning a process. The real one (processIO) writes to the process streams.

export interface CliIO {
  /** Writes to standard output (the command's result: text or JSON). */
  out(text: string): void;
  /** Writes to standard error (diagnostics, progress, the one-line error). */
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars are drawn only then). */
  readonly errIsTTY: boolean;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
};

/** An in-memory CliIO for tests and embedding: everything written is collected in `stdout` / `stderr`. */
export class BufferIO implements CliIO {
  stdout = '';
  stderr = '';
  readonly errIsTTY = false;
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
}
