/**
 * `reproduce`: the aim7 table of the i_mmap_rwsem series, simulated and set beside the
 * paper's. Built on the preset's sweeps (preset.ts, sweeps.ts): the table sweeps for the aim7
 * load points (workfile × users) × the two kernels × replications, the validation sweep, one
 * per extra workload, each in its own folder under
 * `<out>/sweeps/` (named by its spec hash, so a rerun of the same command resumes from the
 * journal and a changed grid starts a new folder). When every run is done, the comparison
 * step reads the paper's figures and builds the table, NUMA totals, i_mmap lock time by
 * call site, the extras and the summary checks, then writes the report files atomically.
 *
 *   const r = await reproduce({ quick: true, workers: 2, out: 'results/reproduce' });
 *   r.table; r.summary.checks; r.json   // what `mmlock reproduce --json` prints
 *
 * Same preset, overrides and seed → byte-identical files whatever the number of workers
 * (only provenance.json holds timings; journal lines are in completion order).
 *
 * Files in `out` (all written at the end, each to a temporary then renamed; none if a run
 * fails — finished runs stay in the journals and a rerun resumes):
 *
 *   reproduce.json    what --json prints: rows, numa, numa_pct_change, table, summary, sites, extras, validation, plan
 *   table.{csv,json}  the comparison table (TABLE_COLUMNS)
 *   points.csv        per workfile, users and kernel: n, jpm, ci95, numa_pages_migrated, makespan_s
 *   sites.csv         i_mmap lock time by call site, per workfile and kernel
 *   validation.csv    with a validation sweep: jpm by full runs and by the window estimate (VALIDATION_COLUMNS)
 *   summary.json      the checks (measured, paper, goal, pass), NUMA totals, extras
 *   report.txt        the text report
 *   jpm-<workfile>.svg, pct-change.svg   charts (simulated ± CI vs the paper)
 *   provenance.json   package, git commit, Node.js, host, plan, sweeps, timings
 *   sweeps/<name>-<specHash>/   the sweeps (spec, journal, runs/lockstat tables)
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { dataPath } from '../../data';
import type { LockStatRow } from '../../locking';
import { ConfigError } from '../errors';
import type { SweepProgress } from '../progress';
import { provenance } from '../provenance';
import type { ExpandedSweep } from '../spec';
import { SweepStore } from '../store';
import { runSweep, type SweepResult } from '../sweep';
import { toCsv, toJson, type Row, type Table } from '../tables';
import { loadPaperNuma, loadPaperTable } from './paper';
import { loadPreset, projectRelative, resolvePreset, type ReproducePlan, type ReproducePreset, type ReproduceSetup } from './preset';
import { VALIDATION_ESTIMATES, type PlannedSweep, type ReproduceOverrides } from './sweeps';
import {
  aggregatePoints, buildExtra, buildNuma, buildSites, buildTime, buildSummary, buildTable, buildValidation, formatReport, TABLE_COLUMNS, VALIDATION_COLUMNS, validationCsvRows,
  type ExtraResult, type NumaResult, type PointStat, type RunRecord, type SiteRow, type Summary, type TableRow, type TimeRow, type ValidationResult,
} from './report';
import { svgChart, type ChartSeries } from './svg';

export * from './stats';
export * from './paper';
export * from './preset';
export * from './sweeps';
export * from './report';
export { svgChart, niceTicks, xmlEscape, type ChartSpec, type ChartSeries } from './svg';

/** The metric and counter `reproduce` reads from the aim7 workload. */
export const AIM7_METRIC = 'jpm';
export const AIM7_NUMA_COUNTER = 'numa_pages_migrated';

export interface ReproduceOptions extends ReproduceOverrides {
  /** a preset file (JSON) or object; default data/reproduce/full.json (quick.json with `quick`) */
  preset?: string | ReproducePreset;
  /** use data/reproduce/quick.json (not with `preset`) */
  quick?: boolean;
  /** worker threads (default: available parallelism; 0 = this thread) */
  workers?: number;
  /** output folder (report files, sweeps/ with the resumable journals); none: in memory only */
  out?: string | null;
  /** modules to require here and in every worker first (e.g. ones registering workloads) */
  modules?: string[];
  /** called as runs finish (over all sweeps: done/total count every run of this reproduce) */
  onProgress?: (p: SweepProgress) => void;
}

/** One row of the --json output's `rows`. */
export interface ReproduceJsonRow {
  workload: string;
  users: number;
  kernel: string;
  jpm: number | null;
  ci95: number | null;
}

