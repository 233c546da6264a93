/**
 * From finished runs to tidy tables:
 *
 * - runs: one row per run: runId, configHash, rep, seed, the varied parameters (in spec
 *   order), the workload's metrics (sorted by name), then the counters (sorted by name);
 * - lockstat: one row per run, lock class and call site;
 * - trace: one row per run and trace interval (only runs with options.trace).
 *
 * Rows are sorted by runId; the column set is the union over the rows, so the tables of a
 * whole sweep equal those of its merged shards byte for byte.
 */
import type { LockStatRow } from '../locking';
import type { RunMeasurement, TracePoint } from './run';
import type { ExpandedSweep } from './spec';
import { stableJson } from './canonical';
import { cell, type Row, type Table } from './tables';

/** One finished run as the journal stores it. */
export interface JournalEntry extends RunMeasurement {
  runId: string;
  configHash: string;
  seed: string;
}

/** The journal line of an entry (without the newline): stable key order. */
export function journalLine(e: JournalEntry): string {
  return stableJson({
    runId: e.runId,
    configHash: e.configHash,
    seed: e.seed,
    metrics: e.metrics,
    counters: e.counters,
    lockstat: e.lockstat,
    trace: e.trace,
  });
}

export interface SweepTables {
  runs: Table;
  lockstat: Table;
  /** null when no run has a trace */
  trace: Table | null;
}

const ID_COLUMNS = ['runId', 'configHash', 'rep', 'seed'];
const LOCKSTAT_COLUMNS: readonly (keyof LockStatRow)[] = [
  'lockClass', 'site', 'acqRead', 'acqWrite', 'contRead', 'contWrite', 'waitTotalNs', 'waitMeanNs', 'waitMaxNs',
  'holdTotalNs', 'holdMeanNs', 'holdMaxNs', 'spinNs', 'sleepNs', 'crossSocket', 'waitingRead', 'waitingWrite', 'waitingNs',
];
const TRACE_COLUMNS: readonly (keyof TracePoint)[] = ['t_ms', 'cpu_busy_share', 'cpu_spin_share', 'lock_acquisitions', 'lock_contentions'];

/** Build the tidy tables of `entries` (any order) for the sweep `x`. */
export function buildTables(x: ExpandedSweep, entries: Iterable<JournalEntry>): SweepTables {
  const byRun = new Map(x.runs.map((r) => [r.runId, r]));
  const sorted = [...entries].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  const paramCols = x.columns.map((c) => c.name);
  const metricNames = new Set<string>();
  const counterNames = new Set<string>();
  for (const e of sorted) {
    for (const k of Object.keys(e.metrics)) metricNames.add(k);
    for (const k of Object.keys(e.counters)) counterNames.add(k);
  }
  const used = new Set([...ID_COLUMNS, ...paramCols]);
  const colOf = (kind: 'metric' | 'counter', k: string) => (used.has(k) ? `${kind}_${k}` : k);
  const metrics = [...metricNames].sort().map((k) => [k, colOf('metric', k)] as const);
  for (const [, c] of metrics) used.add(c);
  const counters = [...counterNames].sort().map((k) => [k, colOf('counter', k)] as const);

  const runRows: Row[] = [];
  const lockRows: Row[] = [];
  const traceRows: Row[] = [];
  for (const e of sorted) {
    const r = byRun.get(e.runId);
    if (!r) throw new Error(`results: run ${e.runId} is not in the sweep`);
    const p = x.points[r.point]!;
    const row: Row = { runId: e.runId, configHash: e.configHash, rep: r.rep, seed: e.seed };
    for (const c of paramCols) row[c] = cell(p.values[c]);
    for (const [k, c] of metrics) row[c] = k in e.metrics ? cell(e.metrics[k]) : null;
    for (const [k, c] of counters) row[c] = k in e.counters ? cell(e.counters[k]) : null;
    runRows.push(row);
    for (const l of e.lockstat) {
      const lr: Row = { runId: e.runId };
      for (const k of LOCKSTAT_COLUMNS) lr[k] = cell(l[k]);
      lockRows.push(lr);
    }
    for (const t of e.trace ?? []) {
      const tr: Row = { runId: e.runId };
      for (const k of TRACE_COLUMNS) tr[k] = cell(t[k]);
      traceRows.push(tr);
    }
  }
  return {
    runs: { columns: [...ID_COLUMNS, ...paramCols, ...metrics.map(([, c]) => c), ...counters.map(([, c]) => c)], rows: runRows },
    lockstat: { columns: ['runId', ...LOCKSTAT_COLUMNS], rows: lockRows },
    trace: traceRows.length ? { columns: ['runId', ...TRACE_COLUMNS], rows: traceRows } : null,
  };
}
