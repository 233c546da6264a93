import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/experiment/run';
import { ConfigError } from '../../src/experiment/errors';
import { getWorkload, workloadNames } from '../../src/workloads';
import type { LockStatRow } from '../../src/locking';

// memcached, small: 2 workers, 4-8 ms
const SMALL = { workers: 2, rateKops: 200 };
const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const;
const go = (kernel: string, params: Record<string, unknown> = {}, duration: Record<string, number> = { ms: 4 }, seed = 5) =>
  run({ workload: 'memcached', kernel, params: { ...SMALL, ...params } as never, duration, seed, options: { checks: true } });
const acq = (rows: LockStatRow[], cls: string, site?: string) =>
  rows.filter((r) => r.lockClass === cls && (site === undefined || r.site === site)).reduce((s, r) => s + r.acqRead + r.acqWrite, 0);

test('memcached is registered and listed: a fixed-window workload with a typed parameter table', () => {
  assert.ok(workloadNames().includes('memcached'));
  const w = getWorkload('memcached')!;
  assert.equal(w.timing, undefined);
  assert.match(w.description, /should not change/);
  for (const k of ['workers', 'rateKops', 'setRatio', 'valueBytes', 'memoryMb', 'numa']) assert.ok(k in w.params, k);
});

test('memcached: bad parameters are ConfigErrors naming the field', () => {
  const bad = (params: Record<string, unknown>, field: string, re: RegExp) => assert.throws(() => go('3.18-rc1', params), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.field, field);
    assert.match(e.message, re);
    return true;
  });
  bad({ workers: 0 }, 'params.workers', /integer from 1 to 256, got 0/);
  bad({ setRatio: 1.5 }, 'params.setRatio', /number from 0 to 1/);
  bad({ valueBytes: 1_048_500, keyBytes: 100 }, 'params.valueBytes', /must fit a 1 MiB slab page, got 1048500/);
  bad({ valueBytes: 2.5 }, 'params.valueBytes', /integer/);
});

for (const kernel of KERNELS) {
  test(`${kernel}: memcached serves requests; mmap_sem carries its faults, slab growth and NUMA scans; same seed, same output`, () => {
    const a = go(kernel, {}, { ms: 8 }); // long enough for a worker's 2 ms of CPU time to queue a NUMA scan
    assert.ok(a.metrics.ops_per_s! > 0.8 * 200_000 && a.metrics.ops_per_s! < 1.2 * 200_000, String(a.metrics.ops_per_s));
    assert.ok(a.metrics.latency_mean_ns! > 0);
    assert.equal(a.counters.stopped_early, 0);
    assert.equal(a.counters.drain_timeout, 0);
    for (const site of ['do_page_fault', 'mmap', 'task_numa_work']) assert.ok(acq(a.lockstat, 'mmap_sem', site) > 0, site);
    // warm-up 0: start-up is in the window, and exec is where i_mmap is taken
    for (const site of ['vma_link', 'vma_adjust']) assert.ok(acq(a.lockstat, 'i_mmap', site) > 0, site);
    assert.equal(a.metrics.immap_acq, acq(a.lockstat, 'i_mmap'));
    assert.ok(a.counters.slab_pages! > 0 && a.counters.arena_faults! > 0);
    const b = go(kernel, {}, { ms: 8 });
    assert.equal(JSON.stringify(b.metrics), JSON.stringify(a.metrics));
    assert.deepEqual(b.counters, a.counters);
  });
}

test('memcached barely touches i_mmap: none once start-up is in the warm-up, and no more under 4x the load', () => {
  for (const kernel of KERNELS) {
    const steady = go(kernel, {}, { ms: 4, warmupMs: 2 });
    assert.equal(steady.metrics.immap_acq, 0, kernel);
    assert.ok(steady.metrics.mmap_sem_acq! > 10, kernel);
    const light = go(kernel, { rateKops: 100 }), heavy = go(kernel, { rateKops: 400 });
    assert.equal(heavy.metrics.immap_acq, light.metrics.immap_acq, kernel);
    assert.ok(heavy.metrics.mmap_sem_acq! > light.metrics.mmap_sem_acq!, kernel);
    assert.equal(heavy.counters.numa_pages_migrated, 0); // no file page its scans can mark
  }
});
