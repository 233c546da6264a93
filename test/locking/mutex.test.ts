/**
 * The rules of the 3.18 mutex (docs/reference/kernel-locking.md §5), each checked on a
 * small hand-worked scenario in checking mode: who gets the lock, when, and how (spin
 * or sleep), with the count at the key points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mutex } from '../../src/locking';
import type { Task } from '../../src/sched';
import { rig, near, type Rig } from './scenario';
import type { Proc } from '../../src/engine';

const CS = 2000; // context switch: a spawned task's body starts at t = 2000
const WAKE = 5000 + 2000; // idle wake latency + context switch

function mutex(r: Rig, opts: { optimisticSpin?: boolean } = {}): Mutex {
  return new Mutex(r.env, { name: 'mx', rank: 1 }, 'M', opts);
}

/** lock at `site` (the task's name), log 'X got', hold `hold` ns, log 'X unlocks', unlock */
function* critical(r: Rig, m: Mutex, t: Task, hold: number): Proc {
  r.log(`${t.name} asks`);
  yield* m.lock(t, t.name);
  r.log(`${t.name} got`);
  yield* r.work(t, hold);
  r.log(`${t.name} unlocks`);
  yield* m.unlock(t);
}

/** call `f` with every value stored into m.count */
function traceCount(m: Mutex, f: (c: number) => void): void {
  let v = m.count;
  Object.defineProperty(m, 'count', { get: () => v, set: (c: number) => { v = c; f(c); } });
}

const site = (r: Rig, s: string) => r.env.stat.site('mx', s);

test('fast path: an uncontended lock is one lock decl, no contention, exact wait and hold', () => {
  const r = rig();
  const m = mutex(r);
  r.task('A', 0, function* (t) {
    yield* critical(r, m, t, 1000);
    assert.equal(m.count, 1);
    assert.equal(m.owner, null);
  });
  r.sim.run();
  r.env.finalCheck();
  const lat = r.m.spec.latency;
  // the first access fetches the line from DRAM
  assert.equal(r.when('A got'), CS + lat.memoryLocal);
  const s = site(r, 'A');
  assert.deepEqual(s.acquisitions, { read: 0, write: 1 });
  assert.deepEqual(s.contentions, { read: 0, write: 0 });
  assert.equal(s.wait.sum, lat.memoryLocal);
  assert.equal(s.hold.sum, 1000);
  assert.equal(s.spin, 0);
  assert.equal(s.sleep, 0);
  // no slow path: the wait_lock was never taken
  assert.equal(r.env.stat.classes.has('mx.wait_lock'), false);
});

test('a contender spins (does not sleep) while the owner runs, and takes the lock at its release', () => {
  const r = rig();
  const m = mutex(r);
  const samples: string[] = [];
  r.task('O', 0, function* (t) { yield* critical(r, m, t, 10_000); });
  const S = r.task('S', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 100); });
  r.sim.at(8000, () => samples.push(`${S.state} count=${m.count} owner=${m.owner?.name}`));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O asks', 'O got', 'S asks', 'O unlocks', 'S got', 'S unlocks']);
  assert.deepEqual(samples, ['spinning count=-1 owner=O']);
  const handoff = r.when('S got') - r.when('O unlocks');
  assert.ok(handoff > 0 && handoff < 1000, `S got it ${handoff} ns after O's unlock`);
  const s = site(r, 'S');
  assert.equal(s.contentions.write, 1);
  assert.ok(s.spin > 0.9 * (r.when('O unlocks') - r.when('S asks')), `spin ${s.spin}`);
  assert.equal(s.sleep, 0);
  assert.equal(S.stats.sleep, 0);
  assert.equal(S.stats.wakeups, 0);
});

test('no spinning when the owner is off-CPU (asleep holding the lock): the contender sleeps', () => {
  const r = rig();
  const m = mutex(r);
  const samples: string[] = [];
  const O = r.task('O', 0, function* (t) {
    yield* m.lock(t, 'O');
    r.log('O got');
    yield* r.sched.block(t); // sleeps with the mutex held, woken at t = 20 µs
    r.log('O unlocks');
    yield* m.unlock(t);
  });
  r.sim.at(20_000, () => r.sched.wake(O));
  const S = r.task('S', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 100); });
  r.sim.at(10_000, () => samples.push(`${S.state} count=${m.count}`));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O got', 'S asks', 'O unlocks', 'S got', 'S unlocks']);
  assert.deepEqual(samples, ['sleeping count=-1']);
  assert.equal(r.when('O unlocks'), 20_000 + WAKE);
  // woken by O's unlock, S runs after the wake-up latency and wins the xchg
  const late = r.when('S got') - r.when('O unlocks');
  assert.ok(late > WAKE && late < WAKE + 2000, `S got it ${late} ns after the unlock`);
  const s = site(r, 'S');
  assert.equal(s.spin, 0);
  assert.equal(S.stats.spin, 0);
  assert.ok(s.sleep > 15_000, `sleep ${s.sleep}`);
  assert.equal(S.stats.wakeups, 1);
  assert.equal(m.count, 1);
});