/** What `mmlock reproduce --json` prints. */
export interface ReproduceJson {
  rows: ReproduceJsonRow[];
  numa: Record<string, { numa_pages_migrated: number | null }>;
  numa_pct_change: number | null;
  table: TableRow[];
  summary: Summary;
  sites: SiteRow[];
  /** where the time goes at a few load points (report.ts buildTime) */
  time: TimeRow[];
  extras: ExtraResult[];
  /** the window estimate vs full runs; null without a validation sweep */
  validation: ValidationResult | null;
  plan: ReproducePlan;
}

export interface ReproduceResult {
  plan: ReproducePlan;
  /** per load point and kernel, over replications */
  points: PointStat[];
  /** the comparison table */
  table: TableRow[];
  numa: NumaResult;
  sites: SiteRow[];
  extras: ExtraResult[];
  /** null without a validation sweep */
  validation: ValidationResult | null;
  summary: Summary;
  /** the --json object */
  json: ReproduceJson;
  /** the text report (without timings) */
  text: string;
  /** the output folder and the files written there (relative names) */
  out: string | null;
  files: string[];
  /** the sweeps that ran: folder (or null) and run counts */
  sweeps: { name: string; dir: string | null; runs: number; ran: number; resumed: number }[];
  wallSeconds: number;
}

/** The default preset files. */
export function presetPath(name: 'full' | 'quick'): string {
  return dataPath('reproduce', `${name}.json`);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}

/**
 * Resolve the options' preset and overrides: the plan, the paper's files and the sweeps
 * (ConfigError names the flag, or the preset file and field).
 */
export function setupReproduce(opts: ReproduceOptions = {}): ReproduceSetup {
  if (opts.quick && opts.preset !== undefined) throw new ConfigError('--quick', 'cannot be combined with --preset', '--quick, or --preset <file>');
  const file = typeof opts.preset === 'string' ? resolve(opts.preset) : opts.preset === undefined ? presetPath(opts.quick ? 'quick' : 'full') : null;
  const input = file ? loadPreset(file) : opts.preset;
  const over: ReproduceOverrides = {};
  for (const k of ['workload', 'machine', 'workloads', 'users', 'kernels', 'reps', 'seed', 'pairSeeds', 'validation'] as const) if (opts[k] !== undefined) (over as Record<string, unknown>)[k] = opts[k];
  try {
    return file ? resolvePreset(input, over, dirname(file)) : resolvePreset(input, over);
  } catch (e) {
    if (e instanceof ConfigError && !e.field.startsWith('--')) {
      throw new ConfigError(`${typeof opts.preset === 'string' ? opts.preset : file ?? 'preset'}: ${e.field || '(top level)'}`, e.problem, e.allowed);
    }
    throw e;
  }
}

/** The plan of the options' preset and overrides (setupReproduce without the sweeps). */
export function planReproduce(opts: ReproduceOptions = {}): ReproducePlan {
  return setupReproduce(opts).plan;
}

/** Write `files` (name → content) into `dir`: every temporary first, then the renames; no temporary is left on error. */
export function writeFilesAtomic(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const tmps: [string, string][] = [];
  try {
    for (const [name, data] of files) {
      const file = join(dir, name);
      const tmp = join(dir, `.${name}.tmp-${process.pid}`);
      tmps.push([tmp, file]);
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, Buffer.from(data, 'utf8'));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const [tmp, file] of tmps) renameSync(tmp, file);
  } finally {
    for (const [tmp] of tmps) rmSync(tmp, { force: true });
  }
}

