import type { Task } from '../sched';
import type { Mutex } from '../locking';
import { Mutex as MutexImpl } from '../locking';
import type { MmContext } from './model/context';
import { LOCKDEP_CLASSES } from './model/context';
import type { AddressSpace } from './address_space';
import type { AnonVma } from './anon_vma';
import type { MmStruct } from './mm_struct';
import type { Proc } from '../engine';

/** which of a page's per-mm pte sets changed (PteSet) */
export type PteSetKind = 'mappers' | 'numaPtes' | 'young' | 'migrationPtes';

/** called when a set of a page whose `watched` count is not 0 changes (src/mm/rmap_lazy.ts) */
let changeHook: ((page: Page, kind: PteSetKind, mm: MmStruct | null) => void) | null = null;

export function setPageChangeHook(fn: ((page: Page, kind: PteSetKind, mm: MmStruct | null) => void) | null): void {
  changeHook = fn;
}

/** a pte of `mm` mapping `page` was set or cleared (PageTable): reported like a change of `mappers` */
export function ptesChanged(page: Page, mm: MmStruct): void {
  if (page.watched !== 0) changeHook?.(page, 'mappers', mm);
}

/**
 * A set of mms (one of a page's pte sets) that reports its changes while its page is
 * watched by a lazy rmap walk, which planned with it. A plain Set otherwise.
 */
export class PteSet extends Set<MmStruct> {
  constructor(readonly page: Page, readonly kind: PteSetKind) {
    super();
  }
  override add(mm: MmStruct): this {
    if (this.page.watched !== 0 && !this.has(mm)) {
      super.add(mm);
      changeHook?.(this.page, this.kind, mm);
      return this;
    }
    return super.add(mm);
  }
  override delete(mm: MmStruct): boolean {
    const r = super.delete(mm);
    if (r && this.page.watched !== 0) changeHook?.(this.page, this.kind, mm);
    return r;
  }
  override clear(): void {
    const had = this.size !== 0;
    super.clear();
    if (had && this.page.watched !== 0) changeHook?.(this.page, this.kind, null);
  }
}

/**
 * `struct page`, created only for pages the model follows (shared file pages that rmap
 * walks and migration touch). `mappers` records which mms map it (its ptes), so an rmap
 * walk takes a pte lock only where the page is actually mapped and mapcount is exact.
 */
export class Page {
  /** lazy rmap walks that planned with this page's pte sets (rmap_lazy.ts): changes are reported */
  watched = 0;
  readonly mappers = new PteSet(this, 'mappers');
  /** PG_locked, as a sleeping lock (lock_page sleeps on the page's wait queue) */
  private pageLock: Mutex | null = null;
  /** isolated from the LRU (isolate_lru_page) */
  isolated = false;
  /** NUMA hinting: last cpu/pid that faulted (page_cpupid_xchg_last), -1 = none */
  lastCpupid = -1;
  /** mms whose pte of this page is marked _PAGE_NUMA (change_prot_numa); meaningful only while in `mappers` */
  readonly numaPtes = new PteSet(this, 'numaPtes');
  /** mms whose pte has the accessed (young) bit set; meaningful only while in `mappers` */
  readonly young = new PteSet(this, 'young');
  /** mms whose pte holds a migration entry for this page (try_to_unmap under TTU_MIGRATION) */
  readonly migrationPtes = new PteSet(this, 'migrationPtes');
  /** transient references beyond page cache + LRU isolation (get_page by a fault, GUP, migration_entry_wait) */
  refs = 0;
  /** PG_writeback */
  writeback = false;

  constructor(
    readonly ctx: MmContext,
    public mapping: AddressSpace | AnonVma | null,
    readonly index: number,
    public node: number,
  ) {}

  get mapcount(): number {
    return this.mappers.size;
  }

  private get lock(): Mutex {
    return (this.pageLock ??= new MutexImpl(this.ctx.env, LOCKDEP_CLASSES.page_lock, `page${this.index}.PG_locked`, { optimisticSpin: false }));
  }

  get locked(): boolean {
    return this.pageLock !== null && this.pageLock.count !== 1;
  }

  /** its file is gone: the page lock (if it was ever taken) leaves the lock environment */
  dispose(): void {
    this.pageLock?.dispose();
  }

  /** lock_page() */
  lockPage(task: Task): Proc {
    return this.lock.lock(task, 'lock_page');
  }

  /** trylock_page(): true if taken */
  trylockPage(task: Task): Proc<boolean> {
    return this.lock.trylock(task, 'trylock_page');
  }

  /** unlock_page(): also wakes the tasks in wait_on_page_locked() (wake_up_page) */
  *unlockPage(task: Task): Proc {
    yield* this.lock.unlock(task);
    const w = this.unlockWaiters;
    if (!w) return;
    this.unlockWaiters = null;
    const sched = this.ctx.sched;
    for (const t of w) yield* sched.compute(task, sched.wake(t) ? sched.params.wakeupCost : sched.params.wakeupNoopCost);
  }

  /** tasks sleeping in wait_on_page_locked() */
  private unlockWaiters: Task[] | null = null;

  /** wait_on_page_locked(): sleep until the page is unlocked, without taking the lock */
  *waitOnPageLocked(task: Task): Proc {
    if (!this.locked) return;
    const t0 = this.ctx.sim.now;
    while (this.locked) {
      const w = (this.unlockWaiters ??= []);
      if (!w.includes(task)) w.push(task);
      yield* this.ctx.sched.block(task);
    }
    this.ctx.vmstat.page_locked_wait_ns += this.ctx.sim.now - t0;
  }
}
