import { CacheLine } from '../hw';
import type { Task } from '../sched';
import { Held, LockOp, type LockEnv, type LockdepClass } from './env';
import type { LockMode } from './lockstat';
import type { Proc } from '../engine';

/** What every lock offers a kernel model (mutexes take only 'write'). */
export interface SleepLock {
  readonly name: string;
  acquire(task: Task, mode: LockMode, site: string, nested?: boolean): Proc;
  release(task: Task, mode: LockMode): Proc;
  /** stop tracking it: its owner is gone */
  dispose(): void;
}

/**
 * Called on every access to the word of a lock whose `watched` count is not 0, before the
 * access (src/mm/rmap_lazy.ts watches the pte locks a lazy rmap walk will take).
 */
let watchHook: ((lock: Lock) => void) | null = null;

/** install the hook called on accesses to watched locks (one per process: it dispatches on lock.env) */
export function setLockWatchHook(fn: ((lock: Lock) => void) | null): void {
  watchHook = fn;
}

/**
 * Common machinery of the lock primitives: the cache line holding the lock word (and
 * the wait_lock, wait list head, owner and OSQ tail, which share it in struct mutex and
 * struct rw_semaphore), lockstat bookkeeping, and the checking-mode invariants.
 */
export abstract class Lock {
  readonly line: CacheLine;
  /** the one task polling the lock word (OSQ head); notified on every change */
  poller: Task | null = null;
  /** tasks executing this lock's code right now (not asleep in it) */
  protected transit = 0;
  /** tasks holding the lock (any mode), as lockstat sees acquisitions and releases */
  protected holders = 0;
  /** lazy rmap walks that planned with this lock's state: accesses are reported (setLockWatchHook) */
  watched = 0;

  constructor(readonly env: LockEnv, readonly cls: LockdepClass, readonly name: string, line?: CacheLine) {
    this.line = line ?? new CacheLine(env.machine, name);
    env.register(this);
  }

  /**
   * The rule every lock operation follows: the CPU time the task owes (Scheduler.stall:
   * folded fast paths and critical sections before it) is paid before the operation
   * touches the lock, so its effect lands after the work that precedes it. Each public
   * operation of a primitive (lock, trylock, unlock, down_*, up_*) is written as
   * `op(task, …): Proc { return this.settled(task, this.opBody(task, …)); }` or, where the
   * body's fast path is a plain function that runs at once (Mutex.lock, RwSem.downWrite, …:
   * a folded fast path then returns NOTHING_LEFT, no generator), as
   * `payNow(task) ? this.opBody(task, …) : this.later(this.opBody, task, …)` (Scheduler.payNow
   * pays at once when nothing else is due before the payment ends; `later` pays with a
   * compute first); test/locking/settled.test.ts checks every operation of every primitive.
   * `body` itself when nothing is owed: no allocation on the hot path.
   */
  protected settled<R>(task: Task, body: Proc<R>): Proc<R> {
    return this.env.sched.afterDebt(task, body);
  }

  /** `body(task, site, nested)` after the debt `payNow` could not pay at once: a compute pays it first */
  protected *later(body: (task: Task, site: string, nested: boolean) => Proc, task: Task, site: string, nested: boolean): Proc {
    yield* this.env.sched.compute(task, 0);
    yield* body.call(this, task, site, nested);
  }

  /** the object holding this lock is gone: stop tracking it (LockEnv.forget) */
  dispose(): void {
    this.env.forget(this);
  }

  /** names of queued waiters (for the end-of-run check) */
  abstract waiterNames(): string[];
  /** checking mode: throw if the state is inconsistent */
  protected abstract checkInvariants(): void;
  /** is the lock free with sleeping waiters and nobody in its code to wake them? */
  /** (`fallingAsleep`: a waiter about to sleep, counted as asleep) */
  protected abstract strandedWaiters(fallingAsleep?: Task): boolean;

  /** report a change of the lock's state made apart from an access (rmw/ld) to watchers */
  protected touched(): void {
    if (this.watched !== 0) watchHook?.(this);
  }

  /** load of the lock line: returns the stall in ns to `yield` */
  ld(task: Task, op: LockOp | null): number {
    if (this.watched !== 0) watchHook?.(this);
    const before = this.line.stats.crossSocket;
    const d = this.line.read(task.cpu.id, this.env.sim.now);
    if (op && this.line.stats.crossSocket !== before) op.cross++;
    return d;
  }

  /** atomic RMW on the lock line (lock xadd / cmpxchg / xchg / inc / dec) */
  rmw(task: Task, op: LockOp | null): number {
    if (this.watched !== 0) watchHook?.(this);
    const before = this.line.stats.crossSocket;
    const misses = this.line.stats.misses;
    const d = this.line.write(task.cpu.id, this.env.sim.now);
    if (op && this.line.stats.crossSocket !== before) op.cross++;
    this.hit = this.line.stats.misses === misses;
    return d;
  }

