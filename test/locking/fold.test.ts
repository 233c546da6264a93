import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation } from '../../src/engine';
import { Scheduler } from '../../src/sched';
import { LockEnv, Mutex, RwSem, SpinLock } from '../../src/locking';
import { hammer, machine } from './harness';

/** one task alone: `n` × { lock, hold, unlock, think } on each primitive; returns the end time and the env */
function alone(fold: boolean, n: number, hold: number, think: number) {
  const sim = new Simulation(3);
  const sched = new Scheduler(sim, machine(2, 2, 1));
  const env = new LockEnv(sim, sched, { checks: true, exactLockTiming: !fold });
  const cls = { name: 'c', rank: 1 };
  const m = new Mutex(env, cls, 'm'), r = new RwSem(env, { name: 'r', rank: 2 }, 'r'), s = new SpinLock(env, { name: 's', rank: 3 }, 's');
  let events = 0;
  sched.spawn('t', function* (t) {
    for (let i = 0; i < n; i++) {
      yield* m.lock(t, 'm_site');
      yield* sched.compute(t, hold);
      yield* r.acquire(t, i % 2 ? 'read' : 'write', 'r_site');
      yield* sched.compute(t, hold);
      yield* s.critical(t, 's_site', () => hold);
      yield* r.release(t, i % 2 ? 'read' : 'write');
      yield* m.unlock(t);
      yield* sched.compute(t, think);
    }
  }, { cpu: 0 });
  sim.run();
  events = sim.eventCount;
  env.finalCheck();
  return { now: sim.now, env, events };
}

test('folding conserves time: an uncontended task ends when it does with exact timing, in fewer events', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (n, hold, think) => {
      const exact = alone(false, n, hold, think);
      const folded = alone(true, n, hold, think);
      assert.ok(Math.abs(folded.now - exact.now) <= 1e-6 * exact.now + 1e-6, `folded ${folded.now} vs exact ${exact.now}`);
      assert.ok(folded.events < exact.events, `folded ${folded.events} events vs exact ${exact.events}`);
      // lockstat counts the same acquisitions, uncontended, and the folded section's hold is its work
      for (const env of [exact.env, folded.env]) {
        assert.equal(env.stat.site('c', 'm_site').acquisitions.write, n);
        assert.equal(env.stat.site('s', 's_site').acquisitions.write, n);
      }
      const sh = folded.env.stat.site('s', 's_site').hold;
      assert.equal(sh.count, n);
      assert.ok(Math.abs(sh.mean - hold) < 1e-9, `folded critical section hold ${sh.mean}, expected ${hold}`);
    }),
    { numRuns: 40, seed: 7 },
  );
});

test('a folded critical section is taken the slow way when the lock is busy, and waits', () => {
  const sim = new Simulation(1);
  const sched = new Scheduler(sim, machine(1, 2, 1));
  const env = new LockEnv(sim, sched, { checks: true });
  const s = new SpinLock(env, { name: 's', rank: 1 }, 's');
  let bodyAt = -1;
  sched.spawn('holder', function* (t) {
    yield* s.lock(t, 'hold');
    yield* sched.compute(t, 10_000);
    yield* s.unlock(t);
  }, { cpu: 0 });
  sched.spawn('other', function* (t) {
    yield* sched.compute(t, 1_000);
    yield* s.critical(t, 'crit', () => { bodyAt = sim.now; return 500; });
  }, { cpu: 1 });
  sim.run();
  env.finalCheck();
  assert.ok(bodyAt >= 10_000, `the section ran at ${bodyAt}, inside the other task's hold`);
  assert.equal(env.stat.site('s', 'crit').contentions.write, 1);
});

test('folded and exact hammering agree on throughput within a few per cent', () => {
  for (const kind of ['mutex', 'rwsem', 'spinlock'] as const) {
    const e = hammer({ kind, tasks: 30, iters: 30, seed: 5, exactLockTiming: true });
    const f = hammer({ kind, tasks: 30, iters: 30, seed: 5, exactLockTiming: false });
    assert.equal(e.ops, f.ops);
    const d = Math.abs(f.now / e.now - 1);
    assert.ok(d < 0.1, `${kind}: folded ends at ${f.now}, exact at ${e.now} (${(d * 100).toFixed(1)}%)`);
  }
});
