/**
 * Pure builders of the reproduce report: per-point statistics over replications, the
 * comparison table against the paper, NUMA totals, i_mmap lockstat by call site, the extras
 * and the summary checks, and the text rendering. No I/O here.
 */
import type { LockStatRow } from '../../locking';
import type { PaperRow } from './paper';
import { pctChangeGoal, type ReproduceGoals } from './preset';
import { ci95, mean, meanAbs, pctChange, pctError, pointsError } from './stats';

/** One finished aim7 run. */
export interface RunRecord {
  workload: string;
  users: number;
  kernel: string;
  rep: number;
  jpm: number | null;
  numa_pages_migrated: number | null;
  makespan_s: number | null;
  lockstat: readonly LockStatRow[];
  /** where the time went: run.ts's time-breakdown counters by name (absent in older records) */
  time?: Readonly<Record<string, number>>;
}

/** One load point on one kernel, over its replications. */
export interface PointStat {
  workload: string;
  users: number;
  kernel: string;
  /** replications with a finite jpm */
  n: number;
  /** mean jpm over the replications */
  jpm: number | null;
  /** 95% CI half-width of the mean jpm (Student t); null with one replication */
  ci95: number | null;
  /** per replication, in rep order */
  jpmValues: (number | null)[];
  /** the replication numbers of jpmValues */
  reps: number[];
  /** mean over the replications */
  numa_pages_migrated: number | null;
  makespan_s: number | null;
  /** mean over the replications of each time-breakdown counter */
  time: Record<string, number>;
}

/** One row of the comparison table: a workfile and user count, both kernels and the paper. */
export interface TableRow {
  workload: string;
  users: number;
  sim_jpm_base: number | null;
  sim_ci95_base: number | null;
  sim_jpm_patched: number | null;
  sim_ci95_patched: number | null;
  sim_pct_change: number | null;
  /** replications with a jpm on both kernels: the seed pairs (with pairSeeds, each pair on one seed) */
  pairs: number;
  /** mean over the pairs of each pair's % change (patched vs baseline of the same replication) */
  sim_pct_change_paired: number | null;
  /** its 95% CI half-width (Student t over the pairs); null with fewer than 2 */
  sim_pct_change_paired_ci95: number | null;
  paper_jpm_base: number | null;
  paper_jpm_patched: number | null;
  paper_pct_change: number | null;
  /** (sim − paper) / paper × 100 of the baseline jpm */
  err_base_jpm_pct: number | null;
  /** sim % change − paper % change, in points */
  err_pct_change_points: number | null;
}

export const TABLE_COLUMNS: (keyof TableRow)[] = [
  'workload', 'users', 'sim_jpm_base', 'sim_ci95_base', 'sim_jpm_patched', 'sim_ci95_patched', 'sim_pct_change',
  'pairs', 'sim_pct_change_paired', 'sim_pct_change_paired_ci95', 'paper_jpm_base', 'paper_jpm_patched', 'paper_pct_change', 'err_base_jpm_pct', 'err_pct_change_points',
];

export interface NumaResult {
  /** per kernel: numa_pages_migrated summed over every load point (each the mean over replications) */
  totals: Record<string, number | null>;
  pct_change: number | null;
  paper_pct_change: number;
}

/** i_mmap lock time by call site, summed over the load points of one workfile on one kernel. */
export interface SiteRow {
  workload: string;
  kernel: string;
  site: string;
  acquisitions: number;
  contentions: number;
  waitTotalNs: number;
  holdTotalNs: number;
  spinNs: number;
  sleepNs: number;
}

export interface ExtraResult {
  label: string;
  workload: string;
  metric: string;
  /** per kernel: mean over replications, CI half-width, replications with the metric */
  kernels: Record<string, { value: number | null; ci95: number | null; n: number }>;
  pct_change: number | null;
  /** mean over the replications of each one's % change (the two kernels' runs of a replication a pair) */
  pct_change_paired: number | null;
  /** its 95% CI half-width (Student t); null with fewer than 2 pairs */
  pct_change_paired_ci95: number | null;
}

export interface Check {
  id: string;
  workload: string | null;
  description: string;
  measured: number | null;
  /** the paper's own value of the same quantity, where it has one */
  paper: number | null;
  /** the goal, or REPORTED for a value reported without one */
  goal: string;
  /** null: not measurable with this run's points, too small to judge, or reported only (goal REPORTED) */
  pass: boolean | null;
  /** why this run is too small to judge the goal (pass is then null); null when it can judge it */
  tooSmall: string | null;
}

/** The plain verdict on one workload's % change, or on NUMA pages migrated. */
export interface Verdict {
  /** a workfile, or 'NUMA pages migrated' */
  subject: string;
  /** the simulated % change, patched vs baseline: for a workload the mean over the load points the paper has */
  predicted: number | null;
  /** its 95% CI half-width (a workload: from the paired CIs of its points; NUMA: counting noise); null if unknown */
  ci95: number | null;
  /** the paper's % change (a workload: the mean over the same load points) */
  paper: number | null;
  /** the user counts compared (NUMA: every load point) */
  users: number[];
  result: 'reproduced' | 'not reproduced' | 'too small to judge' | 'not measurable' | 'no goal';
  /** the goal, or why it cannot be judged */
  why: string;
  /** the whole verdict in one plain line */
  line: string;
}

/** The goal of a check that is reported only (no pass / miss). */
export const REPORTED = 'reported';

export interface Summary {
  kernels: { base: string; patched: string };
  checks: Check[];
  passed: number;
  missed: number;
  /** checks with a goal that these points cannot measure */
  notMeasured: number;
  /** checks reported without a goal */
  reported: number;
  /** checks with a goal that this run is too small to judge (few load points, wide CIs, a coarse window, few migrated pages) */
  tooSmall: number;
  /** one plain line per workload and for NUMA */
  verdicts: Verdict[];
}