  /** the last rmw() found the line in this CPU's cache (no other CPU touched it since) */
  protected hit = false;

  /**
   * May this fast path fold (not LockEnv.exactLockTiming)? Only if nobody polls the lock word and its
   * atomic hit in the own cache: then no other CPU has touched the lock since this one
   * did, and applying the atomic at the start of its stall instead of the end moves it by
   * a cache hit (a few ns). Every other case — the line coming from another CPU — runs
   * exactly, as contended hand-offs need. (Each lock operation has already paid what the
   * task owed, so it never lands before the work that precedes it.)
   */
  protected foldFast(): boolean {
    return !this.env.exactLockTiming && this.hit && this.poller === null;
  }

  /** A folded fast path's stall: owed as CPU time (Scheduler.stall) instead of an event. */
  protected owe(task: Task, d: number): void {
    this.env.sched.stall(task, d);
  }

  /**
   * Tell the polling spinner that the lock word or owner changed. A spinner polls the
   * line in a tight loop (cpu_relax_lowlatency() between loads in mutex_spin_on_owner,
   * rwsem_spin_on_owner and the optimistic-spin loops of kernel/locking/mutex.c and
   * rwsem-xadd.c): the write that changed the line invalidated its copy, and its next load
   * is issued at once, so it is served right after that write and before any later access
   * to the line. `pollNow` issues that load here, at the change; the spinner pays it in
   * `repoll`. (Was: the spinner issued its load only when its process resumed, after the
   * writer's own code had run on at the same instant, so a release followed at once by a
   * re-acquisition was never seen: issue 12.)
   */
  protected changed(): void {
    const p = this.poller;
    if (p) this.notifyPoller(p);
  }

  /**
   * Wake spinner `t` and, if it is spinning and its copy of the line was invalidated (a
   * priced write: an atomic on the lock word), issue its re-read now. A change the model
   * does not price as a store (the owner field, cleared just before the release atomic)
   * leaves the spinner's copy valid: it reads when it resumes, behind whatever the writer
   * issues at once (the release atomic), as a spinner sees back-to-back stores together.
   * (Pre-issuing at the owner clear as well made the OSQ head read twice per release, and
   * fast-path newcomers starved it in `bench locks`.) One still paying owed time keeps the
   * notification and reads when it gets to its spin.
   */
  protected notifyPoller(t: Task): void {
    const now = t.state === 'spinning' && !this.line.holds(t.cpu.id);
    if (this.env.sched.notify(t, this) && now) this.pollNow(t);
  }

  /** loads issued for spinners at the change that woke them: completion time, cross-socket */
  private polls: Map<Task, { until: number; cross: boolean }> | null = null;

  private pollNow(t: Task): void {
    const now = this.env.sim.now;
    const before = this.line.stats.crossSocket;
    const d = this.line.read(t.cpu.id, now);
    (this.polls ??= new Map()).set(t, { until: now + d, cross: this.line.stats.crossSocket !== before });
  }

  /**
   * A spinner's re-read of the lock line after its spin ended: the load issued when it was
   * notified of a change (pollNow), or, woken otherwise (need_resched, owner off CPU, a
   * notification while it paid owed time), a load issued now.
   */
  protected repoll(task: Task, op: LockOp | null): number {
    const p = this.polls?.get(task);
    if (!p) return this.ld(task, op);
    this.polls!.delete(task);
    if (op && p.cross) op.cross++;
    const left = p.until - this.env.sim.now;
    return left > 0 ? left : 0;
  }

  protected begin(task: Task, mode: LockMode, site: string, nested = false): LockOp {
    if (this.env.checks) this.env.checkOrder(task, this, nested);
    this.transit++;
    return new LockOp(this.cls.name, site, mode, this.env.sim.now, nested);
  }

  /** the acquisition found the lock taken: it waits (LockEnv.waiting) until acquired() */
  protected contend(op: LockOp): void {
    op.contended = true;
    this.env.waiting.add(op);
  }

  /** the task owns the lock now */
  protected acquired(task: Task, op: LockOp): void {
    const now = this.env.sim.now;
    const s = this.env.stat.site(this.cls.name, op.site);
    s.acquisitions[op.mode]++;
    if (op.contended) {
      s.contentions[op.mode]++;
      this.env.waiting.delete(op);
    }
    s.wait.add(now - op.t0);
    s.spin += op.spin;
    s.sleep += op.sleep;
    s.crossSocket += op.cross;
    this.env.held(task).push(new Held(this, op.mode, op.site, now, s));
    this.holders++;
    if (this.env.checks) this.checkInvariants();
  }

