/**
 * The rules of the 3.18 xadd rwsem (docs/reference/kernel-locking.md §6), each checked
 * on a small hand-worked scenario in checking mode, with the exact 64-bit count at the
 * key points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RwSem, type LockMode } from '../../src/locking';
import type { Task } from '../../src/sched';
import { rig, type Rig } from './scenario';
import type { Proc } from '../../src/engine';

const WAKE = 5000 + 2000; // idle wake latency + context switch

// arch/x86/include/asm/rwsem.h (x86-64)
const ACTIVE = 1;
const WAITING = -(2 ** 32);
const WRITE = WAITING + ACTIVE; // ACTIVE_WRITE_BIAS

function rwsem(r: Rig, opts: { optimisticSpin?: boolean; writerSteal?: boolean } = {}): RwSem {
  return new RwSem(r.env, { name: 'rw', rank: 1 }, 'S', opts);
}

/** take `mode` at site = task name, log 'X got', hold, log 'X releases', release */
function* critical(r: Rig, s: RwSem, t: Task, mode: LockMode, hold: number): Proc {
  r.log(`${t.name} asks`);
  yield* s.acquire(t, mode, t.name);
  r.log(`${t.name} got`);
  yield* r.work(t, hold);
  r.log(`${t.name} releases`);
  yield* s.release(t, mode);
}

/** call `f` with every value stored into s.count */
function traceCount(s: RwSem, f: (c: number) => void): void {
  let v = s.count;
  Object.defineProperty(s, 'count', { get: () => v, set: (c: number) => { v = c; f(c); } });
}

/** a count written as multiples of 2^32 plus the active part, e.g. WAITING + 2 → "-1:2" */
function show(c: number): string {
  const hi = Math.floor(c / 2 ** 32);
  return `${hi}:${c - hi * 2 ** 32}`;
}

const site = (r: Rig, s: string) => r.env.stat.site('rw', s);

test('the bias constants as the kernel has them', () => {
  assert.equal(WAITING, -0x100000000);
  assert.equal(WRITE, -0xffffffff);
  assert.equal(show(WAITING + 2), '-1:2');
  assert.equal(show(WRITE + WAITING), '-2:1');
});

test('readers share: two readers hold at once on their own atomic, count = 2, no contention', () => {
  const r = rig();
  const s = rwsem(r);
  const counts: string[] = [];
  traceCount(s, (c) => counts.push(show(c)));
  r.task('R1', 0, function* (t) { yield* critical(r, s, t, 'read', 10_000); });
  r.task('R2', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'read', 5000); });
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['R1 asks', 'R1 got', 'R2 asks', 'R2 got', 'R2 releases', 'R1 releases']);
  assert.deepEqual(counts, ['0:1', '0:2', '0:1', '0:0']);
  for (const n of ['R1', 'R2']) {
    assert.deepEqual(site(r, n).acquisitions, { read: 1, write: 0 });
    assert.deepEqual(site(r, n).contentions, { read: 0, write: 0 });
  }
  // R2 waited only for its lock incq: one transfer of the line from R1's core
  assert.equal(site(r, 'R2').wait.sum, r.m.spec.latency.sameSocket);
  assert.equal(s.owner, null, 'readers set no owner');
});

