// Reproduce presets (data/reproduce/*.json) as a list of sweep specs plus a comparison block:
// the shipped presets expand to exactly the runs they had when a preset was a grid of its own
// (the fixture, generated from main 966ec4f), overrides rewrite the specs as writing them would,
// and every bad field is an error naming the field (or the flag) and what is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { STUB } from './reproduce_stub';
import { tmp } from './helpers';
import { B, gridPreset, P, type StubGrid } from './reproduce_presets';
import { DEFAULT_GOALS, planReproduce, resolvePlan, resolvePreset, setupReproduce, type ReproducePreset } from '../../src/experiment/reproduce';
import { expandSweep, type ExpandedSweep } from '../../src/experiment/spec';
import { ConfigError } from '../../src/experiment/errors';
import { dataPath, packageRoot } from '../../src/data';
import '../../src/workloads';

const root = packageRoot();
const shipped = (name: string) => JSON.parse(readFileSync(dataPath('reproduce', `${name}.json`), 'utf8')) as ReproducePreset;

function stubPreset(over: Partial<StubGrid> = {}): ReproducePreset {
  return gridPreset({ name: 'stub', workload: STUB, machine: 'ivybridge-ex-2s', users: [10, 100, 1500, 1700], replications: 2, seed: 7, params: { warmupTasks: 2, windowTasks: 3 }, ...over });
}

/** A preset as plain JSON, to edit a field of one sweep. */
function edit(p: ReproducePreset, f: (q: { compare: Record<string, unknown>; sweeps: Record<string, unknown>[] } & Record<string, unknown>) => void): unknown {
  const q = JSON.parse(JSON.stringify(p));
  f(q);
  return q;
}

type Fixture = { presets: Record<string, { sweep: string; runs: [string, string, string, string][] }[]> };

test('the shipped presets expand to the runs of main 966ec4f: full and quick run for run (id, seed, config hash), session seed for seed', () => {
  const fx = JSON.parse(readFileSync(join(root, 'test', 'experiment', 'fixtures', 'reproduce-grid.json'), 'utf8')) as Fixture;
  assert.deepEqual(Object.keys(fx.presets), ['full', 'full --unpaired', 'quick', 'quick --unpaired', 'session', 'session --unpaired']);
  for (const [key, want] of Object.entries(fx.presets)) {
    const [name, flag] = key.split(' ');
    const s = setupReproduce({ preset: dataPath('reproduce', `${name}.json`), ...(flag ? { pairSeeds: false } : {}) });
    const got = s.sweeps.map((p) => p.x.runs.map((r) => [r.runId, r.seed, r.configHash]));
    const old = want.map((w) => w.runs.map((r) => [r[0], r[1], r[2]]));
    if (name === 'session') {
      // per-workfile users: one table sweep per workfile (run ids restart), the same runs and seeds
      assert.deepEqual(got.flat().map((r) => r.slice(1)), old.flat().map((r) => r.slice(1)), key);
      assert.deepEqual(s.sweeps.map((p) => p.role), ['table', 'table', 'validation', 'extra', 'extra', 'extra']);
    } else {
      assert.deepEqual(got, old, key);
    }
  }
});

test('the shipped presets resolve to the plans of the committed results (reproduce.json\'s plan, unchanged)', () => {
  for (const [name, dir] of [['full', 'reproduce'], ['quick', 'reproduce-quick']] as const) {
    const committed = JSON.parse(readFileSync(join(root, 'data', 'results', dir, 'reproduce.json'), 'utf8')) as { plan: unknown };
    assert.equal(JSON.stringify(planReproduce({ preset: dataPath('reproduce', `${name}.json`) })), JSON.stringify(committed.plan), name);
  }
  assert.deepEqual(planReproduce({ quick: true }), planReproduce({ preset: dataPath('reproduce', 'quick.json') }));
  // as objects, file names are relative to data/reproduce/ (where the shipped presets live)
  for (const name of ['full', 'quick', 'session']) {
    const plan = resolvePlan(shipped(name));
    assert.equal(plan.preset, name);
    assert.deepEqual(plan.goals, DEFAULT_GOALS);
    assert.deepEqual(plan.kernels, [B, P]);
    assert.equal(plan.pairSeeds, true);
  }
  const session = resolvePlan(shipped('session'));
  assert.deepEqual(session.users, { alltests: [10, 25, 50, 100, 200, 500], disk: [10, 25, 50, 100, 200, 500, 1000, 1500, 1600, 1700, 2000] });
  assert.deepEqual(session.extras.map((e) => e.workload), ['postgres-hugetlb', 'iozone-mmap', 'memcached']);
  assert.deepEqual(session.workloadParams, { alltests: {}, disk: {} });
  const quick = resolvePlan(shipped('quick'));
  assert.deepEqual(quick.params, { warmupTasks: 2, windowTasks: 3 });
  assert.deepEqual(quick.validation, { workloads: ['alltests'], users: [100], replications: 1 });
  assert.equal(resolvePlan(shipped('quick'), { validation: false }).validation, null);
  assert.equal(resolvePlan(shipped('quick'), { pairSeeds: false }).pairSeeds, false);
});

