import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { AddressSpace } from './address_space';
import type { MmStruct } from './mm_struct';
import type { Page } from './page';
import { HPAGE_PAGES } from './hugetlb_pgtable';
import type { Proc } from '../engine';

/**
 * Memory failure on a page-cache page (mm/memory-failure.c, 3.18): memory_failure →
 * hwpoison_user_mappings → collect_procs_file (i_mmap at site collect_procs_file, R since
 * patch 07, nesting read_lock(tasklist_lock)) → try_to_unmap (an rmap walk, site
 * rmap_walk_file, supplied by the caller) → kill_procs.
 */

/** A process as for_each_process() sees it: its mm and PF_MCE_EARLY / early-kill policy. */
export interface McProcess {
  readonly name: string;
  readonly mm: MmStruct | null;
  /** task_early_kill(): PF_MCE_PROCESS|PF_MCE_EARLY or vm.memory_failure_early_kill */
  readonly earlyKill?: boolean;
}

/** struct to_kill: a process to signal and the address of the page in it */
export interface ToKill {
  proc: McProcess;
  addr: number;
}

/**
 * collect_procs_file() (mm/memory-failure.c): under i_mmap (site collect_procs_file) and
 * read_lock(tasklist_lock), for every process that wants an early kill (all of them with
 * MF_ACTION_REQUIRED = `forceEarly`), walk the VMAs at the page's offset and list those of
 * that process's mm. The tree is walked once PER PROCESS, all under the lock.
 */
export function* collectProcsFile(ctx: MmContext, task: Task, page: Page, procs: readonly McProcess[], forceEarly: boolean): Proc<ToKill[]> {
  const mapping = page.mapping as AddressSpace;
  const pgoff = mapping.hugetlb ? page.index * HPAGE_PAGES : page.index; // page_to_pgoff()
  const mode = yield* ctx.immapLock(task, mapping, 'collect_procs_file');
  yield* ctx.tasklistLock.acquire(task, 'read', 'collect_procs_file');
  const out: ToKill[] = [];
  let first = 0, again = 0;
  for (const p of procs) {
    if (!p.mm || !(forceEarly || p.earlyKill)) continue;
    const v = mapping.i_mmap.forEachOverlap(pgoff, pgoff, (n) => {
      if (n.value.mm === p.mm) out.push({ proc: p, addr: n.value.addressOf(pgoff) }); // add_to_kill
    });
    if (first === 0) first = v;
    else again += v;
  }
  // the first walk misses on every node, the next ones find them in cache
  const c = ctx.costs;
  yield* ctx.compute(task, c.taskScan * procs.length + c.treeVisit * first + c.treeVisitHot * again + c.kmallocSmall * out.length);
  yield* ctx.tasklistLock.release(task, 'read');
  yield* ctx.immapUnlock(task, mapping, mode);
  return out;
}

/** try_to_unmap(page, TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS) as supplied by rmap.ts */
export type TryToUnmap = (ctx: MmContext, task: Task, page: Page) => Proc<unknown>;

export interface MemoryFailureResult {
  /** the page was already poisoned (nothing done) */
  alreadyPoisoned: boolean;
  killed: ToKill[];
}

const poisoned = new WeakSet<Page>();

export function isHwPoisoned(page: Page): boolean {
  return poisoned.has(page);
}

/**
 * memory_failure() for a mapped page-cache page (mm/memory-failure.c), reduced to its
 * locking: TestSetPageHWPoison; lock_page; hwpoison_user_mappings (if still mapped:
 * collect_procs_file when killing, try_to_unmap, kill_procs: one signal per listed
 * process); unlock_page. Page-cache removal (me_pagecache_clean) is not modelled.
 */
export function* memoryFailure(ctx: MmContext, task: Task, page: Page, procs: readonly McProcess[], opts: { forceEarly?: boolean; tryToUnmap?: TryToUnmap } = {}): Proc<MemoryFailureResult> {
  if (poisoned.has(page)) return { alreadyPoisoned: true, killed: [] };
  poisoned.add(page);
  yield* page.lockPage(task);
  let killed: ToKill[] = [];
  if (page.mapcount > 0) {
    killed = yield* collectProcsFile(ctx, task, page, procs, opts.forceEarly ?? false);
    if (opts.tryToUnmap) yield* opts.tryToUnmap(ctx, task, page);
    yield* ctx.compute(task, ctx.costs.kmallocSmall * killed.length); // kill_procs: a signal per victim
  }
  yield* page.unlockPage(task);
  return { alreadyPoisoned: false, killed };
}
