// Download progress on stderr: bytes done / total, rate and ETA on one line redrawn in place, only when
// stderr is a terminal (nothing at all otherwise, so logs and pipes stay clean). Optimized for low
// overhead: redraws at most 10 times a second. Format follows tqdm's defaults loosely.

export interface ProgressSink {
  start(label: string, total: number | undefined, already: number): void;
  update(done: number): void;
  end(): void;
}

/** 1536 -> "1.5 KB", 3.2e9 -> "3.20 GB" (decimal units, as the hub's web pages show sizes). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** seconds -> "m:ss" or "h:mm:ss" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: "model.safetensors  45%  12.3 MB/27.4 MB  5.10 MB/s  ETA 0:03". */
export function formatProgressLine(label: string, done: number, total: number | undefined, bytesPerSec: number): string {
  const pct = total !== undefined && total > 0 ? `${String(Math.floor((100 * done) / total)).padStart(3)}%` : '';
  const size = total !== undefined ? `${formatBytes(done)}/${formatBytes(total)}` : formatBytes(done);
  const rate = `${formatBytes(Math.round(bytesPerSec))}/s`;
  const eta = total !== undefined && bytesPerSec > 0 ? `ETA ${formatDuration((total - done) / bytesPerSec)}` : '';
  return [label, pct, size, rate, eta].filter((s) => s !== '').join('  ');
}

/** The default sink: draws on process.stderr when it is a TTY, else does nothing. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!stream.isTTY) return { start() {}, update() {}, end() {} };
  let label = '';
  let total: number | undefined;
  let t0 = 0;
  let base = 0;
  let lastDraw = 0;
  let last = 0;
  const draw = (done: number): void => {
    const secs = (Date.now() - t0) / 1000;
    const rate = secs > 0 ? (done - base) / secs : 0;
    const line = formatProgressLine(label, done, total, rate);
    const width = stream.columns ?? 100;
    stream.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, line.length + 2))}`);
  };
  return {
    start(l, t, already) {
      label = l;
      total = t;
      t0 = Date.now();
      base = already;
      last = already;
      lastDraw = 0;
    },
    update(done) {
      last = done;
      const now = Date.now();
      if (now - lastDraw >= 100) {
        lastDraw = now;
        draw(done);
      }
    },
    end() {
      draw(last);
      stream.write('\n');
    },
  };
}

export const silentProgress: ProgressSink = { start() {}, update() {}, end() {} };