test('overrides: a flag gives the runs of the preset with that value written in its sweeps', () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 4 }),
    fc.subarray(['alltests', 'disk'], { minLength: 1 }),
    fc.integer({ min: 1, max: 3 }),
    fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom('x', 'seed-2')),
    fc.boolean(),
    fc.boolean(),
    (users, workloads, reps, seed, pairSeeds, swap) => {
      const kernels: [string, string] = swap ? [P, B] : [B, P];
      const over = { users, workloads, reps, seed, pairSeeds, kernels };
      const byFlag = resolvePreset(stubPreset({ validation: { users: [100, 200] }, extras: [{ workload: 'lock-hammer', metric: 'ops_per_s', duration: { ms: 0.1 } }] }), over);
      const written = resolvePreset(stubPreset({ users: [...users].sort((a, b) => a - b), workloads, replications: reps, seed, pairSeeds, kernels, validation: { users: [100, 200] }, extras: [{ workload: 'lock-hammer', metric: 'ops_per_s', duration: { ms: 0.1 } }] }));
      // the validation keeps its own replications under --reps
      const runs = (s: typeof byFlag, role: string) => s.sweeps.filter((x) => x.role === role).flatMap((x) => x.x.runs.map((r) => `${r.runId} ${r.seed} ${r.configHash}`));
      assert.deepEqual(runs(byFlag, 'table'), runs(written, 'table'));
      assert.deepEqual(runs(byFlag, 'extra'), runs(written, 'extra'));
      assert.deepEqual(byFlag.plan.users, Object.fromEntries(workloads.map((w) => [w, [...users].sort((a, b) => a - b)])));
      assert.deepEqual(byFlag.plan.kernels, kernels);
      assert.equal(byFlag.plan.replications, reps);
      assert.equal(byFlag.plan.seed, String(seed));
      assert.equal(byFlag.plan.pairSeeds, pairSeeds);
      assert.deepEqual(byFlag.plan.validation, { workloads, users: [100, 200], replications: 1 });
    },
  ), { numRuns: 25 });
});

test('overrides on the validation: --workloads keeps the named workfiles it has (none: no validation), --no-validation drops it', () => {
  assert.deepEqual(resolvePlan(stubPreset({ validation: { users: [100], workloads: ['disk'] } }), { workloads: ['alltests', 'disk'] }).validation!.workloads, ['disk']);
  assert.deepEqual(resolvePlan(stubPreset({ validation: { users: [100] } }), { workloads: ['disk', 'alltests'] }).validation!.workloads, ['disk', 'alltests']);
  assert.equal(resolvePlan(stubPreset({ validation: { users: [100], workloads: ['disk'] } }), { workloads: ['alltests'] }).validation, null);
  assert.equal(resolvePlan(stubPreset({ validation: { users: [100] } }), { validation: false }).validation, null);
  assert.equal(resolvePlan(stubPreset()).validation, null);
  assert.deepEqual(resolvePlan(stubPreset({ validation: { users: [200, 100], replications: 3 } })).validation, { workloads: ['alltests', 'disk'], users: [100, 200], replications: 3 });
  // per-workfile users (one table sweep per workfile): --workloads keeps the named sweeps, in its order
  const byW = stubPreset({ users: { alltests: [10], disk: [20, 30] } });
  assert.deepEqual(resolvePlan(byW).users, { alltests: [10], disk: [20, 30] });
  assert.deepEqual(resolvePlan(byW, { workloads: ['disk'] }).users, { disk: [20, 30] });
  assert.deepEqual(resolvePlan(byW, { workloads: ['disk', 'alltests'] }).workloads, ['disk', 'alltests']);
  assert.deepEqual(resolvePlan(byW, { users: [5, 6] }).users, { alltests: [5, 6], disk: [5, 6] });
  assert.deepEqual(resolvePlan(byW).workloadParams, { alltests: {}, disk: {} });
  assert.deepEqual(resolvePlan(byW).params, { warmupTasks: 2, windowTasks: 3 });
});

