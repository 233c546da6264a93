import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv, Mutex } from '../../src/locking';
import { Osq } from '../../src/locking/osq';

// Regression: a spinner that queues while the only member runs osq_unlock's cmpxchg
// (between its "am I alone" test and the dequeue) must still become the head
// (osq_wait_next), or it spins forever with nobody to pass it the queue.
test('osq: a spinner queued during the last member\'s unlock cmpxchg gets the head', () => {
  const sim = new Simulation(1);
  const sched = new Scheduler(sim, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched, { checks: true });
  const m = new Mutex(env, { name: 'm' }, 'm');
  const osq = new Osq(m);
  let slowExit = false;
  // make a's unlock cmpxchg slow (a contended line) so b queues while it is in flight
  m.rmw = (task: Task) => (slowExit && task.name === 'a' ? 2000 : 10);
  let headed = false;
  sched.spawn('a', function* (t) {
    yield* osq.enter(t, null as never);
    yield* sched.compute(t, 10_000);
    slowExit = true;
    yield* osq.exit(t);
  }, { cpu: 0 });
  sched.spawn('b', function* (t) {
    while (!slowExit) yield* sched.compute(t, 100);
    headed = yield* osq.enter(t, null as never);
    yield* osq.exit(t);
  }, { cpu: 60 });
  sim.run(1e7);
  assert.equal(headed, true);
  assert.equal(osq.queue.length, 0);
});