test('rule 1: a reader arriving while a writer is queued queues too, although the lock is only read-held', () => {
  // R1 reads; W arrives (no spinning on readers) and queues; R2 arrives: its incq gives a
  // negative count, so it queues behind W. R1's up_read wakes W, W's up_write grants R2.
  const r = rig();
  const s = rwsem(r);
  const counts: string[] = [];
  traceCount(s, (c) => counts.push(show(c)));
  const W = r.task('W', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'write', 5000); });
  const R2 = r.task('R2', 2, function* (t) { yield* r.work(t, 3000); yield* critical(r, s, t, 'read', 1000); });
  r.task('R1', 0, function* (t) { yield* critical(r, s, t, 'read', 20_000); });
  const samples: string[] = [];
  r.sim.at(15_000, () => samples.push(`W ${W.state}, R2 ${R2.state}, count ${show(s.count)}`));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['R1 asks', 'R1 got', 'W asks', 'R2 asks', 'R1 releases', 'W got', 'W releases', 'R2 got', 'R2 releases']);
  assert.deepEqual(samples, ['W sleeping, R2 sleeping, count -1:1']);
  assert.deepEqual(counts, [
    show(ACTIVE), // R1: incq
    show(ACTIVE + WRITE), // W: xadd WRITE_BIAS; old active part 1 -> slow path
    show(ACTIVE), // W: undo its bias; owner NULL -> no spinning
    show(ACTIVE + WAITING), // W: first waiter adds WAITING_BIAS
    show(2 * ACTIVE + WAITING), // R2: incq, negative -> slow path
    show(ACTIVE + WAITING), // R2: -ACTIVE (queue not empty); not first -> no self-grant
    show(WAITING), // R1: up_read; active part 0 with waiters -> rwsem_wake: W woken, not granted
    show(WRITE), // W: cmpxchg(WAITING -> WRITE) in rwsem_try_write_lock
    show(WRITE + WAITING), // W: R2 still queued -> re-add WAITING_BIAS
    show(WAITING), // W: up_write -> rwsem_wake: head R2 is a reader
    show(WAITING + ACTIVE), // waker: one read grant first
    show(ACTIVE), // waker: R2 is the last waiter: drop WAITING_BIAS
    show(0), // R2: up_read
  ]);
  assert.equal(W.stats.wakeups, 1);
  assert.equal(R2.stats.wakeups, 1);
  assert.equal(site(r, 'R2').contentions.read, 1);
});

test('readers never spin: a reader behind a running writer sleeps and is granted the lock by up_write', () => {
  const r = rig();
  const s = rwsem(r);
  const counts: string[] = [];
  traceCount(s, (c) => counts.push(show(c)));
  r.task('W', 0, function* (t) { yield* critical(r, s, t, 'write', 20_000); });
  const R = r.task('R', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'read', 1000); });
  const samples: string[] = [];
  r.sim.at(10_000, () => samples.push(`R ${R.state}, owner ${s.owner?.name}`));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['W asks', 'W got', 'R asks', 'W releases', 'R got', 'R releases']);
  assert.deepEqual(samples, ['R sleeping, owner W']);
  assert.equal(site(r, 'R').spin, 0);
  assert.equal(R.stats.spin, 0);
  assert.ok(site(r, 'R').sleep > 15_000);
  assert.deepEqual(counts, [
    show(WRITE), // W: fast path
    show(WRITE + ACTIVE), // R: incq, negative -> slow path
    show(WRITE + WAITING), // R: -ACTIVE + WAITING (first waiter); a writer is active: sleep
    show(WAITING), // W: up_write -> wake
    show(WAITING + ACTIVE), // grant one read bias
    show(ACTIVE), // queue empty: drop WAITING_BIAS
    show(0),
  ]);
  const d = r.when('R got') - r.when('W releases');
  assert.ok(d > WAKE && d < WAKE + 2000, `granted, then runs after the wake-up latency (${d} ns)`);
});

for (const steal of [true, false]) {
  test(`head writer woken, not granted: a running writer ${steal ? 'steals it (active count 0 with a queue)' : 'does not steal with writerSteal: false'}`, () => {
    // R reads; W1 queues and sleeps. R's up_read wakes W1 (count = WAITING_BIAS), and
    // 1 µs later, long before W1 is back on a CPU, W2 calls down_write.
    const r = rig();
    const s = rwsem(r, { writerSteal: steal });
    const counts: string[] = [];
    traceCount(s, (c) => counts.push(show(c)));
    r.task('R', 0, function* (t) { yield* critical(r, s, t, 'read', 20_000); });
    const W1 = r.task('W1', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'write', 10_000); });
    const W2 = r.task('W2', 2, function* (t) { yield* r.work(t, 21_135); yield* critical(r, s, t, 'write', 10_000); });
    r.sim.run();
    r.env.finalCheck();
    assert.equal(r.when('W2 asks') - r.when('R releases'), 1000);
    if (steal) {
      assert.deepEqual(counts, [
        show(ACTIVE), // R
        show(ACTIVE + WRITE), // W1: xadd, old active 1 -> slow path
        show(ACTIVE), // W1: undo
        show(ACTIVE + WAITING), // W1: queued first
        show(WAITING), // R: up_read -> W1 woken, not granted
        show(WAITING + WRITE), // W2: fast path, old = WAITING_BIAS has active part 0: owned
        show(WAITING), // W2: up_write -> W1 woken again
        show(WRITE), // W1: cmpxchg(WAITING -> WRITE); alone in the queue
        show(0), // W1: up_write
      ]);
      assert.deepEqual(r.order(), ['R asks', 'R got', 'W1 asks', 'R releases', 'W2 asks', 'W2 got', 'W2 releases', 'W1 got', 'W1 releases']);
      assert.equal(W1.stats.wakeups, 2, 'W1 woken by R, lost the race, woken again by W2');
      assert.equal(site(r, 'W2').contentions.write, 0, 'W2 took the fast path');
    } else {
      assert.deepEqual(r.order(), ['R asks', 'R got', 'W1 asks', 'R releases', 'W2 asks', 'W1 got', 'W1 releases', 'W2 got', 'W2 releases']);
      assert.equal(W1.stats.wakeups, 1);
      assert.deepEqual(counts, [
        show(ACTIVE), show(ACTIVE + WRITE), show(ACTIVE), show(ACTIVE + WAITING),
        show(WAITING), // R: up_read -> W1 woken
        show(WAITING + WRITE), // W2: xadd; old != 0 -> slow path (no fast-path steal)
        show(WAITING), // W2: undo; queues behind W1, may not take it from the head
        show(WRITE), // W1: cmpxchg(WAITING -> WRITE)
        show(WRITE + WAITING), // W1: W2 still queued
        show(WAITING), // W1: up_write -> W2 (now the head) woken
        show(WRITE), // W2
        show(0),
      ]);
    }
  });
}

