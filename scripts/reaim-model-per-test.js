#!/usr/bin/env node
// The model's version of scripts/reaim-measure.js's per-test measurement: each aim7 test of
// data/workloads/aim7/tests.yaml alone, one user, a one-line workfile "1 <test>" run with 1
// and with N jobs on a machine preset (default vm-epyc-2c, the machine the real runs were
// made on); per invocation = (N-job run − 1-job run) / (N − 1), as for the real program.
// With --real data/measured/reaim/per-test.json it prints the markdown table of
// docs/fidelity/real-vs-model.md (real vs simulated time per test and the ratio).
//
// usage: npm run build && node scripts/reaim-model-per-test.js [--machine vm-epyc-2c] [--kernel 3.18-rc1]
//          [--jobs 3] [--tests a,b] [--real data/measured/reaim/per-test.json] [--json out.json]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = (p) => path.join(root, 'dist', 'src', p);
if (!fs.existsSync(dist('index.js'))) { console.error('reaim-model-per-test: run `npm run build` first'); process.exit(2); }
const { run, registerWorkload } = require(dist('index'));
const { MmContext } = require(dist('mm'));
const { setupLoadPoint, loadTestDefs, loadCosts, loadCalibration } = require(dist('workloads/aim7'));
const { parseWorkfile, KNOWN_TESTS } = require(dist('workloads/reaim'));

function die(msg) { console.error(`reaim-model-per-test: ${msg}`); process.exit(2); }
const o = { machine: 'vm-epyc-2c', kernel: '3.18-rc1', jobs: 3, tests: null, real: null, json: null, seed: 1 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i], v = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
  if (a === '--machine') o.machine = v();
  else if (a === '--kernel') o.kernel = v();
  else if (a === '--jobs') o.jobs = Number(v());
  else if (a === '--tests') o.tests = v().split(',').filter(Boolean);
  else if (a === '--real') o.real = v();
  else if (a === '--json') o.json = v();
  else if (a === '--seed') o.seed = Number(v());
  else die(`unknown option ${a}; allowed: --machine, --kernel, --jobs, --tests, --real, --json, --seed`);
}
if (!(Number.isInteger(o.jobs) && o.jobs >= 2 && o.jobs <= 50)) die(`--jobs must be an integer from 2 to 50, got ${o.jobs}`);

const tests = loadTestDefs(), costs = loadCosts(), cal = loadCalibration();
const names = o.tests ?? Object.keys(tests).filter((t) => t !== 'signal_test');
for (const t of names) if (!tests[t] || !KNOWN_TESTS.includes(t)) die(`--tests: unknown test ${JSON.stringify(t)}; allowed: ${Object.keys(tests).join(', ')}`);

// aim7 with a one-line workfile; the parameters the aim7 workload takes by default otherwise
registerWorkload({
  name: 'aim7-one-test',
  description: 'one aim7 test alone: workfile "1 <test>", <jobs> jobs per child (scripts/reaim-model-per-test.js)',
  params: {
    test: { type: 'enum', default: 'fork_test', values: Object.keys(tests), help: 'the test' },
    users: { type: 'int', default: 1, min: 1, max: 8, help: 'children' },
    jobs: { type: 'int', default: 1, min: 1, max: 1000, help: 'jobs per child' },
  },
  timing: 'completion',
  run(w) {
    const p = w.params;
    const ctx = new MmContext(w.sim, w.sched, w.env, w.kernel, { numa: { enabled: false } });
    const finish = setupLoadPoint(ctx, {
      users: p.users, workfile: parseWorkfile(`1 ${p.test}\n`, { source: 'one-test' }), tests, costs, seed: w.seed,
      estimate: 'full', warmupTasks: 0, windowTasks: 1, userUnitMs: cal.userUnitMs, ioScale: cal.ioScale,
      shellForksLast: true, numa: false, touchIntervalUs: 5000, jobs: p.jobs,
    }, { windowStart: () => {}, stopAt: () => w.sim.stop() });
    w.run();
    const r = finish();
    const s = w.sched.totalStats();
    return {
      metrics: { makespan_s: r.makespanS },
      counters: { ...r.counters, pgfault: ctx.vmstat.pgfault, cpu_s: s.cpu / 1e9, user_s: s.user / 1e9 },
    };
  },
  cost: () => 1,
});

function simulate(test, jobs) {
  const r = run({ workload: 'aim7-one-test', machine: o.machine, kernel: o.kernel, params: { test, users: 1, jobs }, seed: o.seed });
  const c = r.counters;
  return { wall_s: r.metrics.makespan_s, user_s: c.user_s, sys_s: c.cpu_s - c.user_s, forks: c.forks, execs: c.execs, page_faults: c.pgfault, syncs: c.syncs };
}

const model = {};
for (const t of names) {
  const one = simulate(t, 1), many = simulate(t, o.jobs);
  model[t] = Object.fromEntries(Object.keys(one).map((k) => [k, (many[k] - one[k]) / (o.jobs - 1)]));
}
const meta = { machine: o.machine, kernel: o.kernel, jobs: o.jobs, seed: o.seed, users: 1, userUnitMs: cal.userUnitMs, ioScale: cal.ioScale, numa: false };
if (o.json) fs.writeFileSync(o.json, JSON.stringify({ meta, tests: model }, null, 1) + '\n');

if (!o.real) { console.log(JSON.stringify({ meta, tests: model }, null, 1)); process.exit(0); }
const real = JSON.parse(fs.readFileSync(o.real, 'utf8')).tests;
const f = (x, d = 1) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
const ms = (s) => s * 1e3;
// "far off": the model's CPU time under a third, or over three times, the real one
const flag = (r) => (!Number.isFinite(r) ? '' : r < 1 / 3 ? ' **low**' : r > 3 ? ' **high**' : '');
console.log('| test | real wall ms | real CPU ms | model wall ms | model CPU ms | model/real CPU | faults real / model | forks real / model | execs real / model | syncs real / model |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const t of names) {
  const r = real[t], m = model[t];
  const mc = ms(m.user_s + m.sys_s);
  if (!r || r.error) { console.log(`| ${t} | not measured | | ${f(ms(m.wall_s))} | ${f(mc)} | | – / ${f(m.page_faults, 0)} | – / ${m.forks} | – / ${m.execs} | – / ${m.syncs} |`); continue; }
  const rc = r.perf.task_clock_ms, ratio = rc > 0 ? mc / rc : NaN;
  console.log(`| ${t} | ${f(ms(r.reaim.parent_s))} | ${f(rc, 2)} | ${f(ms(m.wall_s))} | ${f(mc, 2)} | ${f(ratio, 2)}${flag(ratio)} | ${f(r.perf.page_faults, 0)} / ${f(m.page_faults, 0)} | ${f(r.counts.processes, 0)} / ${m.forks} | ${f(r.counts.execve, 0)} / ${m.execs} | ${f(r.counts.sync, 0)} / ${m.syncs} |`);
}