/** One workfile, user count and kernel of the validation: jpm by full runs and by the window estimate. */
export interface ValidationRow {
  workload: string;
  users: number;
  kernel: string;
  /** replications with a jpm, full / window */
  n_full: number;
  n_window: number;
  /** mean jpm over the replications */
  jpm_full: number | null;
  jpm_window: number | null;
  /** (window − full) / full × 100 */
  err_pct: number | null;
}

/** One workfile and user count of the validation: the % change (patched vs baseline) by each estimate. */
export interface ValidationChange {
  workload: string;
  users: number;
  pct_change_full: number | null;
  pct_change_window: number | null;
  /** window − full, in points */
  diff_points: number | null;
}

/** The validation section: the window estimate against full runs, and the error it adds. */
export interface ValidationResult {
  replications: number;
  rows: ValidationRow[];
  changes: ValidationChange[];
  /** mean |err_pct| over the rows */
  mean_abs_err_pct: number | null;
  /** mean |diff_points| over the changes */
  mean_abs_diff_points: number | null;
}

/** validation.csv: one line per workfile, users and kernel; the % change columns are per workfile and users (the same on both kernels' lines). */
export const VALIDATION_COLUMNS = ['workload', 'users', 'kernel', 'n_full', 'n_window', 'jpm_full', 'jpm_window', 'err_pct', 'pct_change_full', 'pct_change_window', 'diff_points'] as const;

/** the mean of each time counter over the records that have it */
function meanTime(g: readonly RunRecord[]): Record<string, number> {
  const sum = new Map<string, { s: number; n: number }>();
  for (const r of g) for (const [k, v] of Object.entries(r.time ?? {})) {
    const e = sum.get(k) ?? { s: 0, n: 0 };
    e.s += v;
    e.n++;
    sum.set(k, e);
  }
  return Object.fromEntries([...sum].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, e]) => [k, e.s / e.n]));
}

/** One line of "where the time goes": a load point on one kernel, CPU shares in % and sleep in task-seconds. */
export interface TimeRow {
  workload: string;
  users: number;
  kernel: string;
  user_pct: number;
  kernel_pct: number;
  spin_immap_pct: number;
  spin_other_pct: number;
  idle_pct: number;
  sleep_immap_s: number;
  sleep_other_locks_s: number;
  sleep_page_locked_s: number;
  sleep_other_s: number;
  /**
   * kernel CPU by path (aim7's task_kernel_path_<p>_s: fork, exec, exit, fault, mmap, numa,
   * compaction, fs, ...), % of all CPUs' time as kernel_pct; empty for records without them
   */
  kernel_paths_pct: Record<string, number>;
  /** sleep inside file-system calls besides i_mutex (I/O, journal), in wait4, in timer sleeps: task-s */
  sleep_fs_s: number;
  sleep_wait_s: number;
  sleep_timer_s: number;
}

/**
 * Where the time goes at a few load points per workload (the lowest and highest user counts,
 * and 1000 if present): the CPUs' time split into user, kernel, spinning on i_mmap and on
 * other locks, idle (shares of ncpus × window); the tasks' sleep by reason, in seconds summed
 * over tasks. Points without time counters are left out.
 */
export function buildTime(points: readonly PointStat[]): TimeRow[] {
  const out: TimeRow[] = [];
  const byWorkload = new Map<string, number[]>();
  for (const p of points) if (Object.keys(p.time).length) byWorkload.set(p.workload, [...(byWorkload.get(p.workload) ?? []), p.users]);
  for (const p of points) {
    const users = byWorkload.get(p.workload);
    if (!users) continue;
    const pick = new Set([Math.min(...users), Math.max(...users), ...(users.includes(1000) ? [1000] : [])]);
    if (!pick.has(p.users)) continue;
    const t = p.time, v = (k: string) => t[k] ?? 0;
    const onCpu = v('cpu_busy_share') + v('cpu_spin_share');
    const cpu = v('task_cpu_s');
    const share = (s: number) => (cpu > 0 ? (100 * onCpu * s) / cpu : 0);
    // i_mmap and its inner wait_lock (class i_mmap.wait_lock) count as i_mmap
    const sumOf = (re: RegExp) => Object.entries(t).filter(([k]) => re.test(k)).reduce((a, [, x]) => a + x, 0);
    const spinImmap = sumOf(/^task_spin_i_mmap(\..+)?_s$/);
    const sleepImmap = sumOf(/^task_sleep_i_mmap(\..+)?_s$/);
    const lockSleep = Object.entries(t).filter(([k]) => /^task_sleep_.+_s$/.test(k) && k !== 'task_sleep_other_s' && !k.startsWith('task_sleep_path_')).reduce((a, [, x]) => a + x, 0);
    const kernelPaths: Record<string, number> = {};
    for (const [k, x] of Object.entries(t)) {
      const m = /^task_kernel_path_(.+)_s$/.exec(k);
      if (m) kernelPaths[m[1]!] = share(x);
    }
    // sleep by path: file-system calls' sleep besides i_mutex (the one lock class only they
    // take) is I/O and journal waiting; wait4; timer sleeps (reaim's sleep 5)
    const sleepFs = Math.max(0, v('task_sleep_path_fs_s') - sumOf(/^task_sleep_i_mutex(\..+)?_s$/));
    const sleepWait = v('task_sleep_path_wait_s'), sleepTimer = v('task_sleep_path_sleep_s');
    out.push({
      workload: p.workload, users: p.users, kernel: p.kernel,
      user_pct: share(v('task_user_s')),
      kernel_pct: share(v('task_kernel_s')),
      spin_immap_pct: share(spinImmap),
      spin_other_pct: share(v('task_spin_s') - spinImmap),
      idle_pct: 100 * v('cpu_idle_share'),
      sleep_immap_s: sleepImmap,
      sleep_other_locks_s: lockSleep - sleepImmap,
      sleep_page_locked_s: v('sleep_page_locked_s'),
      sleep_other_s: Math.max(0, v('task_sleep_other_s') - v('sleep_page_locked_s') - sleepWait - sleepTimer - sleepFs),
      kernel_paths_pct: kernelPaths,
      sleep_fs_s: sleepFs,
      sleep_wait_s: sleepWait,
      sleep_timer_s: sleepTimer,
    });
  }
  return out;
}