test('a spinner stops spinning when the owner goes to sleep, and sleeps in the wait list', () => {
  const r = rig();
  const m = mutex(r);
  const O = r.task('O', 0, function* (t) {
    yield* m.lock(t, 'O');
    r.log('O got');
    yield* r.work(t, 5000);
    r.log('O blocks');
    yield* r.sched.block(t);
    r.log('O unlocks');
    yield* m.unlock(t);
  });
  r.sim.at(30_000, () => r.sched.wake(O));
  const S = r.task('S', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 100); });
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O got', 'S asks', 'O blocks', 'O unlocks', 'S got', 'S unlocks']);
  const s = site(r, 'S');
  const spun = r.when('O blocks') - r.when('S asks');
  // it spun (minus its slow-path entry) until O left the CPU, then no more
  assert.ok(s.spin > spun - 500 && s.spin <= spun, `spin ${s.spin} vs ${spun} until O blocked`);
  assert.ok(s.sleep > 20_000, `sleep ${s.sleep}`);
  assert.equal(S.stats.wakeups, 1);
});

test('spinning is allowed on a NULL owner (acquired, owner not yet set) even with the holder asleep', () => {
  // mutex_can_spin_on_owner() returns 1 when lock->owner is NULL. Here the holder goes to
  // sleep inside the window between acquiring and mutex_set_owner() (forced by clearing
  // the field): a contender spins although nobody runs; with the owner field set it sleeps.
  for (const clear of [true, false]) {
    const r = rig();
    const m = mutex(r);
    const H = r.task('H', 0, function* (t) {
      yield* m.lock(t, 'H');
      if (clear) m.owner = null;
      yield* r.sched.block(t);
      r.log('H unlocks');
      yield* m.unlock(t);
    });
    r.sim.at(20_000, () => r.sched.wake(H));
    const S = r.task('S', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 100); });
    r.sim.run();
    r.env.finalCheck();
    const s = site(r, 'S');
    if (clear) {
      assert.ok(s.spin > 20_000, `NULL owner: S must spin until the release (spin ${s.spin})`);
      assert.equal(s.sleep, 0);
      assert.equal(S.stats.wakeups, 0);
      assert.ok(r.when('S got') - r.when('H unlocks') < 1000);
    } else {
      assert.equal(s.spin, 0, 'owner set and asleep: no spinning');
      assert.ok(s.sleep > 20_000);
    }
  }
});

test('unlock with a sleeper: count is set to 1 first, the head waiter is woken, a spinner steals ahead of it', () => {
  // W sleeps (it arrived while O was asleep holding the lock); O comes back and runs, S
  // arrives and spins on O. O's unlock releases (count = 1) then wakes W; S's cmpxchg
  // lands long before W runs; W's xchg(-1) returns 0, it sleeps again in place and gets
  // the lock at S's unlock.
  const r = rig();
  const m = mutex(r);
  const wakeCounts: string[] = [];
  const O = r.task('O', 0, function* (t) {
    yield* m.lock(t, 'O');
    r.log('O got');
    yield* r.sched.block(t);
    yield* r.work(t, 20_000);
    r.log('O unlocks');
    yield* m.unlock(t);
  });
  r.sim.at(10_000, () => r.sched.wake(O)); // O runs again from 17 µs to 37 µs
  const W = r.task('W', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 1000); });
  const S = r.task('S', 2, function* (t) { yield* r.work(t, 25_000); yield* critical(r, m, t, 20_000); });
  const wake = r.sched.wake.bind(r.sched);
  r.sched.wake = (t: Task) => {
    if (t === W) wakeCounts.push(`wake W`);
    return wake(t);
  };
  traceCount(m, (c) => wakeCounts.push(`${c}`));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O got', 'W asks', 'S asks', 'O unlocks', 'S got', 'S unlocks', 'W got', 'W unlocks']);
  // both wake-ups of W came after the release (count already 1)
  // every value stored into count, with W's wake-ups:
  assert.deepEqual(wakeCounts.join(' '), [
    '0', // O: fast path
    '-1', // W: decl, then it sleeps in the wait list (O is asleep: no spinning)
    '-2', // S: decl, then spins on O (running again)
    '-1', // O: unlock incl; result <= 0 -> unlock slow path
    '1', // O: released first (x86 __mutex_slowpath_needs_to_unlock)
    '0', // S: cmpxchg(1 -> 0) wins while O is still on its way to the wait_lock
    'wake W', // O: wakes the head waiter, which no longer can have the lock
    '-1', // W: xchg(-1) returns 0: sleeps again in place
    '0', // S: unlock incl; <= 0 -> slow path
    '1', // S: released first
    'wake W',
    '-1', // W: xchg(-1) returns 1: owned
    '0', // W: wait list now empty -> count 0
    '1', // W: unlock fast path
  ].join(' '));
  assert.equal(W.stats.wakeups, 2);
  const steal = r.when('S got') - r.when('O unlocks');
  assert.ok(steal < 1000, `S took it ${steal} ns after O's unlock, before W could run (${WAKE} ns)`);
  assert.ok(site(r, 'S').spin > 0);
  assert.equal(site(r, 'S').sleep, 0);
  assert.equal(S.stats.wakeups, 0);
});

