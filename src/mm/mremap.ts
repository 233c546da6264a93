import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import { PTRS_PER_PTE } from './mm_struct';
import { Vma, VM_HUGETLB } from './vma';
import { anonVmaClone } from './rmap_anon';
import { doMunmap, findVmaFrom, vmaAdjust, vmaLink, vmaMerge, vmaNext } from './mmap';
import type { Proc } from '../engine';

/**
 * mm/mremap.c in 3.18. Moving a mapping copies its VMA (copy_vma), moves the ptes
 * (move_page_tables → move_ptes) and unmaps the old range; growing in place is a
 * vma_adjust. i_mmap is taken in move_ptes only when `need_rmap_locks`: the new VMA was
 * merged into one whose pgoff is not above the old one's, so an rmap walk could visit the
 * new VMA before the old one and miss a pte in flight (Hugh Dickins' NACK of patch 08:
 * the same reason read mode is unsafe there).
 */

/**
 * LATENCY_LIMIT (mm/mremap.c 3.18: 64 * PAGE_SIZE): move_page_tables moves at most this
 * many pages per move_ptes call — so per i_mmap acquisition — besides stopping at PMD
 * (512-page) boundaries. (It became PMD_SIZE only in 2018.)
 */
export const LATENCY_LIMIT = 64;

/**
 * copy_vma() (mm/mmap.c), mremap's only user: the VMA for [addr, addr + pages) with
 * `vma`'s attributes at file offset `pgoff` — merged into a neighbour if possible
 * (vma_merge: `needRmapLocks` = merged VMA's pgoff ≤ the old one's), else a new VMA
 * (anon_vma_clone, vma_link: needRmapLocks false, as vma_link puts it after the old one
 * in the tree).
 */
export function* copyVma(ctx: MmContext, task: Task, vma: Vma, addr: number, pages: number, pgoff: number): Proc<{ vma: Vma; needRmapLocks: boolean }> {
  const mm = vma.mm;
  if (!vma.file && !vma.anonVma) pgoff = addr; // unfaulted anonymous: match the new place
  let prev: Vma | null = null;
  for (const v of mm.vmas) {
    if (v.end > addr) break;
    prev = v;
  }
  const merged = yield* vmaMerge(ctx, task, mm, prev, addr, addr + pages, vma.flags, vma.anonVma, vma.file, pgoff);
  if (merged) return { vma: merged, needRmapLocks: merged.pgoff <= vma.pgoff };
  const nw = new Vma(mm, addr, addr + pages, pgoff, vma.flags, vma.file);
  yield* ctx.compute(task, ctx.costs.vmaCopy);
  yield* anonVmaClone(ctx, task, nw, vma);
  yield* vmaLink(ctx, task, nw);
  return { vma: nw, needRmapLocks: false };
}

/**
 * move_ptes() (mm/mremap.c): move the present ptes of [oldAddr, oldAddr + pages) (one
 * extent within one page table) to newAddr. With needRmapLocks: i_mmap at site
 * `move_ptes` (file VMAs), then anon_vma W, then the old pte lock and the new one nested.
 */
export function* movePtes(ctx: MmContext, task: Task, vma: Vma, oldAddr: number, pages: number, newVma: Vma, newAddr: number,
  needRmapLocks: boolean): Proc<number> {
  const mm = vma.mm;
  const file = needRmapLocks ? vma.file : null;
  const av = needRmapLocks ? vma.anonVma : null;
  const mode = file ? yield* ctx.immapLock(task, file, 'move_ptes') : null;
  if (av) yield* av.rwsem.acquire(task, 'write', 'move_ptes');
  const optl = mm.ptl(oldAddr), nptl = mm.ptl(newAddr);
  yield* optl.acquire(task, 'write', 'move_ptes');
  if (nptl !== optl) yield* nptl.acquire(task, 'write', 'move_ptes', true);
  const table = Math.floor(oldAddr / PTRS_PER_PTE);
  const moved = mm.pt.entriesIn(table, oldAddr, oldAddr + pages);
  for (const [a, page] of moved) {
    mm.pt.clear(a);
    mm.pt.set(newAddr + (a - oldAddr), page);
  }
  yield* ctx.compute(task, moved.length * ctx.costs.movePte);
  if (nptl !== optl) yield* nptl.unlock(task);
  yield* optl.unlock(task);
  if (av) yield* av.rwsem.release(task, 'write');
  if (file) yield* ctx.immapUnlock(task, file, mode!);
  return moved.length;
}

/**
 * move_page_tables() (mm/mremap.c): extent by extent — up to the next PMD boundary of
 * both the old and the new address, at most LATENCY_LIMIT pages — skipping extents whose
 * old page table does not exist (get_old_pmd). Returns the number of move_ptes calls.
 */