const key = (w: string, u: number, k: string) => `${w}\u0000${u}\u0000${k}`;

/**
 * Per load point and kernel: mean and CI of jpm, means of the counters. Sorted by
 * `workloads` order (then name), users ascending, `kernels` order.
 */
export function aggregatePoints(runs: readonly RunRecord[], workloads: readonly string[] = [], kernels: readonly string[] = []): PointStat[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const k = key(r.workload, r.users, r.kernel);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: PointStat[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.rep - b.rep);
    const jpms = g.map((r) => r.jpm);
    const n = jpms.filter((x) => typeof x === 'number' && Number.isFinite(x)).length;
    out.push({
      workload: g[0]!.workload,
      users: g[0]!.users,
      kernel: g[0]!.kernel,
      n,
      jpm: mean(jpms),
      ci95: ci95(jpms),
      jpmValues: jpms.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null)),
      reps: g.map((r) => r.rep),
      numa_pages_migrated: mean(g.map((r) => r.numa_pages_migrated)),
      makespan_s: mean(g.map((r) => r.makespan_s)),
      time: meanTime(g),
    });
  }
  const rank = (list: readonly string[], v: string) => (list.includes(v) ? list.indexOf(v) : list.length);
  return out.sort((a, b) =>
    rank(workloads, a.workload) - rank(workloads, b.workload) || (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0)
    || a.users - b.users
    || rank(kernels, a.kernel) - rank(kernels, b.kernel) || (a.kernel < b.kernel ? -1 : a.kernel > b.kernel ? 1 : 0));
}

/**
 * The % change of each pair: per replication with a jpm on both `base` and `other` (matched
 * by replication number; in a reproduce with pairSeeds the two runs of a replication share
 * their seed), (other − base) / base × 100, in replication order.
 */
export function pairPctChanges(base: PointStat | undefined, other: PointStat | undefined): number[] {
  if (!base || !other) return [];
  const at = new Map(other.reps.map((r, i) => [r, other.jpmValues[i]]));
  const out: number[] = [];
  base.reps.forEach((r, i) => {
    const c = pctChange(base.jpmValues[i], at.get(r));
    if (c !== null) out.push(c);
  });
  return out;
}

/**
 * The comparison table: one row per workfile and user count (in `points` order), the
 * simulated jpm ± CI on `kernels[0]` (baseline) and `kernels[1]` (patched), the simulated
 * % change (of the means, and per seed pair with its CI), the paper's figures (blank where
 * the paper has no row) and the errors.
 */
export function buildTable(points: readonly PointStat[], kernels: readonly [string, string], paper: readonly PaperRow[]): TableRow[] {
  const byKey = new Map(points.map((p) => [key(p.workload, p.users, p.kernel), p]));
  const paperOf = new Map(paper.map((r) => [`${r.workload}\u0000${r.users}`, r]));
  const seen = new Set<string>();
  const rows: TableRow[] = [];
  for (const p of points) {
    const wu = `${p.workload}\u0000${p.users}`;
    if (seen.has(wu)) continue;
    seen.add(wu);
    const b = byKey.get(key(p.workload, p.users, kernels[0]));
    const t = byKey.get(key(p.workload, p.users, kernels[1]));
    const pr = paperOf.get(wu);
    const simPct = pctChange(b?.jpm, t?.jpm);
    const pairs = pairPctChanges(b, t);
    rows.push({
      workload: p.workload,
      users: p.users,
      sim_jpm_base: b?.jpm ?? null,
      sim_ci95_base: b?.ci95 ?? null,
      sim_jpm_patched: t?.jpm ?? null,
      sim_ci95_patched: t?.ci95 ?? null,
      sim_pct_change: simPct,
      pairs: pairs.length,
      sim_pct_change_paired: mean(pairs),
      sim_pct_change_paired_ci95: ci95(pairs),
      paper_jpm_base: pr?.jpmBase ?? null,
      paper_jpm_patched: pr?.jpmPatched ?? null,
      paper_pct_change: pr?.pctChange ?? null,
      err_base_jpm_pct: pctError(b?.jpm, pr?.jpmBase),
      err_pct_change_points: pointsError(simPct, pr?.pctChange),
    });
  }
  return rows;
}

/** numa_pages_migrated per kernel, summed over every load point (of every workfile). */
export function buildNuma(points: readonly PointStat[], kernels: readonly [string, string], paperPct: number): NumaResult {
  const totals: Record<string, number | null> = {};
  for (const k of kernels) {
    const vals = points.filter((p) => p.kernel === k).map((p) => p.numa_pages_migrated);
    const fin = vals.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    totals[k] = fin.length ? fin.reduce((s, v) => s + v, 0) : null;
  }
  return { totals, pct_change: pctChange(totals[kernels[0]], totals[kernels[1]]), paper_pct_change: paperPct };
}

/**
 * Lock time of class `lockClass` by call site: for each workfile, kernel and site, the sum
 * over load points of the mean over that point's replications (a site a replication did
 * not use counts 0 for it). Sorted by workfile order, kernel order, site name.
 */
