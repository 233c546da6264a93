import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/experiment/run';
import { ConfigError } from '../../src/experiment/errors';
import { registerWorkload, getWorkload } from '../../src/workloads';

const base = { workload: 'lock-hammer', machine: 'ivybridge-ex-2s', params: { threads: 8, holdNs: 100, thinkNs: 300 }, duration: { ms: 0.5 } } as const;

function strip<T extends { provenance: unknown }>(r: T): Omit<T, 'provenance'> {
  const { provenance: _p, ...rest } = r;
  return rest;
}

test('a run is a pure function of its config: same config, same result; another seed, another result', () => {
  const a = run({ ...base, seed: 3 });
  const b = run({ ...base, seed: 3 });
  assert.deepEqual(strip(a), strip(b));
  const c = run({ ...base, seed: 4 });
  assert.notDeepEqual(c.metrics, a.metrics);
  assert.equal(c.configHash, a.configHash);
});

test('result: workload metrics, counters, lockstat per class and site, provenance', () => {
  const r = run({ ...base, kernel: '3.18-rc1-i_mmap_rwsem', params: { ...base.params, readers: 0.5 } });
  assert.deepEqual(Object.keys(r.metrics), ['ops_per_s', 'reads_per_s', 'writes_per_s', 'wait_mean_ns', 'cross_socket_per_op']);
  assert.ok(r.metrics.ops_per_s! > 0);
  assert.equal(r.metrics.ops_per_s, r.metrics.reads_per_s! + r.metrics.writes_per_s!);
  assert.ok(r.metrics.reads_per_s! > 0 && r.metrics.writes_per_s! > 0);
  for (const k of ['cpu_busy_share', 'cpu_spin_share', 'cpu_idle_share', 'sched_switches', 'sim_events', 'stopped_early']) assert.ok(k in r.counters, k);
  const shares = r.counters.cpu_busy_share! + r.counters.cpu_spin_share! + r.counters.cpu_idle_share!;
  assert.ok(Math.abs(shares - 1) < 1e-9);
  assert.equal(r.counters.stopped_early, 0);
  const sites = r.lockstat.filter((l) => l.lockClass === 'i_mmap').map((l) => l.site);
  assert.deepEqual(sites, ['lock_hammer_read', 'lock_hammer_write']);
  const i = r.lockstat.filter((l) => l.lockClass === 'i_mmap');
  // lockstat counts acquisitions in the window, the metric completed cycles: they agree closely
  const acq = i.reduce((a, l) => a + l.acqRead + l.acqWrite, 0);
  const ops = (r.metrics.ops_per_s! * 0.5) / 1e3;
  assert.ok(Math.abs(acq - ops) <= 8, `${acq} vs ${ops}`);
  assert.equal(r.provenance.package.name, 'mmlock');
  assert.ok(r.provenance.gitCommit === null || /^[0-9a-f]{40}$/.test(r.provenance.gitCommit));
  assert.equal(r.provenance.node, process.version);
  assert.equal(r.trace, null);
});

test('a mutex kernel takes every acquisition exclusive, whatever readers says', () => {
  const r = run({ ...base, kernel: '3.18-rc1', params: { ...base.params, readers: 0.9 } });
  const i = r.lockstat.filter((l) => l.lockClass === 'i_mmap');
  assert.ok(i.every((l) => l.acqRead === 0));
  assert.ok(r.metrics.reads_per_s! > 0, 'the workload still counts its read-intent operations');
});

test('warm-up, trace and checking mode', () => {
  const r = run({ ...base, kernel: '3.18-rc1-i_mmap_rwsem', params: { ...base.params, readers: 0.7 }, duration: { ms: 0.4, warmupMs: 0.2 }, options: { trace: { intervalMs: 0.1 }, checks: true } });
  assert.equal(r.trace!.length, 4);
  assert.deepEqual(r.trace!.map((t) => t.t_ms), [0.3, 0.4, 0.5, 0.6]);
  assert.ok(r.trace!.every((t) => t.lock_acquisitions > 0));
  const inTrace = r.trace!.reduce((a, t) => a + t.lock_acquisitions, 0);
  const inStat = r.lockstat.reduce((a, l) => a + l.acqRead + l.acqWrite, 0);
  assert.equal(inTrace, inStat, 'the trace covers exactly the measured window');
});

test('maxEvents stops a run early and says so', () => {
  const r = run({ ...base, duration: { ms: 0.5, maxEvents: 2000 } });
  assert.equal(r.counters.stopped_early, 1);
  assert.ok(r.counters.sim_events! < 2000 + 5000);
});

test('a workload must call ctx.run(); bad configs throw ConfigError before running', () => {
  if (!getWorkload('test-lazy')) registerWorkload({ name: 'test-lazy', description: 'never runs', params: {}, run: () => ({ metrics: {} }) });
  assert.throws(() => run({ workload: 'test-lazy' }), /without calling ctx\.run\(\)/);
  assert.throws(() => run({ ...base, params: { threads: 0 } }), ConfigError);
});

test('restartMeasuring: a run-to-completion workload\'s own window restarts lockstat and the CPU and task counters together', () => {
  // two phases of the same lock storm: the window restarts between them, so every counter
  // covers the second phase only, and the spin lockstat attributes to the lock is all of the
  // tasks' spinning (was: lockstat covered the window, task_spin_s the whole run)
  const name = 'test-restart-measuring';
  if (!getWorkload(name)) {
    registerWorkload({
      name, description: 'a mutex storm in two phases', params: {}, timing: 'completion',
      run(w) {
        const lock = w.lock('i_mmap');
        const phase = (n: number) => function* (t: import('../../src/sched').Task) {
          for (let i = 0; i < n; i++) {
            yield* lock.acquire(t, 'write', 'storm');
            yield* w.sched.compute(t, 2000);
            yield* lock.release(t, 'write');
            yield* w.sched.compute(t, 500);
          }
        };
        for (let i = 0; i < 6; i++) w.sched.spawn(`first${i}`, phase(40));
        w.sim.at(5e6, () => {
          w.restartMeasuring();
          for (let i = 0; i < 6; i++) w.sched.spawn(`second${i}`, phase(40));
        });
        w.run();
        return { metrics: {} };
      },
    });
  }
  const r = run({ workload: name, machine: 'ivybridge-ex-2s', seed: 1 });
  const acq = r.lockstat.filter((l) => l.lockClass === 'i_mmap').reduce((a, l) => a + l.acqWrite, 0);
  assert.equal(acq, 6 * 40, 'lockstat counts the second phase only');
  const spin = r.lockstat.reduce((a, l) => a + l.spinNs, 0) / 1e9;
  assert.ok(r.counters.task_spin_s! > 0);
  assert.ok(Math.abs(spin - r.counters.task_spin_s!) <= 1e-9 * Math.max(1, spin), `lockstat spin ${spin} s vs task_spin_s ${r.counters.task_spin_s} s`);
  const shares = r.counters.cpu_busy_share! + r.counters.cpu_spin_share! + r.counters.cpu_idle_share!;
  assert.ok(Math.abs(shares - 1) < 1e-9);
});
