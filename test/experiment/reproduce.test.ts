import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STUB } from './reproduce_stub';
import { files, tmp } from './helpers';
import { runMain } from '../cli/kernel-cli-helpers';
import {
  aggregatePoints, buildNuma, buildSites, buildTime, buildSummary, buildTable, buildValidation, ci95, countPctChangeCi95, meanCi95, DEFAULT_GOALS, formatReport, mean, niceTicks, parsePaperCsv,
  pctChange, pctError, pointsError, reproduce, sampleSd, studentTQuantile, svgChart, validationCsvRows, VALIDATION_COLUMNS, writeFilesAtomic,
  type PointStat, type ReproducePreset, type RunRecord, type TableRow,
} from '../../src/experiment/reproduce';
import { gridPreset, type StubGrid } from './reproduce_presets';
import { parseKernels, parseUsers } from '../../src/cli/reproduce';
import { ConfigError } from '../../src/experiment/errors';
import { RunError } from '../../src/experiment/pool';
import type { LockStatRow } from '../../src/locking';

const STUB_MODULE = join(__dirname, 'reproduce_stub.js');

const close = (a: number | null, b: number, tol = 1e-9) => {
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
};

/** A small preset for the stub: 2 workfiles × 4 user counts × 2 kernels × 2 reps = 32 runs. */
function stubPreset(over: Partial<StubGrid> = {}): ReproducePreset {
  return gridPreset({ name: 'stub', workload: STUB, machine: 'ivybridge-ex-2s', users: [10, 100, 1500, 1700], replications: 2, seed: 7, params: { warmupTasks: 2, windowTasks: 3 }, ...over });
}

test('Student t quantiles and the 95% CI half-width match hand-computed values', () => {
  // t(0.975, df) from tables
  close(studentTQuantile(0.975, 1), 12.706204736174705, 1e-9);
  close(studentTQuantile(0.975, 2), 4.302652729911275, 1e-9);
  close(studentTQuantile(0.975, 4), 2.7764451051977934, 1e-9);
  close(studentTQuantile(0.975, 9), 2.2621571627982053, 1e-9);
  close(studentTQuantile(0.975, 30), 2.0422724563012373, 1e-9);
  close(studentTQuantile(0.975, 1000), 1.9623390808264078, 1e-9);
  // [10, 12, 14]: mean 12, s = 2, h = 4.302652729911275 × 2 / √3
  close(mean([10, 12, 14]), 12);
  close(sampleSd([10, 12, 14]), 2);
  close(ci95([10, 12, 14]), (4.302652729911275 * 2) / Math.sqrt(3), 1e-9);
  close(ci95([10, 12, 14]), 4.9682754235, 1e-9);
  // two values: t(0.975,1) × |a−b|/√2 / √2 = 12.7062 × |a−b| / 2
  close(ci95([100, 104]), 12.706204736174705 * 2, 1e-9);
  // one replication, or none: no interval; non-finite values are dropped
  assert.equal(ci95([5]), null);
  assert.equal(ci95([]), null);
  assert.equal(ci95([5, null, Number.NaN]), null);
  close(ci95([10, null, 12, Number.POSITIVE_INFINITY, 14]), 4.9682754235, 1e-9);
  assert.equal(ci95([7, 7, 7]), 0);
  assert.equal(mean([]), null);
});

test('% change, % error and points error match hand-computed cases', () => {
  assert.equal(pctChange(100, 150), 50);
  assert.equal(pctChange(200, 150), -25);
  close(pctChange(17918.72, 28417.97), 58.59375, 1e-9); // the letter prints +58.59
  close(pctChange(7582.14, 7257.48), -4.2819, 1e-4); // the letter prints −4.28
  assert.equal(pctChange(0, 5), null);
  assert.equal(pctChange(null, 5), null);
  assert.equal(pctChange(5, Number.NaN), null);
  close(pctError(16000, 17918.72), -10.7079077077, 1e-10); // −1918.72 / 17918.72 × 100
  close(pctError(19710.592, 17918.72), 10, 1e-12);
  close(pointsError(60, 58.59), 1.41, 1e-12);
  assert.equal(pointsError(null, 58.59), null);
  assert.equal(pointsError(3, null), null);
});

const ls = (site: string, over: Partial<LockStatRow> = {}): LockStatRow => ({
  lockClass: 'i_mmap', site, acqRead: 0, acqWrite: 10, contRead: 0, contWrite: 2, waitTotalNs: 1000, waitMeanNs: 100, waitMaxNs: 300,
  holdTotalNs: 2000, holdMeanNs: 200, holdMaxNs: 400, spinNs: 600, sleepNs: 400, crossSocket: 1, waitingRead: 0, waitingWrite: 0, waitingNs: 0, ...over,
});

function rec(workload: string, users: number, kernel: string, rep: number, jpm: number | null, numa: number | null, lockstat: LockStatRow[] = []): RunRecord {
  return { workload, users, kernel, rep, jpm, numa_pages_migrated: numa, makespan_s: null, lockstat };
}