export function buildSites(runs: readonly RunRecord[], workloads: readonly string[], kernels: readonly string[], lockClass = 'i_mmap'): SiteRow[] {
  const reps = new Map<string, number>();
  for (const r of runs) reps.set(key(r.workload, r.users, r.kernel), (reps.get(key(r.workload, r.users, r.kernel)) ?? 0) + 1);
  const acc = new Map<string, SiteRow>();
  for (const r of runs) {
    const n = reps.get(key(r.workload, r.users, r.kernel))!;
    for (const l of r.lockstat) {
      if (l.lockClass !== lockClass) continue;
      const k = `${r.workload}\u0000${r.kernel}\u0000${l.site}`;
      let s = acc.get(k);
      if (!s) acc.set(k, (s = { workload: r.workload, kernel: r.kernel, site: l.site, acquisitions: 0, contentions: 0, waitTotalNs: 0, holdTotalNs: 0, spinNs: 0, sleepNs: 0 }));
      s.acquisitions += (l.acqRead + l.acqWrite) / n;
      s.contentions += (l.contRead + l.contWrite) / n;
      s.waitTotalNs += l.waitTotalNs / n;
      s.holdTotalNs += l.holdTotalNs / n;
      s.spinNs += l.spinNs / n;
      s.sleepNs += l.sleepNs / n;
    }
  }
  const rank = (list: readonly string[], v: string) => (list.includes(v) ? list.indexOf(v) : list.length);
  return [...acc.values()].sort((a, b) =>
    rank(workloads, a.workload) - rank(workloads, b.workload) || (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0)
    || rank(kernels, a.kernel) - rank(kernels, b.kernel) || (a.kernel < b.kernel ? -1 : a.kernel > b.kernel ? 1 : 0)
    || (a.site < b.site ? -1 : a.site > b.site ? 1 : 0));
}

/** An extra workload's metric per kernel from its runs' values (each kernel's in replication order: index i of both a pair). */
export function buildExtra(label: string, workload: string, metric: string, kernels: readonly [string, string], values: Record<string, (number | null)[]>): ExtraResult {
  const ks: ExtraResult['kernels'] = {};
  for (const k of kernels) {
    const v = values[k] ?? [];
    ks[k] = { value: mean(v), ci95: ci95(v), n: v.filter((x) => typeof x === 'number' && Number.isFinite(x)).length };
  }
  const vb = values[kernels[0]] ?? [], vp = values[kernels[1]] ?? [];
  const pairs = vb.map((b, i) => pctChange(b, vp[i])).filter((c): c is number => c !== null);
  return { label, workload, metric, kernels: ks, pct_change: pctChange(ks[kernels[0]]!.value, ks[kernels[1]]!.value), pct_change_paired: mean(pairs), pct_change_paired_ci95: ci95(pairs) };
}

/**
 * The validation section from the per-point statistics of the full runs and of the window
 * runs (each as aggregatePoints gives them): per workfile, users and kernel the jpm by
 * both estimates and the window's % error against the full run; per workfile and users the
 * % change by each and the difference in points; the mean absolute errors. Rows in the
 * order of `full` (workfile, users, then `kernels` order).
 */
export function buildValidation(full: readonly PointStat[], window: readonly PointStat[], kernels: readonly [string, string], replications: number): ValidationResult {
  const win = new Map(window.map((p) => [key(p.workload, p.users, p.kernel), p]));
  const fullBy = new Map(full.map((p) => [key(p.workload, p.users, p.kernel), p]));
  const rows: ValidationRow[] = full.map((f) => {
    const w = win.get(key(f.workload, f.users, f.kernel));
    return { workload: f.workload, users: f.users, kernel: f.kernel, n_full: f.n, n_window: w?.n ?? 0, jpm_full: f.jpm, jpm_window: w?.jpm ?? null, err_pct: pctError(w?.jpm, f.jpm) };
  });
  const changes: ValidationChange[] = [];
  const seen = new Set<string>();
  for (const f of full) {
    const wu = `${f.workload}\u0000${f.users}`;
    if (seen.has(wu)) continue;
    seen.add(wu);
    const at = (m: Map<string, PointStat>, k: string) => m.get(key(f.workload, f.users, k))?.jpm;
    const pf = pctChange(at(fullBy, kernels[0]), at(fullBy, kernels[1]));
    const pw = pctChange(at(win, kernels[0]), at(win, kernels[1]));
    changes.push({ workload: f.workload, users: f.users, pct_change_full: pf, pct_change_window: pw, diff_points: pointsError(pw, pf) });
  }
  return { replications, rows, changes, mean_abs_err_pct: meanAbs(rows.map((r) => r.err_pct)), mean_abs_diff_points: meanAbs(changes.map((c) => c.diff_points)) };
}

/** validation.csv's rows (VALIDATION_COLUMNS). */
export function validationCsvRows(v: ValidationResult): Record<string, string | number | null>[] {
  const ch = new Map(v.changes.map((c) => [`${c.workload}\u0000${c.users}`, c]));
  return v.rows.map((r) => {
    const c = ch.get(`${r.workload}\u0000${r.users}`);
    return { ...r, pct_change_full: c?.pct_change_full ?? null, pct_change_window: c?.pct_change_window ?? null, diff_points: c?.diff_points ?? null };
  });
}


/** 95% CI half-width of a % change of two counts a → b (Poisson counting noise, delta method); null if either is 0. */
export function countPctChangeCi95(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !(a > 0) || !(b > 0)) return null;
  return 1.959964 * 100 * (b / a) * Math.sqrt(1 / a + 1 / b);
}

/** 95% CI half-width of the mean of `n` independent estimates with half-widths `hs`: √Σh² / n; null if any is unknown. */
export function meanCi95(hs: readonly (number | null)[]): number | null {
  if (!hs.length || hs.some((h) => typeof h !== 'number' || !Number.isFinite(h))) return null;
  return Math.sqrt(hs.reduce<number>((a, h) => a + h! * h!, 0)) / hs.length;
}

const fmtG = (x: number) => String(Number(x.toPrecision(6)));
const s1 = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;
const loadPoints = (n: number) => `${n} load point${n === 1 ? '' : 's'}`;

/** the simulated % change of a row: the paired mean where there are pairs, else the % change of the means */
const predictedOf = (r: TableRow) => r.sim_pct_change_paired ?? r.sim_pct_change;

