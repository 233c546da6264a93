/**
 * Checking mode (LockEnv {checks: true}) catches locking bugs of the code using the locks,
 * and of the locks themselves: each becomes a LockViolation whose message names the lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, LockViolation, Mutex, RwSem, SpinLock, type LockdepClass } from '../../src/locking';
import type { Task } from '../../src/sched';
import { rig, type Rig } from './scenario';
import type { Proc } from '../../src/engine';

/** run the scenario; it must stop with a LockViolation whose message matches `re` */
function violates(r: Rig, re: RegExp): void {
  assert.throws(() => r.sim.run(1e9), (e: unknown) => {
    assert.ok(e instanceof LockViolation, `expected a LockViolation, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

test('releasing a lock that is not held', () => {
  const cases: [string, (r: Rig) => void, RegExp][] = [
    ['mutex held by another task', (r) => {
      const m = new Mutex(r.env, { name: 'mx' }, 'M');
      r.task('A', 0, function* (t) { yield* m.lock(t); yield* r.work(t, 10_000); yield* m.unlock(t); });
      r.task('B', 1, function* (t) { yield* r.work(t, 1000); yield* m.unlock(t); });
    }, /B unlocks mutex M held by A/],
    ['free mutex', (r) => {
      const m = new Mutex(r.env, { name: 'mx' }, 'M');
      r.task('A', 0, function* (t) { yield* m.unlock(t); });
    }, /A unlocks mutex M held by nobody/],
    ['rwsem up_read without down_read', (r) => {
      const s = new RwSem(r.env, { name: 'rw' }, 'S');
      r.task('A', 0, function* (t) { yield* s.downWrite(t); yield* s.upRead(t); });
    }, /A up_read on S it does not hold for read/],
    ['rwsem up_write by a reader', (r) => {
      const s = new RwSem(r.env, { name: 'rw' }, 'S');
      r.task('A', 0, function* (t) { yield* s.downRead(t); yield* s.upWrite(t); });
    }, /A up_write on S held by nobody/],
    ['spinlock', (r) => {
      const l = new SpinLock(r.env, { name: 'sl' }, 'L');
      r.task('A', 0, function* (t) { yield* l.lock(t); yield* r.work(t, 10_000); yield* l.unlock(t); });
      r.task('B', 1, function* (t) { yield* r.work(t, 1000); yield* l.unlock(t); });
    }, /B unlocks spinlock L held by A/],
  ];
  for (const [name, build, re] of cases) {
    const r = rig();
    build(r);
    violates(r, re);
    void name;
  }
});

test('recursive acquisition (self-deadlock) is caught before it blocks', () => {
  for (const kind of ['mutex', 'rwsem read-then-write', 'rwsem read-then-read'] as const) {
    const r = rig();
    if (kind === 'mutex') {
      const m = new Mutex(r.env, { name: 'mx' }, 'M');
      r.task('A', 0, function* (t) { yield* m.lock(t, 'outer'); yield* m.lock(t, 'inner'); });
      violates(r, /A acquires M it already holds \(write at outer\): self-deadlock/);
    } else {
      const s = new RwSem(r.env, { name: 'rw' }, 'S');
      const second = kind === 'rwsem read-then-write' ? 'write' : 'read';
      r.task('A', 0, function* (t) { yield* s.downRead(t, 'outer'); yield* s.acquire(t, second, 'inner'); });
      violates(r, /A acquires S it already holds \(read at outer\): self-deadlock/);
    }
  }
});

test('lock order: taking an outer class while holding an inner one is an inversion; nested skips the rank check', () => {
  const outer: LockdepClass = { name: 'i_mmap', rank: 4 };
  const inner: LockdepClass = { name: 'anon_vma', rank: 5 };
  const run = (body: (r: Rig, a: Mutex, b: RwSem, t: Task) => Proc, checks = true) => {
    const r = rig({ checks });
    const a = new Mutex(r.env, outer, 'mapping->i_mmap');
    const b = new RwSem(r.env, inner, 'anon_vma->rwsem');
    r.task('A', 0, (t) => body(r, a, b, t));
    return r;
  };
  // right order: fine
  const ok = run(function* (r, a, b, t) {
    yield* a.lock(t, 'rmap_walk_file');
    yield* b.downWrite(t, 'vma_adjust');
    yield* b.upWrite(t);
    yield* a.unlock(t);
  });
  ok.sim.run();
  ok.env.finalCheck();
  // inversion
  violates(run(function* (r, a, b, t) {
    yield* b.downRead(t, 'page_referenced');
    yield* a.lock(t, 'bad_site');
  }), /lock order: A acquires i_mmap \(rank 4\) while holding anon_vma \(rank 5\) taken at page_referenced/);
  // two locks of one class (equal ranks) are an inversion too ...
  const twoOfAKind = (nested: boolean) => {
    const r = rig();
    const m1 = new Mutex(r.env, outer, 'mapping1->i_mmap');
    const m2 = new Mutex(r.env, outer, 'mapping2->i_mmap');
    r.task('A', 0, function* (t) {
      yield* m1.lock(t, 'first');
      yield* m2.lock(t, 'second', nested); // mutex_lock_nested()
      yield* m2.unlock(t);
      yield* m1.unlock(t);
    });
    return r;
  };
  violates(twoOfAKind(false), /lock order: A acquires i_mmap \(rank 4\) while holding i_mmap \(rank 4\) taken at first/);
  // ... unless annotated as nested (mm_take_all_locks style)
  const nested = twoOfAKind(true);
  nested.sim.run();
  nested.env.finalCheck();
  // not checked outside checking mode
  const off = run(function* (r, a, b, t) {
    yield* b.downRead(t, 'page_referenced');
    yield* a.lock(t, 'bad_site');
    yield* a.unlock(t);
    yield* b.upRead(t);
  }, false);
  off.sim.run();
});

test('waiters left queued at the end of the run: finalCheck names the lock and the waiters', () => {
  for (const checks of [true, false]) {
    const r = rig({ checks });
    const m = new Mutex(r.env, { name: 'mx' }, 'M');
    const s = new RwSem(r.env, { name: 'rw' }, 'S');
    r.task('A', 0, function* (t) { yield* m.lock(t); yield* s.downWrite(t); }); // exits holding both
    r.task('B', 1, function* (t) { yield* r.work(t, 1000); yield* m.lock(t); });
    r.task('C', 2, function* (t) { yield* r.work(t, 2000); yield* s.downRead(t); });
    r.task('D', 3, function* (t) { yield* r.work(t, 3000); yield* m.lock(t); });
    r.sim.run();
    const complaints = ['M: waiters left queued after the run: B, D', 'S: waiters left queued after the run: C(read)'];
    if (checks) {
      assert.throws(() => r.env.finalCheck(), (e: unknown) => e instanceof LockViolation && e.message.startsWith(complaints.join('; ')));
    } else {
      assert.deepEqual(r.env.finalCheck(), complaints);
    }
  }
});

test('a lock that loses a wake-up is caught when it happens', () => {
  // a deliberately broken mutex whose unlock wakes nobody: W sleeps (the owner is asleep,
  // no spinning), O's unlock leaves the lock free with W asleep and nobody to wake it
  class BrokenMutex extends Mutex {
    protected override *wakeUp(): Proc { /* forgot wake_up_process() */ }
  }
  const r = rig();
  const m = new BrokenMutex(r.env, { name: 'mx' }, 'M');
  const O = r.task('O', 0, function* (t) { yield* m.lock(t); yield* r.sched.block(t); yield* m.unlock(t); });
  r.sim.at(20_000, () => r.sched.wake(O));
  r.task('W', 1, function* (t) { yield* r.work(t, 1000); yield* m.lock(t); yield* m.unlock(t); });
  violates(r, /M: lost wake-up: lock free, every waiter asleep, nobody to wake them/);
});

test('a lock that breaks mutual exclusion is caught', () => {
  // a broken mutex whose fast path ignores the count
  class LeakyMutex extends Mutex {
    override *lock(t: Task, site = 'mutex_lock'): Proc {
      this.count = 1;
      yield* super.lock(t, site);
    }
  }
  const r = rig();
  const m = new LeakyMutex(r.env, { name: 'mx' }, 'M');
  r.task('A', 0, function* (t) { yield* m.lock(t); yield* r.work(t, 10_000); yield* m.unlock(t); });
  r.task('B', 1, function* (t) { yield* r.work(t, 1000); yield* m.lock(t); yield* m.unlock(t); });
  violates(r, /mutex M: 2 holders \(mutual exclusion broken\)/);
});

test('a check-then-sleep race (the waiter sleeps after the lock was freed) is caught as it falls asleep', () => {
  // a toy sleeping lock with the classic bug: the waiter tests "held", spends a little time,
  // then queues and sleeps without re-testing; the release in between wakes nobody
  class RacyLock extends Lock {
    holder: Task | null = null;
    readonly queue: Task[] = [];
    *acquire(t: Task, _mode: 'read' | 'write', site: string): Proc {
      const op = this.begin(t, 'write', site);
      if (this.holder) {
        yield 500; // e.g. taking a wait_lock: the holder releases meanwhile
        this.queue.push(t);
        while (this.holder !== t) yield* this.sleep(t, op); // BUG: no re-test before sleeping
      } else this.holder = t;
      this.acquired(t, op);
      this.leave();
    }
    *release(t: Task): Proc {
      this.transit++;
      this.released(t, 'write');
      const next = this.queue.shift() ?? null;
      this.holder = next;
      if (next) this.env.sched.wake(next);
      this.leave();
      yield 0;
    }
    waiterNames(): string[] { return this.queue.map((t) => t.name); }
    protected checkInvariants(): void {}
    protected strandedWaiters(fallingAsleep?: Task): boolean {
      return this.transit === 0 && !this.holder && this.queue.length > 0 &&
        this.queue.every((t) => t === fallingAsleep || t.state === 'sleeping');
    }
  }
  const r = rig();
  const l = new RacyLock(r.env, { name: 'racy' }, 'R');
  r.task('A', 0, function* (t) { yield* l.acquire(t, 'write', 'a'); yield* r.work(t, 200); yield* l.release(t); });
  r.task('B', 1, function* (t) { yield* r.work(t, 100); yield* l.acquire(t, 'write', 'b'); yield* l.release(t); });
  violates(r, /R: lost wake-up: lock free, every waiter asleep, nobody to wake them/);
});