test('FIFO among sleepers: waiters get the lock in the order they queued, one wake-up each', () => {
  const r = rig({ cores: 4 });
  const m = mutex(r);
  const O = r.task('O', 0, function* (t) {
    yield* m.lock(t, 'O');
    r.log('O got');
    yield* r.sched.block(t); // asleep holding it: newcomers do not spin
    r.log('O unlocks');
    yield* m.unlock(t);
  });
  r.sim.at(20_000, () => r.sched.wake(O));
  // arrival order differs from CPU order
  const ws = [['A', 3, 1000], ['B', 1, 2000], ['C', 2, 3000]] as const;
  const tasks = ws.map(([name, cpu, delay]) => r.task(name, cpu, function* (t) {
    yield* r.work(t, delay);
    yield* critical(r, m, t, 3000);
  }));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order().filter((e) => e.endsWith('got')), ['O got', 'A got', 'B got', 'C got']);
  for (const t of tasks) {
    assert.equal(t.stats.wakeups, 1, `${t.name} woken once`);
    assert.equal(site(r, t.name).spin, 0, `${t.name} never spun (owner asleep, then sleeping waiters do not spin)`);
  }
  // each hand-off costs one wake-up latency: the waiter is woken by the unlock and runs later
  for (const [prev, next] of [['O', 'A'], ['A', 'B'], ['B', 'C']]) {
    const d = r.when(`${next} got`) - r.when(`${prev} unlocks`);
    assert.ok(d > WAKE && d < WAKE + 2000, `${prev} -> ${next}: ${d} ns`);
  }
  assert.equal(m.count, 1);
});

test('need_resched makes a spinner give up: it reschedules, then sleeps in the wait list', () => {
  // 2 CPUs. X sleeps on CPU 1; S spins there on O (running on CPU 0 for 20 ms). At 10 ms
  // X is woken onto CPU 1 (no idle CPU) with a much smaller vruntime: wake-up
  // preemption sets need_resched, S stops spinning, lets X run, then sleeps.
  const r = rig({ cores: 2 });
  const m = mutex(r);
  const X = r.task('X', 1, function* (t) {
    yield* r.sched.block(t);
    r.log('X runs');
    yield* r.work(t, 1000);
  });
  r.task('O', 0, function* (t) { yield* critical(r, m, t, 20e6); });
  let S!: Task;
  r.sim.at(3000, () => { // after X went to sleep, so that S gets CPU 1
    S = r.task('S', 1, function* (t) { yield* critical(r, m, t, 1000); });
  });
  r.sim.at(10e6, () => { r.log('wake X'); r.sched.wake(X); });
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O asks', 'O got', 'S asks', 'wake X', 'X runs', 'O unlocks', 'S got', 'S unlocks']);
  const s = site(r, 'S');
  const spun = 10e6 - r.when('S asks');
  assert.ok(s.spin > spun - 1000 && s.spin <= spun, `spun ${s.spin} until need_resched at 10 ms (${spun})`);
  assert.ok(s.sleep > 9e6, `then slept ${s.sleep}`);
  assert.ok(r.when('X runs') - 10e6 < 5000, 'X ran as soon as S gave up the CPU');
  assert.equal(S.stats.preemptions, 1);
  assert.equal(S.stats.wakeups, 1);
  assert.ok(r.when('S got') - r.when('O unlocks') > WAKE - 5000);
});

test('optimisticSpin: false (no CONFIG_MUTEX_SPIN_ON_OWNER): a contender sleeps although the owner runs', () => {
  const r = rig();
  const m = mutex(r, { optimisticSpin: false });
  const samples: string[] = [];
  r.task('O', 0, function* (t) { yield* critical(r, m, t, 10_000); });
  const S = r.task('S', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 100); });
  r.sim.at(8000, () => samples.push(S.state));
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['O asks', 'O got', 'S asks', 'O unlocks', 'S got', 'S unlocks']);
  assert.deepEqual(samples, ['sleeping']);
  assert.equal(site(r, 'S').spin, 0);
  assert.ok(site(r, 'S').sleep > 8000);
  assert.equal(S.stats.wakeups, 1);
  const d = r.when('S got') - r.when('O unlocks');
  assert.ok(d > WAKE, `hand-off through a wake-up: ${d} ns`);
});

