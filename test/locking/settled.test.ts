/**
 * The rule every lock operation follows (Lock.settled): the CPU time a task owes is paid
 * before the operation touches the lock, so the operation cannot end before that time. Checked
 * for every public operation of every primitive, folded and exact: without the rule a folded
 * fast path would end at once, with the debt still unpaid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation, type Proc } from '../../src/engine';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv, Mutex, RwSem, SpinLock } from '../../src/locking';
import { machine } from './harness';

/** each operation as (take, give): a lock operation and the one that undoes it */
type Pair = [string, (t: Task) => Proc<unknown>, (t: Task) => Proc<unknown>];

function pairs(env: LockEnv): Pair[] {
  const m = new Mutex(env, { name: 'm' }, 'M');
  const s = new SpinLock(env, { name: 's' }, 'S');
  const r = new RwSem(env, { name: 'r' }, 'R');
  return [
    ['mutex lock/unlock', (t) => m.lock(t, 'x'), (t) => m.unlock(t)],
    ['mutex trylock/unlock', (t) => m.trylock(t, 'x'), (t) => m.unlock(t)],
    ['mutex acquire/release', (t) => m.acquire(t, 'write', 'x'), (t) => m.release(t)],
    ['spinlock lock/unlock', (t) => s.lock(t, 'x'), (t) => s.unlock(t)],
    ['spinlock acquire/release', (t) => s.acquire(t, 'write', 'x'), (t) => s.release(t)],
    ['rwsem down_read/up_read', (t) => r.downRead(t, 'x'), (t) => r.upRead(t)],
    ['rwsem down_write/up_write', (t) => r.downWrite(t, 'x'), (t) => r.upWrite(t)],
    ['rwsem acquire/release read', (t) => r.acquire(t, 'read', 'x'), (t) => r.release(t, 'read')],
    ['rwsem acquire/release write', (t) => r.acquire(t, 'write', 'x'), (t) => r.release(t, 'write')],
  ];
}

test('property: every lock operation of every primitive ends after the CPU time its task owed (folded and exact)', () => {
  const names = pairs(new LockEnv(new Simulation(1), new Scheduler(new Simulation(1), machine(1, 2, 1)))).map((p) => p[0]);
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), fc.boolean(),
      (name, owe1, owe2, exactLockTiming) => {
        const sim = new Simulation(1);
        const sched = new Scheduler(sim, machine(1, 2, 1));
        const env = new LockEnv(sim, sched, { checks: true, exactLockTiming });
        const [, take, give] = pairs(env).find((p) => p[0] === name)!;
        const ends: number[] = [];
        sched.spawn('a', function* (t) {
          sched.stall(t, owe1);
          yield* take(t);
          ends.push(sim.now);
          sched.stall(t, owe2);
          yield* give(t);
          ends.push(sim.now);
        });
        sim.run();
        assert.ok(ends[0] >= owe1, `${name}: the take ended at ${ends[0]} ns, before the ${owe1} ns owed`);
        assert.ok(ends[1] >= ends[0] + owe2, `${name}: the give ended at ${ends[1]} ns, before ${ends[0]} + ${owe2} ns owed`);
      }),
    { numRuns: 200 },
  );
});