test('bad presets and overrides: errors name the preset field (sweeps[i].spec.<field> as sweep specs name it) or the flag', async () => {
  await import('./reproduce_stub');
  const bad: [unknown, Record<string, unknown>, RegExp][] = [
    [stubPreset({ users: [5000] }), {}, /^sweeps\[0\]\.spec\.axes\.users\[0\]: must be an integer from 1 to 4000, got 5000$/],
    [stubPreset(), { users: [5000] }, /^--users: must be an integer from 1 to 4000, got 5000$/],
    [stubPreset(), { users: [10, 10] }, /^--users: lists 10 users twice; allowed: distinct user counts$/],
    [stubPreset({ users: [10, 10] }), {}, /^sweeps\[0\]\.spec\.axes\.users\[1\]: duplicate of value 0, got 10; allowed: distinct values$/],
    [stubPreset({ params: { windowTasks: -1 } }), {}, /^sweeps\[0\]\.spec\.base\.params\.windowTasks: must be a number from 0\.05 to 50, got -1$/],
    [stubPreset({ params: { windowMs: 1 } }), {}, /^sweeps\[0\]\.spec\.base\.params\.windowMs: unknown parameter of workload "aim7-stub", got 1; allowed: workfile, users, estimate, warmupTasks, windowTasks$/],
    [stubPreset({ workloads: ['alltests', 'dsk'] }), {}, /^sweeps\[0\]\.spec\.axes\.workfile\[1\]: must be one of alltests, disk, got "dsk"$/],
    [stubPreset(), { workloads: ['dsk'] }, /^--workloads: must be one of alltests, disk, got "dsk"$/],
    [stubPreset({ users: { alltests: [10], disk: [20] } }), { workloads: ['alltests', 'fserver'] }, /^--workloads: names "fserver", which no table sweep of this preset has \(its user counts are given per workfile, one table sweep each\); allowed: alltests, disk$/],
    [stubPreset({ users: { alltests: [10], disk: [20] } }), { workloads: ['fserver'] }, /^--workloads: names "fserver", which no table sweep /],
    [stubPreset(), { workload: 'lock-hammer' }, /^--model: with this model, sweeps\[0\]\.spec\.axes\.workfile: unknown parameter "workfile" of workload "lock-hammer"; allowed: /],
    [stubPreset(), { workloads: ['disk', 'disk'] }, /^--workloads: lists a workfile twice, got \["disk","disk"\]; allowed: distinct workfiles$/],
    [stubPreset(), { kernels: [B, '3.19'] }, /^--kernels: unknown kernel "3\.19"; allowed: 3\.18-rc1, /],
    [stubPreset(), { kernels: [B, B] }, /^--kernels: names the same kernel twice/],
    [stubPreset(), { kernels: [B] }, /^--kernels: must name two kernels \(baseline, patched\), got 1/],
    [stubPreset(), { reps: 0 }, /^--reps: must be an integer from 1 to 1000, got 0$/],
    [stubPreset(), { seed: -1 }, /^--seed: must be /],
    [stubPreset(), { workload: 'aim8' }, /^--model: unknown workload "aim8" .*; allowed: .*aim7-stub/],
    [stubPreset(), { machine: 'vax' }, /^--machine: unknown machine preset "vax"; allowed: ivybridge-ex-2s, /],
    [edit(stubPreset(), (q) => { q.compare.kernels = [B, B]; }), {}, /^compare\.kernels: names the same kernel twice, got \["3\.18-rc1","3\.18-rc1"\]; allowed: a baseline and a different patched kernel$/],
    [edit(stubPreset(), (q) => { q.compare.kernels = [B]; }), {}, /^compare\.kernels: must be two kernels: \[baseline, patched\], got \["3\.18-rc1"\]$/],
    [edit(stubPreset(), (q) => { (q.sweeps[0]!.spec as { axes: Record<string, unknown> }).axes.kernel = [P, B]; }), {}, /^sweeps\[0\]\.spec\.axes\.kernel: must list the compared kernels \(compare\.kernels\), baseline then patched, got \["3\.18-rc1-i_mmap_rwsem","3\.18-rc1"\]; allowed: \["3\.18-rc1","3\.18-rc1-i_mmap_rwsem"\]$/],
    [edit(stubPreset(), (q) => { delete (q.sweeps[0]!.spec as { axes: Record<string, unknown> }).axes.kernel; (q.sweeps[0]!.spec as { base: Record<string, unknown> }).base.kernel = B; delete (q.sweeps[0]!.spec as Record<string, unknown>).pairSeeds; }), {}, /^sweeps\[0\]\.spec\.axes\.kernel: must list the compared kernels .*got no such axis/],
    [edit(stubPreset(), (q) => { q.compare.paper = { table: "nope.csv", numa: "../paper/numa.json" }; }), {}, /^compare\.paper\.table: no such file "nope\.csv" \(looked for ".*data\/reproduce\/nope\.csv"\); allowed: a file name relative to the preset's folder$/],
    [edit(stubPreset(), (q) => { q.compare.goals = 'nope.json'; }), {}, /^compare\.goals: no such file "nope\.json"/],
    [stubPreset({ goals: { pctChangeMaePoints: { alltests: 5, dsk: 8 } } }), {}, /^compare\.goals\.pctChangeMaePoints\.dsk: is not a workfile of the table sweeps; allowed: alltests, disk$/],
    [stubPreset({ goals: { pctChangeMaePoints: -1 } }), {}, /^compare\.goals\.pctChangeMaePoints: must be a number >= 0, or an object of them by workfile, got -1$/],
    [stubPreset({ goals: { frob: 1 } }), {}, /^compare\.goals\.frob: unknown goal, got 1; allowed: baselineMaxErrPct, /],
    [edit(stubPreset(), (q) => { const sp = q.sweeps[0]!.spec as { axes: Record<string, unknown>; base: Record<string, unknown> }; delete sp.base.machine; sp.axes = { machine: ['ivybridge-ex-2s', 'ivybridge-ex-4s'], ...sp.axes }; }), { machine: 'ivybridge-ex-4s' }, /^--machine: cannot set the machine of sweeps\[0\], which varies it on axes\.machine$/],
    [edit(stubPreset(), (q) => { q.frob = 1; }), {}, /^frob: unknown preset key, got 1; allowed: name, description, compare, sweeps$/],
    [edit(stubPreset(), (q) => { q.sweeps = []; }), {}, /^sweeps: must be a non-empty array of \{role, spec\}, got \[\]$/],
    [edit(stubPreset(), (q) => { q.sweeps[0]!.frob = 1; }), {}, /^sweeps\[0\]\.frob: unknown key of a sweep, got 1; allowed: role, label, metric, spec$/],
    [edit(stubPreset(), (q) => { q.sweeps[0]!.role = 'main'; }), {}, /^sweeps\[0\]\.role: must be one of table, validation, extra, got "main"$/],
    [edit(stubPreset(), (q) => { q.sweeps[0]!.label = 'x'; }), {}, /^sweeps\[0\]\.label: only an extra has a label, got "x" on a table sweep$/],
    [edit(stubPreset(), (q) => { q.sweeps[0]!.role = 'validation'; }), {}, /^sweeps: leaves no table sweep: the aim7 table needs one; allowed: at least one \{"role": "table", "spec": \{\.\.\.\}\}$/],
    [edit(stubPreset(), (q) => { q.sweeps[0]!.spec = 42; }), {}, /^sweeps\[0\]\.spec: must be a sweep spec object \(as in data\/sweeps\/\) or the name of a spec file, got 42$/],
    [edit(stubPreset(), (q) => { q.sweeps[0]!.spec = 'no-such-spec.json'; }), {}, /^sweeps\[0\]\.spec: cannot read spec file ".*no-such-spec\.json": ENOENT$/],
    [edit(stubPreset(), (q) => { (q.sweeps[0]!.spec as Record<string, unknown>).replications = 0; }), {}, /^sweeps\[0\]\.spec\.replications: must be an integer from 1 to 10000, got 0$/],
    [edit(stubPreset(), (q) => { q.sweeps.push(JSON.parse(JSON.stringify(q.sweeps[0]))); }), {}, /^sweeps\[1\]\.spec: repeats the load point alltests\/10 on 3\.18-rc1 \(point 0\) of sweeps\[0\]; the table needs each workfile, users and kernel once/],
    [edit(stubPreset({ users: { alltests: [10], disk: [10] } }), (q) => { (q.sweeps[1]!.spec as Record<string, unknown>).replications = 3; }), {}, /^sweeps\[1\]\.spec\.replications: must equal the first table sweep's \(sweeps\[0\]\), got 3; allowed: 2$/],
    // the validation sweep
    [stubPreset({ validation: { users: [5000] } }), {}, /^sweeps\[1\]\.spec\.axes\.users\[0\]: must be an integer from 1 to 4000, got 5000$/],
    [stubPreset({ validation: { users: [100], replications: 0 } }), {}, /^sweeps\[1\]\.spec\.replications: must be an integer from 1 to 10000, got 0$/],
    [edit(stubPreset({ workloads: ['alltests'], validation: { users: [100] } }), (q) => { (q.sweeps[1]!.spec as { axes: Record<string, unknown> }).axes.workfile = ['disk']; }), {}, /^sweeps\[1\]\.spec: point 0 has workfile "disk", not a workfile of the table sweeps; allowed: alltests$/],
    [edit(stubPreset({ validation: { users: [100] } }), (q) => { (q.sweeps[1]!.spec as { axes: Record<string, unknown> }).axes.estimate = ['full', 'auto']; }), {}, /^sweeps\[1\]\.spec\.axes\.estimate: a validation sweep needs an "estimate" axis with the values "full" and "window", got \["full","auto"\]; allowed: \["full", "window"\]$/],
    [edit(stubPreset({ validation: { users: [100] } }), (q) => { q.sweeps.push(q.sweeps[1]!); }), {}, /^sweeps\[2\]\.role: a second validation sweep \(the first is sweeps\[1\]\); allowed: at most one validation sweep$/],
    // extras
    [edit(stubPreset({ extras: [{ workload: 'lock-hammer', metric: 'ops_per_s' }] }), (q) => { delete q.sweeps[1]!.metric; }), {}, /^sweeps\[1\]\.metric: is required for an extra/],
    [stubPreset({ extras: [{ workload: 'lock-hammer', metric: 'ops_per_s', params: { threads: 0 } }] }), {}, /^sweeps\[1\]\.spec\.base\.params\.threads: must be an integer from 1 to 4096, got 0$/],
    [stubPreset({ extras: [{ workload: 'lock-hammer', metric: 'ops_per_s' }, { workload: 'lock-hammer', metric: 'ops' }] }), {}, /^sweeps\[2\]\.label: duplicate label "lock-hammer" \(of sweeps\[1\]\); allowed: distinct labels \(set "label"\)$/],
  ];
  for (const [p, o, re] of bad) {
    assert.throws(() => resolvePreset(p, o), (e: unknown) => e instanceof ConfigError && re.test(e.message), `${JSON.stringify(o)} ${re.source}`);
  }
  // from a file: the file is named before the field
  const dir = tmp();
  const f = join(dir, 'p.json');
  writeFileSync(f, JSON.stringify(edit(stubPreset(), (q) => { (q.sweeps[0]!.spec as Record<string, unknown>).replications = 0; })));
  assert.throws(() => planReproduce({ preset: f }), (e: unknown) => e instanceof ConfigError && e.message === `${f}: sweeps[0].spec.replications: must be an integer from 1 to 10000, got 0`);
  assert.throws(() => planReproduce({ preset: f, quick: true }), /--quick: cannot be combined with --preset/);
});

test('a bad value anywhere in a table sweep\'s users is named by its index, in the preset or under --users', async () => {
  await import('./reproduce_stub');
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 5 }),
    fc.nat(),
    fc.integer({ min: 4001, max: 1e6 }),
    (good, at, badUser) => {
      const i = at % (good.length + 1);
      const users = [...good.slice(0, i), badUser, ...good.slice(i)];
      assert.throws(() => resolvePreset(stubPreset({ users })), (e: unknown) => e instanceof ConfigError && e.field === `sweeps[0].spec.axes.users[${i}]` && e.problem === `must be an integer from 1 to 4000, got ${badUser}`);
      assert.throws(() => resolvePreset(stubPreset(), { users }), (e: unknown) => e instanceof ConfigError && e.field === '--users' && e.problem === `must be an integer from 1 to 4000, got ${badUser}`);
    },
  ), { numRuns: 30 });
});