/** at most `g` (null: no goal, or nothing measured) */
const atMost = (x: number | null, g: number | null) => (x === null || g === null ? null : x <= g);
const atLeast = (x: number | null, g: number) => (x === null ? null : x >= g);
const upTo = (g: number | null, unit: string) => (g === null ? REPORTED : `<= ${fmtG(g)} ${unit}`);
const reasons = (...rs: (string | null)[]) => (rs.some((r) => r !== null) ? rs.filter((r) => r !== null).join('; ') : null);
/** too few load points for a goal: the reason, else null */
const few = (goals: ReproduceGoals, n: number) => (n < goals.minLoadPoints ? `${loadPoints(n)}, fewer than ${goals.minLoadPoints}` : null);
/**
 * `at most g` with an uncertainty `u` on the measured `m`: undecided (a reason) when the
 * margin cannot tell, m − u <= g < m + u; null when it can (the pass / miss then stands)
 */
const straddles = (m: number | null, u: number, g: number, parts: string[], unit: string) =>
  (m !== null && u > 0 && m - u <= g && m + u > g ? `its uncertainty (${parts.join('; ')}) is too wide to tell whether it is within the goal's ${fmtG(g)} ${unit}` : null);
/** a check whose goal this run cannot judge: no pass or miss */
const judged = (c: Omit<Check, 'tooSmall'>, tooSmall: string | null): Check => (tooSmall !== null && c.goal !== REPORTED && c.measured !== null ? { ...c, pass: null, tooSmall } : { ...c, tooSmall: null });
const rowsOf = (table: readonly TableRow[], w: string) => table.filter((r) => r.workload === w);
/** the rows of a workload with both the paper's % change and a simulated one */
const pctRows = (table: readonly TableRow[], w: string) => rowsOf(table, w).filter((r) => r.paper_pct_change !== null && predictedOf(r) !== null);

/** The baseline jpm against the paper: max then mean |% error|, per workload. */
function baselineChecks(table: readonly TableRow[], goals: ReproduceGoals, workloads: readonly string[]): Check[] {
  const checks: Check[] = [];
  for (const w of workloads) {
    const errs = rowsOf(table, w).map((r) => r.err_base_jpm_pct).filter((x): x is number => x !== null);
    const m = errs.length ? Math.max(...errs.map(Math.abs)) : null;
    checks.push(judged({ id: 'baseline-jpm-max-err', workload: w, description: `max |% error| of baseline jpm vs the paper over every row (${errs.length} points)`, measured: m, paper: null, goal: upTo(goals.baselineMaxErrPct, '%'), pass: atMost(m, goals.baselineMaxErrPct) }, few(goals, errs.length)));
  }
  for (const w of workloads) {
    const m = meanAbs(rowsOf(table, w).map((r) => r.err_base_jpm_pct));
    const n = rowsOf(table, w).filter((r) => r.err_base_jpm_pct !== null).length;
    checks.push(judged({ id: 'baseline-jpm-mape', workload: w, description: `mean |% error| of baseline jpm vs the paper (${n} points)`, measured: m, paper: null, goal: upTo(goals.baselineMapePct, '%'), pass: atMost(m, goals.baselineMapePct) }, few(goals, n)));
  }
  return checks;
}

/** The % change against the paper per workload, and why each is too small to judge (null: it is not). */
function pctChangeChecks(table: readonly TableRow[], goals: ReproduceGoals, workloads: readonly string[], validation: ValidationResult | null): { checks: Check[]; tooSmall: Map<string, string | null> } {
  const windowDiff = (w: string) => (validation ? meanAbs(validation.changes.filter((c) => c.workload === w).map((c) => c.diff_points)) : null);
  const tooSmall = new Map<string, string | null>();
  const checks = workloads.map((w) => {
    const m = meanAbs(rowsOf(table, w).map((r) => r.err_pct_change_points));
    const g = pctChangeGoal(goals, w);
    const rows = pctRows(table, w);
    const ci = meanCi95(rows.map((r) => r.sim_pct_change_paired_ci95));
    const wd = windowDiff(w);
    const parts = [...(ci !== null ? [`95% CI ± ${ci.toFixed(1)}`] : []), ...(wd !== null ? [`the window estimate off full runs by ${wd.toFixed(1)} points`] : [])];
    const why = g === null ? null : reasons(few(goals, rows.length), straddles(m, Math.max(ci ?? 0, wd ?? 0), g, parts, 'points'));
    tooSmall.set(w, why);
    return judged({ id: 'pct-change-mae', workload: w, description: `mean |error| of % change vs the paper, in points (${rowsOf(table, w).filter((r) => r.err_pct_change_points !== null).length} points)`, measured: m, paper: null, goal: upTo(g, 'points'), pass: atMost(m, g) }, why);
  });
  return { checks, tooSmall };
}

/** The disk knee: the baseline's drop between two load points. */
function kneeCheck(table: readonly TableRow[], goals: ReproduceGoals): Check {
  const g = goals.diskKnee;
  const at = (u: number) => rowsOf(table, g.workload).find((r) => r.users === u);
  const drop = (a: number | null | undefined, b: number | null | undefined) => { const c = pctChange(a, b); return c === null ? null : -c; };
  const m = drop(at(g.fromUsers)?.sim_jpm_base, at(g.toUsers)?.sim_jpm_base);
  return { id: 'disk-knee-drop', workload: g.workload, description: `baseline jpm drop from ${g.fromUsers} to ${g.toUsers} users, %`, measured: m, paper: drop(at(g.fromUsers)?.paper_jpm_base, at(g.toUsers)?.paper_jpm_base), goal: `>= ${fmtG(g.minDropPct)} %`, pass: atLeast(m, g.minDropPct), tooSmall: null };
}

