import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../src/experiment/run';
import { runSweep } from '../../src/experiment/sweep';
import { expandSweep, loadSweepSpec } from '../../src/experiment/spec';
import { dataPath } from '../../src/data';
import { ConfigError } from '../../src/experiment/errors';
import { getWorkload, workloadNames } from '../../src/workloads';
import { SCENARIOS, SCENARIO_NAMES } from '../../src/workloads/mm_paths';
import { tmp, resultFiles } from './helpers';
import { SMALL } from '../workloads/mm_paths_small';

// The mm_paths scenarios as workloads, at the small sizes of mm_paths_small.ts
const SITE_KEY = /^immap_\w+_(acq|wait_mean_ns|hold_mean_ns|max_holders)$/;

test('every scenario is a registered run-to-completion workload with a typed parameter table', () => {
  for (const n of SCENARIO_NAMES) {
    const w = getWorkload(n);
    assert.ok(w, n);
    assert.equal(w.timing, 'completion');
    assert.deepEqual(Object.keys(w.params), Object.keys(SCENARIOS[n]!.params), `${n}: same options as mmlock scenario`);
    for (const p of Object.values(w.params)) assert.ok(p.type === 'int' || p.type === 'number' || p.type === 'enum');
  }
  assert.equal(getWorkload('lock-hammer')!.timing, undefined);
  assert.ok(workloadNames().includes('numa-migration'));
});

for (const kernel of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const) {
  test(`${kernel}: every scenario runs through run(), deterministic per seed, metrics = figures + elapsed + per-site i_mmap`, () => {
    for (const n of SCENARIO_NAMES) {
      const cfg = { workload: n, kernel, machine: 'ivybridge-ex-4s', params: SMALL[n]!, seed: 11, options: { checks: true } };
      const a = run(cfg);
      assert.equal(JSON.stringify(run(cfg).metrics), JSON.stringify(a.metrics), `${n}: same seed, same metrics (keys in the same order)`);
      assert.equal(a.counters.stopped_early, 0);
      // the same figures and sites as the standalone scenario (same seed, machine and kernel)
      const report = SCENARIOS[n]!.run({ kernel, seed: 11, ...SMALL[n]! });
      const keys = Object.keys(a.metrics);
      const figs = Object.keys(report.figures);
      assert.deepEqual(keys.slice(0, figs.length), figs, n);
      for (const k of figs) assert.equal(a.metrics[k], report.figures[k], `${n}: ${k}`);
      assert.equal(keys[figs.length], 'elapsed_ns');
      assert.equal(a.metrics.elapsed_ns, report.elapsedNs, `${n}: elapsed`);
      const siteKeys = keys.slice(figs.length + 1);
      assert.ok(siteKeys.length > 0 && siteKeys.every((k) => SITE_KEY.test(k)), `${n}: ${siteKeys.join(' ')}`);
      for (const [site, row] of Object.entries(report.sites)) {
        assert.equal(a.metrics[`immap_${site}_acq`], row.acquisitions, `${n}: ${site}`);
        assert.equal(a.metrics[`immap_${site}_max_holders`], row.overlap.maxHolders, `${n}: ${site}`);
      }
      // lockstat covers the whole run
      const acq = a.lockstat.filter((l) => l.lockClass === 'i_mmap').reduce((s, l) => s + l.acqRead + l.acqWrite, 0);
      assert.equal(acq, Object.values(report.sites).reduce((s, r) => s + r.acquisitions, 0), n);
    }
  });
}

test('duration.ms is not used by a run-to-completion workload; another seed gives another run', () => {
  const cfg = { workload: 'xip', params: SMALL.xip!, seed: 5 };
  const a = run({ ...cfg, duration: { ms: 1 } });
  const b = run({ ...cfg, duration: { ms: 50 } });
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.counters, b.counters);
  assert.notDeepEqual(run({ ...cfg, seed: 6 }).metrics, a.metrics);
  const shares = a.counters.cpu_busy_share! + a.counters.cpu_spin_share! + a.counters.cpu_idle_share!;
  assert.ok(Math.abs(shares - 1) < 1e-9 && a.counters.cpu_busy_share! > 0);
  // the tasks' own time adds up to the CPUs' (120 hardware threads over the whole run)
  const cpuS = 120 * a.metrics.elapsed_ns! / 1e9;
  const c = a.counters;
  assert.ok(Math.abs(c.task_cpu_s! - (c.cpu_busy_share! + c.cpu_spin_share!) * cpuS) < 0.01 * c.task_cpu_s!, `${c.task_cpu_s} vs ${(c.cpu_busy_share! + c.cpu_spin_share!) * cpuS}`);
  assert.ok(Math.abs(c.task_spin_s! - c.cpu_spin_share! * cpuS) < 0.01 * c.task_spin_s! && c.task_spin_s! > 0);
  assert.ok(c.task_sleep_s! >= 0 && c.task_queued_s! >= 0);
  // where it went: user + kernel + spinning = on a CPU; spinning and sleeping by lock class from lockstat
  assert.ok(Math.abs(c.task_user_s! + c.task_kernel_s! + c.task_spin_s! - c.task_cpu_s!) < 1e-9 * c.task_cpu_s!);
  assert.ok(c.task_kernel_s! > 0, 'xip runs kernel work');
  const spinByClass = Object.entries(c).filter(([k]) => /^task_spin_.+_s$/.test(k)).reduce((s, [, v]) => s + v!, 0);
  assert.ok(spinByClass > 0 && spinByClass <= c.task_spin_s! * (1 + 1e-9), `${spinByClass} vs ${c.task_spin_s}`);
  const sleepByClass = Object.entries(c).filter(([k]) => /^task_sleep_.+_s$/.test(k) && k !== 'task_sleep_other_s').reduce((s, [, v]) => s + v!, 0);
  assert.ok(c.task_sleep_other_s! >= 0 && sleepByClass + c.task_sleep_other_s! >= c.task_sleep_s! * (1 - 1e-9));
});

