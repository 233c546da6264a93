import type { Task } from '../sched';
import type { SpinLock } from '../locking';
import type { MmContext } from './model/context';
import type { Page } from './page';
import { VM_EXEC, type Vma } from './vma';
import {
  isFileMapping, rmapWalk, tryToUnmap, SWAP_AGAIN,
  TTU_IGNORE_ACCESS, TTU_IGNORE_MLOCK, TTU_MIGRATION, type RmapPlanner, type RmapWalker, type SwapResult,
} from './rmap';
import type { MmStruct } from './mm_struct';
import type { Proc } from '../engine';

/**
 * Page migration (mm/migrate.c, 3.18-rc7 text as quoted by Hugh Dickins' 30 Nov 2014 patch)
 * and its NUMA-balancing entry, migrate_misplaced_page. The reference is
 * docs/reference/kernel-locking.md §7.4-7.6.
 *
 * The model keeps one `Page` object per file page: "moving" a page to a new one is
 * `page.node = target`; the old and new struct page are the same object, so
 * remove_migration_ptes(old, new) and (old, old) both restore the remembered migration
 * entries (`page.migrationPtes`) into `page.mappers`. The reference-count check of
 * migrate_page_move_mapping fails (-EAGAIN) when the page is still mapped or someone
 * holds a transient reference (`page.refs`: a concurrent fault's get_page, a task waiting
 * on a migration entry). Not modelled: -ENOMEM (the target node always has a free page;
 * migrate_balanced_pgdat always passes), buffer heads, balloon and huge pages.
 */

export const MIGRATEPAGE_SUCCESS = 0;
export const EAGAIN = -11;
export const ENOMEM = -12;
export const EBUSY = -16;

/** enum migrate_mode */
export type MigrateMode = 'async' | 'sync_light' | 'sync';

/** Per-simulation migration state: per-node rate limit (pg_data_t fields), LRU locks, refusal counts. */
export interface MigrateState {
  /** pgdat->numabalancing_migrate_nr_pages / _next_window (ns), per node */
  readonly ratelimit: { nrPages: number; nextWindow: number }[];
  readonly lruLocks: SpinLock[];
  /** why migrate_misplaced_page refused (the kernel has only trace points for these) */
  readonly refused: { exec: number; ratelimit: number; isolate: number };
  /** pages still -EAGAIN after 10 passes (3.18 counts them in neither pgmigrate_success nor _fail) */
  eagainDropped: number;
}

const states = new WeakMap<MmContext, MigrateState>();

export function migrateState(ctx: MmContext): MigrateState {
  let s = states.get(ctx);
  if (!s) {
    const n = ctx.sched.machine.nnodes;
    s = {
      ratelimit: Array.from({ length: n }, () => ({ nrPages: 0, nextWindow: 0 })),
      lruLocks: Array.from({ length: n }, (_, i) => ctx.newSpinLock('lru_lock', `node${i}.lru_lock`)),
      refused: { exec: 0, ratelimit: 0, isolate: 0 },
      eagainDropped: 0,
    };
    states.set(ctx, s);
  }
  return s;
}

/**
 * remove_migration_ptes() walker (remove_migration_pte): every VMA at the offset is
 * visited; where `old` left a migration entry for that mm, the pte is rewritten to point
 * at `newPage` (the mm joins newPage.mappers). Never stops.
 */
export class RemoveMigrationPtesWalker implements RmapWalker {
  readonly name = 'remove_migration_ptes';
  restored = 0;
  constructor(readonly old: Page, readonly newPage: Page) {}
  isMapped(_page: Page, vma: Vma): boolean {
    return this.old.migrationPtes.has(vma.mm);
  }
  rmapOne(_page: Page, vma: Vma, mapped: boolean): SwapResult {
    if (!mapped) return SWAP_AGAIN;
    this.old.migrationPtes.delete(vma.mm);
    vma.mm.pt.set(vma.addressOf(this.newPage.index), this.newPage); // the migration entry becomes a pte again
    this.restored++;
    return SWAP_AGAIN;
  }
  planner(): RmapPlanner {
    const old = this.old;
    const restored = new Set<MmStruct>();
    return {
      pages: [old], kinds: ['migrationPtes'], anyMm: false,
      mapped: (vma) => old.migrationPtes.has(vma.mm) && !restored.has(vma.mm),
      step: (vma, mapped) => {
        if (mapped) restored.add(vma.mm);
        return SWAP_AGAIN;
      },
      done: () => false,
    };
  }
}

