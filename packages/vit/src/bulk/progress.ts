// The progress line of a bulk job on stderr: done/total, percent, images per second and ETA, redrawn in place
// at most ten times a second, and only when stderr is a terminal (logs and pipes get no control characters).
// Per-image reports (unreadable images) go through `log`, which clears the line first.

/** Where a bulk job writes: the CLI's CliIO fits (stdout for the summary, stderr for reports and progress). */
export interface BulkIO {
  /** The summary line when the job is done (optional). */
  out?(text: string): void;
  err(text: string): void;
  readonly errIsTTY: boolean;
}

/** What onProgress receives after every batch. */
export interface BulkProgress {
  /** Inputs finished (including those done before a resume and unreadable ones). */
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  /** Inputs already finished when this run started (resumed from the checkpoint). */
  readonly resumedFrom: number;
  readonly elapsedSeconds: number;
  /** Inputs per second in this run. */
  readonly rate: number;
}

export const processBulkIO: BulkIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
};

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The text of the progress line (no control characters). */
export function progressLine(p: BulkProgress, width = 24): string {
  const frac = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(frac * width);
  const eta = p.rate > 0 ? (p.total - p.done) / p.rate : Infinity;
  const failed = p.failed > 0 ? `  ${p.failed} unreadable` : '';
  return `embed [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} ${(frac * 100).toFixed(0)}%  ${p.rate.toFixed(1)} img/s  ETA ${fmtDuration(eta)}${failed}`;
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  constructor(private readonly io: BulkIO) {}

  update(p: BulkProgress, force = false): void {
    if (!this.io.errIsTTY) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.io.err(`\r\x1b[2K${progressLine(p)}`);
    this.drawn = true;
  }

  /** A line of its own (the bar is redrawn by the next update). */
  log(text: string): void {
    if (this.drawn) this.io.err('\r\x1b[2K');
    this.drawn = false;
    this.io.err(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Leaves the last drawn bar on its own line. */
  finish(): void {
    if (this.drawn) this.io.err('\n');
    this.drawn = false;
  }
}