/** The disk gap: the minimum % change over the load points; it must hold at every one (a point without a value: not measurable). */
function gapCheck(table: readonly TableRow[], goals: ReproduceGoals): Check {
  const g = goals.diskGap;
  const rows = rowsOf(table, g.workload).filter((r) => r.users >= g.fromUsers && r.users <= g.toUsers);
  const minOf = (xs: (number | null)[]) => (xs.length && xs.every((x) => x !== null) ? Math.min(...(xs as number[])) : null);
  const m = minOf(rows.map((r) => r.sim_pct_change));
  const paperVals = rows.map((r) => r.paper_pct_change).filter((x): x is number => x !== null);
  return { id: 'disk-gap', workload: g.workload, description: `min patched-minus-baseline % change over ${g.fromUsers}-${g.toUsers} users (${rows.length} points), points`, measured: m, paper: paperVals.length ? Math.min(...paperVals) : null, goal: `>= ${fmtG(g.minPoints)} points at every point`, pass: atLeast(m, g.minPoints), tooSmall: null };
}

/** Below a user count, no change: the max |% change| per workload. */
function lowUsersChecks(table: readonly TableRow[], goals: ReproduceGoals, workloads: readonly string[]): Check[] {
  const g = goals.lowUsers;
  return workloads.map((w) => {
    const rows = rowsOf(table, w).filter((r) => r.users < g.belowUsers && r.sim_pct_change !== null);
    const m = rows.length ? Math.max(...rows.map((r) => Math.abs(r.sim_pct_change!))) : null;
    const cis = rows.map((r) => r.sim_pct_change_paired_ci95).filter((h): h is number => typeof h === 'number' && Number.isFinite(h));
    const u = cis.length ? Math.max(...cis) : 0;
    const why = reasons(few(goals, rows.length), straddles(m, u, g.maxAbsPct, [`95% CI up to ± ${u.toFixed(1)}`], '%'));
    return judged({ id: 'low-users-pct-change', workload: w, description: `max |% change| below ${g.belowUsers} users (${rows.length} points)`, measured: m, paper: null, goal: `<= ${fmtG(g.maxAbsPct)} %`, pass: atMost(m, g.maxAbsPct) }, why);
  });
}

/** NUMA pages migrated: the totals, their counting-noise CI and why the check is too small to judge (null: it is not). */
interface NumaJudgement { na: number | null; nb: number | null; ci: number | null; why: string | null; check: Check }

function numaCheck(numa: NumaResult, goals: ReproduceGoals, kernels: readonly [string, string]): NumaJudgement {
  const [kb, kp] = kernels;
  const na = numa.totals[kb] ?? null, nb = numa.totals[kp] ?? null;
  const ci = countPctChangeCi95(na, nb);
  const tol = goals.numa.tolerancePoints;
  const why = na === null || nb === null ? null
    : na <= 0 || nb <= 0 ? `no page migrated on ${[na <= 0 ? kb : null, nb <= 0 ? kp : null].filter((k) => k !== null).join(' or ')}`
      : straddles(numa.pct_change === null ? null : Math.abs(numa.pct_change - numa.paper_pct_change), ci!, tol, [`${Math.round(na)} and ${Math.round(nb)} pages, counting noise ± ${ci!.toFixed(1)}`], 'points of the paper');
  const m = numa.pct_change;
  const check: Check = { id: 'numa-pages-migrated', workload: null, description: 'numa_pages_migrated % change, summed over every load point', measured: m, paper: numa.paper_pct_change, goal: `${fmtG(numa.paper_pct_change)} ± ${fmtG(tol)} points`, pass: m === null ? null : Math.abs(m - numa.paper_pct_change) <= tol, tooSmall: why };
  if (why !== null) check.pass = null;
  return { na, nb, ci, why, check };
}

/** The window estimate against full runs: two checks reported without a goal. */
function validationChecks(validation: ValidationResult): Check[] {
  return [
    { id: 'window-jpm-err', workload: null, description: `window estimate vs full runs: mean |% error| of jpm (${validation.rows.filter((r) => r.err_pct !== null).length} points)`, measured: validation.mean_abs_err_pct, paper: null, goal: REPORTED, pass: null, tooSmall: null },
    { id: 'window-pct-change-diff', workload: null, description: `window estimate vs full runs: mean |difference| of % change, points (${validation.changes.filter((c) => c.diff_points !== null).length} points)`, measured: validation.mean_abs_diff_points, paper: null, goal: REPORTED, pass: null, tooSmall: null },
  ];
}

/** A workload's verdict: its % change over the load points the paper has. */
function workloadVerdict(table: readonly TableRow[], goals: ReproduceGoals, w: string, check: Check, tooSmall: string | null): Verdict {
  const rows = pctRows(table, w);
  const g = pctChangeGoal(goals, w);
  const predicted = mean(rows.map(predictedOf));
  const ci = meanCi95(rows.map((r) => r.sim_pct_change_paired_ci95));
  const paper = mean(rows.map((r) => r.paper_pct_change));
  const users = rows.map((r) => r.users);
  const where = users.length === 1 ? `at ${users[0]} users` : `mean over ${loadPoints(users.length)}, ${users[0]}-${users[users.length - 1]} users`;
  let result: Verdict['result'], why: string;
  if (predicted === null || paper === null) [result, why] = ['not measurable', 'no load point of the paper\'s table was run'];
  else if (g === null) [result, why] = ['no goal', 'the preset sets no goal for it'];
  else if (tooSmall) [result, why] = ['too small to judge', tooSmall];
  else [result, why] = [check.pass ? 'reproduced' : 'not reproduced', `mean |error| ${check.measured!.toFixed(1)} points, goal <= ${fmtG(g)}`];
  const outside = result === 'too small to judge' && ci !== null && Math.abs(predicted! - paper!) > ci ? '; the paper\'s value is outside the prediction\'s CI' : '';
  const line = predicted === null || paper === null
    ? `${w}: ${result} (${why})`
    : `${w}: predicted ${s1(predicted)} %${ci === null ? '' : ` ± ${ci.toFixed(1)}`} (patched vs baseline${ci === null ? '' : ', 95% CI'}; ${where}), the paper measured ${s1(paper)} %: ${result} (${why}${outside})`;
  return { subject: w, predicted, ci95: ci, paper, users, result, why, line };
}