test('a writer spins only behind a running writer owner: not behind readers, not behind a sleeping writer', () => {
  const cases = [
    { name: 'running writer', mode: 'write' as const, sleeps: false, spins: true },
    { name: 'readers (owner NULL)', mode: 'read' as const, sleeps: false, spins: false },
    { name: 'sleeping writer', mode: 'write' as const, sleeps: true, spins: false },
  ];
  for (const c of cases) {
    const r = rig();
    const s = rwsem(r);
    const H = r.task('H', 0, function* (t) {
      r.log('H asks');
      yield* s.acquire(t, c.mode, 'H');
      if (c.sleeps) yield* r.sched.block(t);
      else yield* r.work(t, 20_000);
      r.log('H releases');
      yield* s.release(t, c.mode);
    });
    if (c.sleeps) r.sim.at(15_000, () => r.sched.wake(H));
    const W = r.task('W', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'write', 1000); });
    const samples: string[] = [];
    r.sim.at(10_000, () => samples.push(W.state));
    r.sim.run();
    r.env.finalCheck();
    assert.deepEqual(r.order(), ['H asks', 'W asks', 'H releases', 'W got', 'W releases'], c.name);
    const st = site(r, 'W');
    assert.equal(st.contentions.write, 1);
    if (c.spins) {
      assert.deepEqual(samples, ['spinning'], c.name);
      assert.ok(st.spin > 18_000, `${c.name}: spin ${st.spin}`);
      assert.equal(st.sleep, 0);
      assert.ok(r.when('W got') - r.when('H releases') < 1000, 'takes it by cmpxchg at the release');
    } else {
      assert.deepEqual(samples, ['sleeping'], c.name);
      assert.equal(st.spin, 0, c.name);
      assert.equal(W.stats.spin, 0, c.name);
      assert.ok(r.when('W got') - r.when('H releases') > WAKE, 'woken by the release');
    }
  }
});