test('user time is counted: a task computing in user mode half the time has task_user_s about half its CPU time', async () => {
  const { Simulation } = await import('../../src/engine');
  const { Scheduler } = await import('../../src/sched');
  const { loadMachine } = await import('../../src/hw');
  const sim = new Simulation(1);
  const sched = new Scheduler(sim, loadMachine('ivybridge-ex-4s'));
  // more tasks than CPUs: user work gets preempted and queued, which must not count as user time
  for (let i = 0; i < 200; i++) {
    sched.spawn(`t${i}`, function* (t) {
      for (let k = 0; k < 20; k++) {
        yield* sched.compute(t, 50_000, true);
        yield* sched.compute(t, 50_000);
      }
    });
  }
  sim.run();
  const s = sched.totalStats();
  assert.ok(s.queued > 0, 'tasks waited for a CPU');
  assert.ok(Math.abs(s.user / s.cpu - 0.5) < 0.05, `user ${s.user} of cpu ${s.cpu}`);
});

test('maxEvents stops a scenario early and says so', () => {
  const r = run({ workload: 'truncate', params: SMALL.truncate!, duration: { maxEvents: 500 } });
  assert.equal(r.counters.stopped_early, 1);
  assert.equal(r.counters.sim_events, 500);
});

test('bad parameters and timing options are ConfigErrors naming the field', () => {
  const bad = (cfg: Record<string, unknown>, field: string, re?: RegExp) => {
    assert.throws(() => run({ workload: 'numa-migration', ...cfg } as never), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.field, field);
      if (re) assert.match(e.message, re);
      return true;
    });
  };
  bad({ params: { processes: 0 } }, 'params.processes', /integer from 1 to 1024, got 0/);
  bad({ params: { pages: 2.5 } }, 'params.pages');
  bad({ params: { durationMs: 'long' } }, 'params.durationMs');
  bad({ params: { threads: 4 } }, 'params.threads');
  bad({ duration: { warmupMs: 1 } }, 'duration.warmupMs', /runs to completion/);
  bad({ options: { trace: true } }, 'options.trace');
  assert.throws(() => run({ workload: 'memory-failure', params: { failures: 9, filePages: 8 } }), /^ConfigError: params\.failures: must be at most filePages \(8\), got 9/);
  assert.throws(() => run({ workload: 'nommu', params: { filePages: 6 } }), /params\.filePages: must be a multiple of 4/);
  assert.throws(() => run({ workload: 'fork-storm', params: { program: 'libc.so.6' } }), /params\.program/);
});

test('a 2-point sweep over kernel with numa-migration: byte-identical results with 1 and 2 workers', async () => {
  const dir = tmp();
  const spec = {
    name: 'numa-small',
    base: { workload: 'numa-migration', machine: 'ivybridge-ex-4s', params: SMALL['numa-migration'] },
    axes: { kernel: ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] },
    replications: 1,
    seed: 7,
  };
  const one = await runSweep(spec, { workers: 1, out: join(dir, 'w1') });
  await runSweep(spec, { workers: 2, out: join(dir, 'w2') });
  const a = resultFiles(join(dir, 'w1'));
  const b = resultFiles(join(dir, 'w2'));
  assert.ok(a.size >= 2);
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [f, bytes] of a) assert.ok(bytes.equals(b.get(f)!), f);
  const runs = JSON.parse(a.get('runs.json')!.toString('utf8')) as unknown[];
  assert.equal(runs.length, 2);
  assert.ok(one);
});

test('data/sweeps/numa-migration.json: kernels x readers x 2 seeds, valid', () => {
  const e = expandSweep(loadSweepSpec(dataPath('sweeps', 'numa-migration.json')));
  assert.equal(e.runs.length, 8);
  assert.equal(e.points.length, 4);
  assert.ok(e.points.every((p) => p.resolved.config.workload === 'numa-migration'));
});
