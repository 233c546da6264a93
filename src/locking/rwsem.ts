import type { Task } from '../sched';
import { Lock, NOTHING_LEFT, type SleepLock } from './lock';
import { SpinLock } from './spinlock';
import { Osq, spinOnOwner } from './osq';
import type { LockEnv, LockdepClass, LockOp } from './env';
import type { LockMode } from './lockstat';
import type { Proc } from '../engine';

export interface RwsemOptions {
  /** CONFIG_RWSEM_SPIN_ON_OWNER (3.16+): writers spin on a running writer owner */
  optimisticSpin: boolean;
  /**
   * writers take the lock whenever the active count is 0, queue or not (3.10+). false:
   * writers queue behind waiters — the fast path and the spinning cmpxchg need count 0
   * (no queue), and a queued writer may take the lock only from the head of the queue.
   */
  writerSteal: boolean;
}

export const defaultRwsemOptions: Readonly<RwsemOptions> = Object.freeze({ optimisticSpin: true, writerSteal: true });

// arch/x86/include/asm/rwsem.h (64-bit)
const ACTIVE_BIAS = 1;
const WAITING_BIAS = -(2 ** 32);
const ACTIVE_WRITE_BIAS = WAITING_BIAS + ACTIVE_BIAS;
const active = (c: number) => c - Math.floor(c / 2 ** 32) * 2 ** 32;

const WAKE_ANY = 0, WAKE_READERS = 1;

interface Waiter {
  task: Task;
  type: LockMode;
  granted: boolean;
}

/**
 * `struct rw_semaphore` with the xadd algorithm of Linux 3.18
 * (kernel/locking/rwsem-xadd.c, arch/x86/include/asm/rwsem.h), count kept exactly:
 * low 32 bits = active lockers, WAITING_BIAS while the queue is non-empty.
 *
 * Readers `lock incq` and go to the slow path on a negative result: so once anyone is
 * queued, new readers queue too. Readers never spin; they are granted the lock by the
 * waker (`__rwsem_do_wake`), which grants the run of readers at the head up to the first
 * queued writer. A queued writer is only woken, never granted, and must take the lock
 * itself: writers steal (fast path succeeds whenever the active count is 0) and spin on
 * a running writer owner (never on readers: no owner → no spin).
 */
export class RwSem extends Lock implements SleepLock {
  count = 0;
  owner: Task | null = null;
  private readonly waitList: Waiter[] = [];
  private readonly waitLock: SpinLock;
  private readonly osq: Osq;
  readonly options: RwsemOptions;
  private readonly readers = new Set<Task>();
  private writer: Task | null = null;

  constructor(env: LockEnv, cls: LockdepClass, name: string, options: Partial<RwsemOptions> = {}) {
    super(env, cls, name);
    this.options = { ...defaultRwsemOptions, ...options };
    this.waitLock = new SpinLock(env, { name: `${cls.name}.wait_lock` }, `${name}.wait_lock`, this.line);
    this.osq = new Osq(this);
  }

  private add(delta: number): number {
    this.count += delta;
    this.changed();
    return this.count;
  }

  // Each operation: owing nothing (or the debt paid at once, Scheduler.payNow), it starts now,
  // and a folded fast path ends now without a generator (NOTHING_LEFT); else it starts once
  // the debt is paid (Lock.later).

  downRead(task: Task, site = 'down_read', nested = false): Proc {
    return this.env.sched.payNow(task) ? this.doDownRead(task, site, nested) : this.later(this.doDownRead, task, site, nested);
  }

  private doDownRead(task: Task, site: string, nested: boolean): Proc {
    const op = this.begin(task, 'read', site, nested);
    const d = this.rmw(task, op); // lock incq
    if (this.foldFast() && this.count >= 0) {
      // nobody queued, no writer: the stall is owed, not an event
      this.add(ACTIVE_BIAS);
      this.readers.add(task);
      this.owe(task, d);
      this.acquired(task, op);
      this.leave();
      return NOTHING_LEFT;
    }
    return this.downReadAfterIncq(task, op, d);
  }