test('a reader at the head wakes the run of readers up to the first queued writer in one batch', () => {
  // W0 holds for write and sleeps (so W1 does not spin); queue: R1 R2 W1 R3. W0's up_write
  // grants R1 and R2 together (count WAITING_BIAS + 2 before either runs); R3 stays queued
  // behind W1, which gets the lock when both readers are gone; W1's up_write grants R3.
  const r = rig({ cores: 5 });
  const s = rwsem(r);
  const W0 = r.task('W0', 0, function* (t) {
    yield* s.downWrite(t, 'W0');
    r.log('W0 got');
    yield* r.sched.block(t);
    r.log('W0 releases');
    yield* s.upWrite(t);
    r.log(`after up_write: count ${show(s.count)}, queue ${s.waiterNames().join(' ')}`);
  });
  r.sim.at(30_000, () => r.sched.wake(W0));
  const arrivals = [['R1', 1, 1000, 'read', 3000], ['R2', 2, 2000, 'read', 5000], ['W1', 3, 3000, 'write', 2000], ['R3', 4, 4000, 'read', 1000]] as const;
  const tasks = arrivals.map(([name, cpu, delay, mode, hold]) => r.task(name, cpu, function* (t) {
    yield* r.work(t, delay);
    yield* critical(r, s, t, mode, hold);
  }));
  const samples: string[] = [];
  r.sim.at(20_000, () => samples.push(`count ${show(s.count)}, queue ${s.waiterNames().join(' ')}`));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(samples, [`count ${show(WRITE + WAITING)}, queue R1(read) R2(read) W1(write) R3(read)`]);
  const order = r.order();
  assert.ok(order.includes(`after up_write: count ${show(WAITING + 2)}, queue W1(write) R3(read)`), order.join('\n'));
  const got = order.filter((e) => e.endsWith(' got'));
  assert.deepEqual(got, ['W0 got', 'R1 got', 'R2 got', 'W1 got', 'R3 got']);
  // R1 and R2 held it together; W1 only after both released; R3 only after W1
  assert.ok(r.when('R2 got') < r.when('R1 releases'));
  assert.ok(r.when('W1 got') > r.when('R2 releases'));
  assert.ok(r.when('R3 got') > r.when('W1 releases'));
  for (const t of tasks) assert.equal(t.stats.wakeups, 1, `${t.name}: one wake-up`);
  assert.equal(s.count, 0);
});

test('the first waiter finding only readers active grants itself (no sleep), and no wake-up is left pending', () => {
  // R1 reads. W's xadd lands at 3040; R2's incq, issued 10 ns after W's, queues behind it
  // on the line and sees W's bias: slow path. R2 reaches the wait_lock first, is the first
  // waiter, and finds only readers active (W undid its bias and is spinning on the
  // wait_lock): __rwsem_do_wake(WAKE_ANY) grants R2 its own read lock. Its wake_up_process()
  // of itself (TASK_RUNNING) is a no-op: a later sleep of R2 must really sleep.
  const r = rig();
  const s = rwsem(r);
  r.task('R1', 0, function* (t) { yield* critical(r, s, t, 'read', 20_000); });
  r.task('W', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'write', 1000); });
  const R2 = r.task('R2', 2, function* (t) {
    yield* r.work(t, 1010);
    yield* critical(r, s, t, 'read', 1000);
    r.log('R2 sleeps');
    yield* r.sched.block(t);
    r.log('R2 woken');
  });
  r.sim.at(50_000, () => r.sched.wake(R2));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order().filter((e) => e.endsWith(' got')), ['R1 got', 'R2 got', 'W got']);
  const st = site(r, 'R2');
  assert.equal(st.contentions.read, 1, 'R2 took the slow path');
  assert.equal(st.sleep, 0, 'and never slept: it granted itself');
  assert.ok(r.when('R2 got') < r.when('R1 releases'), 'sharing with R1 while W is queued');
  assert.ok(r.when('W got') > r.when('R2 releases'));
  assert.equal(r.when('R2 woken'), 50_000 + WAKE, 'the self-wake left no pending wake-up');
});

test('quirk: a writer spinning when readers take over keeps polling (owner NULL) until the count lets it in', () => {
  // W1 writes (running) until 22135; W2 spins on it. R's incq lands just after W1's
  // release and before W2's cmpxchg: W2's cmpxchg fails, and with owner NULL and no
  // need_resched it keeps polling through R's 5 µs read hold instead of sleeping.
  const r = rig();
  const s = rwsem(r);
  r.task('W1', 0, function* (t) { yield* critical(r, s, t, 'write', 20_000); });
  const W2 = r.task('W2', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, s, t, 'write', 1000); });
  r.task('R', 2, function* (t) { yield* r.work(t, 20_136); yield* critical(r, s, t, 'read', 5000); });
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['W1 asks', 'W1 got', 'W2 asks', 'W1 releases', 'R asks', 'R got', 'R releases', 'W2 got', 'W2 releases']);
  assert.equal(r.when('W1 releases'), 22_135);
  const st = site(r, 'W2');
  assert.equal(st.sleep, 0);
  assert.equal(W2.stats.wakeups, 0);
  const through = r.when('R releases') - r.when('W2 asks');
  assert.ok(st.spin > through - 500 && st.spin < through + 500, `spun through W1's and R's holds: ${st.spin} of ${through}`);
  assert.ok(r.when('W2 got') - r.when('R releases') < 1000);
  assert.deepEqual(site(r, 'R').contentions, { read: 0, write: 0 }, 'R entered by the fast path');
});