export function* movePageTables(ctx: MmContext, task: Task, vma: Vma, oldAddr: number, newVma: Vma, newAddr: number, pages: number,
  needRmapLocks: boolean): Proc<number> {
  const oldEnd = oldAddr + pages;
  let calls = 0;
  for (let extent = 0; oldAddr < oldEnd; oldAddr += extent, newAddr += extent) {
    extent = Math.min(PTRS_PER_PTE - (oldAddr % PTRS_PER_PTE), oldEnd - oldAddr);
    if (!vma.mm.pt.hasTable(Math.floor(oldAddr / PTRS_PER_PTE))) continue;
    extent = Math.min(extent, PTRS_PER_PTE - (newAddr % PTRS_PER_PTE), LATENCY_LIMIT);
    yield* movePtes(ctx, task, vma, oldAddr, extent, newVma, newAddr, needRmapLocks);
    calls++;
  }
  return calls;
}

/**
 * move_vma() (mm/mremap.c): copy_vma to the new place, move_page_tables, then do_munmap of
 * the old range. Returns the VMA at the new place. Caller holds mmap_sem for write.
 */
export function* moveVma(ctx: MmContext, task: Task, vma: Vma, oldAddr: number, oldPages: number, newPages: number,
  newAddr: number): Proc<Vma> {
  const mm = vma.mm;
  const newPgoff = vma.pgoff + (oldAddr - vma.start);
  const { vma: nv, needRmapLocks } = yield* copyVma(ctx, task, vma, newAddr, newPages, newPgoff);
  // copy_vma may have merged the source into the new VMA; vma stays the one mapping oldAddr
  const src = mm.findVma(oldAddr) ?? vma;
  yield* movePageTables(ctx, task, src, oldAddr, nv, newAddr, Math.min(oldPages, newPages), needRmapLocks);
  yield* doMunmap(ctx, task, mm, oldAddr, oldPages);
  return mm.findVma(newAddr) ?? nv;
}

/**
 * sys_mremap() (mm/mremap.c) under mmap_sem for write, for a range inside one VMA:
 * shrinking unmaps the tail; growing extends in place by vma_adjust when the range ends the
 * VMA and the pages after it are free (vma_expandable); otherwise, with `mayMove`
 * (MREMAP_MAYMOVE) or a `newAddr` (MREMAP_FIXED, which unmaps what is there first), the
 * mapping moves. Returns the new start. Throws (EFAULT/ENOMEM) where the kernel fails.
 */
export function* mremap(ctx: MmContext, task: Task, mm: MmStruct, addr: number, oldPages: number, newPages: number,
  opts: { mayMove?: boolean; newAddr?: number } = {}): Proc<number> {
  yield* mm.mmapSem.acquire(task, 'write', 'mremap');
  try {
    if (opts.newAddr !== undefined) {
      const n = opts.newAddr;
      if ((n <= addr && n + newPages > addr) || (addr <= n && addr + oldPages > n)) throw new Error('mremap: EINVAL, old and new ranges overlap');
      yield* doMunmap(ctx, task, mm, n, newPages); // mremap_to
      if (newPages < oldPages) {
        yield* doMunmap(ctx, task, mm, addr + newPages, oldPages - newPages);
        oldPages = newPages;
      }
      const vma = vmaToResize(mm, addr, oldPages);
      yield* moveVma(ctx, task, vma, addr, oldPages, newPages, opts.newAddr);
      return opts.newAddr;
    }
    if (newPages <= oldPages) {
      if (newPages < oldPages) yield* doMunmap(ctx, task, mm, addr + newPages, oldPages - newPages);
      return addr;
    }
    const vma = vmaToResize(mm, addr, oldPages);
    if (vma.end === addr + oldPages) {
      const nx = vmaNext(vma);
      const free = !nx || nx.start >= addr + newPages;
      if (free) {
        yield* vmaAdjust(ctx, task, vma, vma.start, addr + newPages, vma.pgoff, null);
        return addr;
      }
    }
    if (!opts.mayMove) throw new Error(`mremap: ENOMEM, cannot grow [${addr}, +${oldPages}) of ${mm.name} in place`);
    const target = mm.unmappedArea(newPages);
    yield* moveVma(ctx, task, vma, addr, oldPages, newPages, target);
    return target;
  } finally {
    yield* mm.mmapSem.release(task, 'write');
  }
}

/** vma_to_resize(): the VMA holding [addr, addr + pages), or EFAULT */
function vmaToResize(mm: MmStruct, addr: number, pages: number): Vma {
  const vma = findVmaFrom(mm, addr);
  if (!vma || vma.start > addr || addr + pages > vma.end) throw new Error(`mremap: EFAULT, [${addr}, +${pages}) is not inside one VMA of ${mm.name}`);
  if (vma.has(VM_HUGETLB) && pages !== vma.pages) throw new Error('mremap: EINVAL on part of a hugetlb VMA');
  return vma;
}