  private *downReadAfterIncq(task: Task, op: LockOp, d: number): Proc {
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    if (this.add(ACTIVE_BIAS) < 0) {
      this.contend(op);
      yield* this.downReadFailed(task, op);
    } else {
      this.readers.add(task);
    }
    this.acquired(task, op);
    this.leave();
  }

  upRead(task: Task): Proc {
    return this.env.sched.payNow(task) ? this.doUpRead(task) : this.later(this.doUpRead, task, '', false);
  }

  private doUpRead(task: Task): Proc {
    if (!this.readers.has(task)) this.env.violation(`${task.name} up_read on ${this.name} it does not hold for read`);
    this.transit++;
    // up_read(): rwsem_release() (lockstat's end of the hold) comes before __up_read(),
    // as mutex_unlock's accounting does before its lock incl (was: after the xadd, so a
    // read hold included the release atomic and its queueing on the line)
    this.released(task, 'read');
    const d = this.rmw(task, null); // lock xadd -1
    if (this.foldFast() && this.count - ACTIVE_BIAS >= 0) {
      this.readers.delete(task);
      this.add(-ACTIVE_BIAS);
      this.owe(task, d);
      this.leave();
      return NOTHING_LEFT;
    }
    return this.upReadAfterXadd(task, d);
  }

  private *upReadAfterXadd(task: Task, d: number): Proc {
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    this.readers.delete(task);
    const c = this.add(-ACTIVE_BIAS);
    if (c < 0 && active(c) === 0) yield* this.rwsemWake(task);
    this.leave();
  }

  downWrite(task: Task, site = 'down_write', nested = false): Proc {
    return this.env.sched.payNow(task) ? this.doDownWrite(task, site, nested) : this.later(this.doDownWrite, task, site, nested);
  }

  private doDownWrite(task: Task, site: string, nested: boolean): Proc {
    const op = this.begin(task, 'write', site, nested);
    const d = this.rmw(task, op); // lock xadd WRITE_BIAS
    if (this.foldFast() && this.count === 0) {
      this.add(ACTIVE_WRITE_BIAS);
      this.ownWrite(task);
      this.owe(task, d);
      this.acquired(task, op);
      this.leave();
      return NOTHING_LEFT;
    }
    return this.downWriteAfterXadd(task, op, d);
  }

  private *downWriteAfterXadd(task: Task, op: LockOp, d: number): Proc {
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    const old = this.count;
    this.add(ACTIVE_WRITE_BIAS);
    const free = this.options.writerSteal ? active(old) === 0 : old === 0;
    if (free) {
      this.ownWrite(task);
    } else {
      this.contend(op);
      yield* this.downWriteFailed(task, op);
    }
    this.acquired(task, op);
    this.leave();
  }

  upWrite(task: Task): Proc {
    return this.env.sched.payNow(task) ? this.doUpWrite(task) : this.later(this.doUpWrite, task, '', false);
  }

  private doUpWrite(task: Task): Proc {
    if (this.writer !== task) this.env.violation(`${task.name} up_write on ${this.name} held by ${this.writer?.name ?? 'nobody'}`);
    this.transit++;
    // up_write(): rwsem_release(), rwsem_clear_owner(), then __up_write()
    this.released(task, 'write');
    this.owner = null;
    this.changed();
    const d = this.rmw(task, null); // lock xadd -WRITE_BIAS
    if (this.foldFast() && this.count === ACTIVE_WRITE_BIAS) {
      // nobody queued: back to 0
      this.writer = null;
      this.add(-ACTIVE_WRITE_BIAS);
      this.owe(task, d);
      this.leave();
      return NOTHING_LEFT;
    }
    return this.upWriteAfterXadd(task, d);
  }

  private *upWriteAfterXadd(task: Task, d: number): Proc {
    if (!this.env.sim.advanceBy(d)) yield d; // ends at once if nothing else is due first
    this.writer = null;
    const c = this.add(-ACTIVE_WRITE_BIAS);
    if (c < 0 && active(c) === 0) yield* this.rwsemWake(task);
    this.leave();
  }

  acquire(task: Task, mode: LockMode, site: string, nested?: boolean): Proc {
    return mode === 'read' ? this.downRead(task, site, nested) : this.downWrite(task, site, nested);
  }

