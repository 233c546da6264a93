import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { AddressSpace } from './address_space';
import type { AnonVma } from './anon_vma';
import type { IntervalTree } from './interval_tree';
import type { MmStruct } from './mm_struct';
import type { Page, PteSetKind } from './page';
import { VM_LOCKED, VM_SHARED, VM_WRITE, type Vma } from './vma';
import { lazyWalkTree } from './rmap_lazy';
import type { Proc } from '../engine';

/**
 * Reverse mapping (mm/rmap.c, 3.18): find every pte mapping a page by walking the VMAs
 * that cover its offset — `mapping->i_mmap` for file pages (rmap_walk_file, under the
 * i_mmap lock in the kernel's mode for call site `rmap_walk_file`: mutex in 3.18-rc1,
 * write with patch 3 alone, read from patch 4), `anon_vma->rb_root` for anonymous pages
 * (rmap_walk_anon, under the anon_vma root rwsem for read).
 *
 * A walker is `struct rmap_walk_control` as an object: `rmapOne` (rwc->rmap_one),
 * optional `invalidVma` (rwc->invalid_vma) and `done` (rwc->done). Per VMA the walk
 * charges `rmapOne` (page_check_address: the page-table walk of that mm) and, only where
 * the page is actually mapped by that mm (`walker.isMapped`, default `page.mappers`), takes
 * that mm's pte lock (`mm.ptl(addr)`) and charges `rmapOneMapped`; the walker's rmapOne
 * then runs under the pte lock. Tree steps cost `treeVisit` each (OverlapCursor.visits).
 *
 * Not modelled: nonlinear VMAs (rwc->file_nonlinear; `i_mmap_nonlinear` is always empty),
 * KSM pages, huge pages, and the down_read_trylock(mmap_sem) of try_to_unmap_one's
 * VM_LOCKED path (assumed to succeed: it never blocks). The kernel takes the pte lock
 * whenever page_check_address finds a present pte of *some* page there (e.g. a COW copy);
 * the model only where this page is mapped.
 */

// include/linux/rmap.h
export const SWAP_SUCCESS = 0;
export const SWAP_AGAIN = 1;
export const SWAP_FAIL = 2;
export const SWAP_MLOCK = 3;
export type SwapResult = typeof SWAP_SUCCESS | typeof SWAP_AGAIN | typeof SWAP_FAIL | typeof SWAP_MLOCK;

// enum ttu_flags (include/linux/rmap.h, 3.18)
export const TTU_UNMAP = 1;
export const TTU_MIGRATION = 2;
export const TTU_MUNLOCK = 4;
export const TTU_ACTION_MASK = 0xff;
export const TTU_IGNORE_MLOCK = 1 << 8;
export const TTU_IGNORE_ACCESS = 1 << 9;

/** `struct rmap_walk_control` */
export interface RmapWalker {
  readonly name: string;
  /** rwc->invalid_vma: skip this VMA entirely (no rmap_one) */
  invalidVma?(vma: Vma): boolean;
  /** does `vma.mm` have a pte for this page (what page_check_address finds)? default: page.mappers */
  isMapped?(page: Page, vma: Vma): boolean;
  /** rwc->rmap_one; `mapped` = the pte exists (then this runs under that mm's pte lock) */
  rmapOne(page: Page, vma: Vma, mapped: boolean): SwapResult;
  /** rwc->done, checked after each rmap_one that returned SWAP_AGAIN */
  done?(page: Page): boolean;
  /**
   * A forecast of this walker's steps from the page's state now, without side effects:
   * what lets the walk run lazily (rmap_lazy.ts). Without it the walk is eager.
   */
  planner?(page: Page): RmapPlanner;
}

/**
 * A walker's forecast (RmapWalker.planner), made from the state at the time it is made:
 * it follows the walker's own effects on the steps it forecasts; changes by other tasks
 * are reported to the lazy walk, which makes a new forecast.
 */
export interface RmapPlanner {
  /** the pages whose pte sets `mapped`, `step` and `done` read */
  readonly pages: readonly Page[];
  /** which of those sets they read */
  readonly kinds: readonly PteSetKind[];
  /** true if a change for any mm can change the forecast (e.g. done() reads the mapcount); else only for mms of steps still to come */
  readonly anyMm: boolean;
  /** what isMapped will say when the walk reaches `vma` */
  mapped(vma: Vma): boolean;
  /** what rmapOne will return there (and forecast its effects) */
  step(vma: Vma, mapped: boolean): SwapResult;
  /** what done() will say after that step */
  done(): boolean;
}