/** remove_migration_ptes(old, new): rmap_walk(new) (new->mapping = old->mapping, same index) */
export function* removeMigrationPtes(ctx: MmContext, task: Task, old: Page, newPage: Page): Proc<number> {
  const w = new RemoveMigrationPtesWalker(old, newPage);
  yield* rmapWalk(ctx, task, newPage, w);
  // entries of mms whose VMA left the tree meanwhile were zapped with it (exit/munmap)
  old.migrationPtes.clear();
  return w.restored;
}

/**
 * move_to_new_page() for a file page: migrate_page_move_mapping (reference-count check
 * under tree_lock: -EAGAIN if anyone but page cache + isolation holds the page), copy, and
 * on success remove_migration_ptes(page, newpage) — the second rmap walk.
 */
function* moveToNewPage(ctx: MmContext, task: Task, page: Page, target: number): Proc<number> {
  yield* ctx.compute(task, ctx.costs.migrateMoveMapping);
  if (page.mapcount > 0 || page.refs > 0) return EAGAIN;
  yield* ctx.compute(task, ctx.costs.copyPage);
  page.node = target; // the new page, on the target node, replaces the old in the page cache
  yield* removeMigrationPtes(ctx, task, page, page);
  return MIGRATEPAGE_SUCCESS;
}

/**
 * __unmap_and_move() (3.18-rc7): trylock_page (busy: -EAGAIN unless forced and not
 * MIGRATE_ASYNC, then lock_page); PG_writeback: -EBUSY unless MIGRATE_SYNC; for a page with
 * a mapping, try_to_unmap(TTU_MIGRATION|TTU_IGNORE_MLOCK|TTU_IGNORE_ACCESS) —
 * unconditionally, mapped or not (2ebba6b7e1d9 added a page_mapped test in 3.19); if
 * the page is now unmapped, move_to_new_page; on failure remove_migration_ptes(old, old).
 */