test('a sweep spec may be a file beside the preset (JSON or YAML); the paper and goals files too', () => {
  const dir = tmp();
  const p = stubPreset({ validation: { users: [100] } }) as unknown as { compare: Record<string, unknown>; sweeps: { spec: unknown }[] };
  writeFileSync(join(dir, 'table.json'), JSON.stringify(p.sweeps[0]!.spec));
  writeFileSync(join(dir, 'goals.json'), JSON.stringify({ ...DEFAULT_GOALS, baselineMaxErrPct: 7 }));
  writeFileSync(join(dir, 'preset.json'), JSON.stringify({ ...p, compare: { ...p.compare, paper: { table: dataPath('paper', 'aim7-3.18-rc1.csv'), numa: dataPath('paper', 'numa.json') }, goals: 'goals.json' }, sweeps: [{ role: 'table', spec: 'table.json' }, p.sweeps[1]] }));
  const fromFiles = setupReproduce({ preset: join(dir, 'preset.json') });
  const inline = resolvePreset(p);
  assert.deepEqual(fromFiles.sweeps.map((s) => s.x.runs), inline.sweeps.map((s) => s.x.runs));
  assert.equal(fromFiles.plan.goals.baselineMaxErrPct, 7);
  assert.equal(fromFiles.paper.table, dataPath('paper', 'aim7-3.18-rc1.csv'));
  assert.equal(inline.paper.numa, dataPath('paper', 'numa.json'));
});

