// A vitest reporter that ends the run with one plain line, `tests: N passed, N failed, N skipped`, which CI
// systems (and humans skimming a log) can read without parsing vitest's coloured summary. Runs beside the
// default reporter (vitest.config.ts).
import type { Reporter } from 'vitest/reporters';
import type { RunnerTask, RunnerTestFile } from 'vitest';

function count(tasks: readonly RunnerTask[], acc: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === 'test') {
      const state = t.result?.state;
      if (state === 'pass') acc.passed++;
      else if (state === 'fail') acc.failed++;
      else acc.skipped++;
    } else if ('tasks' in t) {
      count(t.tasks, acc);
    }
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const acc = { passed: 0, failed: 0, skipped: 0 };
    count(files, acc);
    // Files that failed to load have no tests but must still count as a failure.
    const broken = files.filter((f) => f.result?.state === 'fail' && f.tasks.length === 0).length;
    process.stdout.write(`\ntests: ${acc.passed} passed, ${acc.failed + broken} failed, ${acc.skipped} skipped\n`);
  }
}