/** The NUMA verdict. */
function numaVerdict(numa: NumaResult, goals: ReproduceGoals, j: NumaJudgement): Verdict {
  const m = numa.pct_change, p = numa.paper_pct_change;
  let result: Verdict['result'], why: string;
  if (j.why !== null) [result, why] = ['too small to judge', j.why];
  else if (m === null) [result, why] = ['not measurable', 'no NUMA counter in the runs'];
  else [result, why] = [j.check.pass ? 'reproduced' : 'not reproduced', `${Math.round(j.na!)} → ${Math.round(j.nb!)} pages; goal within ± ${fmtG(goals.numa.tolerancePoints)} points`];
  const pred = m === null ? 'n/a' : `${s1(m)} %${j.ci === null ? '' : ` ± ${j.ci.toFixed(1)}`}`;
  const how = `patched vs baseline, summed over every load point${j.ci === null ? '' : '; 95% CI from counting noise'}`;
  return { subject: 'NUMA pages migrated', predicted: m, ci95: j.ci, paper: p, users: [], result, why, line: `NUMA pages migrated: predicted ${pred} (${how}), the paper measured ${s1(p)} %: ${result} (${why})` };
}

/**
 * The summary checks: each a measured value, the paper's, a goal and pass/miss (null: not
 * measurable, too small to judge, or reported only with goal REPORTED). With `validation`,
 * two reported-only checks: the window estimate's mean |% error| of jpm and mean |difference|
 * of % change. A check is too small to judge (`tooSmall` says why, and it neither passes nor
 * misses) when it rests on fewer than `goals.minLoadPoints` load points, or when its uncertainty
 * (the prediction's 95% CI; the window estimate's distance from full runs in the validation;
 * for NUMA the counting noise of the migrated pages, or no page migrated) reaches across the
 * goal's edge, so that it cannot tell a pass from a miss. Then one verdict
 * per workload (its % change) and for NUMA.
 */
export function buildSummary(table: readonly TableRow[], numa: NumaResult, goals: ReproduceGoals, kernels: readonly [string, string], workloads: readonly string[], validation: ValidationResult | null = null): Summary {
  const pct = pctChangeChecks(table, goals, workloads, validation);
  const nj = numaCheck(numa, goals, kernels);
  const checks: Check[] = [
    ...baselineChecks(table, goals, workloads),
    ...pct.checks,
    kneeCheck(table, goals),
    gapCheck(table, goals),
    ...lowUsersChecks(table, goals, workloads),
    nj.check,
    ...(validation ? validationChecks(validation) : []),
  ];
  const verdicts: Verdict[] = [
    ...workloads.map((w, i) => workloadVerdict(table, goals, w, pct.checks[i]!, pct.tooSmall.get(w) ?? null)),
    numaVerdict(numa, goals, nj),
  ];
  return {
    kernels: { base: kernels[0], patched: kernels[1] },
    checks,
    passed: checks.filter((c) => c.pass === true).length,
    missed: checks.filter((c) => c.pass === false).length,
    notMeasured: checks.filter((c) => c.pass === null && c.goal !== REPORTED && c.tooSmall === null).length,
    reported: checks.filter((c) => c.goal === REPORTED).length,
    tooSmall: checks.filter((c) => c.tooSmall !== null).length,
    verdicts,
  };
}

// ---- text -------------------------------------------------------------------------------

