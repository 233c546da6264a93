#!/usr/bin/env node
// Issue 12, "where the missing time sits": the other end of the calibration band.
//
// The aim7 model's default calibration puts the time the model does not have (about 96% of
// the paper's baseline time per task, docs/fidelity/candidates.md) into user-mode compute
// (`userUnitMs`). This script puts it into the kernel instead: compute tests at their CPU
// time measured here (`cpuCosts: measured`, × `cpuSpeedFactor` 1.5), the xfs log at its
// estimated cost (`ioScale` 1), and ONE parameter fitted — `kernelCostScale`, the factor on
// every mm kernel cost (fork, exec, exit, faults, walks, and so every hold of i_mmap) — to
// the paper's 3.18-rc1 (baseline) column only. The patched kernel is then run at the fitted
// value, paired seeds: a prediction, not a fit.
//
//   npm run build
//   nice -n 10 node scripts/kernel-bound.js fit      [--users 100,300] [--workers 2] [--out results/kernel-bound]
//   nice -n 10 node scripts/kernel-bound.js predict  [--users 100,300] [--reps 2] [--workers 2] [--out results/kernel-bound]
//   node scripts/kernel-bound.js table               [--results data/results/aim7-kernel-bound]
//
// fit: a one-dimensional root search of the mean log error of jpm over the load points
// (as src/experiment/calibrate.ts: a multiplicative step, secant in log space with the
// elasticity of the last two evaluations, −1 before; values rounded to 3 significant digits),
// starting at 30 (a measured upper bound of this VM's kernel paths over the model's is 2.5–7;
// the start is above it on purpose: 1–7 leave the model several times too fast). Writes
// data/calibration/aim7-kernel-bound.json. Every evaluation is a sweep journaled under --out,
// so an interrupted fit resumes.
// predict: both kernels at the fitted value, `pairSeeds: ["kernel"]`, into --out/predict;
// copies the tables to data/results/aim7-kernel-bound/ and prints the table.
'use strict';
const { join } = require('node:path');
const { mkdirSync, readFileSync, writeFileSync, renameSync, cpSync, existsSync } = require('node:fs');
const { parseArgs } = require('node:util');

const root = join(__dirname, '..');
const dist = join(root, 'dist', 'src');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    users: { type: 'string', default: '100,300' },
    reps: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    out: { type: 'string', default: join('results', 'kernel-bound') },
    results: { type: 'string', default: join(root, 'data', 'results', 'aim7-kernel-bound') },
    iterations: { type: 'string', default: '5' },
  },
});
const mode = positionals[0];
const MODES = ['fit', 'predict', 'table'];
if (!MODES.includes(mode)) {
  console.error(`kernel-bound: the first argument must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  process.exit(2);
}
const users = values.users.split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) { console.error(`kernel-bound: --users must be a comma-separated list of positive integers, got ${JSON.stringify(values.users)}`); process.exit(2); }
  return n;
});
const CAL_FILE = join(root, 'data', 'calibration', 'aim7-kernel-bound.json');
const FIXED = { workfile: 'alltests', cpuCosts: 'measured', cpuSpeedFactor: 1.5, ioScale: 1, estimate: 'window' };
const BASE = '3.18-rc1', RWSEM = '3.18-rc1-i_mmap_rwsem';
const SEED = 2014;
const round3 = (x) => Number(x.toPrecision(3));

// the baseline column, read as `npm run calibrate` reads it (src/experiment/calibrate.ts)
function paperRows() {
  const { readBaseline } = require(join(dist, 'experiment', 'calibrate'));
  const all = readBaseline();
  return new Map([...all].filter(([k]) => k.startsWith('alltests:')).map(([k, j]) => [Number(k.split(':')[1]), j]));
}

async function evaluate(k) {
  const { runSweep } = require(join(dist, 'experiment'));
  require(join(dist, 'workloads'));
  const spec = {
    name: `kernel-bound-fit-k${k}`,
    base: { machine: 'ivybridge-ex-4s', workload: 'aim7-whatif', kernel: BASE, params: { ...FIXED, kernelCostScale: k } },
    axes: { users },
    replications: 1,
    seed: SEED,
  };
  const r = await runSweep(spec, { out: join(values.out, `fit-k${k}`), workers: Number(values.workers) });
  const paper = paperRows();
  const rows = r.rows.map((row) => ({ users: Number(row.users), sim_jpm: Number(row.jpm), paper_jpm: paper.get(Number(row.users)) }))
    .sort((a, b) => a.users - b.users);
  for (const x of rows) { if (!x.paper_jpm) throw new Error(`no baseline row at ${x.users} users`); x.error_pct = (x.sim_jpm / x.paper_jpm - 1) * 100; }
  const e = rows.reduce((s, x) => s + Math.log(x.sim_jpm / x.paper_jpm), 0) / rows.length;
  return { e, rows };
}

async function fit() {
  const hist = [];
  let k = 30, last;
  for (let i = 0; i < Number(values.iterations); i++) {
    last = await evaluate(k);
    hist.push({ k, e: last.e, rows: last.rows });
    console.log(`kernelCostScale ${k}: mean log error ${last.e.toFixed(4)} (${last.rows.map((r) => `${r.users}: ${Math.round(r.sim_jpm)} vs ${r.paper_jpm}`).join(', ')})`);
    if (Math.abs(last.e) < 0.02) break;
    let el = -1;
    if (hist.length >= 2) {
      const a = hist[hist.length - 2], b = hist[hist.length - 1];
      const dx = Math.log(b.k) - Math.log(a.k);
      if (Math.abs(dx) > 1e-9) el = Math.min(-0.05, Math.max(-3, (b.e - a.e) / dx));
    }
    const next = round3(Math.min(100, Math.max(0.1, k * Math.exp(-last.e / el))));
    if (next === k) break;
    k = next;
  }
  const best = hist.reduce((a, b) => (Math.abs(b.e) < Math.abs(a.e) ? b : a));
  const doc = {
    note: 'written by scripts/kernel-bound.js fit; fitted to the 3.18-rc1 (baseline) alltests column only. Not the model default: the other end of the calibration band (docs/fidelity/candidates.md, "Where the missing time sits")',
    target: 'data/paper/baseline-3.18-rc1.csv',
    fixed: FIXED,
    fitted: { kernelCostScale: 'factor on every mm kernel cost of src/mm/model/costs.ts (aim7-whatif kernelCostScale), with the compute tests at their measured CPU time' },
    params: { kernelCostScale: best.k },
    residuals: { mean_log_error: best.e, rows: best.rows },
    evaluations: hist.map((h) => ({ kernelCostScale: h.k, meanLogError: h.e })),
    settings: { users, seed: SEED, machine: 'ivybridge-ex-4s' },
  };
  const tmp = `${CAL_FILE}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, CAL_FILE);
  console.log(`fitted kernelCostScale ${best.k} → ${CAL_FILE}`);
}