function colOf(t: Table, name: string, kind: 'metric' | 'counter'): string | null {
  if (t.columns.includes(`${kind}_${name}`)) return `${kind}_${name}`;
  return t.columns.includes(name) ? name : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The aim7 runs of a finished main sweep as run records. */
export function mainRecords(x: ExpandedSweep, res: SweepResult): RunRecord[] {
  const runs = new Map(x.runs.map((r) => [r.runId, r]));
  const t = res.tables.runs;
  const jpmCol = colOf(t, AIM7_METRIC, 'metric');
  const numaCol = colOf(t, AIM7_NUMA_COUNTER, 'counter');
  const mkCol = colOf(t, 'makespan_s', 'metric');
  const locks = new Map<string, LockStatRow[]>();
  for (const l of res.tables.lockstat.rows) {
    const id = l.runId as string;
    let a = locks.get(id);
    if (!a) locks.set(id, (a = []));
    a.push(l as unknown as LockStatRow);
  }
  return t.rows.map((row: Row) => {
    const r = runs.get(row.runId as string)!;
    const cfg = x.points[r.point]!.resolved.config;
    return {
      workload: String(cfg.params.workfile),
      users: Number(cfg.params.users),
      kernel: String(cfg.kernel),
      rep: r.rep,
      jpm: jpmCol ? num(row[jpmCol]) : null,
      numa_pages_migrated: numaCol ? num(row[numaCol]) : null,
      makespan_s: mkCol ? num(row[mkCol]) : null,
      lockstat: locks.get(row.runId as string) ?? [],
      time: timeOf(t.columns, row),
    };
  });
}

/** the run's time-breakdown counters (window.ts timeBreakdown, CPU shares, aim7's page-lock sleep), by counter name */
function timeOf(columns: readonly string[], row: Row): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of columns) {
    const name = c.startsWith('counter_') ? c.slice(8) : c;
    if (!/^(task_|cpu_(busy|spin|idle)_share$|sleep_page_locked_s$)/.test(name)) continue;
    const v = num(row[c]);
    if (v !== null) out[name] = v;
  }
  return out;
}

function chartFiles(plan: ReproducePlan, table: readonly TableRow[]): Map<string, string> {
  const files = new Map<string, string>();
  const [kb, kp] = plan.kernels;
  for (const w of plan.workloads) {
    const rows = table.filter((r) => r.workload === w);
    const series: ChartSeries[] = [
      { name: `sim ${kb}`, points: rows.map((r) => [r.users, r.sim_jpm_base]), errors: rows.map((r) => r.sim_ci95_base), color: '#1f77b4' },
      { name: `sim ${kp}`, points: rows.map((r) => [r.users, r.sim_jpm_patched]), errors: rows.map((r) => r.sim_ci95_patched), color: '#d62728' },
      { name: `paper ${kb}`, points: rows.map((r) => [r.users, r.paper_jpm_base]), color: '#1f77b4', dashed: true, marker: 'square' },
      { name: `paper ${kp}`, points: rows.map((r) => [r.users, r.paper_jpm_patched]), color: '#d62728', dashed: true, marker: 'square' },
    ];
    files.set(`jpm-${safeName(w)}.svg`, svgChart({ title: `aim7 ${w}: jobs per minute vs users`, xLabel: 'users', yLabel: 'jobs per minute', series, yZero: true }));
  }
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];
  const pct: ChartSeries[] = [];
  plan.workloads.forEach((w, i) => {
    const rows = table.filter((r) => r.workload === w);
    const c = colors[i % colors.length]!;
    pct.push({ name: `sim ${w}`, points: rows.map((r) => [r.users, r.sim_pct_change]), color: c });
    pct.push({ name: `paper ${w}`, points: rows.map((r) => [r.users, r.paper_pct_change]), color: c, dashed: true, marker: 'square' });
  });
  files.set('pct-change.svg', svgChart({ title: `aim7: % change in jpm, ${kp} vs ${kb}`, xLabel: 'users', yLabel: '% change', series: pct, yZero: true }));
  return files;
}

/** `dir` relative to the output folder `out`, with `/` separators (the same on every machine). */
export function outRelative(out: string, dir: string): string {
  return relative(out, dir).split(sep).join('/');
}

function sweepDir(out: string, kind: string, x: ExpandedSweep): string {
  return join(out, 'sweeps', `${safeName(kind)}-${x.specHash}`);
}

/** One sweep of a reproduce: its name in progress and provenance, the planned sweep and its folder. */
interface Job { name: string; s: PlannedSweep; x: ExpandedSweep; dir: string | null }

/** The sweeps of a setup, in the preset's order: the table sweeps named aim7, the validation, one per extra. */
function planJobs(setup: ReproduceSetup, out: string | null): Job[] {
  return setup.sweeps.map((s) => {
    const [name, kind] = s.role === 'table' ? ['aim7', 'aim7'] : s.role === 'validation' ? ['validation', 'validation'] : [`extra ${s.label}`, `extra-${s.label}`];
    return { name: name!, s, x: s.x, dir: out ? sweepDir(out, kind!, s.x) : null };
  });
}

