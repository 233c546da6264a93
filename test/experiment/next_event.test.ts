import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';
import { run } from '../../src/experiment/run';
import type { RunConfigInput } from '../../src/experiment/config';

/**
 * The next-event shortcut (Simulation.advanceBy, used by Scheduler.compute and
 * Scheduler.payNow) is a pure speed-up: with it disabled, every model gives the same
 * metrics, counters (the event count included) and lockstat, to the last bit.
 */

const CONFIGS: RunConfigInput[] = [
  { workload: 'aim7', params: { users: 20, workfile: 'alltests' }, seed: 3 },
  { workload: 'aim7', kernel: '3.18-rc1-i_mmap_rwsem', params: { users: 100, workfile: 'disk', warmupTasks: 1, windowTasks: 1 }, seed: 4 },
  { workload: 'lock-hammer', machine: 'ivybridge-ex-2s', params: { threads: 16, holdNs: 100, thinkNs: 400, readers: 0.5 }, kernel: '3.18-rc1-i_mmap_rwsem', duration: { ms: 0.3 } },
  { workload: 'numa-migration', duration: { ms: 2 } },
  { workload: 'postgres-hugetlb' },
];

function results(config: RunConfigInput) {
  const r = run(config);
  return JSON.stringify({ metrics: r.metrics, counters: r.counters, lockstat: r.lockstat });
}

test('the next-event shortcut changes no result: metrics, counters and lockstat equal with it disabled', () => {
  const real = Simulation.prototype.advanceBy;
  let taken = 0;
  for (const config of CONFIGS) {
    Simulation.prototype.advanceBy = function (this: Simulation, d: number) {
      const ok = real.call(this, d);
      if (ok) taken++;
      return ok;
    };
    const before = taken;
    let fast: string;
    try {
      fast = results(config);
    } finally {
      Simulation.prototype.advanceBy = () => false;
    }
    try {
      assert.equal(results(config), fast, `${JSON.stringify(config)}: the shortcut changed the results`);
    } finally {
      Simulation.prototype.advanceBy = real;
    }
    assert.ok(taken > before, `${JSON.stringify(config)}: the shortcut was never taken`);
  }
});