const B = '3.18-rc1', P = '3.18-rc1-i_mmap_rwsem';
const PAPER = parsePaperCsv([
  'workload,users,jpm_3.18-rc1,jpm_3.18-rc1-i_mmap_rwsem,pct_change',
  'alltests,100,17918.72,28417.97,58.59',
  'disk,1500,6139.81,6761.09,10.12',
  'disk,1600,4807.12,6725.33,39.90',
  'disk,1700,4669.50,5985.38,28.18',
].join('\n'));

test('aggregatePoints and buildTable: means, CIs, % change, paper columns (blank without a paper row) and errors', () => {
  const runs = [
    rec('alltests', 100, P, 1, 28000, 20), rec('alltests', 100, B, 0, 18000, 10), rec('alltests', 100, B, 1, 17000, 14), rec('alltests', 100, P, 0, 26000, 30),
    rec('alltests', 10, B, 0, 20000, 1), rec('alltests', 10, P, 0, 20200, 2),
    rec('disk', 1500, B, 0, 6000, null), rec('disk', 1500, P, 0, 6600, null),
  ];
  const points = aggregatePoints(runs, ['alltests', 'disk'], [B, P]);
  assert.deepEqual(points.map((p) => `${p.workload}/${p.users}/${p.kernel}`), [
    `alltests/10/${B}`, `alltests/10/${P}`, `alltests/100/${B}`, `alltests/100/${P}`, `disk/1500/${B}`, `disk/1500/${P}`,
  ]);
  const a100b = points[2]!;
  assert.equal(a100b.jpm, 17500);
  close(a100b.ci95, 12.706204736174705 * 1000 / Math.sqrt(2) / Math.sqrt(2), 1e-9); // s = 707.1, n = 2
  assert.deepEqual(a100b.jpmValues, [18000, 17000]);
  assert.equal(a100b.numa_pages_migrated, 12);
  assert.equal(points[0]!.ci95, null); // one replication
  const table = buildTable(points, [B, P], PAPER);
  assert.equal(table.length, 3);
  const [t10, t100, d1500] = table as [TableRow, TableRow, TableRow];
  assert.deepEqual(t10, {
    workload: 'alltests', users: 10, sim_jpm_base: 20000, sim_ci95_base: null, sim_jpm_patched: 20200, sim_ci95_patched: null, sim_pct_change: 1,
    pairs: 1, sim_pct_change_paired: 1, sim_pct_change_paired_ci95: null,
    paper_jpm_base: null, paper_jpm_patched: null, paper_pct_change: null, err_base_jpm_pct: null, err_pct_change_points: null,
  });
  assert.equal(t100.sim_jpm_patched, 27000);
  close(t100.sim_pct_change, (27000 / 17500 - 1) * 100);
  // per replication pair (rep 0: 18000 → 26000, rep 1: 17000 → 28000; the records came out of order)
  const pairPct = [(26000 / 18000 - 1) * 100, (28000 / 17000 - 1) * 100];
  assert.equal(t100.pairs, 2);
  close(t100.sim_pct_change_paired, (pairPct[0]! + pairPct[1]!) / 2);
  close(t100.sim_pct_change_paired_ci95, 12.706204736174705 * Math.abs(pairPct[0]! - pairPct[1]!) / 2, 1e-9);
  assert.equal(d1500.pairs, 1);
  assert.equal(d1500.sim_pct_change_paired_ci95, null);
  assert.equal(t100.paper_jpm_base, 17918.72);
  assert.equal(t100.paper_pct_change, 58.59);
  close(t100.err_base_jpm_pct, (17500 - 17918.72) / 17918.72 * 100);
  close(t100.err_pct_change_points, (27000 / 17500 - 1) * 100 - 58.59);
  close(d1500.sim_pct_change, 10);
  close(d1500.err_pct_change_points, 10 - 10.12);
  // NUMA: per kernel, the sum over points of each point's mean over replications
  const numa = buildNuma(points, [B, P], 67.5);
  assert.deepEqual(numa.totals, { [B]: 1 + 12, [P]: 2 + 25 });
  close(numa.pct_change, (27 / 13 - 1) * 100);
  assert.equal(numa.paper_pct_change, 67.5);
});

test('buildSites: per workload, kernel and site, the mean over replications summed over load points', () => {
  const runs = [
    rec('alltests', 100, B, 0, 1, 0, [ls('dup_mmap'), ls('rmap_walk_file', { acqRead: 4, acqWrite: 0 })]),
    rec('alltests', 100, B, 1, 1, 0, [ls('dup_mmap', { waitTotalNs: 3000 })]),
    rec('alltests', 200, B, 0, 1, 0, [ls('dup_mmap', { holdTotalNs: 500 }), { ...ls('x'), lockClass: 'mmap_sem' }]),
    rec('alltests', 100, P, 0, 1, 0, [ls('dup_mmap')]),
  ];
  const sites = buildSites(runs, ['alltests'], [B, P]);
  assert.deepEqual(sites.map((s) => `${s.kernel}/${s.site}`), [`${B}/dup_mmap`, `${B}/rmap_walk_file`, `${P}/dup_mmap`]);
  const d = sites[0]!;
  assert.equal(d.waitTotalNs, (1000 + 3000) / 2 + 1000);
  assert.equal(d.holdTotalNs, (2000 + 2000) / 2 + 500);
  assert.equal(d.acquisitions, 10 + 10);
  assert.equal(sites[1]!.acquisitions, 4 / 2); // used in one of two replications
  assert.equal(sites[1]!.spinNs, 300);
});

