import type { Task } from '../sched';
import { Lock, NOTHING_LEFT, type SleepLock } from './lock';
import { SpinLock } from './spinlock';
import { Osq, spinOnOwner } from './osq';
import type { LockEnv, LockdepClass, LockOp } from './env';
import type { LockMode } from './lockstat';
import type { Proc } from '../engine';

export interface MutexOptions {
  /** CONFIG_MUTEX_SPIN_ON_OWNER: optimistic spinning in the slow path (default true) */
  optimisticSpin: boolean;
}

export const defaultMutexOptions: Readonly<MutexOptions> = Object.freeze({ optimisticSpin: true });

/**
 * `struct mutex` of Linux 3.18 on x86-64 (kernel/locking/mutex.c,
 * arch/x86/include/asm/mutex_64.h).
 *
 * count: 1 free, 0 locked, < 0 locked with possible waiters. Fast path `lock decl`;
 * slow path: optimistic spin (OSQ head polls while the owner runs or is NULL, and
 * steals with cmpxchg(1 → 0) ahead of sleepers), else the FIFO wait list under the
 * wait_lock, where a waiter's xchg(count, -1) == 1 is what gives it the lock. Unlock
 * clears the owner, `lock incl`; if the result is ≤ 0 it sets count = 1 (released
 * first, on x86) and only then wakes the first waiter, who must still win the xchg
 * against fast-path and spinning tasks, or sleep again in place.
 */
export class Mutex extends Lock implements SleepLock {
  count = 1;
  owner: Task | null = null;
  private readonly waitList: Task[] = [];
  private readonly waitLock: SpinLock;
  private readonly osq: Osq;
  readonly options: MutexOptions;
  /** the task holding it (owner is set a little after acquisition, as in the kernel) */
  private holder: Task | null = null;

  constructor(env: LockEnv, cls: LockdepClass, name: string, options: Partial<MutexOptions> = {}) {
    super(env, cls, name);
    this.options = { ...defaultMutexOptions, ...options };
    this.waitLock = new SpinLock(env, { name: `${cls.name}.wait_lock` }, `${name}.wait_lock`, this.line);
    this.osq = new Osq(this);
  }

  lock(task: Task, site = 'mutex_lock', nested = false): Proc {
    // owing nothing (or the debt paid at once, Scheduler.payNow), the operation starts now and
    // a folded fast path ends now, without a generator; else it starts once the debt is paid
    // (Lock.later)
    return this.env.sched.payNow(task) ? this.doLock(task, site, nested) : this.later(this.doLock, task, site, nested);
  }

  /** mutex_lock(): the fast path runs at once; NOTHING_LEFT if it folded, else the rest as a generator */
  private doLock(task: Task, site: string, nested: boolean): Proc {
    const op = this.begin(task, 'write', site, nested);
    const d = this.rmw(task, op); // lock decl
    if (this.foldFast() && this.count === 1) {
      // uncontended: the fast path's stall is owed, not an event
      this.count = 0;
      this.changed();
      this.owe(task, d);
      this.own(task, op);
      this.leave();
      return NOTHING_LEFT;
    }
    return this.lockAfterDecl(task, op, d);
  }

  private *lockAfterDecl(task: Task, op: LockOp, d: number): Proc {
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    this.count--;
    this.changed();
    if (this.count < 0) {
      this.contend(op);
      yield* this.slowpath(task, op); // owns it on return
    } else {
      this.own(task, op);
    }
    this.leave();
  }

  /** mutex_trylock(): cmpxchg(count, 1, 0); true if taken. Never waits. */
  trylock(task: Task, site = 'mutex_trylock'): Proc<boolean> {
    return this.settled(task, this.doTrylock(task, site));
  }

  private *doTrylock(task: Task, site: string): Proc<boolean> {
    const op = this.begin(task, 'write', site, true);
    const d = this.rmw(task, op);
    if (this.foldFast()) this.owe(task, d);
    else if (!this.env.sim.advanceBy(d)) yield d;
    if (this.count === 1) {
      this.count = 0;
      this.changed();
      this.own(task, op);
      this.leave();
      return true;
    }
    this.leave();
    return false;
  }

  unlock(task: Task): Proc {
    return this.env.sched.payNow(task) ? this.doUnlock(task) : this.later(this.doUnlock, task, '', false);
  }

  /** mutex_unlock(): as doLock, the fast path at once, the rest (a waiter to wake) as a generator */
  private doUnlock(task: Task): Proc {
    if (this.holder !== task) this.env.violation(`${task.name} unlocks mutex ${this.name} held by ${this.holder?.name ?? 'nobody'}`);
    this.transit++;
    this.owner = null; // mutex_clear_owner()
    this.released(task, 'write');
    this.holder = null;
    this.changed();
    const d = this.rmw(task, null); // lock incl
    if (this.foldFast() && this.count === 0) {
      // no waiters: count 0 → 1, the stall owed
      this.count = 1;
      this.changed();
      this.owe(task, d);
      this.leave();
      return NOTHING_LEFT;
    }
    return this.unlockAfterIncl(task, d);
  }