async function predict() {
  if (!existsSync(CAL_FILE)) throw new Error(`${CAL_FILE} does not exist: run \`node scripts/kernel-bound.js fit\` first`);
  const k = JSON.parse(readFileSync(CAL_FILE, 'utf8')).params.kernelCostScale;
  const { runSweep } = require(join(dist, 'experiment'));
  require(join(dist, 'workloads'));
  const spec = {
    name: 'aim7-kernel-bound',
    description: `alltests with the missing time in the kernel: compute at its measured cost, ioScale 1, kernelCostScale ${k} fitted to the baseline column (scripts/kernel-bound.js)`,
    base: { machine: 'ivybridge-ex-4s', workload: 'aim7-whatif', params: { ...FIXED, kernelCostScale: k } },
    axes: { users, kernel: [BASE, RWSEM] },
    replications: Number(values.reps),
    seed: SEED,
    pairSeeds: ['kernel'],
  };
  const dir = join(values.out, 'predict');
  await runSweep(spec, { out: dir, workers: Number(values.workers) });
  mkdirSync(values.results, { recursive: true });
  for (const f of ['runs.csv', 'lockstat.csv', 'spec.json', 'provenance.json']) if (existsSync(join(dir, f))) cpSync(join(dir, f), join(values.results, f));
  table();
}

function csv(file) {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

function table() {
  const runs = csv(join(values.results, 'runs.csv'));
  const paper = new Map(csv(join(root, 'data', 'paper', 'aim7-3.18-rc1.csv')).filter((r) => r.workload === 'alltests').map((r) => [Number(r.users), r]));
  const f = (x, d = 0) => Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const pairs = new Map();
  for (const r of runs) {
    const key = `${r.users}|${r.rep}`;
    if (!pairs.has(key)) pairs.set(key, {});
    pairs.get(key)[r.kernel] = r;
  }
  const k = existsSync(CAL_FILE) ? JSON.parse(readFileSync(CAL_FILE, 'utf8')).params.kernelCostScale : '?';
  console.log(`alltests, missing time in the kernel (kernelCostScale ${k}, compute measured × 1.5, ioScale 1), paired seeds`);
  console.log('| users | rep | jpm 3.18-rc1 | paper 3.18-rc1 | jpm rwsem | % change | paper % | CPUs working / spinning (base) | (rwsem) | i_mmap spin / sleep task-s (base) | (rwsem) | NUMA migrated base → rwsem |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|');
  for (const [, p] of [...pairs].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))) {
    const b = p[BASE], r = p[RWSEM];
    if (!b || !r) continue;
    const pp = paper.get(Number(b.users));
    const occ = (x) => `${f(Number(x.cpu_busy_share) * 100, 1)}% / ${f(Number(x.cpu_spin_share) * 100, 1)}%`;
    const im = (x) => `${f(x.task_spin_i_mmap_s ?? 0)} / ${f(x.task_sleep_i_mmap_s ?? 0)}`;
    console.log(`| ${b.users} | ${b.rep} | ${f(b.jpm)} | ${pp ? f(pp['jpm_3.18-rc1']) : '–'} | ${f(r.jpm)} | ${f((Number(r.jpm) / Number(b.jpm) - 1) * 100, 1)}% | ${pp ? f(pp.pct_change, 1) + '%' : '–'} | ${occ(b)} | ${occ(r)} | ${im(b)} | ${im(r)} | ${f(b.numa_pages_migrated)} → ${f(r.numa_pages_migrated)} |`);
  }
}

(async () => {
  if (mode === 'fit') await fit();
  else if (mode === 'predict') await predict();
  else table();
})().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