const srow = (workload: string, users: number, base: number | null, patched: number | null, paper?: [number, number, number]): TableRow => ({
  workload, users, sim_jpm_base: base, sim_ci95_base: null, sim_jpm_patched: patched, sim_ci95_patched: null, sim_pct_change: pctChange(base, patched),
  pairs: 0, sim_pct_change_paired: null, sim_pct_change_paired_ci95: null,
  paper_jpm_base: paper?.[0] ?? null, paper_jpm_patched: paper?.[1] ?? null, paper_pct_change: paper?.[2] ?? null,
  err_base_jpm_pct: pctError(base, paper?.[0]), err_pct_change_points: pointsError(pctChange(base, patched), paper?.[2]),
});

test('buildSummary: each check has the measured value, the paper\'s, the goal and pass / miss / n/a / reported', () => {
  const table = [
    srow('alltests', 50, 100, 102),
    srow('alltests', 100, 110, 160, [100, 160, 60]), // err +10 %, % change 45.45 → −14.55 pts
    srow('alltests', 200, 90, 144, [100, 160, 60]), //  err −10 %, % change 60 → 0 pts
    srow('disk', 50, 100, 105),
    srow('disk', 1500, 100, 110, [100, 110, 10]),
    srow('disk', 1600, 80, 100, [80, 100, 25]),
    srow('disk', 1700, 80, 96, [80, 96, 20]),
  ];
  const numa = { totals: { [B]: 10000, [P]: 16000 }, pct_change: 60, paper_pct_change: 67.5 };
  const goals = { ...DEFAULT_GOALS, minLoadPoints: 1 }; // every check judged on these few points (the size rules: the verdicts test)
  const s = buildSummary(table, numa, goals, [B, P], ['alltests', 'disk']);
  const by = (id: string, w: string | null) => s.checks.find((c) => c.id === id && c.workload === w)!;
  // baseline: every row within ±5 % (max), the mean reported without a goal
  assert.equal(by('baseline-jpm-max-err', 'alltests').measured, 10);
  assert.equal(by('baseline-jpm-max-err', 'alltests').goal, '<= 5 %');
  assert.equal(by('baseline-jpm-max-err', 'alltests').pass, false);
  assert.equal(by('baseline-jpm-max-err', 'disk').measured, 0);
  assert.equal(by('baseline-jpm-max-err', 'disk').pass, true);
  assert.equal(by('baseline-jpm-mape', 'alltests').measured, 10);
  assert.equal(by('baseline-jpm-mape', 'alltests').goal, 'reported');
  assert.equal(by('baseline-jpm-mape', 'alltests').pass, null);
  // % change: 5 points for alltests, 8 for disk
  close(by('pct-change-mae', 'alltests').measured, (14.545454545454545 + 0) / 2, 1e-9);
  assert.equal(by('pct-change-mae', 'alltests').goal, '<= 5 points');
  assert.equal(by('pct-change-mae', 'alltests').pass, false);
  assert.equal(by('pct-change-mae', 'disk').goal, '<= 8 points');
  assert.equal(by('pct-change-mae', 'disk').pass, true);
  close(by('disk-knee-drop', 'disk').measured, 20); // 100 → 80
  assert.equal(by('disk-knee-drop', 'disk').pass, true);
  close(by('disk-knee-drop', 'disk').paper, 20);
  close(by('disk-gap', 'disk').measured, 20); // min of 25 (1600) and 20 (1700)
  close(by('disk-gap', 'disk').paper, 20);
  assert.equal(by('disk-gap', 'disk').pass, true);
  close(by('low-users-pct-change', 'alltests').measured, 2);
  assert.equal(by('low-users-pct-change', 'alltests').pass, true);
  close(by('low-users-pct-change', 'disk').measured, 5);
  assert.equal(by('low-users-pct-change', 'disk').pass, false);
  assert.equal(by('numa-pages-migrated', null).pass, true); // |60 − 67.5| <= 15
  assert.equal(by('numa-pages-migrated', null).goal, '67.5 ± 15 points');
  assert.deepEqual([s.passed, s.missed, s.tooSmall, s.notMeasured, s.reported], [6, 3, 0, 0, 2]);
  // without the knee's points the check is not measurable
  const s2 = buildSummary(table.filter((r) => r.users !== 1700), { ...numa, pct_change: 40 }, goals, [B, P], ['alltests', 'disk']);
  assert.equal(s2.checks.find((c) => c.id === 'disk-knee-drop')!.pass, null);
  assert.equal(s2.checks.find((c) => c.id === 'disk-knee-drop')!.measured, null);
  assert.equal(s2.checks.find((c) => c.id === 'numa-pages-migrated')!.pass, false);
  assert.equal(s2.notMeasured, 1);
  // the text: a reported check has its goal "reported" and no result; the count line says so
  const text = formatReport({ title: 't', kernels: [B, P], replications: 1, table, numa, sites: [], extras: [], summary: s });
  assert.match(text, /\nbaseline-jpm-mape +alltests +10\.00 +reported\n/);
  assert.match(text, /\nbaseline-jpm-max-err +alltests +10\.00 +<= 5 % +miss\n/);
  assert.match(text, /\n6 passed, 3 missed, 0 too small to judge, 0 not measurable with these points, 2 reported \(no goal\)\n/);
  assert.doesNotMatch(text, /Window estimate vs full runs/);
});

