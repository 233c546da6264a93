import type { Simulation } from '../engine';
import type { Machine } from '../hw';
import type { Scheduler, Task } from '../sched';
import { LockStat, type LockMode, type LockSiteStats, type LockStatRow } from './lockstat';
import type { Lock } from './lock';

/** A broken lock invariant, lock order or lost wake-up, found in checking mode. */
export class LockViolation extends Error {}

/**
 * A lock class, as lockdep groups locks: every address_space's i_mmap lock is one class.
 * `rank` orders classes (an outer lock has a smaller rank); acquiring a class whose rank
 * is not greater than that of a lock already held is an ordering violation.
 */
export interface LockdepClass {
  name: string;
  rank?: number;
}

/** One lock a task holds (a class for the reason given at LockOp). */
export class Held {
  constructor(
    public lock: Lock,
    public mode: LockMode,
    public site: string,
    public since: number,
    public stats: LockSiteStats,
  ) {}
}

/**
 * Per-acquisition bookkeeping. A class, not an object literal: its time fields start as
 * small integers and later hold fractions, and V8 then deprecates the literal's shape and
 * migrates every new copy of it on first use (one per acquisition, and the code reading
 * it falls back to unoptimised tiers); a class's instances take the updated shape.
 */
export class LockOp {
  spin = 0;
  sleep = 0;
  cross = 0;
  contended = false;
  constructor(
    /** the lock's class name */
    public cls: string,
    public site: string,
    public mode: LockMode,
    public t0: number,
    public nested: boolean,
  ) {}
}

/**
 * What locks share in one simulation: the scheduler and machine, lockstat, and (in
 * checking mode) the invariant and lock-order checks of every operation.
 */
export class LockEnv {
  readonly stat = new LockStat();
  /**
   * Acquisitions that found the lock taken and have not got it yet: spinning, asleep in a
   * wait list, or on their way. lockstat counts a contention when the lock is acquired
   * (as lockdep's __lock_acquired adds the wait time), so these are reported apart, as
   * `waiting*` in `rows()` (issue 12: a spinner that never got the lock counted nowhere).
   */
  readonly waiting = new Set<LockOp>();

  /** lockstat rows with the acquisitions still waiting now (`waitingRead`, `waitingWrite`, `waitingNs`) */
  rows(): LockStatRow[] {
    return this.stat.rows(this.waiting, this.sim.now);
  }
  /**
   * The locks made in this environment and not forgotten, in creation order: what
   * finalCheck looks at. A layer forgets the locks of objects it destroys (the page-table
   * locks and mmap_sem of an exited mm) so that they can be freed.
   */
  private readonly live = new Set<Lock>();

  /** register a lock for finalCheck (called by the Lock constructor) */
  register(lock: Lock): void {
    this.live.add(lock);
  }

  /** drop a lock whose object is gone (it must have no waiters left) */
  forget(lock: Lock): void {
    this.live.delete(lock);
  }

  readonly checks: boolean;
  /** CPU time of a lock slow path's bookkeeping besides its cache misses (ns) */
  readonly slowPathCost: number;
  /**
   * Every lock stall and hold an event of its own (the run option and CLI flag of the same
   * name, `--exact-lock-timing`; slower; for validating the fold). Default false: fold
   * uncontended work into the task's owed CPU time instead of events — the cache-miss
   * stalls of lock and unlock fast paths (Scheduler.stall), and whole short spinlock
   * critical sections taken on a free lock (SpinLock.critical).
   */
  readonly exactLockTiming: boolean;
  /**
   * Run every rmap walk eagerly, one event or more per VMA (default false: walks of the
   * mm layer run lazily, in O(1) events, when folding is on; src/mm/rmap_lazy.ts). Kept
   * here, beside `exactLockTiming`, because this is what every layer of a run shares.
   */
  readonly exactRmapWalks: boolean;

  constructor(
    readonly sim: Simulation,
    readonly sched: Scheduler,
    opts: { checks?: boolean; slowPathCost?: number; exactLockTiming?: boolean; exactRmapWalks?: boolean } = {},
  ) {
    this.checks = opts.checks ?? false;
    this.exactLockTiming = opts.exactLockTiming ?? false;
    this.exactRmapWalks = opts.exactRmapWalks ?? false;
    this.slowPathCost = opts.slowPathCost ?? 50;
  }

  get machine(): Machine {
    return this.sched.machine;
  }

  held(task: Task): Held[] {
    return (task.locking ??= []) as Held[];
  }

  violation(msg: string): never {
    throw new LockViolation(`${msg} (t=${this.sim.now} ns)`);
  }

  /** lockdep-like check when `task` asks for `lock` */
  checkOrder(task: Task, lock: Lock, nested: boolean): void {
    for (const h of this.held(task)) {
      if (h.lock === lock) this.violation(`${task.name} acquires ${lock.name} it already holds (${h.mode} at ${h.site}): self-deadlock`);
      if (nested) continue;
      const a = h.lock.cls, b = lock.cls;
      if (a.rank !== undefined && b.rank !== undefined && b.rank <= a.rank) {
        this.violation(`lock order: ${task.name} acquires ${b.name} (rank ${b.rank}) while holding ${a.name} (rank ${a.rank}) taken at ${h.site}`);
      }
    }
  }

  /**
   * At quiescence: a waiter still queued on any lock was never woken (a lost wake-up
   * or a deadlock). Returns the complaints; throws in checking mode.
   */
  finalCheck(): string[] {
    const out: string[] = [];
    for (const l of this.live) {
      const w = l.waiterNames();
      if (w.length) out.push(`${l.name}: waiters left queued after the run: ${w.join(', ')}`);
    }
    if (out.length && this.checks) this.violation(out.join('; '));
    return out;
  }
}
