/**
 * The % change along one axis of a sweep, per pair of runs: for every point apart from the
 * axis (the `by` columns) and every replication, the run at the baseline value and the run
 * at each other value of the axis form a pair; the % change of the metric is computed per
 * pair, then averaged with a 95% CI (Student t over the pairs). In a sweep with
 * `pairSeeds: [axis]` the two runs of a pair share their seed (common random numbers), so
 * the noise the two runs have in common cancels in the pair's change; `same_seed` says
 * whether every pair did.
 *
 *   const res = await runSweep({ ..., axes: { kernel: [...], users: [100, 500] }, pairSeeds: ['kernel'] });
 *   pairedChange(res, 'kernel', '3.18-rc1', { metric: 'jpm' }).rows
 *   // [{ users: 100, kernel: '3.18-rc1-i_mmap_rwsem', pairs: 4, same_seed: true, pct_change, ci95, pct_change_of_means }, ...]
 */
import { ci95, mean, pctChange } from './reproduce/stats';
import type { SweepResult } from './sweep';
import type { Cell, Row, Table } from './tables';

export interface PairedChangeOptions {
  /** the metric (or counter) column, e.g. "jpm" (or "metric_jpm" where a parameter has that name) */
  metric: string;
  /**
   * the columns that, with `rep`, identify a pair apart from the axis; default for a sweep
   * result: its other varied columns (axes and samples). Required for plain rows.
   */
  by?: readonly string[];
}

/** The columns after `by` and the axis in pairedChange's table. */
export const PAIRED_CHANGE_COLUMNS = ['pairs', 'same_seed', 'pct_change', 'ci95', 'pct_change_of_means'] as const;

/** A sweep result, a table or plain rows (e.g. an Arquero table's objects()). */
export type PairedChangeSource = SweepResult | Table | readonly Record<string, unknown>[];

function isSweepResult(s: PairedChangeSource): s is SweepResult {
  return !Array.isArray(s) && 'tables' in s && 'columns' in s;
}

function cellOf(v: unknown): Cell {
  return v === undefined || v === null ? null : typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : String(v);
}

const keyOf = (v: unknown) => `${typeof v}:${String(v)}`;

/**
 * The per-pair % change of `opts.metric` from `baseline` to every other value of `axis`.
 * `source` is a sweep result (SweepResult), a table ({columns, rows}) or rows (e.g. an
 * Arquero table's objects()); rows need `rep` and the axis, `by` and metric columns, and
 * `seed` for `same_seed` (else null). One output row per `by` group and other axis value,
 * in the order of first appearance: the `by` values, the axis value, then
 * PAIRED_CHANGE_COLUMNS: `pairs` (replications with a finite metric on both sides),
 * `pct_change` (mean over the pairs of (other − base) / base × 100), `ci95` (its 95% CI
 * half-width, Student t with pairs − 1 degrees of freedom; null with fewer than 2 pairs),
 * `pct_change_of_means` (the % change between the two sides' means over the same pairs).
 * Throws an Error naming the problem for a missing column, an absent baseline value, or two
 * runs in one group with the same axis value and rep (`by` is then missing a varied column).
 */
export function pairedChange(source: PairedChangeSource, axis: string, baseline: Cell, opts: PairedChangeOptions): Table {
  const rows: readonly Record<string, unknown>[] = isSweepResult(source) ? source.tables.runs.rows : Array.isArray(source) ? source : (source as Table).rows;
  let by = opts.by;
  if (!by) {
    if (!isSweepResult(source)) throw new Error('pairedChange: give opts.by (the columns that identify a point apart from the axis) for rows that are not a sweep result');
    by = source.columns.map((c) => c.name).filter((c) => c !== axis);
  }
  const present = new Set<string>();
  for (const r of rows.slice(0, 1)) for (const k of Object.keys(r)) present.add(k);
  for (const [what, c] of [['axis', axis], ['metric', opts.metric], ['rep', 'rep'], ...by.map((b) => ['by', b])] as const) {
    if (rows.length && !present.has(c)) throw new Error(`pairedChange: no ${what} column ${JSON.stringify(c)}; columns: ${[...present].join(', ')}`);
  }
  if (by.includes(axis)) throw new Error(`pairedChange: the axis ${JSON.stringify(axis)} cannot also be a by column`);
  const hasSeed = present.has('seed');

  interface Side { value: number | null; seed: unknown; runId: unknown }
  interface Group { by: Record<string, Cell>; values: Map<string, Cell>; reps: Map<string, Map<string, Side>> }
  const groups = new Map<string, Group>();
  const seenValues = new Map<string, Cell>();
  for (const r of rows) {
    const gk = by.map((b) => keyOf(r[b])).join('\u0000');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { by: Object.fromEntries(by.map((b) => [b, cellOf(r[b])])), values: new Map(), reps: new Map() }));
    const vk = keyOf(r[axis]);
    if (!g.values.has(vk)) g.values.set(vk, cellOf(r[axis]));
    seenValues.set(vk, cellOf(r[axis]));
    const rk = keyOf(r.rep);
    let at = g.reps.get(rk);
    if (!at) g.reps.set(rk, (at = new Map()));
    const prev = at.get(vk);
    if (prev) {
      throw new Error(`pairedChange: runs ${String(prev.runId)} and ${String(r.runId)} have the same ${[...by, axis, 'rep'].join(', ')}: a varied column is missing from by`);
    }
    const m = r[opts.metric];
    at.set(vk, { value: typeof m === 'number' && Number.isFinite(m) ? m : null, seed: r.seed, runId: r.runId });
  }
  const bk = keyOf(baseline);
  if (rows.length && !seenValues.has(bk)) {
    throw new Error(`pairedChange: no run has ${axis} = ${JSON.stringify(baseline)}; values: ${[...seenValues.values()].map((v) => JSON.stringify(v)).join(', ')}`);
  }

  const out: Row[] = [];
  for (const g of groups.values()) {
    for (const [vk, value] of g.values) {
      if (vk === bk) continue;
      const base: number[] = [], other: number[] = [], pct: number[] = [];
      let same = true;
      for (const at of g.reps.values()) {
        const b = at.get(bk), o = at.get(vk);
        if (!b || !o || b.value === null || o.value === null) continue;
        const c = pctChange(b.value, o.value);
        if (c === null) continue;
        base.push(b.value);
        other.push(o.value);
        pct.push(c);
        if (b.seed !== o.seed) same = false;
      }
      out.push({
        ...g.by,
        [axis]: value,
        pairs: pct.length,
        same_seed: hasSeed && pct.length ? same : null,
        pct_change: mean(pct),
        ci95: ci95(pct),
        pct_change_of_means: pctChange(mean(base), mean(other)),
      });
    }
  }
  return { columns: [...by, axis, ...PAIRED_CHANGE_COLUMNS], rows: out };
}
