/**
 * Live progress for sweeps in a notebook: one output, updated in place (Jupyter
 * update_display_data) a few times a second while the sweep runs, and a final line when
 * it is done. Outside a kernel the updates go to stdout as plain lines (throttled).
 */
import { progressLine, runSweep, type SweepOptions, type SweepProgress, type SweepResult } from '../experiment';
import { display, newDisplayId, type MimeBundle } from './display';

export interface LiveProgressOptions {
  /** a label before the bar (default "sweep") */
  label?: string;
  /** minimum ms between two updates (default 250: four a second) */
  intervalMs?: number;
  /** clock in ms (replaceable in tests) */
  now?: () => number;
}

export interface LiveProgress {
  /** pass as runSweep's onProgress */
  readonly onProgress: (p: SweepProgress) => void;
  /** redraw now if something changed since the last draw (elapsed time included) */
  tick(): void;
  /** the final update (always drawn) */
  done(): void;
  /** how many updates were sent */
  readonly updates: number;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The bundle for one progress state. */
export function progressBundle(p: SweepProgress, label = 'sweep', finished = false): MimeBundle {
  const line = progressLine(p).replace(/^sweep/, label) + (finished ? '  done' : '');
  return {
    'text/html': `<div class="mmlock-progress"><progress value="${p.done}" max="${p.total}" style="width:240px"></progress> <code>${escapeHtml(line.slice(label.length + 1))}</code> <b>${escapeHtml(label)}</b>${finished ? ' ✓' : ''}</div>`,
    'text/plain': line,
  };
}

/** A progress display: first call creates the output, later ones overwrite it. */
export function liveProgress(o: LiveProgressOptions = {}): LiveProgress {
  const id = newDisplayId();
  const label = o.label ?? 'sweep';
  const every = o.intervalMs ?? 250;
  const now = o.now ?? (() => performance.now());
  let last = -Infinity;
  let latest: SweepProgress | null = null;
  let updates = 0;
  let t0 = now();
  let t0Elapsed = 0;
  const draw = (p: SweepProgress, finished: boolean) => {
    display(progressBundle(p, label, finished), { displayId: id, update: updates > 0 });
    updates++;
    last = now();
  };
  return {
    onProgress(p) {
      latest = p;
      t0 = now();
      t0Elapsed = p.elapsedSeconds;
      if (now() - last >= every) draw(p, false);
    },
    tick() {
      if (!latest || now() - last < every) return;
      // advance the elapsed time between runs so the display is alive
      const elapsed = t0Elapsed + (now() - t0) / 1000;
      draw({ ...latest, elapsedSeconds: elapsed, etaSeconds: latest.etaSeconds === null ? null : Math.max(0, latest.etaSeconds - (now() - t0) / 1000) }, false);
    },
    done() {
      if (latest) draw(latest, true);
    },
    get updates() {
      return updates;
    },
  };
}

/**
 * runSweep with a live progress display (updated a few times a second, also between
 * finished runs). Same arguments and result as runSweep.
 */
export async function runSweepLive(spec: unknown, opts: SweepOptions & { label?: string } = {}): Promise<SweepResult> {
  const { label, onProgress, ...rest } = opts;
  const live = liveProgress({ label });
  const timer = setInterval(() => live.tick(), 250);
  timer.unref();
  try {
    return await runSweep(spec, {
      ...rest,
      onProgress: (p) => {
        live.onProgress(p);
        onProgress?.(p);
      },
    });
  } finally {
    clearInterval(timer);
    live.done();
  }
}
