import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { run } from '../../../src/experiment/run';
import { ConfigError } from '../../../src/experiment/errors';
import { dsoLayout, withCleanDataPages } from '../../../src/mm';

const go = (workload: string, params: Record<string, unknown>, checks = false) =>
  run({ workload, params: params as never, seed: 3, options: { checks } });

test('withCleanDataPages: k clean pages after the written ones, the written pages and the rest of the layout unchanged', () => {
  const libc = dsoLayout('libc.so.6');
  fc.assert(fc.property(fc.integer({ min: 0, max: 600 }), (k) => {
    const l = withCleanDataPages(libc, k);
    assert.equal(l.cleanDataPages, k);
    assert.equal(l.relroPages, libc.relroPages);
    assert.equal(l.textPages, libc.textPages);
    assert.equal(l.dataPgoff, libc.dataPgoff);
    assert.equal(l.filePages, l.dataPgoff + l.dataPages);
    // at least one rw- page stays written (.got.plt), and the layout never shrinks
    assert.ok(l.dataPages - l.relroPages >= k + 1);
    assert.ok(l.dataPages >= libc.dataPages);
    if (k + 1 <= libc.dataPages - libc.relroPages) assert.equal(l.dataPages, libc.dataPages);
    assert.ok(Object.isFrozen(l));
  }), { numRuns: 50, seed: 5 });
  assert.throws(() => withCleanDataPages(libc, -1), /k must be an integer >= 0/);
});

test('aim7-whatif with its defaults is aim7; its knobs are validated with the field named', () => {
  const p = { users: 3, estimate: 'full', userUnitMs: 20 };
  const a = go('aim7', p), b = go('aim7-whatif', p);
  assert.equal(JSON.stringify([a.metrics, a.counters, a.lockstat]), JSON.stringify([b.metrics, b.counters, b.lockstat]));
  assert.throws(() => go('aim7-whatif', { ...p, libcCleanPages: -1 }), (e: unknown) => e instanceof ConfigError && e.field === 'params.libcCleanPages');
  assert.throws(() => go('aim7-whatif', { ...p, numaScanPeriodMaxMs: 10 }), (e: unknown) => e instanceof ConfigError && e.field === 'params.numaScanPeriodMaxMs');
});

test('aim7-whatif: more clean shared libc pages give NUMA balancing more to fault on and walk (checking mode on)', () => {
  // file pages only: the anonymous pages' faults (numaAnon) would blur the comparison
  const p = { users: 4, estimate: 'full', userUnitMs: 100, numaScanPeriodMaxMs: 1000, numaAnon: false };
  const one = go('aim7-whatif', { ...p, libcCleanPages: 1 }, true);
  const many = go('aim7-whatif', { ...p, libcCleanPages: 16 }, true);
  assert.ok(many.counters.numa_hint_faults! > one.counters.numa_hint_faults!, `hint faults ${many.counters.numa_hint_faults} vs ${one.counters.numa_hint_faults}`);
  assert.ok(many.counters.numa_pte_updates! > one.counters.numa_pte_updates!);
});

test('aim7 group commit: concurrent log forces share log writes; the what-if without it makes every force a write of its own', () => {
  const p = { users: 6, workfile: 'disk', estimate: 'full', ioScale: 20 };
  const own = go('aim7-whatif', { ...p, logGroupCommit: false }, true);
  const shared = go('aim7', p, true);
  assert.equal(own.counters.log_writes, own.counters.log_forces);
  assert.equal(shared.counters.log_forces, own.counters.log_forces, 'the same forces are asked for');
  assert.ok(shared.counters.log_writes! < shared.counters.log_forces!, `writes ${shared.counters.log_writes} of ${shared.counters.log_forces} forces`);
  assert.ok(shared.metrics.jpm! > own.metrics.jpm!, `jpm ${shared.metrics.jpm} vs ${own.metrics.jpm}`);
  assert.ok(!shared.lockstat.some((l) => l.lockClass === 'xfs_log'), 'with group commit the log mutex is not taken');
  assert.ok(own.lockstat.some((l) => l.lockClass === 'xfs_log'), 'without it every force takes the log mutex');
});

test('aim7 window: lockstat and the task-time counters cover one interval, so spin per lock class adds up to task_spin_s', () => {
  // a 2-CPU machine, kernel costs × 10: the i_mmap mutex is contended in the window
  const r = run({
    workload: 'aim7-whatif', machine: 'vm-epyc-2c', seed: 1,
    params: { users: 8, estimate: 'window', warmupTasks: 1, windowTasks: 1, cpuCosts: 'measured', ioScale: 1, kernelCostScale: 10 },
  });
  const spin = r.lockstat.reduce((a, l) => a + l.spinNs, 0) / 1e9;
  assert.ok(r.counters.task_spin_s! > 0, 'contention in the window');
  // equal up to spins that straddle the window's start (counted whole by lockstat)
  assert.ok(Math.abs(spin - r.counters.task_spin_s!) <= 0.05 * r.counters.task_spin_s!, `lockstat spin ${spin} s vs task_spin_s ${r.counters.task_spin_s} s`);
  let sleepByLock = 0;
  for (const [k, v] of Object.entries(r.counters)) if (k.startsWith('task_sleep_') && k !== 'task_sleep_s' && k !== 'task_sleep_other_s') sleepByLock += v;
  assert.ok(sleepByLock <= r.counters.task_sleep_s! + 1e-9);
});
