/**
 * lockstat (Documentation/locking/lockstat.txt as the model keeps it): per-class and
 * per-site acquisitions, contentions, wait and hold sums, checked against values worked
 * out by hand on a tiny scenario; and the Distribution helper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Distribution, Mutex, RwSem } from '../../src/locking';
import { rig } from './scenario';

test('per-site and per-class rows equal the hand-computed values', () => {
  // 1 socket, 4 cores, no SMT: lock-word accesses cost 135 ns from DRAM (first touch),
  // 40 ns from another core's cache, 1.5 ns on a hit. Bodies start at t = 2000.
  const r = rig();
  const M = new Mutex(r.env, { name: 'mx', rank: 1 }, 'M');
  const S = new RwSem(r.env, { name: 'rw', rank: 2 }, 'S');
  const times: Record<string, number> = {};
  r.task('A', 0, function* (t) {
    yield* M.lock(t, 'a_lock'); // DRAM: got at 2135, wait 135
    yield* r.work(t, 1000); // hold 1000
    yield* M.unlock(t); // hit: 3136.5
    yield* r.work(t, 500);
    yield* M.lock(t, 'a_other'); // hit: wait 1.5
    yield* r.work(t, 2000); // hold 2000
    yield* M.unlock(t);
  });
  r.task('B', 1, function* (t) {
    yield* r.work(t, 8000);
    yield* M.lock(t, 'a_lock'); // line modified by CPU 0: wait 40
    yield* r.work(t, 300); // hold 300
    yield* M.unlock(t);
    times.ask = r.sim.now;
    yield* S.downWrite(t, 'w'); // R1 holds it for read until 22135: contended, sleeps
    times.got = r.sim.now;
    yield* r.work(t, 700); // hold 700
    yield* S.upWrite(t);
  });
  r.task('R1', 2, function* (t) {
    yield* S.downRead(t, 'r'); // DRAM: wait 135
    yield* r.work(t, 20_000); // hold 20000
    yield* S.upRead(t); // B queued: rwsem_wake
  });
  r.task('R2', 3, function* (t) {
    yield* r.work(t, 1000);
    yield* S.downRead(t, 'r'); // line modified by CPU 2: wait 40
    yield* r.work(t, 1000); // hold 1000
    yield* S.upRead(t);
  });
  r.sim.run();
  r.env.finalCheck();
  const rows = r.env.stat.rows();
  const row = (cls: string, site: string) => {
    const x = rows.find((w) => w.lockClass === cls && w.site === site);
    assert.ok(x, `no row ${cls}/${site}`);
    return x;
  };
  assert.deepEqual(row('mx', 'a_lock'), {
    lockClass: 'mx', site: 'a_lock', acqRead: 0, acqWrite: 2, contRead: 0, contWrite: 0,
    waitTotalNs: 135 + 40, waitMeanNs: 87.5, waitMaxNs: 135,
    holdTotalNs: 1000 + 300, holdMeanNs: 650, holdMaxNs: 1000,
    spinNs: 0, sleepNs: 0, crossSocket: 0, waitingRead: 0, waitingWrite: 0, waitingNs: 0,
  });
  assert.deepEqual(row('mx', 'a_other'), {
    lockClass: 'mx', site: 'a_other', acqRead: 0, acqWrite: 1, contRead: 0, contWrite: 0,
    waitTotalNs: 1.5, waitMeanNs: 1.5, waitMaxNs: 1.5, holdTotalNs: 2000, holdMeanNs: 2000, holdMaxNs: 2000,
    spinNs: 0, sleepNs: 0, crossSocket: 0, waitingRead: 0, waitingWrite: 0, waitingNs: 0,
  });
  assert.deepEqual(row('rw', 'r'), {
    lockClass: 'rw', site: 'r', acqRead: 2, acqWrite: 0, contRead: 0, contWrite: 0,
    waitTotalNs: 135 + 40, waitMeanNs: 87.5, waitMaxNs: 135, holdTotalNs: 21_000, holdMeanNs: 10_500, holdMaxNs: 20_000,
    spinNs: 0, sleepNs: 0, crossSocket: 0, waitingRead: 0, waitingWrite: 0, waitingNs: 0,
  });
  const w = row('rw', 'w');
  assert.equal(w.acqWrite, 1);
  assert.equal(w.contWrite, 1);
  assert.equal(w.waitTotalNs, times.got - times.ask);
  assert.equal(w.holdTotalNs, 700);
  assert.equal(w.spinNs, 0, 'owner NULL (readers): no spinning');
  // it slept from its queueing until R1's up_read woke it
  assert.ok(w.sleepNs > 22_135 - times.ask - 1000 && w.sleepNs < w.waitTotalNs, `sleep ${w.sleepNs}`);
  // the wait_lock: B queues (down_write) and retakes it after the wake-up; R1's up_read
  // takes it once in rwsem_wake; the mutex never needed its slow path
  assert.equal(row('rw.wait_lock', 'down_write').acqWrite, 2);
  assert.equal(row('rw.wait_lock', 'rwsem_wake').acqWrite, 1);
  assert.equal(rows.filter((x) => x.lockClass === 'mx.wait_lock').length, 0);
  assert.deepEqual(rows.map((x) => `${x.lockClass}/${x.site}`), ['mx/a_lock', 'mx/a_other', 'rw/r', 'rw/w', 'rw.wait_lock/down_write', 'rw.wait_lock/rwsem_wake']);
  // class totals
  const mx = r.env.stat.classTotal('mx');
  assert.deepEqual(mx.acquisitions, { read: 0, write: 3 });
  assert.equal(mx.wait.sum, 176.5);
  assert.equal(mx.hold.sum, 3300);
  assert.equal(mx.hold.max, 2000);
  const rw = r.env.stat.classTotal('rw');
  assert.deepEqual(rw.acquisitions, { read: 2, write: 1 });
  assert.deepEqual(rw.contentions, { read: 0, write: 1 });
  assert.equal(rw.hold.sum, 21_700);
});

test('Distribution: count, sum, min, max, mean and log2-bucket quantiles', () => {
  const d = new Distribution();
  assert.equal(d.quantile(0.5), 0);
  assert.equal(d.mean, 0);
  for (const v of [10, 100, 1000]) d.add(v);
  assert.equal(d.count, 3);
  assert.equal(d.sum, 1110);
  assert.equal(d.min, 10);
  assert.equal(d.max, 1000);
  assert.equal(d.mean, 370);
  // buckets [8,16), [64,128), [512,1024): quantiles are upper bucket bounds, capped by max
  assert.equal(d.buckets[3] + d.buckets[6] + d.buckets[9], 3);
  assert.equal(d.quantile(0.3), 16);
  assert.equal(d.quantile(0.5), 128);
  assert.equal(d.quantile(0.99), 1000);
  assert.equal(d.quantile(1), 1000);
  // never below the smallest value, even for q = 0
  assert.ok(d.quantile(0) >= 10, `quantile(0) = ${d.quantile(0)}`);
  const one = new Distribution();
  one.add(5);
  assert.equal(one.quantile(0.5), 5);
  const zeros = new Distribution();
  zeros.add(0); zeros.add(0);
  assert.equal(zeros.quantile(0.5), 0);
});

test('Distribution (fast-check): quantiles lie in [min, max], grow with q and are within 2x above the exact one; merge = adding all', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 200 }).chain((xs) =>
        fc.double({ min: 0, max: 1e6, noNaN: true }).map((shift) => xs.map((x) => x + shift))),
      fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { maxLength: 50 }),
      (xs, ys) => {
        const d = new Distribution();
        for (const x of xs) d.add(x);
        const sorted = [...xs].sort((a, b) => a - b);
        let prev = -Infinity;
        for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
          const v = d.quantile(q);
          assert.ok(v >= d.min && v <= d.max, `q ${q}: ${v} outside [${d.min}, ${d.max}]`);
          assert.ok(v >= prev, 'monotone in q');
          prev = v;
          // the exact q-quantile (nearest rank) is at most the bucket's upper bound ...
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
          assert.ok(v >= exact || v === d.max, `q ${q}: ${v} < exact ${exact}`);
          // ... and at least half of it (values >= 1)
          if (exact >= 1) assert.ok(v <= 2 * exact, `q ${q}: ${v} > 2 x exact ${exact}`);
        }
        const e = new Distribution();
        for (const y of ys) e.add(y);
        const all = new Distribution();
        for (const v of [...xs, ...ys]) all.add(v);
        d.merge(e);
        assert.equal(d.count, all.count);
        assert.ok(Math.abs(d.sum - all.sum) <= 1e-6 * Math.max(1, all.sum));
        assert.equal(d.min, all.min);
        assert.equal(d.max, all.max);
        assert.deepEqual([...d.buckets], [...all.buckets]);
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});