test('buildSummary goals: baseline max per row, % change per workload, the disk gap at every point (pass and miss)', () => {
  const numa = { totals: {}, pct_change: null, paper_pct_change: 67.5 };
  const check = (table: TableRow[], goals: Partial<typeof DEFAULT_GOALS>, id: string, w: string) =>
    buildSummary(table, numa, { ...DEFAULT_GOALS, minLoadPoints: 1, ...goals }, [B, P], ['alltests', 'disk']).checks.find((c) => c.id === id && c.workload === w)!;
  // baseline errors −2, +1, +6 %: mean 3 within 5, one row beyond 5 → max 6 misses
  const base = [srow('alltests', 100, 98, 150, [100, 150, 50]), srow('alltests', 200, 101, 150, [100, 150, 50]), srow('alltests', 300, 106, 150, [100, 150, 50])];
  close(check(base, {}, 'baseline-jpm-max-err', 'alltests').measured, 6, 1e-9);
  assert.equal(check(base, {}, 'baseline-jpm-max-err', 'alltests').pass, false);
  close(check(base, { baselineMapePct: 5 }, 'baseline-jpm-mape', 'alltests').measured, 3, 1e-9);
  assert.equal(check(base, { baselineMapePct: 5 }, 'baseline-jpm-mape', 'alltests').pass, true);
  assert.equal(check(base, { baselineMapePct: 5 }, 'baseline-jpm-mape', 'alltests').goal, '<= 5 %');
  assert.equal(check(base.slice(0, 2), {}, 'baseline-jpm-max-err', 'alltests').pass, true); // max 2
  assert.equal(check(base, { baselineMaxErrPct: 6.5 }, 'baseline-jpm-max-err', 'alltests').pass, true);
  // % change off by 6 points in both workfiles: alltests (goal 5) misses, disk (goal 8) passes; one number for both
  const pct = [srow('alltests', 100, 100, 156, [100, 150, 50]), srow('disk', 100, 100, 116, [100, 110, 10])];
  close(check(pct, {}, 'pct-change-mae', 'alltests').measured, 6, 1e-9);
  assert.equal(check(pct, {}, 'pct-change-mae', 'alltests').pass, false);
  close(check(pct, {}, 'pct-change-mae', 'disk').measured, 6, 1e-9);
  assert.equal(check(pct, {}, 'pct-change-mae', 'disk').pass, true);
  assert.equal(check(pct, { pctChangeMaePoints: 6.5 }, 'pct-change-mae', 'alltests').pass, true);
  assert.equal(check(pct, { pctChangeMaePoints: 6.5 }, 'pct-change-mae', 'disk').goal, '<= 6.5 points');
  assert.equal(check(pct, { pctChangeMaePoints: { disk: 5 } }, 'pct-change-mae', 'disk').pass, false);
  const noGoal = check(pct, { pctChangeMaePoints: { disk: 5 } }, 'pct-change-mae', 'alltests'); // no goal for alltests: reported
  assert.deepEqual([noGoal.goal, noGoal.pass], ['reported', null]);
  // the gap: +40, +10, +40 points at 1600, 1700, 1800 (mean 30): the minimum, 10, misses 15
  const gap = [srow('disk', 1500, 100, 110), srow('disk', 1600, 100, 140), srow('disk', 1700, 100, 110), srow('disk', 1800, 100, 140), srow('disk', 2100, 100, 100)];
  close(check(gap, {}, 'disk-gap', 'disk').measured, 10, 1e-9);
  assert.equal(check(gap, {}, 'disk-gap', 'disk').pass, false);
  assert.equal(check(gap, {}, 'disk-gap', 'disk').goal, '>= 15 points at every point');
  assert.match(check(gap, {}, 'disk-gap', 'disk').description, /\(3 points\)/);
  const gapOk = gap.map((r) => (r.users === 1700 ? srow('disk', 1700, 100, 115) : r));
  close(check(gapOk, {}, 'disk-gap', 'disk').measured, 15, 1e-9);
  assert.equal(check(gapOk, {}, 'disk-gap', 'disk').pass, true);
  // a point in the range without a value: not measurable (its gap is unknown)
  const gapHole = gap.map((r) => (r.users === 1700 ? srow('disk', 1700, 100, null) : r));
  assert.equal(check(gapHole, {}, 'disk-gap', 'disk').measured, null);
  assert.equal(check(gapHole, {}, 'disk-gap', 'disk').pass, null);
  // no point in the range: not measurable
  assert.equal(check(gap.filter((r) => r.users < 1600), {}, 'disk-gap', 'disk').pass, null);
});

