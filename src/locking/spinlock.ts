import type { Task } from '../sched';
import type { CacheLine } from '../hw';
import { Lock, lockedPair, NOTHING_LEFT, type SleepLock } from './lock';
import type { LockEnv, LockdepClass } from './env';
import type { LockMode } from './lockstat';
import type { Proc } from '../engine';

/**
 * The x86 ticket spinlock of Linux 3.18 (arch/x86/include/asm/spinlock.h; queued
 * spinlocks came in 4.2): `lock xadd` takes a ticket from `tail`; waiters spin with
 * preemption disabled re-reading `head` until it equals their ticket; unlock
 * increments `head`. Every unlock invalidates all waiters' copies and their re-reads
 * are served one after another in no particular order (seeded random here), so the
 * next holder waits behind, on average, half of the others: hand-off time grows with
 * the number of waiters (Boyd-Wickizer et al. 2012).
 */
export class SpinLock extends Lock implements SleepLock {
  private head = 0;
  private tail = 0;
  private readonly spinners: Task[] = [];
  holder: Task | null = null;

  constructor(env: LockEnv, cls: LockdepClass, name: string, line?: CacheLine) {
    super(env, cls, name, line);
  }

  lock(task: Task, site = 'spin_lock', nested = false): Proc {
    return this.settled(task, this.doLock(task, site, nested));
  }

  private *doLock(task: Task, site: string, nested: boolean): Proc {
    const op = this.begin(task, 'write', site, nested);
    const d = this.rmw(task, op); // lock xadd: take a ticket
    if (this.foldFast() && this.tail === this.head) {
      this.tail++;
      this.owe(task, d);
      this.holder = task;
      this.acquired(task, op);
      this.leave();
      return;
    }
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    const my = this.tail++;
    this.touched(); // the ticket is taken only now, after the atomic's stall
    if (my !== this.head) {
      this.contend(op);
      this.spinners.push(task);
      while (this.head !== my) {
        yield* this.spin(task, op, false);
        yield this.repoll(task, op); // re-read head, queued behind the other spinners' reads
      }
      this.spinners.splice(this.spinners.indexOf(task), 1);
    }
    this.holder = task;
    this.acquired(task, op);
    this.leave();
  }

  unlock(task: Task): Proc {
    return this.settled(task, this.doUnlock(task));
  }

  private *doUnlock(task: Task): Proc {
    if (this.holder !== task) this.env.violation(`${task.name} unlocks spinlock ${this.name} held by ${this.holder?.name ?? 'nobody'}`);
    this.transit++;
    // __raw_spin_unlock(): spin_release() (lockstat's end of the hold) before the store,
    // as for the mutex and rwsem (was: after it, so the hold included the store's miss)
    this.released(task, 'write');
    const d = this.rmw(task, null); // head++ (a store that needs the line exclusive)
    if (this.foldFast() && this.spinners.length === 0) {
      this.holder = null;
      this.head++;
      this.owe(task, d);
      this.leave();
      return;
    }
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    this.holder = null;
    this.head++;
    this.touched();
    // every spinner re-reads; their misses queue in arbitrary order, each issued at this
    // store (Lock.changed), ahead of whatever this CPU does to the line next
    const s = this.spinners.slice();
    const rng = this.env.sim.rng('locking.spinners');
    for (let i = s.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = s[i]; s[i] = s[j]; s[j] = t;
    }
    for (const t of s) this.notifyPoller(t);
    this.leave();
  }

  /**
   * spin_lock(); `body()` — the critical section's state changes, returning its CPU work
   * in ns —; spin_unlock(). When folding (LockEnv.exactLockTiming false) and the lock is free with nobody
   * spinning, the whole section takes no simulated time of its own: both atomics' stalls
   * and the work are owed as CPU time (Scheduler.stall), lockstat records the
   * acquisition and a hold of the work. The approximation: for the length of that work
   * (a few hundred ns for a page-table lock) another CPU would find the lock free where
   * the kernel would make it spin. For short, rarely contended locks (split pte locks) only.
   */
  critical(task: Task, site: string, body: () => number, nested = false): Proc {
    // not a generator: the folded section (the common case) runs at once and returns an
    // iterator that is already done, without a generator object; callers `yield*` the
    // result at once, so it runs at the instant a generator's first step would have
    if (this.foldable()) {
      this.criticalFolded(task, site, body, nested);
      return NOTHING_LEFT;
    }
    return this.criticalExact(task, site, body, nested);
  }

  private *criticalExact(task: Task, site: string, body: () => number, nested: boolean): Proc {
    yield* this.lock(task, site, nested);
    const ns = body();
    yield* this.env.sched.compute(task, ns);
    yield* this.unlock(task);
  }

  /**
   * `critical` under two locks: this one, then `inner` nested (spin_lock_nested), as
   * copy_pte_range takes the child's and the parent's pte locks. Folded only if both are free.
   */
  criticalPair(inner: SpinLock, task: Task, site: string, body: () => number): Proc {
    if (this.foldable() && inner.foldable()) { // folded: as `critical`, no generator
      let d = this.takeFolded(task, site, false);
      d += inner.takeFolded(task, site, true);
      const ns = body();
      d += inner.dropFolded(task, ns);
      d += this.dropFolded(task, ns);
      this.owe(task, d + ns);
      return NOTHING_LEFT;
    }
    return lockedPair(this.env, this, inner, task, site, body);
  }

  /** `critical` when `foldable()`: no event, all of it owed (no generator: lazy rmap walks call it from the simulation's hook) */
  criticalFolded(task: Task, site: string, body: () => number, nested = false): void {
    let d = this.takeFolded(task, site, nested);
    const ns = body();
    d += this.dropFolded(task, ns);
    this.owe(task, d + ns);
  }

  /** would `critical` fold now (folding on, the lock free, nobody spinning)? */
  foldable(): boolean {
    return !this.env.exactLockTiming && this.tail === this.head;
  }

  /** a folded section's spin_lock: returns its stall */
  private takeFolded(task: Task, site: string, nested: boolean): number {
    const op = this.begin(task, 'write', site, nested);
    const d = this.rmw(task, op);
    this.tail++;
    this.holder = task;
    this.acquired(task, op);
    return d;
  }

  /** a folded section's spin_unlock after `holdNs` of work: returns its stall */
  private dropFolded(task: Task, holdNs: number): number {
    this.released(task, 'write', holdNs);
    const d = this.rmw(task, null);
    this.holder = null;
    this.head++;
    this.leave();
    return d;
  }

  acquire(task: Task, mode: LockMode, site: string, nested?: boolean): Proc {
    if (mode !== 'write') throw new Error(`spinlock ${this.name}: mode must be 'write', got ${JSON.stringify(mode)}`);
    return this.lock(task, site, nested);
  }

  release(task: Task): Proc {
    return this.unlock(task);
  }

  waiterNames(): string[] {
    return this.spinners.map((t) => t.name);
  }

  protected checkInvariants(): void {
    if (this.tail - this.head < (this.holder ? 1 : 0)) this.env.violation(`spinlock ${this.name}: tickets inconsistent`);
  }

  protected strandedWaiters(): boolean {
    return false; // spinners never sleep
  }
}
