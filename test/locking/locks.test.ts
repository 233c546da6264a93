import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hammer, machine } from './harness';

for (const kind of ['mutex', 'rwsem', 'spinlock'] as const) {
  test(`${kind}: 120 tasks hammering one lock complete with every invariant checked`, () => {
    const r = hammer({ kind, tasks: 120, iters: 20 });
    assert.equal(r.ops, 120 * 20);
    const tot = r.env.stat.classTotal('test_lock');
    assert.equal(tot.acquisitions.read + tot.acquisitions.write, 2400);
    assert.ok(tot.contentions.read + tot.contentions.write > 0, 'a hammered lock must be contended');
    assert.ok(tot.crossSocket > 0, 'lock word must bounce between sockets');
  });
}

test('random schedules (fast-check), exact or folded: no invariant violation, no lost wake-up, all work done', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('mutex', 'rwsem', 'spinlock'),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 8 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      (kind, tasks, iters, pWrite, hold, think, seed, spin, steal, fold) => {
        const m = machine(2, 2, 2); // 8 CPUs: oversubscribed with up to 40 tasks
        const r = hammer({ kind, tasks, iters, pWrite, hold, think, seed, m, exactLockTiming: !fold,
          lockOptions: { optimisticSpin: spin, ...(kind === 'rwsem' ? { writerSteal: steal } : {}) } });
        assert.equal(r.ops, tasks * iters);
      },
    ),
    { numRuns: 60, seed: 42 },
  );
});

test('same seed → identical lock statistics', () => {
  const a = hammer({ kind: 'rwsem', tasks: 50, iters: 10, seed: 9 });
  const b = hammer({ kind: 'rwsem', tasks: 50, iters: 10, seed: 9 });
  assert.deepEqual(a.env.stat.rows(), b.env.stat.rows());
  assert.equal(a.now, b.now);
});

test('rwsem readers share: read-only hammering finishes faster than write-only', () => {
  const ro = hammer({ kind: 'rwsem', tasks: 60, iters: 20, pWrite: 0, hold: 2000, think: 100 });
  const wo = hammer({ kind: 'rwsem', tasks: 60, iters: 20, pWrite: 1, hold: 2000, think: 100 });
  assert.ok(ro.now < wo.now / 5, `read-only ${ro.now} vs write-only ${wo.now}`);
});