  /** end of a lock or unlock operation */
  protected leave(): void {
    this.transit--;
    if (this.env.checks) {
      this.checkInvariants();
      if (this.strandedWaiters()) this.env.violation(`${this.name}: lost wake-up: lock free, every waiter asleep, nobody to wake them`);
    }
  }

  /** about to sleep inside this lock's code */
  protected sleeping(task: Task): void {
    this.transit--;
    // the waiter going to sleep counts as asleep unless a wake-up already reached it
    if (this.env.checks && this.strandedWaiters(task.woken ? undefined : task)) {
      this.env.violation(`${this.name}: lost wake-up: lock free, every waiter asleep, nobody to wake them`);
    }
  }

  protected awake(): void {
    this.transit++;
  }

  /** the task gives the lock up: record hold time (`holdNs` for a folded critical section) */
  protected released(task: Task, mode: LockMode, holdNs?: number): void {
    const held = this.env.held(task);
    for (let i = held.length - 1; i >= 0; i--) {
      const h = held[i];
      if (h.lock === this && h.mode === mode) {
        h.stats.hold.add(holdNs ?? this.env.sim.now - h.since);
        if (i === held.length - 1) held.pop(); // the usual case: the last lock taken
        else held.splice(i, 1);
        this.holders--;
        return;
      }
    }
    this.env.violation(`${task.name} releases ${this.name} (${mode}) which it does not hold`);
  }

  /** sleep in the wait list until woken; accounts sleep time */
  protected *sleep(task: Task, op: LockOp): Proc {
    const t = this.env.sim.now;
    this.sleeping(task);
    yield* this.env.sched.block(task);
    this.awake();
    op.sleep += this.env.sim.now - t;
  }

  /**
   * The slow path is done and the task is TASK_RUNNING again (rwsem-xadd.c:
   * `tsk->state = TASK_RUNNING`, `__set_current_state(TASK_RUNNING)`; the 3.18 mutex
   * breaks out of its wait loop before setting a sleep state). A wake-up that reached it
   * while it was running through the slow path is void, as try_to_wake_up() of a running
   * task does nothing; `task.woken` is only for the window between deciding to sleep and
   * sleeping. (Was left set, so the task's next, unrelated sleep returned at once.)
   */
  protected running(task: Task): void {
    task.woken = false;
  }

  /** spin until notified (or need_resched if preemptible); returns the notification */
  *spin(task: Task, op: LockOp | null, preemptible = true): Proc<unknown> {
    const t = this.env.sim.now;
    const v = yield* this.env.sched.spin(task, preemptible);
    if (op) op.spin += this.env.sim.now - t;
    return v;
  }

  /**
   * cpu_relax() in an optimistic-spin loop: as the polling OSQ head, wait until the lock
   * word or owner changes (or need_resched), then re-read the line.
   */
  *relax(task: Task, op: LockOp): Proc {
    this.poller = task;
    yield* this.spin(task, op, true);
    yield this.repoll(task, op);
  }

  /** spinOnOwner's re-read (osq.ts) */
  pollLine(task: Task, op: LockOp | null): number {
    return this.repoll(task, op);
  }

  /** wake_up_process() from a lock's slow path, charging the waker */
  protected *wakeUp(waker: Task, task: Task): Proc {
    const p = this.env.sched.params;
    // try_to_wake_up() on a task that is not asleep only checks its state
    const cost = this.env.sched.wake(task) ? p.wakeupCost : p.wakeupNoopCost;
    yield* this.env.sched.compute(waker, cost);
  }
}

/** A lock taken and dropped exclusively, as page-table locks are. */
export interface ExclusiveLock {
  lock(task: Task, site?: string, nested?: boolean): Proc;
  unlock(task: Task): Proc;
}

const ENDED: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true as const });

/**
 * A Proc that is already over: what an operation that did all its work at once (no event)
 * returns instead of a generator, for its caller's `yield*` (SpinLock.critical folded).
 * Stateless, so one serves every caller.
 */
export const NOTHING_LEFT: Proc = {
  next: () => ENDED,
  return: (value?: unknown) => ({ value: value as void, done: true as const }),
  throw: (e: unknown) => { throw e; },
  [Symbol.iterator]() { return this; },
};

/**
 * Two nested exclusive locks around a body's CPU work, by events (copy_pte_range's parent and
 * child pte locks): the exact path shared by every page-table lock's criticalPair.
 */
export function* lockedPair(env: LockEnv, outer: ExclusiveLock, inner: ExclusiveLock, task: Task, site: string, body: () => number): Proc {
  yield* outer.lock(task, site);
  yield* inner.lock(task, site, true);
  const ns = body();
  yield* env.sched.compute(task, ns);
  yield* inner.unlock(task);
  yield* outer.unlock(task);
}