export function isFileMapping(m: Page['mapping']): m is AddressSpace {
  return m !== null && 'i_mmap' in m;
}

function assertLocked(page: Page, fn: string): void {
  // VM_BUG_ON_PAGE(!PageLocked(page), page): the page lock keeps page->mapping stable
  if (!page.locked) throw new Error(`${fn}: page ${page.index} is not locked (the kernel requires the page lock)`);
}

/** rmap_one for one VMA: page-table walk; pte lock + walker callback where mapped */
function* rmapOneVma(ctx: MmContext, task: Task, page: Page, vma: Vma, walker: RmapWalker): Proc<SwapResult> {
  yield* ctx.compute(task, ctx.costs.rmapOne);
  return yield* rmapOneTail(ctx, task, page, vma, walker);
}

/** what page_check_address finds: does `vma.mm` map the page (walker.isMapped, default page.mappers)? */
export function walkerMapped(walker: RmapWalker, page: Page, vma: Vma): boolean {
  return walker.isMapped ? walker.isMapped(page, vma) : page.mappers.has(vma.mm);
}

/** rmap_one after the page-table walk: the pte test, then the pte lock and the walker's rmap_one */
export function* rmapOneTail(ctx: MmContext, task: Task, page: Page, vma: Vma, walker: RmapWalker): Proc<SwapResult> {
  const mapped = () => walkerMapped(walker, page, vma);
  // page_check_address(): quick pte_present test before taking the lock
  if (!mapped()) return walker.rmapOne(page, vma, false);
  let r: SwapResult = SWAP_AGAIN;
  yield* vma.mm.ptl(vma.addressOf(page.index)).critical(task, 'rmap_one', () => {
    r = walker.rmapOne(page, vma, mapped()); // re-checked under the lock
    return ctx.costs.rmapOneMapped;
  });
  return r;
}

/**
 * The vma_interval_tree_foreach / anon_vma_interval_tree_foreach loop of rmap_walk_*:
 * lazy (rmap_lazy.ts: O(1) events, the same simulated times and effects) when the
 * context allows it and the walker can forecast itself, else eager.
 */
function* walkTree(ctx: MmContext, task: Task, page: Page, tree: IntervalTree<Vma>, walker: RmapWalker): Proc<SwapResult> {
  ctx.vmstat.rmap_walks++;
  if (ctx.lazyRmapWalks && walker.planner) return yield* lazyWalkTree(ctx, task, page, tree, walker);
  const cur = tree.cursor();
  let node = cur.first(page.index, page.index);
  let charged = 0;
  let ret: SwapResult = SWAP_AGAIN;
  for (;;) {
    if (cur.visits > charged) {
      yield* ctx.compute(task, (cur.visits - charged) * ctx.costs.treeVisit);
      charged = cur.visits;
    }
    if (node === null) break;
    const vma = node.value;
    if (!walker.invalidVma?.(vma)) {
      ctx.vmstat.rmap_vmas_visited++;
      ret = yield* rmapOneVma(ctx, task, page, vma, walker);
      if (ret !== SWAP_AGAIN) break;
      if (walker.done?.(page)) break;
    }
    node = cur.next();
  }
  return ret;
}

/** rmap_walk_file() (mm/rmap.c): caller holds the page lock */
export function* rmapWalkFile(ctx: MmContext, task: Task, page: Page, walker: RmapWalker): Proc<SwapResult> {
  assertLocked(page, 'rmap_walk_file');
  const mapping = page.mapping;
  if (!isFileMapping(mapping)) return SWAP_AGAIN;
  const mode = yield* ctx.immapLock(task, mapping, 'rmap_walk_file');
  const ret = yield* walkTree(ctx, task, page, mapping.i_mmap, walker);
  yield* ctx.immapUnlock(task, mapping, mode);
  return ret;
}

/** rmap_walk_anon() (mm/rmap.c): page_lock_anon_vma_read → anon_vma root rwsem for read */
export function* rmapWalkAnon(ctx: MmContext, task: Task, page: Page, walker: RmapWalker): Proc<SwapResult> {
  const av = page.mapping as AnonVma | null;
  if (!av || isFileMapping(av)) return SWAP_AGAIN;
  yield* av.rwsem.acquire(task, 'read', 'rmap_walk_anon');
  const ret = yield* walkTree(ctx, task, page, av.rb_root, walker);
  yield* av.rwsem.release(task, 'read');
  return ret;
}