  release(task: Task, mode: LockMode): Proc {
    return mode === 'read' ? this.upRead(task) : this.upWrite(task);
  }

  private ownWrite(task: Task): void {
    this.writer = task;
    this.owner = task; // rwsem_set_owner()
    this.changed();
  }

  /** rwsem_down_read_failed() */
  private *downReadFailed(task: Task, op: LockOp): Proc {
    if (!this.env.sim.advanceBy(this.env.slowPathCost)) yield this.env.slowPathCost;
    const w: Waiter = { task, type: 'read', granted: false };
    yield* this.waitLock.lock(task, 'down_read', true);
    let adjustment = -ACTIVE_BIAS;
    if (this.waitList.length === 0) adjustment += WAITING_BIAS;
    this.waitList.push(w);
    yield this.rmw(task, op);
    const c = this.add(adjustment);
    // no active lockers: wake the front; only readers active and we are first: join them
    if (c === WAITING_BIAS || (c > WAITING_BIAS && adjustment !== -ACTIVE_BIAS)) yield* this.doWake(task, WAKE_ANY);
    yield* this.waitLock.unlock(task);
    while (!w.granted) yield* this.sleep(task, op);
    this.running(task); // tsk->state = TASK_RUNNING
  }

  /** rwsem_down_write_failed() */
  private *downWriteFailed(task: Task, op: LockOp): Proc {
    if (!this.env.sim.advanceBy(this.env.slowPathCost)) yield this.env.slowPathCost;
    yield this.rmw(task, op);
    this.add(-ACTIVE_WRITE_BIAS); // undo the fast path's bias
    if (this.options.optimisticSpin && (yield* this.optimisticSpin(task, op))) return;
    const w: Waiter = { task, type: 'write', granted: false };
    yield* this.waitLock.lock(task, 'down_write', true);
    const waiting = this.waitList.length > 0;
    this.waitList.push(w);
    let c: number;
    if (waiting) {
      yield this.ld(task, op);
      c = this.count;
      // queued behind others and no writer active: it is read-owned, wake readers ahead
      if (c > WAITING_BIAS) yield* this.doWake(task, WAKE_READERS);
    } else {
      yield this.rmw(task, op);
      c = this.add(WAITING_BIAS);
    }
    for (;;) {
      if (yield* this.tryWriteLock(task, op, c, w)) break;
      yield* this.waitLock.unlock(task);
      do {
        yield* this.sleep(task, op);
        yield this.ld(task, op);
        c = this.count;
      } while (active(c) !== 0);
      yield* this.waitLock.lock(task, 'down_write', true);
      c = this.count;
    }
    this.waitList.splice(this.waitList.indexOf(w), 1);
    yield* this.waitLock.unlock(task);
    this.running(task); // __set_current_state(TASK_RUNNING)
  }

  /** rwsem_try_write_lock(): called with wait_lock held */
  private *tryWriteLock(task: Task, op: LockOp, c: number, w: Waiter): Proc<boolean> {
    if (c !== WAITING_BIAS) return false;
    // In 3.18 any queued writer that sees WAITING_BIAS takes the lock, wherever it is in the
    // queue: a writer arriving while the woken head is still on its way steals from it.
    // Without writer stealing only the head may (was: any queued writer, so writerSteal:
    // false still let a newly queued writer overtake the woken head). A writer behind the
    // head that finds nobody active must then wake the head itself, as pre-3.10
    // rwsem_down_failed_common() did (`count == RWSEM_WAITING_BIAS` → __rwsem_do_wake):
    // its own undone fast-path bias may have kept the last releaser from waking anyone.
    if (!this.options.writerSteal && this.waitList[0] !== w) {
      yield* this.doWake(task, WAKE_ANY);
      return false;
    }
    yield this.rmw(task, op); // cmpxchg(WAITING_BIAS → ACTIVE_WRITE_BIAS)
    if (this.count !== WAITING_BIAS) return false;
    this.count = ACTIVE_WRITE_BIAS;
    if (this.waitList.length !== 1) this.count += WAITING_BIAS; // others still queued
    this.ownWrite(task);
    return true;
  }

