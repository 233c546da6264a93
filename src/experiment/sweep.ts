/**
 * runSweep: expand a sweep spec, skip the runs already in the output folder's journal, run
 * the rest on worker threads (slowest first, by the workload's cost estimate), append each
 * finished run to the journal, and write the tidy tables and provenance when done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ColumnTable } from 'arquero';
import { provenance, type Provenance } from './provenance';
import { RunError, runPool, type PoolJob } from './pool';
import type { SweepProgress } from './progress';
import { buildTables, type JournalEntry, type SweepTables } from './results';
import { expandSweep, loadSweepSpec, shardRuns, type ExpandedSweep, type SweepColumn, type SweepRun, type SweepSpec } from './spec';
import { PROVENANCE_FILE, SweepStore } from './store';
import type { Row, Table } from './tables';

export interface SweepOptions {
  /** worker threads; default: available parallelism; 0 = run in this thread */
  workers?: number;
  /** output folder (journal, tables, provenance; resumable); none = results in memory only */
  out?: string;
  /** run only shard `index` (0-based) of `count`: every count-th run */
  shard?: { index: number; count: number };
  /** called after each finished run (and once at the start) */
  onProgress?: (p: SweepProgress) => void;
  /** modules each worker requires before running (e.g. ones that register workloads) */
  modules?: string[];
}

export interface SweepProvenance extends Provenance {
  kind: 'mmlock-sweep';
  specHash: string;
  spec: SweepSpec;
  shard: { index: number; count: number } | null;
  workers: number;
  runs: { sweep: number; shard: number; resumed: number; ran: number };
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
}

export class SweepResult {
  private cached: ColumnTable | undefined;

  constructor(
    readonly spec: SweepSpec,
    readonly specHash: string,
    /** runs: one row per run; lockstat: per run, class and site; trace: per run and interval */
    readonly tables: SweepTables,
    readonly provenance: SweepProvenance,
    /** the output folder, if any */
    readonly out: string | null,
    /** the varied quantities (axes, then sampled parameters): the runs table's parameter columns */
    readonly columns: readonly SweepColumn[] = [],
  ) {}

  /** The runs table's rows, sorted by runId. */
  get rows(): Row[] {
    return this.tables.runs.rows;
  }

  /** The runs table as an Arquero table. */
  get table(): ColumnTable {
    return (this.cached ??= toArquero(this.tables.runs));
  }

  /** The lockstat table as an Arquero table. */
  get lockstat(): ColumnTable {
    return toArquero(this.tables.lockstat);
  }
}

/**
 * An Arquero table of `t` (arquero 8 is ESM-only: loaded with require(esm), Node >= 20.19).
 */
export function toArquero(t: Table): ColumnTable {
  const aq = require('arquero') as typeof import('arquero');
  const cols: Record<string, unknown[]> = {};
  for (const c of t.columns) cols[c] = t.rows.map((r) => r[c] ?? null);
  return aq.table(cols, t.columns);
}

/** Load a table a sweep wrote (`runs`, `lockstat` or `trace`) from its Arrow file. */
export function loadSweepTable(dir: string, name: 'runs' | 'lockstat' | 'trace' = 'runs'): ColumnTable {
  const aq = require('arquero') as typeof import('arquero');
  const file = join(dir, `${name}.arrow`);
  if (!existsSync(file)) throw new Error(`loadSweepTable: ${file} does not exist (sweep not finished, or no ${name} table)`);
  return aq.fromArrow(readFileSync(file));
}

/** Read a sweep folder's provenance.json. */
export function loadSweepProvenance(dir: string): SweepProvenance {
  return JSON.parse(readFileSync(join(dir, PROVENANCE_FILE), 'utf8')) as SweepProvenance;
}

function costOf(x: ExpandedSweep, r: SweepRun): number {
  const p = x.points[r.point]!.resolved;
  const c = p.workload.cost?.(p.config.params, p.config.duration.ms * 1e6, p.machine);
  return typeof c === 'number' && Number.isFinite(c) ? c : 1;
}

/**
 * Run a sweep. `spec` is a spec object, a spec file path (JSON/YAML) or an expanded sweep.
 * Throws ConfigError for a bad spec or --out folder before anything is written.
 */
export async function runSweep(spec: unknown, opts: SweepOptions = {}): Promise<SweepResult> {
  const started = new Date();
  const t0 = performance.now();
  const x = isExpanded(spec) ? spec : expandSweep(typeof spec === 'string' ? loadSweepSpec(spec) : spec);
  const workers = opts.workers ?? availableParallelism();
  const shard = opts.shard ?? null;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new RangeError(`runSweep: shard index must be an integer from 0 to count - 1, got ${JSON.stringify(shard)}`);
  }
  const mine = shard ? shardRuns(x.runs, shard.index, shard.count) : x.runs;
  const store = opts.out ? new SweepStore(opts.out) : null;
  const entries = store ? store.open(x) : new Map<string, JournalEntry>();
  try {
    const todo = mine.filter((r) => !entries.has(r.runId));
    const resumed = mine.length - todo.length;
    const costs = todo.map((r) => costOf(x, r));
    const order = todo.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
    const jobs: (PoolJob & { run: SweepRun })[] = order.map((i) => {
      const r = todo[i]!;
      const p = x.points[r.point]!.resolved;
      return { run: r, config: { ...p.config, seed: r.seed }, configHash: p.configHash };
    });
    let done = resumed;
    const report = (last: string | null) => {
      if (!opts.onProgress) return;
      const elapsed = (performance.now() - t0) / 1000;
      const ran = done - resumed;
      const rate = elapsed > 0 ? ran / elapsed : 0;
      opts.onProgress({ done, total: mine.length, resumed, elapsedSeconds: elapsed, rate, etaSeconds: ran ? (mine.length - done) / rate : null, lastRunId: last });
    };
    report(null);
    await runPool(jobs, {
      workers,
      modules: opts.modules,
      onResult: (i, m) => {
        const r = jobs[i]!.run;
        const e: JournalEntry = { runId: r.runId, configHash: r.configHash, seed: r.seed, ...m };
        store?.append(e);
        entries.set(r.runId, e);
        done++;
        report(r.runId);
      },
    }).catch((e: unknown) => {
      if (e instanceof RunError) {
        const r = jobs[e.jobIndex]!.run;
        const values = x.points[r.point]!.values;
        throw new RunError(e.jobIndex, `run ${r.runId} (${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(', ') || 'base config'}, seed ${r.seed}) failed: ${e.message}`);
      }
      throw e;
    });
    const tables = buildTables(x, entries.values());
    const prov: SweepProvenance = {
      kind: 'mmlock-sweep',
      ...provenance(),
      specHash: x.specHash,
      spec: x.spec,
      shard,
      workers,
      runs: { sweep: x.runs.length, shard: mine.length, resumed, ran: todo.length },
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      wallSeconds: Math.round(performance.now() - t0) / 1000,
    };
    store?.writeResults(tables, prov);
    return new SweepResult(x.spec, x.specHash, tables, prov, opts.out ?? null, x.columns);
  } finally {
    store?.close();
  }
}

function isExpanded(s: unknown): s is ExpandedSweep {
  return typeof s === 'object' && s !== null && 'points' in s && 'runs' in s && 'specHash' in s;
}