/** Run every sweep in turn, with one progress over all of them; results in the order of `list`. */
async function runJobs(list: readonly Job[], opts: ReproduceOptions, workers: number, t0: number): Promise<{ results: SweepResult[]; sweeps: ReproduceResult['sweeps'] }> {
  const total = list.reduce((s, j) => s + j.x.runs.length, 0);
  let doneBefore = 0, resumedBefore = 0, ranBefore = 0;
  const results: SweepResult[] = [];
  const sweeps: ReproduceResult['sweeps'] = [];
  for (const j of list) {
    const res = await runSweep(j.x, {
      workers,
      out: j.dir ?? undefined,
      modules: opts.modules,
      onProgress: opts.onProgress
        ? (p) => {
          const elapsed = (performance.now() - t0) / 1000;
          const ran = ranBefore + (p.done - p.resumed);
          const done = doneBefore + p.done;
          const rate = elapsed > 0 ? ran / elapsed : 0;
          opts.onProgress!({ done, total, resumed: resumedBefore + p.resumed, elapsedSeconds: elapsed, rate, etaSeconds: ran ? (total - done) / rate : null, lastRunId: p.lastRunId });
        }
        : undefined,
    });
    const r = res.provenance.runs;
    doneBefore += r.shard;
    resumedBefore += r.resumed;
    ranBefore += r.ran;
    results.push(res);
    sweeps.push({ name: j.name, dir: j.dir, runs: r.shard, ran: r.ran, resumed: r.resumed });
  }
  return { results, sweeps };
}

/** One extra's metric per kernel, in replication order. */
function extraResult(plan: ReproducePlan, e: ReproducePlan['extras'][number], x: ExpandedSweep, res: SweepResult): ExtraResult {
  const t = res.tables.runs;
  const col = colOf(t, e.metric, 'metric') ?? colOf(t, e.metric, 'counter');
  const runs = new Map(x.runs.map((r) => [r.runId, r]));
  const values: Record<string, (number | null)[]> = {};
  const sorted = [...t.rows].sort((a, b) => runs.get(a.runId as string)!.rep - runs.get(b.runId as string)!.rep);
  for (const row of sorted) {
    const k = String(x.points[runs.get(row.runId as string)!.point]!.resolved.config.kernel);
    (values[k] ??= []).push(col ? num(row[col]) : null);
  }
  return buildExtra(e.label, e.workload, e.metric, plan.kernels, values);
}

/** The window estimate against full runs, from the finished validation sweep. */
function validationResult(plan: ReproducePlan, x: ExpandedSweep, res: SweepResult): ValidationResult {
  // mainRecords keeps the order of the runs table: split its records by each run's estimate
  const recs = mainRecords(x, res);
  const runs = new Map(x.runs.map((r) => [r.runId, r]));
  const est = res.tables.runs.rows.map((row) => x.points[runs.get(row.runId as string)!.point]!.resolved.config.params.estimate);
  const [FULL, WINDOW] = VALIDATION_ESTIMATES;
  const full = aggregatePoints(recs.filter((_, i) => est[i] === FULL), plan.workloads, plan.kernels);
  const win = aggregatePoints(recs.filter((_, i) => est[i] === WINDOW), plan.workloads, plan.kernels);
  return buildValidation(full, win, plan.kernels, plan.validation!.replications);
}

/** What the comparison step computes (every part of ReproduceResult but the files and sweeps). */
type Comparison = Pick<ReproduceResult, 'points' | 'table' | 'numa' | 'sites' | 'extras' | 'validation' | 'summary' | 'json' | 'text'>;

/** The comparison: the paper is read only here, after every run. */
function compare(setup: ReproduceSetup, jobs: readonly Job[], results: ReadonlyMap<Job, SweepResult>): Comparison {
  const { plan } = setup;
  const records = jobs.filter((j) => j.s.role === 'table').flatMap((j) => mainRecords(j.x, results.get(j)!));
  const points = aggregatePoints(records, plan.workloads, plan.kernels);
  const paperNuma = loadPaperNuma(setup.paper.numa);
  const table = buildTable(points, plan.kernels, loadPaperTable(setup.paper.table));
  const numa = buildNuma(points, plan.kernels, paperNuma.pctChange);
  const sites = buildSites(records, plan.workloads, plan.kernels);
  const time = buildTime(points);
  const extraJobs = jobs.filter((j) => j.s.role === 'extra');
  const extras = plan.extras.map((e, i) => extraResult(plan, e, extraJobs[i]!.x, results.get(extraJobs[i]!)!));
  const vJob = jobs.find((j) => j.s.role === 'validation');
  const validation = vJob ? validationResult(plan, vJob.x, results.get(vJob)!) : null;
  const summary = buildSummary(table, numa, plan.goals, plan.kernels, plan.workloads, validation);
  const json: ReproduceJson = {
    rows: points.map((p) => ({ workload: p.workload, users: p.users, kernel: p.kernel, jpm: p.jpm, ci95: p.ci95 })),
    numa: Object.fromEntries(plan.kernels.map((k) => [k, { numa_pages_migrated: numa.totals[k] ?? null }])),
    numa_pct_change: numa.pct_change,
    table,
    summary,
    sites,
    time,
    extras,
    validation,
    plan,
  };
  const runsTotal = plan.workloads.reduce((s, w) => s + plan.users[w]!.length, 0);
  const title = `mmlock reproduce: preset ${plan.preset}, workload model "${plan.workload}" on ${plan.machine}; ${runsTotal} load points × ${plan.kernels.length} kernels × ${plan.replications} replication${plan.replications === 1 ? '' : 's'}, seed ${plan.seed}`;
  const text = formatReport({ title, kernels: plan.kernels, replications: plan.replications, pairSeeds: plan.pairSeeds, table, numa, sites, time, extras, validation, summary });
  return { points, table, numa, sites, extras, validation, summary, json, text };
}

