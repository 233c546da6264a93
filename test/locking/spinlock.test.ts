/**
 * The x86 ticket spinlock of 3.18 (the wait_lock of the mutex and rwsem,
 * docs/reference/kernel-locking.md §6 "OSQ" paragraph): FIFO by ticket, spinning with
 * preemption disabled, and hand-off time that grows with the number of waiters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMachine } from '../../src/hw';
import { SpinLock } from '../../src/locking';
import type { Task } from '../../src/sched';
import { rig, type Rig } from './scenario';
import type { Proc } from '../../src/engine';

function* critical(r: Rig, l: SpinLock, t: Task, hold: number): Proc {
  r.log(`${t.name} asks`);
  yield* l.lock(t, t.name);
  r.log(`${t.name} got`);
  yield* r.work(t, hold);
  r.log(`${t.name} unlocks`);
  yield* l.unlock(t);
}

test('FIFO by ticket: waiters get the lock in the order they took tickets, whatever order their re-reads land in', () => {
  // waiters spread over 4 sockets, arrival order unlike CPU order; the order in which the
  // waiters' re-reads of `head` are served is a seeded shuffle: try several seeds
  for (let seed = 1; seed <= 8; seed++) {
    const r = rig({ m: loadMachine('ivybridge-ex-4s'), seed });
    const l = new SpinLock(r.env, { name: 'sl' }, 'L');
    r.task('H', 0, function* (t) { yield* critical(r, l, t, 10_000); });
    const arrivals: [string, number, number][] = [['A', 45, 1000], ['B', 16, 1100], ['C', 31, 1200], ['D', 1, 1300], ['E', 50, 1400]];
    for (const [name, cpu, delay] of arrivals) {
      r.task(name, cpu, function* (t) { yield* r.work(t, delay); yield* critical(r, l, t, 500); });
    }
    r.sim.run();
    r.env.finalCheck();
    assert.deepEqual(r.order().filter((e) => e.endsWith(' got')), ['H got', 'A got', 'B got', 'C got', 'D got', 'E got'], `seed ${seed}`);
    for (const [name] of arrivals) {
      const s = r.env.stat.site('sl', name);
      assert.equal(s.contentions.write, 1);
      assert.equal(s.sleep, 0, 'spinlock waiters never sleep');
      assert.ok(s.spin > 0);
    }
  }
});

test('spinning with preemption disabled: need_resched does not make a spinlock waiter give up', () => {
  // 2 CPUs. X sleeps on CPU 1; S spins there on the lock O holds for 20 ms. At 10 ms X is
  // woken onto CPU 1 and need_resched is set, but S keeps spinning (a mutex spinner would
  // stop): X runs only after S has taken and released the lock.
  const r = rig({ cores: 2 });
  const l = new SpinLock(r.env, { name: 'sl' }, 'L');
  const X = r.task('X', 1, function* (t) { yield* r.sched.block(t); r.log('X runs'); });
  r.task('O', 0, function* (t) { yield* critical(r, l, t, 20e6); });
  r.sim.at(3000, () => r.task('S', 1, function* (t) {
    yield* critical(r, l, t, 1000);
    yield* r.sched.condResched(t);
  }));
  r.sim.at(10e6, () => { r.log('wake X'); r.sched.wake(X); });
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O asks', 'O got', 'S asks', 'wake X', 'O unlocks', 'S got', 'S unlocks', 'X runs']);
  assert.ok(r.env.stat.site('sl', 'S').spin > 19e6);
});

test('hand-off time grows with the number of waiters (IvyBridge-EX): the next holder re-reads behind the others', () => {
  // N+1 tasks over the 4 sockets take the lock 20 times each with no think time, so N
  // always wait. Each unlock invalidates every waiter's copy of `head`; their re-reads are
  // served one after another, and the next holder's lands, on average, behind half of
  // them. With a constant hand-off the mean wait would grow like N; it grows faster.
  const run = (n: number) => {
    const r = rig({ m: loadMachine('ivybridge-ex-4s') });
    const l = new SpinLock(r.env, { name: 'sl' }, 'L');
    let lastRelease = -1;
    const gaps: number[] = [];
    for (let i = 0; i <= n; i++) {
      const cpu = (i % 4) * 15 + Math.floor(i / 4);
      r.task(`t${i}`, cpu, function* (t) {
        for (let k = 0; k < 20; k++) {
          yield* l.lock(t, 'x');
          if (lastRelease >= 0) gaps.push(r.sim.now - lastRelease);
          yield* r.work(t, 200);
          lastRelease = r.sim.now;
          yield* l.unlock(t);
        }
      });
    }
    r.sim.run();
    r.env.finalCheck();
    const s = r.env.stat.site('sl', 'x');
    assert.equal(s.acquisitions.write, 20 * (n + 1));
    return { handoff: gaps.reduce((a, b) => a + b, 0) / gaps.length, wait: s.wait.mean };
  };
  const two = run(2), thirty = run(30);
  assert.ok(thirty.handoff > 3 * two.handoff, `hand-off ${two.handoff.toFixed(0)} ns with 2 waiters, ${thirty.handoff.toFixed(0)} ns with 30`);
  // mean wait per waiter ahead: constant for a scalable lock, here it grows with the hand-off
  assert.ok(thirty.wait / 30 > 2 * (two.wait / 2), `wait per waiter ${(two.wait / 2).toFixed(0)} vs ${(thirty.wait / 30).toFixed(0)} ns`);
});
