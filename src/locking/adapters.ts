import type { Task } from '../sched';
import type { LockEnv } from './env';
import { lockedPair, type SleepLock } from './lock';
import type { LockMode } from './lockstat';
import type { Proc } from '../engine';

/**
 * A lock without a shared mode (mutex, spinlock) serving a class whose call sites may ask
 * for read mode (i_mmap after the series, anon_vma, mmap_sem): every acquisition is
 * exclusive, as the kernel took such a lock before it became an rwsem (i_mmap_lock,
 * i_mmap_mutex, anon_vma->lock, anon_vma->mutex). Lockstat records the acquisitions as
 * `write`. The call sites keep their mode; only the lock ignores it.
 */
export class ExclusiveOnly implements SleepLock {
  constructor(readonly inner: SleepLock) {}

  get name(): string {
    return this.inner.name;
  }

  acquire(task: Task, _mode: LockMode, site: string, nested?: boolean): Proc {
    return this.inner.acquire(task, 'write', site, nested);
  }

  release(task: Task, _mode: LockMode): Proc {
    return this.inner.release(task, 'write');
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/**
 * What the mm code asks of a page-table lock: spin_lock/spin_unlock, and critical sections
 * (SpinLock's fold them when uncontended). A SpinLock is one; `SleepingPtl` makes any other
 * primitive one.
 */
export interface PageTableLock extends SleepLock {
  lock(task: Task, site?: string, nested?: boolean): Proc;
  unlock(task: Task): Proc;
  critical(task: Task, site: string, body: () => number, nested?: boolean): Proc;
  criticalPair(inner: PageTableLock, task: Task, site: string, body: () => number): Proc;
}

/**
 * A page-table lock built on a mutex or rwsem (a what-if: the kernel's are spinlocks), taken
 * exclusively; critical sections run exactly (lock, the body's CPU work, unlock), never
 * folded.
 */
export class SleepingPtl implements PageTableLock {
  constructor(readonly env: LockEnv, readonly inner: SleepLock) {}

  get name(): string {
    return this.inner.name;
  }

  acquire(task: Task, _mode: LockMode, site: string, nested?: boolean): Proc {
    return this.inner.acquire(task, 'write', site, nested);
  }

  release(task: Task, _mode?: LockMode): Proc {
    return this.inner.release(task, 'write');
  }

  lock(task: Task, site = 'spin_lock', nested = false): Proc {
    return this.inner.acquire(task, 'write', site, nested);
  }

  unlock(task: Task): Proc {
    return this.inner.release(task, 'write');
  }

  *critical(task: Task, site: string, body: () => number, nested = false): Proc {
    yield* this.lock(task, site, nested);
    const ns = body();
    yield* this.env.sched.compute(task, ns);
    yield* this.unlock(task);
  }

  *criticalPair(inner: PageTableLock, task: Task, site: string, body: () => number): Proc {
    yield* lockedPair(this.env, this, inner, task, site, body);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
