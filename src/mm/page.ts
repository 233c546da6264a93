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

/** PteSet layout: members are filed by `mm.id` in chunks of 2^CHUNK_SHIFT ids */
const CHUNK_SHIFT = 6;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;

type Chunk = (MmStruct | null)[];

/**
 * A set of mms (one of a page's pte sets) that reports its changes while its page is
 * watched by a lazy rmap walk, which planned with it.
 *
 * Has the `Set` operations the model uses (has, add, delete, clear, size, iteration), but
 * no hashing: a member sits at a slot given by its `mm.id` (unique within a simulation),
 * in chunks of 64 ids, the chunks in an array that covers the ids of the members (from
 * `off * 64`). A page of libc is mapped by every process, so every exec and exit adds and
 * removes an mm in sets of thousands; a hash set did that at several times the cost.
 * Iteration goes by ascending `mm.id` (the order the mms were created), not by insertion;
 * nothing in the model iterates these sets (tests do).
 */
export class PteSet implements Iterable<MmStruct> {
  private n = 0;
  /** first chunk index (id >> CHUNK_SHIFT) that `chunks[0]` holds */
  private off = 0;
  /** chunk i holds the members with id >> CHUNK_SHIFT === off + i (null: none) */
  private chunks: (Chunk | null)[] = [];
  /** members in each chunk */
  private counts: number[] = [];

  constructor(readonly page: Page, readonly kind: PteSetKind) {}

  get size(): number {
    return this.n;
  }

  has(mm: MmStruct): boolean {
    if (this.n === 0) return false;
    const i = (mm.id >> CHUNK_SHIFT) - this.off;
    if (i < 0 || i >= this.chunks.length) return false;
    const c = this.chunks[i]!;
    return c !== null && c[mm.id & CHUNK_MASK] === mm;
  }

  add(mm: MmStruct): this {
    const id = mm.id;
    const ci = id >> CHUNK_SHIFT;
    let chunks = this.chunks;
    if (chunks.length === 0) this.off = ci;
    let i = ci - this.off;
    if (i < 0) {
      // a member below the first chunk: the array grows at the front
      const pad = new Array<Chunk | null>(-i).fill(null);
      const zeros = new Array<number>(-i).fill(0);
      this.chunks = chunks = pad.concat(chunks);
      this.counts = zeros.concat(this.counts);
      this.off = ci;
      i = 0;
    }
    while (chunks.length <= i) {
      chunks.push(null);
      this.counts.push(0);
    }
    let c = chunks[i]!;
    if (c === null) chunks[i] = c = new Array<MmStruct | null>(CHUNK).fill(null);
    const j = id & CHUNK_MASK;
    const cur = c[j];
    if (cur === mm) return this;
    if (cur !== null) throw new Error(`PteSet: two mms with id ${id} (${cur!.name}, ${mm.name})`);
    c[j] = mm;
    this.n++;
    this.counts[i]++;
    if (this.page.watched !== 0) changeHook?.(this.page, this.kind, mm);
    return this;
  }

  delete(mm: MmStruct): boolean {
    if (this.n === 0) return false;
    const i = (mm.id >> CHUNK_SHIFT) - this.off;
    const chunks = this.chunks;
    if (i < 0 || i >= chunks.length) return false;
    const c = chunks[i]!;
    const j = mm.id & CHUNK_MASK;
    if (c === null || c[j] !== mm) return false;
    c[j] = null;
    if (--this.counts[i] === 0) chunks[i] = null;
    if (--this.n === 0) this.reset();
    if (this.page.watched !== 0) changeHook?.(this.page, this.kind, mm);
    return true;
  }

  clear(): void {
    const had = this.n !== 0;
    this.n = 0;
    this.reset();
    if (had && this.page.watched !== 0) changeHook?.(this.page, this.kind, null);
  }

  *[Symbol.iterator](): IterableIterator<MmStruct> {
    for (const c of this.chunks) {
      if (c === null) continue;
      for (const mm of c) if (mm !== null) yield mm;
    }
  }

  values(): IterableIterator<MmStruct> {
    return this[Symbol.iterator]();
  }

  private reset(): void {
    this.chunks = [];
    this.counts = [];
    this.off = 0;
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