test('buildValidation: jpm by full runs and by the window, error %, % change by each and the difference match hand-computed values', () => {
  const ps = (workload: string, users: number, kernel: string, jpms: (number | null)[]): PointStat => {
    const n = jpms.filter((x) => x !== null).length;
    return { workload, users, kernel, n, jpm: mean(jpms), ci95: ci95(jpms), jpmValues: jpms, reps: jpms.map((_, i) => i), numa_pages_migrated: null, makespan_s: null, time: {} };
  };
  const full = [ps('alltests', 100, B, [1000, 1200]), ps('alltests', 100, P, [1500]), ps('disk', 200, B, [400]), ps('disk', 200, P, [500])];
  const win = [ps('disk', 200, P, [480]), ps('alltests', 100, B, [1050, 1150]), ps('alltests', 100, P, [1650]), ps('disk', 200, B, [null])];
  const v = buildValidation(full, win, [B, P], 2);
  assert.equal(v.replications, 2);
  assert.deepEqual(v.rows.map((r) => [r.workload, r.users, r.kernel, r.n_full, r.n_window, r.jpm_full, r.jpm_window]), [
    ['alltests', 100, B, 2, 2, 1100, 1100], ['alltests', 100, P, 1, 1, 1500, 1650], ['disk', 200, B, 1, 0, 400, null], ['disk', 200, P, 1, 1, 500, 480],
  ]);
  assert.deepEqual(v.rows.map((r) => r.err_pct), [0, 10, null, -4]); // (window − full) / full × 100
  // % change: alltests full 1100 → 1500 = +36.36, window 1100 → 1650 = +50 → +13.64 points; disk window has no baseline
  close(v.changes[0]!.pct_change_full, 400 / 11, 1e-12);
  close(v.changes[0]!.pct_change_window, 50, 1e-12);
  close(v.changes[0]!.diff_points, 50 - 400 / 11, 1e-12);
  assert.deepEqual([v.changes[1]!.workload, v.changes[1]!.users, v.changes[1]!.pct_change_full, v.changes[1]!.pct_change_window, v.changes[1]!.diff_points], ['disk', 200, 25, null, null]);
  close(v.mean_abs_err_pct, (0 + 10 + 4) / 3, 1e-12);
  close(v.mean_abs_diff_points, 50 - 400 / 11, 1e-12);
  // the CSV rows repeat the % change columns on both kernels' lines
  const csv = validationCsvRows(v);
  assert.deepEqual(Object.keys(csv[0]!), [...VALIDATION_COLUMNS]);
  assert.equal(csv[1]!.pct_change_window, 50);
  assert.equal(csv[3]!.pct_change_full, 25);
  // in the summary: two checks reported without a goal
  const s = buildSummary([], { totals: {}, pct_change: null, paper_pct_change: 67.5 }, DEFAULT_GOALS, [B, P], ['alltests'], v);
  const w1 = s.checks.find((c) => c.id === 'window-jpm-err')!, w2 = s.checks.find((c) => c.id === 'window-pct-change-diff')!;
  close(w1.measured, 14 / 3, 1e-12);
  close(w2.measured, 50 - 400 / 11, 1e-12);
  assert.deepEqual([w1.goal, w1.pass, w2.goal, w2.pass], ['reported', null, 'reported', null]);
  assert.equal(s.reported, 3); // with the baseline mean
  // in the text
  const text = formatReport({ title: 't', kernels: [B, P], replications: 1, table: [], numa: { totals: {}, pct_change: null, paper_pct_change: 67.5 }, sites: [], extras: [], validation: v, summary: s });
  assert.match(text, /\nWindow estimate vs full runs \(validation of the shortcut; mean over 2 replications, each window run on its full run's seed\)\nworkload +users +kernel +jpm full +jpm window +error %\n/);
  assert.match(text, /\nalltests +100 +3\.18-rc1-i_mmap_rwsem +1500 +1650 +\+10\.00\n/);
  assert.match(text, /\ndisk +200 +3\.18-rc1 +400 +n\/a +n\/a\n/);
  assert.match(text, /\nworkload +users +% change full +% change window +difference pts\nalltests +100 +\+36\.36 +\+50\.00 +\+13\.64\ndisk +200 +\+25\.00 +n\/a +n\/a\n/);
  assert.match(text, /\nmean \|error\| of jpm: 4\.67 %; mean \|difference\| of % change: 13\.64 points\n/);
  assert.match(text, /\nwindow-jpm-err +all +4\.67 +reported\n/);
});

test('CLI flag parsing: --users lists and ranges, --kernels keeps patch lists together', () => {
  assert.deepEqual(parseUsers('100,200'), [100, 200]);
  assert.deepEqual(parseUsers('10, 100-300:100'), [10, 100, 200, 300]);
  for (const bad of ['', 'abc', '0', '100,', '300-100:10', '1-10:0']) assert.throws(() => parseUsers(bad), /--users must be a comma-separated list of positive integers or from-to:step ranges/, bad);
  assert.deepEqual(parseKernels('3.18-rc1,3.18-rc1-i_mmap_rwsem'), [B, P]);
  assert.deepEqual(parseKernels('3.18-rc1,patches:1-7,9,11'), [B, 'patches:1-7,9,11']);
  assert.deepEqual(parseKernels('3.18-rc1-i_mmap_rwsem-merged+11,3.18-rc1'), ['3.18-rc1-i_mmap_rwsem-merged+11', B]);
});

test('mmlock reproduce: bad flags exit 2 with a message naming the flag and what is allowed; nothing is written', async () => {
  const dir = tmp();
  const preset = join(dir, 'stub.json');
  writeFileSync(preset, JSON.stringify(stubPreset()));
  const out = join(dir, 'out');
  const base = ['reproduce', '--module', STUB_MODULE, '--preset', preset, '--out', out, '--quiet'];
  const cases: [string[], RegExp][] = [
    [['--users', 'lots'], /^mmlock reproduce: --users must be a comma-separated list of positive integers or from-to:step ranges \(e\.g\. 10,25,100-2000:100\), got "lots"\n$/],
    [['--users', '5000'], /^mmlock reproduce: --users: must be an integer from 1 to 4000, got 5000\n$/],
    [['--workloads', 'alltests,dsk'], /^mmlock reproduce: --workloads: must be one of alltests, disk, got "dsk"\n$/],
    [['--kernels', '3.18-rc1'], /^mmlock reproduce: --kernels must name two kernels, baseline,patched .*got 1/],
    [['--kernels', '3.18-rc1,3.19'], /^mmlock reproduce: --kernels: unknown kernel "3\.19"; allowed: 3\.18-rc1, /],
    [['--reps', '0'], /^mmlock reproduce: --reps must be an integer from 1 to 1000, got "0"\n$/],
    [['--workers', 'many'], /^mmlock reproduce: --workers must be an integer from 0 to 1024, got "many"\n$/],
    [['--model', 'aim8'], /^mmlock reproduce: --model: unknown workload "aim8" .*; allowed: .*aim7-stub/],
    [['--machine', 'vax'], /^mmlock reproduce: --machine: unknown machine preset "vax"; allowed: ivybridge-ex-2s, /],
    [['--quick'], /^mmlock reproduce: --quick: cannot be combined with --preset; allowed: --quick, or --preset <file>\n$/],
    [['--frobnicate'], /^mmlock reproduce: .*'--frobnicate'.*Allowed options: --quick, --preset, --users, --workloads, --kernels, --reps, --seed, /],
  ];
  for (const [extra, re] of cases) {
    const r = await runMain([...base, ...extra]);
    assert.equal(r.code, 2, extra.join(' '));
    assert.equal(r.out, '', extra.join(' '));
    assert.match(r.err, re, extra.join(' '));
  }
  const missing = await runMain(['reproduce', '--preset', join(dir, 'nope.json'), '--out', out]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^mmlock reproduce: --preset: cannot read ".*nope\.json": ENOENT\n$/);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(stubPreset({ users: [10, 10] })));
  const dup = await runMain(['reproduce', '--module', STUB_MODULE, '--preset', join(dir, 'bad.json'), '--out', out]);
  assert.equal(dup.code, 2);
  assert.match(dup.err, /^mmlock reproduce: .*bad\.json: sweeps\[0\]\.spec\.axes\.users\[1\]: duplicate of value 0, got 10; allowed: distinct values\n$/);
  const dupFlag = await runMain([...base, '--users', '10,10']);
  assert.equal(dupFlag.code, 2);
  assert.match(dupFlag.err, /^mmlock reproduce: --users: lists 10 users twice; allowed: distinct user counts\n$/);
  assert.deepEqual(files(dir).filter((f) => f === 'out'), []);
});

test('buildTime: where the time goes at the lowest, highest and 1000-user points, CPU shares from the time counters, in the report', () => {
  const time = (spinImmap: number) => ({
    cpu_busy_share: 0.6, cpu_spin_share: 0.2, cpu_idle_share: 0.2,
    task_cpu_s: 100, task_user_s: 50, task_kernel_s: 30, task_spin_s: 20, task_spin_i_mmap_s: spinImmap * 0.8, 'task_spin_i_mmap.wait_lock_s': spinImmap * 0.2, task_spin_mmap_sem_s: 20 - spinImmap,
    task_sleep_s: 40, task_sleep_i_mmap_s: 10, task_sleep_page_lock_s: 5, task_sleep_other_s: 25, sleep_page_locked_s: 3,
  });
  const runs: RunRecord[] = [];
  for (const u of [100, 500, 1000, 2000]) for (const k of [B, P]) for (const rep of [0, 1]) runs.push({ ...rec('alltests', u, k, rep, 1000, 0), time: time(k === B ? 15 : 0) as Record<string, number> });
  runs.push(rec('disk', 100, B, 0, 1000, 0)); // no time counters: left out
  const rows = buildTime(aggregatePoints(runs, ['alltests', 'disk'], [B, P]));
  assert.deepEqual(rows.map((r) => `${r.workload}/${r.users}/${r.kernel}`), [100, 1000, 2000].flatMap((u) => [`alltests/${u}/${B}`, `alltests/${u}/${P}`]));
  const b = rows[0]!;
  // 80% of the CPUs' time on a CPU, split 50/30/15/5 of the tasks' 100 s
  assert.equal(b.user_pct, 40);
  assert.equal(b.kernel_pct, 24);
  assert.equal(b.spin_immap_pct, 12);
  assert.equal(b.spin_other_pct, 4);
  assert.ok(Math.abs(b.user_pct + b.kernel_pct + b.spin_immap_pct + b.spin_other_pct + b.idle_pct - 100) < 1e-9);
  assert.deepEqual([b.sleep_immap_s, b.sleep_other_locks_s, b.sleep_page_locked_s, b.sleep_other_s], [10, 5, 3, 22]);
  assert.equal(rows[1]!.spin_immap_pct, 0);
  const points = aggregatePoints(runs, ['alltests'], [B, P]);
  const text = formatReport({ title: 't', kernels: [B, P], replications: 2, table: [], numa: buildNuma(points, [B, P], 67.5), sites: [], time: rows, extras: [], summary: buildSummary([], buildNuma(points, [B, P], 67.5), DEFAULT_GOALS, [B, P], ['alltests']) });
  assert.match(text, /Where the time goes/);
  assert.match(text, /spin i_mmap %/);
});

/** A table row whose simulated % change is `pct` (paired, ± `ci`), the paper's `paperPct`, baseline jpm on the paper's. */
const vrow = (workload: string, users: number, pct: number, ci: number | null, paperPct: number | null): TableRow => {
  const r = srow(workload, users, 1000, 1000 * (1 + pct / 100), paperPct === null ? undefined : [1000, 1000 * (1 + paperPct / 100), paperPct]);
  return { ...r, pairs: 2, sim_pct_change_paired: pct, sim_pct_change_paired_ci95: ci };
};

test('verdicts: one plain line per workload and NUMA; a run too small to judge says so instead of passing', () => {
  const numaOf = (a: number, b: number) => ({ totals: { [B]: a, [P]: b }, pct_change: pctChange(a, b), paper_pct_change: 67.5 });
  const line = (s: ReturnType<typeof buildSummary>, subject: string) => s.verdicts.find((v) => v.subject === subject)!;
  // the quick preset's shape: one paper point per workfile, a 25-user point, wide CIs, no migrations, a coarse window
  const quick = [vrow('alltests', 25, 0.36, 4.62, null), vrow('alltests', 100, 0.41, 14.79, 58.59), vrow('disk', 25, 0.04, 3.57, null), vrow('disk', 100, -0.82, 1.67, -4.28)];
  const validation = { replications: 1, rows: [], changes: [{ workload: 'alltests', users: 100, pct_change_full: -5.38, pct_change_window: 2.05, diff_points: 7.43 }], mean_abs_err_pct: 12.88, mean_abs_diff_points: 7.43 };
  const q = buildSummary(quick, numaOf(0, 0), DEFAULT_GOALS, [B, P], ['alltests', 'disk'], validation);
  const by = (s: ReturnType<typeof buildSummary>, id: string, w: string | null) => s.checks.find((c) => c.id === id && c.workload === w)!;
  // disk's % change is within its 8 points of the paper, but one point cannot show it: no pass
  assert.equal(by(q, 'pct-change-mae', 'disk').pass, null);
  assert.equal(by(q, 'pct-change-mae', 'disk').tooSmall, '1 load point, fewer than 3');
  // alltests misses by 58 points, far beyond its uncertainty, but one point is still one point
  assert.equal(by(q, 'pct-change-mae', 'alltests').tooSmall, '1 load point, fewer than 3');
  // 0.36 % within 3 %, but ± 4.6 reaches past 3
  assert.equal(by(q, 'low-users-pct-change', 'alltests').tooSmall, '1 load point, fewer than 3; its uncertainty (95% CI up to ± 4.6) is too wide to tell whether it is within the goal\'s 3 %');
  assert.equal(by(q, 'numa-pages-migrated', null).tooSmall, `no page migrated on ${B} or ${P}`);
  assert.equal(by(q, 'numa-pages-migrated', null).pass, null);
  assert.deepEqual([q.passed, q.missed, q.tooSmall], [0, 0, 7]); // baseline max, % change, low users (× 2 workfiles), NUMA; the baseline mean has no goal
  assert.deepEqual(q.verdicts.map((v) => v.result), ['too small to judge', 'too small to judge', 'too small to judge']);
  assert.equal(line(q, 'alltests').line, 'alltests: predicted +0.4 % ± 14.8 (patched vs baseline, 95% CI; at 100 users), the paper measured +58.6 %: too small to judge (1 load point, fewer than 3; the paper\'s value is outside the prediction\'s CI)');
  assert.equal(line(q, 'disk').line, 'disk: predicted −0.8 % ± 1.7 (patched vs baseline, 95% CI; at 100 users), the paper measured −4.3 %: too small to judge (1 load point, fewer than 3; the paper\'s value is outside the prediction\'s CI)');
  assert.equal(line(q, 'NUMA pages migrated').line, `NUMA pages migrated: predicted n/a (patched vs baseline, summed over every load point), the paper measured +67.5 %: too small to judge (no page migrated on ${B} or ${P})`);
  // a handful of pages: counting noise wider than ± 15 points
  const few = buildSummary(quick, numaOf(10, 17), DEFAULT_GOALS, [B, P], ['alltests', 'disk']);
  assert.match(line(few, 'NUMA pages migrated').line, /^NUMA pages migrated: predicted \+70\.0 % ± \d+\.\d \(patched vs baseline, summed over every load point; 95% CI from counting noise\), .*: too small to judge \(its uncertainty \(10 and 17 pages, counting noise ± \d+\.\d\) is too wide to tell whether it is within the goal's 15 points of the paper\)$/);
  assert.equal(by(few, 'numa-pages-migrated', null).pass, null);

  // a full-sized run: three paper points each, tight CIs → judged; alltests off by ~58 points, disk within 8
  const full = [
    vrow('alltests', 100, 3, 2, 58.59), vrow('alltests', 200, 3, 2, 62.18), vrow('alltests', 300, 3, 2, 62),
    vrow('disk', 100, -1, 1, -4.28), vrow('disk', 200, 0, 1, 2.11), vrow('disk', 300, 1, 1, 7.28),
  ];
  const f = buildSummary(full, numaOf(10000, 16700), DEFAULT_GOALS, [B, P], ['alltests', 'disk']);
  assert.equal(f.tooSmall, 0);
  assert.equal(line(f, 'alltests').result, 'not reproduced');
  assert.match(line(f, 'alltests').line, /^alltests: predicted \+3\.0 % ± 1\.2 \(patched vs baseline, 95% CI; mean over 3 load points, 100-300 users\), the paper measured \+60\.9 %: not reproduced \(mean \|error\| 57\.9 points, goal <= 5\)$/);
  assert.equal(line(f, 'disk').result, 'reproduced');
  assert.equal(line(f, 'NUMA pages migrated').result, 'reproduced');
  assert.match(line(f, 'NUMA pages migrated').line, /predicted \+67\.0 % ± 4\.1 \(patched vs baseline, summed over every load point; 95% CI from counting noise\), the paper measured \+67\.5 %: reproduced \(10000 → 16700 pages; goal within ± 15 points\)$/);
  assert.equal(line(buildSummary(full, numaOf(10000, 12000), DEFAULT_GOALS, [B, P], ['alltests', 'disk']), 'NUMA pages migrated').result, 'not reproduced');
  // disk is 3.89 points off on average (goal 8): with CIs of ± 10 per point, √(3 × 10²) / 3 = ± 5.8 reaches past 8
  const wide = full.map((r) => (r.workload === 'disk' ? { ...r, sim_pct_change_paired_ci95: 10 } : r));
  const ws = buildSummary(wide, numaOf(10000, 16700), DEFAULT_GOALS, [B, P], ['alltests', 'disk']);
  assert.match(line(ws, 'disk').line, /: too small to judge \(its uncertainty \(95% CI ± 5\.8\) is too wide to tell whether it is within the goal's 8 points\)$/);
  // while a miss far beyond its uncertainty stands: alltests 57.9 points off with the same CIs
  assert.equal(line(buildSummary(full.map((r) => ({ ...r, sim_pct_change_paired_ci95: 10 })), numaOf(10000, 16700), DEFAULT_GOALS, [B, P], ['alltests', 'disk']), 'alltests').result, 'not reproduced');
  // a window estimate 6 points off full runs (validation) is an uncertainty too
  const off = { replications: 1, rows: [], changes: [{ workload: 'disk', users: 100, pct_change_full: 0, pct_change_window: 6, diff_points: 6 }], mean_abs_err_pct: 1, mean_abs_diff_points: 6 };
  assert.match(line(buildSummary(full, numaOf(10000, 16700), DEFAULT_GOALS, [B, P], ['alltests', 'disk'], off), 'disk').line, /too small to judge \(its uncertainty \(95% CI ± 0\.6; the window estimate off full runs by 6\.0 points\) is too wide/);
  // the preset's minLoadPoints decides how few is too few
  assert.equal(line(buildSummary(quick, numaOf(0, 0), { ...DEFAULT_GOALS, minLoadPoints: 1 }, [B, P], ['alltests', 'disk']), 'disk').result, 'reproduced');

  // the text: 'too small' in the result column, the count, then the verdict lines last; jpm as integers
  const text = formatReport({ title: 't', kernels: [B, P], replications: 2, table: quick, numa: numaOf(0, 0), sites: [], extras: [], validation, summary: q });
  assert.match(text, /\npct-change-mae +disk +3\.46 +<= 8 points +too small\n/);
  assert.match(text, /\n0 passed, 0 missed, 7 too small to judge, 2 not measurable with these points, 4 reported \(no goal\)\n/);
  assert.ok(text.endsWith(`\nVerdict (${P} vs ${B})\n${q.verdicts.map((v) => v.line).join('\n')}`), text.slice(-800));
  assert.match(text, /\nalltests +100 +1000 ± n\/a +1004 ± n\/a +\+0\.41 +\+0\.41 ± 14\.79 +1000 +1586 +\+58\.59 /);
});

test('countPctChangeCi95 and meanCi95 match hand-computed values', () => {
  close(countPctChangeCi95(100, 100), 1.959964 * 100 * Math.sqrt(0.02), 1e-12);
  assert.equal(countPctChangeCi95(0, 5), null);
  assert.equal(countPctChangeCi95(null, 5), null);
  close(meanCi95([3, 4]), 2.5, 1e-12);
  assert.equal(meanCi95([3, null]), null);
  assert.equal(meanCi95([3, undefined as unknown as number]), null); // a table from before the paired columns
  assert.equal(meanCi95([]), null);
});
