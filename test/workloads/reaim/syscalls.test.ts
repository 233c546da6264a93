import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  TEST_SPAWNS, KNOWN_TESTS, childSpawnTotals, computeQuotas, loadWorkfile, parseWorkfile,
} from '../../../src/workloads/reaim';
import { workfileArb } from './arbs';

test('per-invocation data of §4', () => {
  assert.equal(TEST_SPAWNS.disk_rr.syncCalls, 2);
  assert.equal(TEST_SPAWNS.disk_cp.syncCalls, 3);
  assert.equal(TEST_SPAWNS.disk_dio_rd.syncCalls, 1);
  assert.equal(TEST_SPAWNS.disk_dio_cp.syncCalls, 2);
  assert.equal(TEST_SPAWNS.disk_brr.syncCalls, 0);
  assert.equal(TEST_SPAWNS.sync_disk_rw.syncCalls, 0);
  assert.equal(TEST_SPAWNS.fork_test.forks, 100);
  assert.equal(TEST_SPAWNS.exec_test.execIterations, 5);
  assert.equal(TEST_SPAWNS.shell_rtns_2.sleepSec, 5);
  assert.deepEqual(Object.keys(TEST_SPAWNS).sort(), [...KNOWN_TESTS].sort());
});

test('alltests per child reproduces §5: 22 syncs, 154–180 forks, 76 execs', () => {
  const t = childSpawnTotals(computeQuotas(loadWorkfile('alltests')));
  assert.equal(t.syncCalls, 22);
  assert.equal(t.forkTestForks, 100);
  assert.equal(t.execIterations, 10);
  assert.equal(t.shellCalls, 4);
  assert.equal(t.forksMin, 154);
  assert.equal(t.forksMax, 180);
  assert.equal(t.execs, 76);
  assert.equal(t.sleepSec, 5);
});

test('disk (20 entries) per child reproduces §5: 100 syncs, 100–200 forks, 200 execs', () => {
  const t = childSpawnTotals(computeQuotas(loadWorkfile('disk')));
  assert.deepEqual([t.syncCalls, t.forksMin, t.forksMax, t.execs], [100, 100, 200, 200]);
});

test('a 15-entry disk file (no disk_dio_*) gives 7 tasks each, 105 tasks, 77 syncs [§3/§5, U]', () => {
  const text = loadWorkfile('disk').tests.filter((x) => !x.test.startsWith('disk_dio_')).map((x) => `20 ${x.test}`).join('\n');
  const q = computeQuotas(parseWorkfile(text));
  assert.equal(q.tasksPerChild, 105);
  assert.equal(childSpawnTotals(q).syncCalls, 77);
});

test('property: totals are the quota-weighted sums', () => {
  fc.assert(
    fc.property(workfileArb, (text) => {
      const q = computeQuotas(parseWorkfile(text));
      const t = childSpawnTotals(q);
      const sync = q.perTest.reduce((s, x) => s + x.quota * TEST_SPAWNS[x.test].syncCalls, 0);
      assert.equal(t.syncCalls, sync);
      assert.ok(t.forksMin <= t.forksMax);
      assert.equal(t.forksMax - t.forksMin, t.shellCalls + t.syncCalls);
    }),
    { numRuns: 100 },
  );
});