const fixed = (x: number | null | undefined, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '');
const signed = (x: number | null | undefined, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(d)}` : '');
const pm = (m: number | null, h: number | null, d = 2) => (m === null ? '' : h === null ? `${fixed(m, d)} ± n/a` : `${fixed(m, d)} ± ${fixed(h, d)}`);
/** jobs per minute: whole jobs (the report's jpm are integers everywhere) */
const jpm = (m: number | null, h: number | null) => pm(m, h, 0);
const spm = (m: number | null, h: number | null) => (m === null ? '' : h === null ? `${signed(m)} ± n/a` : `${signed(m)} ± ${fixed(h)}`);

/** Align columns: first `left` columns left-aligned, the rest right-aligned. */
export function textTable(head: string[], rows: string[][], left = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < left ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

const ms = (ns: number) => (ns / 1e6).toFixed(3);

export interface ReportParts {
  title: string;
  kernels: readonly [string, string];
  replications: number;
  /** both kernels of a replication on one seed (default true); false: independent seeds */
  pairSeeds?: boolean;
  table: readonly TableRow[];
  numa: NumaResult;
  sites: readonly SiteRow[];
  extras: readonly ExtraResult[];
  /** where the time goes at a few load points; absent or empty: no section */
  time?: readonly TimeRow[];
  /** the window estimate vs full runs; null or absent: no section */
  validation?: ValidationResult | null;
  summary: Summary;
}

/** The report as text (deterministic; the CLI adds the wall time). */
export function formatReport(r: ReportParts): string {
  const [kb, kp] = r.kernels;
  const out: string[] = [r.title, ''];
  const paired = r.pairSeeds ?? true;
  out.push(`aim7 jobs per minute (mean ± 95% CI half-width over ${r.replications} replication${r.replications === 1 ? '' : 's'}${r.replications === 1 ? '; one replication has no CI: n/a' : ''}); paper: the v1 cover letter`);
  out.push(`sim %: the % change of the means; pair %: the mean of each replication's % change ± its 95% CI (Student t over the pairs), ${paired ? 'both kernels of a replication on one seed (paired seeds)' : 'the kernels on independent seeds (unpaired)'}`);
  out.push(textTable(
    ['workload', 'users', `sim ${kb}`, `sim ${kp}`, 'sim %', 'pair %', `paper ${kb}`, `paper ${kp}`, 'paper %', 'base err %', '% err pts'],
    r.table.map((t) => [t.workload, String(t.users), jpm(t.sim_jpm_base, t.sim_ci95_base), jpm(t.sim_jpm_patched, t.sim_ci95_patched), signed(t.sim_pct_change), spm(t.sim_pct_change_paired, t.sim_pct_change_paired_ci95), fixed(t.paper_jpm_base, 0), fixed(t.paper_jpm_patched, 0), signed(t.paper_pct_change), signed(t.err_base_jpm_pct), signed(t.err_pct_change_points)]),
  ));
  out.push('', 'NUMA pages migrated (numa_pages_migrated, summed over every load point of every workload; each point the mean over replications)');
  out.push(textTable(['kernel', 'pages migrated'], r.kernels.map((k) => [k, fixed(r.numa.totals[k], 0)])));
  out.push(`% change: ${signed(r.numa.pct_change) || 'n/a'} (paper: ${signed(r.numa.paper_pct_change, 1)})`);
  out.push('', 'i_mmap lock time by call site, ms (summed over load points; each point the mean over replications)');
  if (r.sites.length === 0) out.push('(no i_mmap lockstat rows)');
  else {
    out.push(textTable(['workload', 'kernel', 'site', 'acquisitions', 'contentions', 'wait ms', 'hold ms', 'spin ms', 'sleep ms'],
      r.sites.map((s) => [s.workload, s.kernel, s.site, s.acquisitions.toFixed(0), s.contentions.toFixed(0), ms(s.waitTotalNs), ms(s.holdTotalNs), ms(s.spinNs), ms(s.sleepNs)]), 3));
  }
  if (r.time?.length) {
    out.push('', 'Where the time goes (CPU: % of all CPUs\' time in the window; sleep: seconds summed over tasks; each point the mean over replications)');
    const f1 = (x: number) => x.toFixed(1);
    out.push(textTable(['workload', 'users', 'kernel', 'user %', 'kernel %', 'spin i_mmap %', 'spin other %', 'idle %', 'sleep i_mmap s', 'sleep other locks s', 'sleep page lock s', 'sleep other s'],
      r.time.map((x) => [x.workload, String(x.users), x.kernel, f1(x.user_pct), f1(x.kernel_pct), x.spin_immap_pct.toFixed(2), x.spin_other_pct.toFixed(2), f1(x.idle_pct), f1(x.sleep_immap_s), f1(x.sleep_other_locks_s), f1(x.sleep_page_locked_s), f1(x.sleep_other_s)]), 3));
    const paths = [...new Set(r.time.flatMap((x) => Object.keys(x.kernel_paths_pct ?? {})))];
    if (paths.length) {
      out.push('', 'Kernel CPU by path (% of all CPUs\' time; the rest of kernel % is outside these paths) and sleep by reason (task-s: I/O = file-system calls besides i_mutex)');
      out.push(textTable(['workload', 'users', 'kernel', ...paths.map((p) => `${p} %`), 'sleep I/O s', 'sleep wait4 s', 'sleep timer s'],
        r.time.map((x) => [x.workload, String(x.users), x.kernel, ...paths.map((p) => (x.kernel_paths_pct?.[p] ?? 0).toFixed(2)), f1(x.sleep_fs_s ?? 0), f1(x.sleep_wait_s ?? 0), f1(x.sleep_timer_s ?? 0)]), 3));
    }
  }
  if (r.extras.length) {
    out.push('', 'Also reported (other workloads, mean ± 95% CI)');
    out.push(textTable(['label', 'workload', 'metric', kb, kp, '%', 'pair %'],
      r.extras.map((e) => [e.label, e.workload, e.metric, pm(e.kernels[kb]!.value, e.kernels[kb]!.ci95) || 'n/a (no such metric)', pm(e.kernels[kp]!.value, e.kernels[kp]!.ci95) || 'n/a (no such metric)', signed(e.pct_change), spm(e.pct_change_paired, e.pct_change_paired_ci95)]), 3));
  }
  if (r.validation) {
    const v = r.validation;
    out.push('', `Window estimate vs full runs (validation of the shortcut; mean over ${v.replications} replication${v.replications === 1 ? '' : 's'}, each window run on its full run's seed)`);
    out.push(textTable(['workload', 'users', 'kernel', 'jpm full', 'jpm window', 'error %'],
      v.rows.map((x) => [x.workload, String(x.users), x.kernel, fixed(x.jpm_full, 0) || 'n/a', fixed(x.jpm_window, 0) || 'n/a', signed(x.err_pct) || 'n/a']), 3));
    out.push('');
    out.push(textTable(['workload', 'users', '% change full', '% change window', 'difference pts'],
      v.changes.map((c) => [c.workload, String(c.users), signed(c.pct_change_full) || 'n/a', signed(c.pct_change_window) || 'n/a', signed(c.diff_points) || 'n/a'])));
    out.push(`mean |error| of jpm: ${fixed(v.mean_abs_err_pct) || 'n/a'} %; mean |difference| of % change: ${fixed(v.mean_abs_diff_points) || 'n/a'} points`);
  }
  out.push('', 'Summary');
  out.push(textTable(['check', 'workload', 'measured', 'paper', 'goal', 'result'],
    r.summary.checks.map((c) => [c.id, c.workload ?? 'all', c.measured === null ? 'n/a' : c.measured.toFixed(2), c.paper === null ? '' : c.paper.toFixed(2), c.goal, c.goal === REPORTED ? '' : c.tooSmall !== null ? 'too small' : c.pass === null ? 'n/a' : c.pass ? 'pass' : 'miss']), 2));
  out.push(`${r.summary.passed} passed, ${r.summary.missed} missed, ${r.summary.tooSmall} too small to judge, ${r.summary.notMeasured} not measurable with these points${r.summary.reported ? `, ${r.summary.reported} reported (no goal)` : ''}`);
  const small = r.summary.checks.filter((c) => c.tooSmall !== null);
  if (small.length) out.push(...small.map((c) => `  too small: ${c.id} ${c.workload ?? 'all'}: ${c.tooSmall}`));
  out.push('', `Verdict (${r.kernels[1]} vs ${r.kernels[0]})`);
  out.push(...r.summary.verdicts.map((v) => v.line));
  return out.join('\n');
}