/** rmap_walk(): file pages to rmap_walk_file, anonymous pages to rmap_walk_anon */
export function rmapWalk(ctx: MmContext, task: Task, page: Page, walker: RmapWalker): Proc<SwapResult> {
  return isFileMapping(page.mapping) ? rmapWalkFile(ctx, task, page, walker) : rmapWalkAnon(ctx, task, page, walker);
}

/** clear the pte mapping `page` in `vma` (no mapping, no NUMA mark, no young bit) */
function clearPte(page: Page, vma: Vma): void {
  const mm = vma.mm;
  const addr = vma.addressOf(page.index);
  // through the page table when it holds the pte, so mappers and rss stay in step
  if (mm.pt.get(addr) === page) mm.pt.clear(addr);
  else page.mappers.delete(mm);
  page.numaPtes.delete(mm);
  page.young.delete(mm);
}

/**
 * try_to_unmap() walker (try_to_unmap_one): clears each pte of the page; under
 * TTU_MIGRATION installs a migration entry (the mm moves from `page.mappers` to
 * `page.migrationPtes` and is remembered in `unmapped`). Stops when the mapcount reaches
 * 0 (page_not_mapped), on SWAP_MLOCK (VM_LOCKED unless TTU_IGNORE_MLOCK) or SWAP_FAIL
 * (young pte unless TTU_IGNORE_ACCESS). With TTU_MUNLOCK it only looks for VM_LOCKED.
 */
export class TryToUnmapWalker implements RmapWalker {
  readonly name = 'try_to_unmap';
  readonly unmapped: MmStruct[] = [];
  constructor(readonly flags: number) {}

  rmapOne(page: Page, vma: Vma, mapped: boolean): SwapResult {
    if (!mapped) return SWAP_AGAIN;
    const mm = vma.mm;
    if (!(this.flags & TTU_IGNORE_MLOCK)) {
      if (vma.has(VM_LOCKED)) return SWAP_MLOCK; // out_mlock: mlock_vma_page
      if ((this.flags & TTU_ACTION_MASK) === TTU_MUNLOCK) return SWAP_AGAIN;
    }
    if (!(this.flags & TTU_IGNORE_ACCESS) && page.young.has(mm)) {
      page.young.delete(mm); // ptep_clear_flush_young_notify
      return SWAP_FAIL;
    }
    clearPte(page, vma);
    if ((this.flags & TTU_ACTION_MASK) === TTU_MIGRATION) page.migrationPtes.add(mm);
    this.unmapped.push(mm);
    return SWAP_AGAIN;
  }

  done(page: Page): boolean {
    return page.mapcount === 0;
  }

  planner(page: Page): RmapPlanner {
    return new TryToUnmapPlanner(this.flags, page);
  }
}

/** TryToUnmapWalker's forecast: the mms its steps will unmap, and so the mapcount */
class TryToUnmapPlanner implements RmapPlanner {
  readonly pages: readonly Page[];
  readonly kinds: readonly PteSetKind[];
  readonly anyMm = true; // done() reads the mapcount
  /** mms the forecast steps take out of page.mappers */
  private readonly left = new Set<MmStruct>();
  /** ptes of the page the forecast steps clear, per mm */
  private readonly cleared = new Map<MmStruct, number>();

  constructor(readonly flags: number, readonly page: Page) {
    this.pages = [page];
    this.kinds = flags & TTU_IGNORE_ACCESS ? ['mappers'] : ['mappers', 'young'];
  }

  mapped(vma: Vma): boolean {
    return this.page.mappers.has(vma.mm) && !this.left.has(vma.mm);
  }

  step(vma: Vma, mapped: boolean): SwapResult {
    if (!mapped) return SWAP_AGAIN;
    const mm = vma.mm, page = this.page;
    if (!(this.flags & TTU_IGNORE_MLOCK)) {
      if (vma.has(VM_LOCKED)) return SWAP_MLOCK;
      if ((this.flags & TTU_ACTION_MASK) === TTU_MUNLOCK) return SWAP_AGAIN;
    }
    if (!(this.flags & TTU_IGNORE_ACCESS) && page.young.has(mm)) return SWAP_FAIL;
    // clearPte(): the mm leaves mappers with its last pte of the page
    if (mm.pt.get(vma.addressOf(page.index)) === page) {
      const n = (this.cleared.get(mm) ?? 0) + 1;
      this.cleared.set(mm, n);
      if (n >= mm.pt.ptesOf(page)) this.left.add(mm);
    } else this.left.add(mm);
    return SWAP_AGAIN;
  }

  done(): boolean {
    return this.page.mappers.size - this.left.size === 0;
  }
}