  /** rwsem_optimistic_spin() */
  private *optimisticSpin(task: Task, op: LockOp): Proc<boolean> {
    const sched = this.env.sched;
    // rwsem_can_spin_on_owner(): only behind a running writer; NULL owner (readers) → no
    if (sched.needResched(task)) return false;
    yield this.ld(task, op);
    if (!this.owner || !this.owner.onCpu) return false;
    if (!(yield* this.osq.enter(task, op))) return false;
    let taken = false;
    for (;;) {
      const owner = this.owner;
      if (owner && !(yield* spinOnOwner(this, task, owner, op))) break;
      // rwsem_try_write_lock_unqueued(): count 0 or WAITING_BIAS (stealing ahead of the
      // queue); without writer stealing only a free lock with nobody queued
      const c = this.count;
      if (c === 0 || (c === WAITING_BIAS && this.options.writerSteal)) {
        yield this.rmw(task, op);
        if (this.count === c) {
          this.add(ACTIVE_WRITE_BIAS);
          this.ownWrite(task);
          taken = true;
          break;
        }
        continue;
      }
      // without writer stealing a queue with nobody active belongs to its head: stop
      // spinning and queue (the slow path wakes the head if nobody has)
      if (c === WAITING_BIAS && !this.options.writerSteal) break;
      if (!owner && sched.needResched(task)) break;
      yield* this.relax(task, op);
    }
    yield* this.osq.exit(task);
    return taken;
  }

  /** rwsem_wake(): from up_read/up_write when the active count fell to 0 with waiters */
  private *rwsemWake(task: Task): Proc {
    if (!this.env.sim.advanceBy(this.env.slowPathCost)) yield this.env.slowPathCost;
    yield* this.waitLock.lock(task, 'rwsem_wake', true);
    if (this.waitList.length) yield* this.doWake(task, WAKE_ANY);
    yield* this.waitLock.unlock(task);
  }

  /** __rwsem_do_wake(): wait_lock held */
  private *doWake(waker: Task, wakeType: number): Proc {
    const head = this.waitList[0];
    if (head.type === 'write') {
      // woken, not granted: other writers may still steal it
      if (wakeType === WAKE_ANY) yield* this.wakeUp(waker, head.task);
      return;
    }
    // grant one read bias first, bail out if a writer stole the lock
    let adjustment = ACTIVE_BIAS;
    for (;;) {
      yield this.rmw(waker, null);
      const old = this.count;
      this.add(adjustment);
      if (old < WAITING_BIAS) {
        yield this.rmw(waker, null);
        if (active(this.add(-adjustment)) !== 0) return;
        continue;
      }
      break;
    }
    let n = 0;
    while (n < this.waitList.length && this.waitList[n].type === 'read') n++;
    adjustment = n * ACTIVE_BIAS - adjustment;
    if (n === this.waitList.length) adjustment -= WAITING_BIAS;
    if (adjustment) {
      yield this.rmw(waker, null);
      this.add(adjustment);
    }
    const batch = this.waitList.splice(0, n);
    for (const w of batch) {
      w.granted = true;
      this.readers.add(w.task);
    }
    if (this.env.checks) this.checkInvariants();
    // a reader granting itself (from rwsem_down_read_failed) wakes itself too: a no-op,
    // it is TASK_RUNNING (see running())
    for (const w of batch) yield* this.wakeUp(waker, w.task);
  }

  override dispose(): void {
    super.dispose();
    this.waitLock.dispose();
  }

  waiterNames(): string[] {
    return this.waitList.map((w) => `${w.task.name}(${w.type})`);
  }

  protected checkInvariants(): void {
    if (this.writer && this.readers.size > 0) {
      this.env.violation(`rwsem ${this.name}: writer ${this.writer.name} beside ${this.readers.size} reader(s)`);
    }
    if (this.readers.size + (this.writer ? 1 : 0) > 0 && active(this.count) === 0 && this.transit === 0) {
      this.env.violation(`rwsem ${this.name}: held but active count is 0 (count ${this.count})`);
    }
  }

  protected strandedWaiters(fallingAsleep?: Task): boolean {
    if (this.transit > 0 || this.waitList.length === 0 || this.writer || this.readers.size) return false;
    return this.waitList.every((w) => w.task === fallingAsleep || w.task.state === 'sleeping');
  }
}
