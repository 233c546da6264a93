#!/usr/bin/env node
// Measures what paired seeds (a sweep's pairSeeds) do to the 95% CI of the % change between
// two kernels, with the same number of runs: data/sweeps/aim7-paired-kernels.json (both
// kernels, pairSeeds ["kernel"]) and its unpaired twin (the same spec without pairSeeds,
// whose runs of the patched kernel get seeds of their own). Per user count and replication
// r, the paired estimate uses (baseline r, patched r) of the paired sweep, on one seed; the
// unpaired estimate uses (baseline r of the paired sweep, patched r of the unpaired sweep),
// on independent seeds: 3 runs per replication in all, 2 per estimate. Each user count is
// its own pair of sweeps under --out (resumable: a rerun skips finished runs).
//
//   npm run build && nice -n 10 node scripts/paired-variance.js [--users 100,500] [--reps 4] [--workers 2] [--out results/paired-variance] [--json]
//
// Prints, per user count: the mean % change and the CI half-width (Student t over the
// per-replication % changes) paired and unpaired, the unpaired two-sample half-width
// (delta method, Welch's degrees of freedom) for reference, and the ratio of half-widths.
'use strict';
const { join } = require('node:path');
const { writeFileSync, mkdirSync } = require('node:fs');
const { parseArgs } = require('node:util');

const dist = join(__dirname, '..', 'dist', 'src');
const { runSweep, loadSweepSpec, pairedChange, ci95, mean, sampleSd, studentTQuantile } = require(join(dist, 'experiment'));
require(join(dist, 'workloads'));

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    reps: { type: 'string' },
    workers: { type: 'string', default: '2' },
    out: { type: 'string', default: join('results', 'paired-variance') },
    spec: { type: 'string', default: join(__dirname, '..', 'data', 'sweeps', 'aim7-paired-kernels.json') },
    json: { type: 'boolean', default: false },
  },
});

const base = loadSweepSpec(values.spec);
const kernels = base.axes.kernel;
const [kb, kp] = kernels;
const users = values.users ? values.users.split(',').map(Number) : base.axes.users;
const reps = values.reps ? Number(values.reps) : base.replications;
const workers = Number(values.workers);

/** Two-sample 95% half-width of 100 (p̄ / b̄ − 1) by the delta method, Welch's df. */
function twoSampleHalfWidth(b, p) {
  const mb = mean(b), mp = mean(p), sb = sampleSd(b), sp = sampleSd(p);
  if (mb === null || mp === null || sb === null || sp === null) return null;
  const v1 = (sb * sb) / (b.length * mb * mb), v2 = (sp * sp) / (p.length * mp * mp);
  if (v1 + v2 === 0) return 0;
  const df = (v1 + v2) ** 2 / (v1 * v1 / (b.length - 1) + v2 * v2 / (p.length - 1));
  return studentTQuantile(0.975, Math.max(1, df)) * 100 * (mp / mb) * Math.sqrt(v1 + v2);
}

const pct = (b, p) => ((p - b) / b) * 100;

async function main() {
  const t0 = Date.now();
  const rows = [];
  for (const u of users) {
    const paired = { ...base, axes: { ...base.axes, users: [u] }, replications: reps };
    const { pairSeeds: _p, ...unpaired } = { ...paired, name: `${base.name}-unpaired`, axes: { ...paired.axes, kernel: [kp] } };
    const dir = join(values.out, `u${u}`);
    const quiet = { workers };
    const P = await runSweep(paired, { ...quiet, out: join(dir, 'paired') });
    const U = await runSweep(unpaired, { ...quiet, out: join(dir, 'unpaired') });
    const byRep = (res, k) => new Map(res.rows.filter((r) => r.kernel === k).map((r) => [r.rep, r]));
    const pb = byRep(P, kb), pp = byRep(P, kp), up = byRep(U, kp);
    const b = [], p = [], q = [], seedsShared = [];
    for (let r = 0; r < reps; r++) {
      b.push(pb.get(r).jpm);
      p.push(pp.get(r).jpm);
      q.push(up.get(r).jpm);
      seedsShared.push(pb.get(r).seed === pp.get(r).seed && pb.get(r).seed !== up.get(r).seed);
    }
    const pairedPct = b.map((x, i) => pct(x, p[i]));
    const unpairedPct = b.map((x, i) => pct(x, q[i]));
    // the API's helper gives the paired figures too (a check that the two agree)
    const helper = pairedChange(P, 'kernel', kb, { metric: 'jpm' }).rows[0];
    const row = {
      users: u,
      reps,
      seeds_as_designed: seedsShared.every(Boolean),
      jpm_base: b, jpm_patched_paired: p, jpm_patched_unpaired: q,
      paired_pct_change: mean(pairedPct), paired_sd: sampleSd(pairedPct), paired_ci95: ci95(pairedPct),
      unpaired_pct_change: mean(unpairedPct), unpaired_sd: sampleSd(unpairedPct), unpaired_ci95: ci95(unpairedPct),
      unpaired_two_sample_ci95: twoSampleHalfWidth(b, q),
      helper_pct_change: helper.pct_change, helper_ci95: helper.ci95, helper_same_seed: helper.same_seed,
    };
    row.ratio = row.paired_ci95 !== null && row.unpaired_ci95 ? row.paired_ci95 / row.unpaired_ci95 : null;
    rows.push(row);
  }
  const summary = { date: new Date().toISOString().slice(0, 10), spec: values.spec, kernels, wallSeconds: (Date.now() - t0) / 1000, rows };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const f = (x, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  console.log(`% change in jpm, ${kp} vs ${kb}, aim7 alltests; mean ± 95% CI half-width over ${reps} replications (Student t over the per-replication % changes)`);
  console.log('users  paired % ± h       unpaired % ± h     unpaired two-sample h  h paired / h unpaired');
  for (const r of rows) {
    console.log(`${String(r.users).padEnd(5)}  ${`${f(r.paired_pct_change)} ± ${f(r.paired_ci95)}`.padEnd(17)}  ${`${f(r.unpaired_pct_change)} ± ${f(r.unpaired_ci95)}`.padEnd(17)}  ${f(r.unpaired_two_sample_ci95).padEnd(21)}  ${f(r.ratio, 3)}${r.seeds_as_designed ? '' : '  (seeds not as designed!)'}`);
  }
  console.log(`wall ${summary.wallSeconds.toFixed(0)} s; ${join(values.out, 'summary.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
