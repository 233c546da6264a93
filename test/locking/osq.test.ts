import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';
import { Scheduler } from '../../src/sched';
import { LockEnv, Mutex, Osq, type LockOp } from '../../src/locking';
import { machine } from './harness';

function op(): LockOp {
  return { site: 't', mode: 'write', t0: 0, spin: 0, sleep: 0, cross: 0, contended: false, nested: false };
}

/**
 * osq_unlock by the only queued node races a newcomer: the newcomer links in while the
 * leaver's cmpxchg(tail, node, NULL) is in flight. The kernel's cmpxchg then fails and
 * osq_wait_next hands the head over; the model must notify the newcomer, whatever the timing.
 */
test('osq: a spinner queuing while the last node leaves becomes head (no lost hand-off)', () => {
  for (const cpuB of [1, 2]) for (let d = 0; d <= 400; d += 1) {
    const sim = new Simulation(1);
    const sched = new Scheduler(sim, machine(2, 2, 1));
    const env = new LockEnv(sim, sched, { checks: true });
    const lock = new Mutex(env, { name: 'x' }, 'x');
    const osq = new Osq(lock);
    // other CPUs keep the lock's cache line busy (the storm's other spinners): the leaver's
    // cmpxchg then completes well after the newcomer linked in
    sched.spawn('c', function* (t) { for (let i = 0; i < 40; i++) yield lock.rmw(t, null); }, { cpu: 3 });
    let bHead = false;
    sched.spawn('a', function* (t) {
      assert.equal(yield* osq.enter(t, op()), true);
      yield* osq.exit(t);
    }, { cpu: 0 });
    const b = sched.spawn('b', function* (t) {
      yield* sched.compute(t, d);
      bHead = yield* osq.enter(t, op());
      if (bHead) yield* osq.exit(t);
    }, { cpu: cpuB });
    sim.run(1e7);
    assert.ok(bHead && b.state === 'dead', `cpu ${cpuB} delay ${d}: b is ${b.state}, head=${bHead}`);
  }
});