test('the validation sweep: each window run on its full twin\'s seed, the full runs on the seeds of a sweep with the estimate inside the workload axis (paired or not)', async () => {
  await import('./reproduce_stub');
  for (const pairSeeds of [true, false]) {
    const s = resolvePreset(stubPreset({ validation: { users: [100, 200], replications: 2 } }), { pairSeeds });
    const plan = s.plan;
    const x: ExpandedSweep = s.sweeps.find((v) => v.role === 'validation')!.x;
    // the form before twin pairing: one workload value per workfile, users and estimate
    const values: unknown[] = [];
    for (const w of plan.validation!.workloads) for (const u of plan.validation!.users) for (const e of ['full', 'window']) values.push({ name: plan.workload, params: { ...plan.params, workfile: w, users: u, estimate: e } });
    const old = expandSweep({ base: { machine: plan.machine }, axes: { workload: values, kernel: [...plan.kernels] }, replications: 2, seed: plan.seed, ...(pairSeeds ? { pairSeeds: ['kernel'] } : {}) });
    assert.equal(x.runs.length, 2 * 2 * 2 * 2 * 2);
    assert.deepEqual(x.runs.map((r) => r.configHash), old.runs.map((r) => r.configHash));
    const params = (sx: ExpandedSweep, p: number) => sx.points[p]!.resolved.config.params;
    x.runs.forEach((r, i) => {
      const o = old.runs[i]!;
      if (params(x, r.point).estimate === 'full') assert.equal(r.seed, o.seed);
      else assert.equal(r.seed, x.runs[i - plan.kernels.length * 2]!.seed); // the full twin: one estimate step back (kernels × reps runs per estimate)
    });
  }
});
