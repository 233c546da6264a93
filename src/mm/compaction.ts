import { withOverrides } from '../engine/params';
import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { Page } from './page';
import { migratePages } from './migrate';
import type { Proc } from '../engine';

/**
 * Direct compaction (mm/compaction.c, mm/page_alloc.c, 3.18) as it reaches i_mmap: a
 * high-order allocation that finds no free block of its order enters
 * `__alloc_pages_direct_compact` → `try_to_compact_pages` → `compact_zone` (MIGRATE_ASYNC
 * first), whose migrate scanner isolates up to COMPACT_CLUSTER_MAX LRU pages of a
 * pageblock (`isolate_migratepages_block`) and hands them to
 * `migrate_pages(…, MR_COMPACTION)`.
 *
 * What matters for the i_mmap lock (docs/reference/compaction-reclaim-sync.md):
 * - `isolate_migratepages_block` has no mapcount test for file pages, so page-cache pages
 *   of libc, ld.so, /bin/sh — mapped by nearly every process — are isolated like any other;
 * - 3.18's `__unmap_and_move` calls `try_to_unmap` even for an unmapped page, and
 *   `rmap_walk_file` takes the file's i_mmap lock and visits every VMA covering the offset:
 *   O(processes) per walk, two walks per pass (3.19's 2ebba6b7e1d9 added the page_mapped
 *   test; Hugh Dickins' message ties part of the series' "migration" win to it).
 *
 * What the model does not know (and so takes as inputs with a range, not a point):
 * - how often an allocation finds no free block of its order (fragmentation, watermarks:
 *   `compaction_suitable`, `fragmentation_index`, `compaction_deferred`) →
 *   `stallProbability`, the chance that one order ≥ 1 allocation stalls in compaction;
 * - where pages sit physically. The migrate scanner sweeps a zone from its start and
 *   caches its position (`compact_cached_migrate_pfn`), so over many stalls every movable
 *   page is equally likely to be in the batch: a page of the batch is one of the model's
 *   file pages with probability (file pages) / (file pages + anonymous pages), both counted
 *   from the model's state (see `fileShare`). Each isolated file page is drawn uniformly from
 *   the page cache of the files the model knows (binaries and libraries).
 * Anonymous pages of the batch migrate under their anon_vma (never i_mmap): they cost
 * `compactAnonPage` of CPU each and take no lock the model follows.
 */
export interface CompactionParams {
  /** probability that one order ≥ 1 allocation (a fork's order-2 kernel stack) enters direct compaction; 0 = never */
  stallProbability: number;
  /** pages isolated per stall: COMPACT_CLUSTER_MAX (mm/compaction.c isolate_migratepages_block) */
  pagesPerStall: number;
}

/** COMPACT_CLUSTER_MAX = SWAP_CLUSTER_MAX = 32 (include/linux/swap.h, mm/internal.h) */
export const COMPACT_CLUSTER_MAX = 32;

/** THREAD_SIZE_ORDER 2 on x86-64 (arch/x86/include/asm/page_64_types.h): a fork's kernel stack */
export const THREAD_SIZE_ORDER = 2;

export const defaultCompactionParams: Readonly<CompactionParams> = Object.freeze({
  stallProbability: 0,
  pagesPerStall: COMPACT_CLUSTER_MAX,
});

export const compactionParamSources: Record<keyof CompactionParams, string> = {
  stallProbability: 'not a kernel fact: whether an order-2 GFP_KERNEL allocation finds no free order-2 block depends on fragmentation and free memory, which no 2014 source gives for this run; default 0, what-if range [0, 1] (aim7-whatif compactionStallProbability)',
  pagesPerStall: 'mm/compaction.c isolate_migratepages_block: stops after COMPACT_CLUSTER_MAX (32) isolated pages; an order-2 async compaction usually ends after one batch (compact_finished)',
};

export function resolveCompactionParams(p: Partial<CompactionParams> | undefined): CompactionParams {
  const out = withOverrides(defaultCompactionParams, p, 'mm.compaction', 'parameter', (_k, v) =>
    typeof v !== 'number' || !Number.isFinite(v) || v < 0 ? 'must be a finite number >= 0' : undefined);
  if (out.stallProbability > 1) throw new Error(`mm.compaction.stallProbability: must be in [0, 1], got ${out.stallProbability}`);
  if (!Number.isInteger(out.pagesPerStall) || out.pagesPerStall < 1) throw new Error(`mm.compaction.pagesPerStall: must be an integer >= 1, got ${out.pagesPerStall}`);
  return out;
}

/**
 * The share of movable pages that are page-cache pages of the model's files:
 * file pages / (file pages + anonymous ptes of live mms). Anonymous ptes overcount COW
 * pages shared after fork, and page cache the model does not follow (the fs tests' files)
 * is left out: the second makes this an upper bound, the first a lower one.
 */
export function fileShare(ctx: MmContext): number {
  const file = ctx.filePagesCached;
  const total = file + ctx.anonPtes;
  return total > 0 ? file / total : 0;
}

/**
 * An allocation of order ≥ 1 (`__alloc_pages_nodemask` → `__alloc_pages_slowpath` →
 * `__alloc_pages_direct_compact`): with probability `stallProbability` (rng
 * `compaction.stall`) it stalls in async direct compaction, `compactZone`.
 */
export function* allocHighOrder(ctx: MmContext, task: Task, order: number): Proc {
  const p = ctx.compactionParams;
  if (order < 1 || p.stallProbability === 0) return;
  if (!ctx.sim.rng('compaction.stall').chance(p.stallProbability)) return;
  ctx.paths.enter(task, 'compaction');
  yield* compactZone(ctx, task);
  ctx.paths.leave(task);
}

/**
 * compact_zone() for one stall, MIGRATE_ASYNC: isolate one batch (`pagesPerStall` pages;
 * each a file page with probability fileShare, else anonymous), then migrate_pages. File
 * pages already isolated (by NUMA balancing or another stall) are skipped, as
 * isolate_migratepages_block skips pages off the LRU. Target: the page's own node (the
 * free scanner works in the same zone).
 */
export function* compactZone(ctx: MmContext, task: Task): Proc {
  const p = ctx.compactionParams, vm = ctx.vmstat, rng = ctx.sim.rng('compaction.pages');
  vm.compact_stall++;
  const share = fileShare(ctx);
  const files: Page[] = [];
  let anon = 0;
  for (let i = 0; i < p.pagesPerStall; i++) {
    vm.compact_migrate_scanned++;
    if (!rng.chance(share)) { anon++; continue; }
    const page = ctx.pickCachedFilePage(rng.random());
    if (!page || page.isolated || files.includes(page)) continue;
    page.isolated = true;
    files.push(page);
  }
  vm.compact_isolated += anon + files.length;
  vm.compact_isolated_file += files.length;
  yield* ctx.compute(task, ctx.costs.compactScanPage * p.pagesPerStall + ctx.costs.compactAnonPage * anon);
  vm.pgmigrate_success += anon;
  // migrate_pages(MIGRATE_ASYNC, MR_COMPACTION); each file page to its own node
  for (const page of files) {
    const { left } = yield* migratePages(ctx, task, [page], page.node, 'async');
    // putback_movable_pages for what is left; migratePages put back the rest
    for (const l of left) l.isolated = false;
  }
}