/** try_to_unmap(): SWAP_SUCCESS if the page ended up unmapped (and not SWAP_MLOCK) */
export function* tryToUnmap(ctx: MmContext, task: Task, page: Page, flags: number, walker = new TryToUnmapWalker(flags)): Proc<SwapResult> {
  const ret = yield* rmapWalk(ctx, task, page, walker);
  if (ret !== SWAP_MLOCK && page.mapcount === 0) return SWAP_SUCCESS;
  return ret;
}

/** try_to_munlock(): try_to_unmap_one with TTU_MUNLOCK; SWAP_MLOCK at the first VM_LOCKED mapping */
export function* tryToMunlock(ctx: MmContext, task: Task, page: Page): Proc<SwapResult> {
  return yield* rmapWalk(ctx, task, page, new TryToUnmapWalker(TTU_MUNLOCK));
}

/**
 * page_referenced() walker (page_referenced_one): test-and-clear the young bit of each
 * mapping, counting down the mapcount; stops when every mapping was seen (SWAP_SUCCESS)
 * or at a VM_LOCKED VMA (SWAP_FAIL, vm_flags |= VM_LOCKED).
 */
export class PageReferencedWalker implements RmapWalker {
  readonly name = 'page_referenced';
  referenced = 0;
  vmFlags = 0;
  constructor(public mapcount: number) {}

  rmapOne(page: Page, vma: Vma, mapped: boolean): SwapResult {
    if (!mapped) return SWAP_AGAIN;
    if (vma.has(VM_LOCKED)) {
      this.vmFlags |= VM_LOCKED;
      return SWAP_FAIL; // to break the loop
    }
    if (page.young.delete(vma.mm)) {
      this.referenced++;
      this.vmFlags |= vma.flags;
    }
    return --this.mapcount === 0 ? SWAP_SUCCESS : SWAP_AGAIN;
  }

  planner(page: Page): RmapPlanner {
    let mapcount = this.mapcount;
    return {
      pages: [page], kinds: ['mappers'], anyMm: false,
      mapped: (vma) => page.mappers.has(vma.mm),
      step: (vma, mapped) => (!mapped ? SWAP_AGAIN : vma.has(VM_LOCKED) ? SWAP_FAIL : --mapcount === 0 ? SWAP_SUCCESS : SWAP_AGAIN),
      done: () => false,
    };
  }
}

/**
 * page_referenced(): 0 at once for an unmapped page; if the caller does not hold the page
 * lock (`isLocked` false) and the page is a file page, trylock_page and report
 * "referenced" (1) without walking when that fails.
 */
export function* pageReferenced(ctx: MmContext, task: Task, page: Page, isLocked: boolean): Proc<{ referenced: number; vmFlags: number }> {
  if (page.mapcount === 0 || page.mapping === null) return { referenced: 0, vmFlags: 0 };
  let weLocked = false;
  if (!isLocked && isFileMapping(page.mapping)) {
    weLocked = yield* page.trylockPage(task);
    if (!weLocked) return { referenced: 1, vmFlags: 0 };
  }
  const w = new PageReferencedWalker(page.mapcount);
  yield* rmapWalk(ctx, task, page, w);
  if (weLocked) yield* page.unlockPage(task);
  return { referenced: w.referenced, vmFlags: w.vmFlags };
}

/**
 * page_mkclean() walker (page_mkclean_one): write-protect and clean every pte; never
 * stops; invalid_mkclean_vma skips VMAs without VM_SHARED. The model does not track pte
 * dirty/write bits: a mapped pte in a VM_WRITE VMA counts as cleaned.
 */
export class PageMkcleanWalker implements RmapWalker {
  readonly name = 'page_mkclean';
  cleaned = 0;
  invalidVma(vma: Vma): boolean {
    return !vma.has(VM_SHARED);
  }
  rmapOne(_page: Page, vma: Vma, mapped: boolean): SwapResult {
    if (mapped && vma.has(VM_WRITE)) this.cleaned++;
    return SWAP_AGAIN;
  }
  planner(page: Page): RmapPlanner {
    return { pages: [page], kinds: ['mappers'], anyMm: false, mapped: (vma) => page.mappers.has(vma.mm), step: () => SWAP_AGAIN, done: () => false };
  }
}

/** page_mkclean(): caller holds the page lock; 0 if unmapped or without a mapping */
export function* pageMkclean(ctx: MmContext, task: Task, page: Page): Proc<number> {
  assertLocked(page, 'page_mkclean');
  if (page.mapcount === 0 || !isFileMapping(page.mapping)) return 0;
  const w = new PageMkcleanWalker();
  yield* rmapWalk(ctx, task, page, w);
  return w.cleaned;
}
