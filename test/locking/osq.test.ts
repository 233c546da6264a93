/**
 * The optimistic-spin queue (osq_lock/osq_unlock, kernel/locking/mcs_spinlock.c in 3.18;
 * docs/reference/kernel-locking.md §6 "OSQ"), driven directly: xchg on the tail, the
 * head goes at once, others link behind their predecessor and spin on their own node,
 * need_resched unqueues, osq_unlock hands the head to the successor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mutex, Osq, type LockOp } from '../../src/locking';
import type { Task } from '../../src/sched';
import { rig, type Rig } from './scenario';
import type { Proc } from '../../src/engine';

const op = (): LockOp => ({ cls: 'osq', site: 'osq', mode: 'write', t0: 0, spin: 0, sleep: 0, cross: 0, contended: true, nested: false });

function setup(r: Rig): { osq: Osq; m: Mutex } {
  const m = new Mutex(r.env, { name: 'mx' }, 'M');
  return { osq: new Osq(m), m };
}

/** enter, log 'X head' (or 'X gave up'), hold the head `hold` ns, exit */
function* member(r: Rig, osq: Osq, t: Task, hold: number): Proc<boolean> {
  const ok = yield* osq.enter(t, op());
  r.log(`${t.name} ${ok ? 'head' : 'gave up'}`);
  if (!ok) return false;
  yield* r.work(t, hold);
  r.log(`${t.name} exits`);
  yield* osq.exit(t);
  return true;
}

test('the first spinner heads the queue at once; later ones become head in queue order at each osq_unlock', () => {
  const r = rig({ sockets: 2, cores: 4 });
  const { osq, m } = setup(r);
  const lat = r.m.spec.latency;
  r.task('A', 0, function* (t) { yield* member(r, osq, t, 10_000); });
  // B on the other socket, C on A's socket; C queues behind B
  r.task('B', 4, function* (t) { yield* r.work(t, 1000); yield* member(r, osq, t, 5000); });
  r.task('C', 1, function* (t) { yield* r.work(t, 2000); yield* member(r, osq, t, 5000); });
  let idle = -1;
  r.sim.at(6000, () => {
    assert.deepEqual(osq.queue.map((t) => t.name), ['A', 'B', 'C']);
    idle = m.line.stats.accesses;
  });
  r.sim.at(11_000, () => assert.equal(m.line.stats.accesses, idle, 'queued spinners do not touch the lock line'));
  r.sim.run();
  assert.deepEqual(r.order(), ['A head', 'A exits', 'B head', 'B exits', 'C head', 'C exits']);
  // xchg(tail) from DRAM, then at once
  assert.equal(r.when('A head'), 2000 + lat.memoryLocal);
  // osq_unlock: next->locked = 1, one transfer between the two CPUs' nodes
  assert.equal(r.when('B head') - r.when('A exits'), lat.crossSocket);
  assert.equal(r.when('C head') - r.when('B exits'), lat.crossSocket);
  assert.equal(osq.queue.length, 0);
});

test('a queued spinner that must reschedule unqueues and gives up; the head passes to the one behind it', () => {
  // 3 CPUs, all busy, so that X's wake-up lands on B's CPU and preempts it. After 10 ms of
  // work A heads the queue, B and C queue behind; X is woken onto B's CPU at 10.05 ms with
  // a much smaller vruntime: need_resched, B unlinks itself and fails; A's osq_unlock goes
  // to C.
  const r = rig({ cores: 3 });
  const { osq } = setup(r);
  const X = r.task('X', 1, function* (t) { yield* r.sched.block(t); r.log('X runs'); yield* r.work(t, 1000); });
  r.task('A', 0, function* (t) { yield* r.work(t, 10e6); yield* member(r, osq, t, 100_000); });
  r.task('C', 2, function* (t) { yield* r.work(t, 10e6 + 10_000); yield* member(r, osq, t, 1000); });
  let B!: Task;
  r.sim.at(3000, () => { // after X went to sleep, so that B gets CPU 1
    B = r.task('B', 1, function* (t) {
      yield* r.work(t, 10e6);
      if (!(yield* member(r, osq, t, 1000))) yield* r.sched.condResched(t);
      r.log('B back');
    });
  });
  r.sim.at(10e6 + 50_000, () => {
    assert.deepEqual(osq.queue.map((t) => t.name), ['A', 'B', 'C']);
    r.log('wake X');
    r.sched.wake(X);
  });
  r.sim.run();
  assert.deepEqual(r.order(), ['A head', 'wake X', 'B gave up', 'X runs', 'B back', 'A exits', 'C head', 'C exits']);
  // B gave up at once (its unlink is one remote write)
  assert.ok(r.when('B gave up') - 10.05e6 <= r.m.spec.latency.sameSocket);
  assert.equal(B.stats.preemptions, 1);
  assert.equal(osq.queue.length, 0);
});

test('osq_unlock by a lone head while a newcomer is queueing: the newcomer still gets the head', () => {
  // H (CPU 0) heads the queue alone and leaves at t = 5010; E (other socket) issued its
  // xchg(tail) at 5000, so H's cmpxchg(tail, H, NULL) fails. A read of the line by Z
  // (socket 1) between the two delays H's cmpxchg past E's linking: E is queued behind H
  // and spinning when H leaves. osq_unlock() then finds E through node->next /
  // osq_wait_next() and hands it the head.
  const r = rig({ sockets: 2, cores: 4 });
  const { osq, m } = setup(r);
  r.task('H', 0, function* (t) {
    yield* osq.enter(t, op()); // head at 2135
    yield* r.work(t, 5010 - 2135);
    r.log('H exits');
    yield* osq.exit(t);
  });
  r.task('E', 4, function* (t) {
    yield* r.work(t, 3000);
    const ok = yield* osq.enter(t, op());
    r.log(`E ${ok ? 'head' : 'gave up'}`);
    if (ok) yield* osq.exit(t);
  });
  r.task('Z', 5, function* (t) {
    yield* r.work(t, 3005);
    yield m.ld(t, null);
  });
  r.sim.run(1e6); // bounded: a lost hand-off leaves E spinning (and ticking) for ever
  assert.deepEqual(r.order(), ['H exits', 'E head']);
  assert.ok(r.when('E head') - r.when('H exits') < 1000, `E became head ${r.when('E head') - r.when('H exits')} ns after H left`);
  assert.equal(osq.queue.length, 0);
});

test('osq_unlock by a task that is not the head is a bug', () => {
  const r = rig();
  const { osq } = setup(r);
  r.task('A', 0, function* (t) { yield* osq.enter(t, op()); });
  r.task('B', 1, function* (t) { yield* r.work(t, 5000); yield* osq.exit(t); });
  assert.throws(() => r.sim.run(1e6), /osq M: B leaves but is not the head/);
});