/** The report files (name → content), provenance.json last. */
function reportFiles(plan: ReproducePlan, c: Comparison, prov: Record<string, unknown>): Map<string, string> {
  const { table, points, sites, validation, summary, numa, extras } = c;
  const f = new Map<string, string>();
  f.set('reproduce.json', `${JSON.stringify(c.json, null, 2)}\n`);
  f.set('table.csv', toCsv({ columns: TABLE_COLUMNS, rows: table as unknown as Row[] }));
  f.set('table.json', toJson({ columns: TABLE_COLUMNS, rows: table as unknown as Row[] }));
  const pointCols = ['workload', 'users', 'kernel', 'n', 'jpm', 'ci95', 'numa_pages_migrated', 'makespan_s'];
  f.set('points.csv', toCsv({ columns: pointCols, rows: points as unknown as Row[] }));
  const siteCols = ['workload', 'kernel', 'site', 'acquisitions', 'contentions', 'waitTotalNs', 'holdTotalNs', 'spinNs', 'sleepNs'];
  f.set('sites.csv', toCsv({ columns: siteCols, rows: sites as unknown as Row[] }));
  if (validation) f.set('validation.csv', toCsv({ columns: [...VALIDATION_COLUMNS], rows: validationCsvRows(validation) as unknown as Row[] }));
  f.set('summary.json', `${JSON.stringify({ kernels: summary.kernels, checks: summary.checks, passed: summary.passed, missed: summary.missed, tooSmall: summary.tooSmall, notMeasured: summary.notMeasured, reported: summary.reported, verdicts: summary.verdicts, numa: { totals: numa.totals, pct_change: numa.pct_change, paper_pct_change: numa.paper_pct_change }, extras }, null, 2)}\n`);
  f.set('report.txt', `${c.text}\n`);
  for (const [name, svg] of chartFiles(plan, table)) f.set(name, svg);
  f.set('provenance.json', `${JSON.stringify(prov, null, 2)}\n`);
  return f;
}

/**
 * Run the reproduction: the aim7 sweep and the extras, then the comparison. Throws
 * ConfigError for a bad preset, override or --out folder (before anything runs), and
 * RunError if a run fails (finished runs stay in the journals; rerun to resume; no report
 * file is written).
 */
export async function reproduce(opts: ReproduceOptions = {}): Promise<ReproduceResult> {
  const t0 = performance.now();
  const started = new Date();
  for (const m of opts.modules ?? []) require(m);
  const setup = setupReproduce(opts);
  const { plan } = setup;
  const workers = opts.workers ?? availableParallelism();
  const out = opts.out ?? null;
  const list = planJobs(setup, out);
  for (const j of list) if (j.dir) SweepStore.check(j.dir, j.x);
  const { results, sweeps } = await runJobs(list, opts, workers, t0);
  const c = compare(setup, list, new Map(list.map((j, i) => [j, results[i]!])));

  const files: string[] = [];
  const wallSeconds = Math.round(performance.now() - t0) / 1000;
  if (out) {
    const f = reportFiles(plan, c, {
      kind: 'mmlock-reproduce',
      ...provenance(),
      plan,
      paper: { table: projectRelative(setup.paper.table), numa: projectRelative(setup.paper.numa) },
      workers,
      // folders relative to the output folder: a committed provenance names no path of the machine
      sweeps: sweeps.map((s) => ({ ...s, dir: s.dir === null ? null : outRelative(out, s.dir) })),
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      wallSeconds,
    });
    writeFilesAtomic(out, f);
    files.push(...[...f.keys()].sort());
  }
  return { plan, ...c, out, files, sweeps, wallSeconds };
}