test('only the OSQ head polls the lock word: line traffic does not grow with queued spinners', () => {
  // O (socket 0) holds for 50 µs; k spinners on socket 1 queue in the OSQ. While O holds,
  // nobody touches the lock line (the head waits on owner->on_cpu, the others on their own
  // MCS node). After the release each hand-off costs the same few misses whatever k is,
  // and only the first one crosses sockets.
  const run = (k: number) => {
    const r = rig({ sockets: 2, cores: 8 });
    const m = mutex(r);
    const snap = () => ({ ...m.line.stats });
    let atUnlock = snap();
    let mid = snap();
    r.task('O', 0, function* (t) {
      yield* m.lock(t, 'O');
      yield* r.work(t, 50_000);
      atUnlock = snap();
      yield* m.unlock(t);
    });
    const spinners = Array.from({ length: k }, (_, i) => r.task(`S${i}`, 8 + i, function* (t) {
      yield* r.work(t, 1000 + 300 * i);
      yield* critical(r, m, t, 2000);
    }));
    r.sim.at(20_000, () => {
      mid = snap();
      assert.equal(spinners.filter((s) => s.state === 'spinning').length, k, 'all queued and spinning');
    });
    r.sim.run();
    r.env.finalCheck();
    for (const s of spinners) {
      assert.equal(s.stats.sleep, 0, `${s.name} never slept`);
      assert.equal(s.stats.wakeups, 0);
    }
    // OSQ order = arrival order
    assert.deepEqual(r.order().filter((e) => e.endsWith('got')), spinners.map((s) => `${s.name} got`));
    const end = snap();
    return {
      idle: atUnlock.accesses - mid.accesses,
      misses: end.misses - atUnlock.misses,
      cross: end.crossSocket - atUnlock.crossSocket,
    };
  };
  const res = [1, 2, 4, 7].map(run);
  for (const x of res) assert.equal(x.idle, 0, 'no lock-line access while the owner holds it');
  // From k = 2 on, one more cross-socket miss than with k = 1: the second OSQ head's first
  // read of the line is issued at S0's owner clear (Lock.changed), which the model does not
  // price as a store, so it fetches the line from where O's wait_lock unlock left it on
  // socket 0; in the kernel S0's mutex_clear_owner() store would take that miss instead.
  for (const x of res) assert.equal(x.cross, res[1].cross - (x === res[0] ? 1 : 0), 'cross-socket misses after the release do not grow with k');
  const step = res[1].misses - res[0].misses;
  // per hand-off: the next head's read at the owner clear, the unlocker's lock incl (which
  // now finds the line shared with it), its re-read, and its cmpxchg (was 3: the re-read
  // came only after the incl)
  assert.ok(step > 0 && step <= 4, `misses per extra hand-off: ${step}`);
  assert.equal(res[2].misses - res[0].misses, 3 * step);
  assert.equal(res[3].misses - res[0].misses, 6 * step);
});

test('a free mutex goes to whichever atomic lands first: a fast-path newcomer takes it ahead of the woken waiter', () => {
  // W sleeps (O was asleep holding it). O's unlock releases and wakes W; 1 µs later N's
  // lock decl finds count 1: fast path, no contention, while W is still waking up. W's
  // xchg(-1) returns 0, it sleeps again, and N's unlock (count -1 -> slow path) wakes it.
  const r = rig();
  const m = mutex(r);
  const O = r.task('O', 0, function* (t) {
    yield* m.lock(t, 'O');
    yield* r.sched.block(t);
    r.log('O unlocks');
    yield* m.unlock(t);
  });
  r.sim.at(10_000, () => r.sched.wake(O)); // O runs again at 17 µs and unlocks
  const W = r.task('W', 1, function* (t) { yield* r.work(t, 1000); yield* critical(r, m, t, 1000); });
  r.task('N', 2, function* (t) { yield* r.work(t, 16_000); yield* critical(r, m, t, 10_000); });
  r.sim.run();
  r.env.finalCheck();
  assert.deepEqual(r.order(), ['W asks', 'O unlocks', 'N asks', 'N got', 'N unlocks', 'W got', 'W unlocks']);
  assert.equal(r.when('N asks') - r.when('O unlocks'), 1000);
  assert.deepEqual(site(r, 'N').contentions, { read: 0, write: 0 }, 'N took the fast path');
  assert.equal(site(r, 'N').wait.sum, r.m.spec.latency.sameSocket);
  assert.equal(W.stats.wakeups, 2);
  assert.equal(m.count, 1);
});
