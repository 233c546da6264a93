/**
 * A progress bar on stderr: redrawn in place on a terminal, plain lines (at most one every
 * few seconds, and the last) otherwise, e.g. in a Slurm log.
 *
 *   sweep [############............]  9/16  56%  1.8 runs/s  ETA 0:04  (3 resumed)
 */
export interface SweepProgress {
  /** runs finished, including those found in the journal */
  done: number;
  /** runs this sweep (or shard) has to have */
  total: number;
  /** runs found finished in the journal at the start */
  resumed: number;
  elapsedSeconds: number;
  /** runs finished per second since the start (this process) */
  rate: number;
  /** estimated seconds left; null until a run has finished */
  etaSeconds: number | null;
  /** the run that just finished, if any */
  lastRunId: string | null;
}

export function formatDuration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export function progressLine(p: SweepProgress, width = 24): string {
  const frac = p.total ? p.done / p.total : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const w = String(p.total).length;
  return `sweep ${bar} ${String(p.done).padStart(w)}/${p.total} ${String(Math.floor(frac * 100)).padStart(3)}%  ${p.rate.toFixed(p.rate < 10 ? 2 : 1)} runs/s  ETA ${formatDuration(p.done === p.total ? 0 : p.etaSeconds)}${p.resumed ? `  (${p.resumed} resumed)` : ''}`;
}

/** A progress printer for `stream` (TTY-aware). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr, opts: { intervalSeconds?: number } = {}): { update(p: SweepProgress): void; end(): void } {
  const tty = Boolean(stream.isTTY);
  const every = opts.intervalSeconds ?? (tty ? 0.1 : 5);
  let last = -Infinity;
  let lastLine = '';
  let pending: SweepProgress | null = null;
  return {
    update(p) {
      pending = p;
      const now = performance.now() / 1000;
      if (p.done < p.total && now - last < every) return;
      last = now;
      lastLine = progressLine(p);
      stream.write(tty ? `\r\x1b[K${lastLine}` : `${lastLine}\n`);
      pending = null;
    },
    end() {
      if (pending) {
        lastLine = progressLine(pending);
        stream.write(tty ? `\r\x1b[K${lastLine}` : `${lastLine}\n`);
      }
      if (tty && lastLine) stream.write('\n');
    },
  };
}