  private *unlockAfterIncl(task: Task, d: number): Proc {
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    this.count++;
    this.changed();
    if (this.count <= 0) {
      // __mutex_unlock_common_slowpath: release first (x86), then wake the head waiter
      this.count = 1;
      this.changed();
      if (!this.env.sim.advanceBy(this.env.slowPathCost)) yield this.env.slowPathCost;
      yield* this.waitLock.lock(task, 'mutex_unlock', true);
      if (this.waitList.length) yield* this.wakeUp(task, this.waitList[0]);
      yield* this.waitLock.unlock(task);
    }
    this.leave();
  }

  acquire(task: Task, mode: LockMode, site: string, nested?: boolean): Proc {
    if (mode !== 'write') throw new Error(`mutex ${this.name}: a mutex has no read mode (site ${site}); use an rwsem`);
    return this.lock(task, site, nested);
  }

  release(task: Task): Proc {
    return this.unlock(task);
  }

  private own(task: Task, op: LockOp): void {
    this.holder = task;
    this.acquired(task, op);
    this.owner = task; // mutex_set_owner()
    this.changed();
  }

  /**
   * __mutex_lock_common(). Every way out sets the owner where the kernel does: before
   * osq_unlock() after a spinning acquisition, before dropping the wait_lock otherwise
   * (`skip_wait:` lock_acquired(); mutex_set_owner(); ... spin_unlock_mutex()). Was: after
   * them, which widened the window in which the next OSQ head or a newcomer saw a held
   * mutex with a NULL owner.
   */
  private *slowpath(task: Task, op: LockOp): Proc {
    const sched = this.env.sched;
    if (!this.env.sim.advanceBy(this.env.slowPathCost)) yield this.env.slowPathCost;
    if (this.options.optimisticSpin) {
      if (yield* this.optimisticSpin(task, op)) return;
      // fell out because of need_resched(): reschedule before trying the wait list
      if (sched.needResched(task)) yield* sched.condResched(task);
    }
    yield* this.waitLock.lock(task, 'mutex_lock', true);
    // once more: try only if unlocked
    if (this.count === 1) {
      yield this.rmw(task, op);
      const old = this.count;
      this.count = 0;
      this.changed();
      if (old === 1) {
        this.own(task, op); // goto skip_wait
        yield* this.waitLock.unlock(task);
        return;
      }
    }
    this.waitList.push(task);
    for (;;) {
      if (this.count >= 0) {
        yield this.rmw(task, op); // xchg(count, -1)
        const old = this.count;
        this.count = -1;
        this.changed();
        if (old === 1) break;
      }
      yield* this.waitLock.unlock(task);
      yield* this.sleep(task, op);
      yield* this.waitLock.lock(task, 'mutex_lock', true);
    }
    this.waitList.splice(this.waitList.indexOf(task), 1);
    if (this.waitList.length === 0) {
      this.count = 0;
      this.changed();
    }
    this.own(task, op);
    yield* this.waitLock.unlock(task);
    this.running(task);
  }

  /** mutex_optimistic_spin(): true if the lock was taken by spinning */
  private *optimisticSpin(task: Task, op: LockOp): Proc<boolean> {
    const sched = this.env.sched;
    // mutex_can_spin_on_owner(): owner running, or no owner
    if (sched.needResched(task)) return false;
    yield this.ld(task, op);
    if (this.owner && !this.owner.onCpu) return false;
    if (!(yield* this.osq.enter(task, op))) return false;
    let taken = false;
    for (;;) {
      const owner = this.owner;
      if (owner && !(yield* spinOnOwner(this, task, owner, op))) break;
      // mutex_try_to_acquire(): !mutex_is_locked() && cmpxchg(count, 1, 0) == 1
      if (this.count === 1) {
        yield this.rmw(task, op);
        if (this.count === 1) {
          this.count = 0;
          this.own(task, op); // mutex_set_owner() before osq_unlock()
          taken = true;
          break;
        }
      }
      if (!owner && sched.needResched(task)) break;
      yield* this.relax(task, op);
    }
    yield* this.osq.exit(task);
    return taken;
  }

  override dispose(): void {
    super.dispose();
    this.waitLock.dispose();
  }

  waiterNames(): string[] {
    return this.waitList.map((t) => t.name);
  }

  protected checkInvariants(): void {
    if (this.count > 1) this.env.violation(`mutex ${this.name}: count ${this.count} > 1`);
    if (this.holder && this.count === 1 && this.transit === 0) {
      this.env.violation(`mutex ${this.name}: held by ${this.holder.name} but count is 1`);
    }
    if (this.holders > 1) this.env.violation(`mutex ${this.name}: ${this.holders} holders (mutual exclusion broken)`);
  }

  protected strandedWaiters(fallingAsleep?: Task): boolean {
    if (this.transit > 0 || this.waitList.length === 0 || this.holder) return false;
    return this.waitList.every((t) => t === fallingAsleep || t.state === 'sleeping');
  }
}