export function* unmapAndMove(ctx: MmContext, task: Task, page: Page, target: number, force: boolean, mode: MigrateMode): Proc<number> {
  let rc = EAGAIN;
  if (!(yield* page.trylockPage(task))) {
    if (!force || mode === 'async') return EAGAIN;
    yield* page.lockPage(task);
  }
  if (page.writeback && (mode !== 'sync' || !force)) {
    // mode != MIGRATE_SYNC: -EBUSY; sync but not forced: -EAGAIN (the wait is not modelled)
    rc = mode !== 'sync' ? EBUSY : EAGAIN;
    yield* page.unlockPage(task);
    return rc;
  }
  if (page.mapping !== null) {
    yield* tryToUnmap(ctx, task, page, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
  }
  if (page.mapcount === 0) rc = yield* moveToNewPage(ctx, task, page, target);
  if (rc !== MIGRATEPAGE_SUCCESS && page.mapping !== null) yield* removeMigrationPtes(ctx, task, page, page);
  yield* page.unlockPage(task);
  return rc;
}

/** putback_lru_page() */
function putback(page: Page): void {
  page.isolated = false;
}

/**
 * migrate_pages() (mm/migrate.c): up to 10 passes over the isolated pages, `force` from
 * the fourth (pass > 2); -EAGAIN keeps a page for the next pass, success and other errors
 * take it off the list (unmap_and_move puts it back on the LRU). Counts
 * pgmigrate_success/fail; pages still -EAGAIN after the last pass are counted in neither
 * (3.18). Returns nr_failed + retry and the pages left on the list.
 */
export function* migratePages(ctx: MmContext, task: Task, pages: Page[], target: number, mode: MigrateMode): Proc<{ remaining: number; left: Page[] }> {
  let list = pages.slice();
  let retry = 1, nrFailed = 0, nrSucceeded = 0;
  for (let pass = 0; pass < 10 && retry; pass++) {
    retry = 0;
    const next: Page[] = [];
    for (const page of list) {
      yield* ctx.sched.condResched(task);
      const rc = yield* unmapAndMove(ctx, task, page, target, pass > 2, mode);
      if (rc === EAGAIN) {
        retry++;
        next.push(page);
        continue;
      }
      putback(page);
      if (rc === MIGRATEPAGE_SUCCESS) nrSucceeded++;
      else nrFailed++;
    }
    list = next;
  }
  ctx.vmstat.pgmigrate_success += nrSucceeded;
  ctx.vmstat.pgmigrate_fail += nrFailed;
  migrateState(ctx).eagainDropped += retry;
  return { remaining: nrFailed + retry, left: list };
}

/**
 * numamigrate_update_ratelimit(): true if `node` is over its budget in the current
 * window. The window restarts when it has expired; the budget is checked before adding
 * (`nr_pages > ratelimit_pages`), and every attempt counts, migrated or not.
 */
export function numamigrateUpdateRatelimit(ctx: MmContext, node: number, nrPages: number): boolean {
  const r = migrateState(ctx).ratelimit[node];
  const now = ctx.sim.now;
  const p = ctx.numa.params;
  if (now > r.nextWindow) {
    r.nrPages = 0;
    r.nextWindow = now + p.migrateIntervalMs * 1e6;
  }
  if (r.nrPages > p.ratelimitPages) return true;
  r.nrPages += nrPages;
  return false;
}

/**
 * numamigrate_isolate_page() → isolate_lru_page() under the page's zone lru_lock: fails if
 * the page is already isolated, or with probability `isolateFailProbability` (rng
 * `migrate.isolate`). migrate_balanced_pgdat (target-node watermarks) always passes.
 */
function* numamigrateIsolatePage(ctx: MmContext, task: Task, page: Page): Proc<boolean> {
  const lru = migrateState(ctx).lruLocks[page.node];
  yield* lru.lock(task, 'isolate_lru_page');
  const pFail = ctx.numa.params.isolateFailProbability;
  const ok = !page.isolated && !(pFail > 0 && ctx.sim.rng('migrate.isolate').chance(pFail));
  if (ok) page.isolated = true;
  yield* lru.unlock(task);
  return ok;
}

/**
 * migrate_misplaced_page() (mm/migrate.c, 3.18) for a NUMA hinting fault by `task` on
 * `page` through `vma`. The caller holds mmap_sem for read and one reference (page.refs,
 * taken by numa_migrate_prep), which this drops. Refuses (a) a file page mapped more than
 * once in a VM_EXEC VMA (shared library code), (b) a target node over its rate limit,
 * (c) a failed isolation; else migrate_pages(MIGRATE_ASYNC, MR_NUMA_MISPLACED).
 * Returns true if migrated (numa_pages_migrated++).
 */
export function* migrateMisplacedPage(ctx: MmContext, task: Task, page: Page, targetNode: number, vma: Vma): Proc<boolean> {
  const st = migrateState(ctx);
  const putRef = () => { page.refs--; };
  if (page.mapcount !== 1 && isFileMapping(page.mapping) && vma.has(VM_EXEC)) {
    st.refused.exec++;
    putRef();
    return false;
  }
  if (numamigrateUpdateRatelimit(ctx, targetNode, 1)) {
    st.refused.ratelimit++;
    putRef();
    return false;
  }
  if (!(yield* numamigrateIsolatePage(ctx, task, page))) {
    st.refused.isolate++;
    putRef();
    return false;
  }
  putRef(); // isolation took its own reference; the caller's is dropped
  const { remaining, left } = yield* migratePages(ctx, task, [page], targetNode, 'async');
  if (remaining) {
    for (const p of left) putback(p);
    return false;
  }
  ctx.vmstat.numa_pages_migrated++;
  return true;
}
