import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { Page } from './page';
import { VM_MAYSHARE, type Vma } from './vma';
import {
  HPAGE_PAGES, PUD_PAGES, HugePmdPage, hugePteOffset, pageTableShareable, pmdIndex, pudEnd, pudIndex, vmaShareable,
} from './hugetlb_pgtable';
import { hstate } from './hugetlb_hstate';
import type { Proc } from '../engine';

/**
 * Hugetlb page tables and their i_mmap users (mm/hugetlb.c and mm/memory.c, 3.18;
 * docs/reference/kernel-locking.md §2 rows 7, 9–11, §8): PMD sharing (huge_pte_alloc → huge_pmd_share,
 * huge_pmd_unshare) and the range walks that may unshare (unmap, change_protection).
 * The fault path is in hugetlb_fault.ts, hugetlbfs truncate in hugetlbfs.ts.
 */

/**
 * pmd_alloc() → __pmd_alloc() (mm/memory.c): if the pud is empty, allocate a PMD page
 * outside any lock and populate the pud under mm->page_table_lock unless someone did first.
 */
export function* pmdAlloc(ctx: MmContext, task: Task, mm: MmStruct, addr: number): Proc<HugePmdPage> {
  const pud = pudIndex(addr);
  let p = mm.hugePuds.get(pud);
  if (p) return p;
  yield* ctx.compute(task, ctx.costs.pgtableAlloc); // pmd_alloc_one()
  yield* mm.pageTableLock.lock(task, '__pmd_alloc');
  p = mm.hugePuds.get(pud);
  if (!p) {
    p = new HugePmdPage(ctx, mm, pud);
    hstate(ctx).stats.pmdPagesAllocated++;
  }
  yield* mm.pageTableLock.unlock(task);
  return p;
}

/**
 * huge_pte_alloc() (mm/hugetlb.c, CONFIG_ARCH_WANT_HUGE_PMD_SHARE), PMD-sized pages: the
 * pud (one per 512 GiB, not modelled) is always there; an empty pud entry goes through
 * huge_pmd_share, a populated one through pmd_alloc (which then just returns it).
 */
export function* hugePteAlloc(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc<HugePmdPage> {
  if (!vma.mm.hugePuds.has(pudIndex(addr))) return yield* hugePmdShare(ctx, task, vma, addr);
  return yield* pmdAlloc(ctx, task, vma.mm, addr);
}

/**
 * huge_pmd_share() (mm/hugetlb.c): for a shareable VMA, under i_mmap (site huge_pmd_share;
 * W in 3.19, R in the benchmarked v1 kernel via patch 10) walk the VMAs mapping file page
 * `idx`, skipping self; the first sibling whose page table for it exists gets a reference
 * (get_page); under that page's huge pte lock, pud_populate with it if our pud is still
 * empty, else put_page. Then pmd_alloc inside the lock, so racing faults cannot miss the
 * share or pick a bad pmd. Not shareable → plain pmd_alloc, no i_mmap.
 */
export function* hugePmdShare(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc<HugePmdPage> {
  const mm = vma.mm;
  const mapping = vma.file;
  if (!mapping) throw new Error('huge_pmd_share: hugetlb VMA without a file');
  if (!vmaShareable(vma, addr)) return yield* pmdAlloc(ctx, task, mm, addr);
  const st = hstate(ctx);
  const idx = addr - vma.start + vma.pgoff;
  const mode = yield* ctx.immapLock(task, mapping, 'huge_pmd_share');
  const found = { svma: null as Vma | null, saddr: 0, checked: 0 };
  const visits = mapping.i_mmap.forEachOverlap(idx, idx, (n) => {
    const svma = n.value;
    if (svma === vma) return;
    const saddr = pageTableShareable(svma, vma, addr, idx);
    if (saddr === null) return;
    found.checked++;
    if (hugePteOffset(svma.mm, saddr)) {
      found.svma = svma;
      found.saddr = saddr;
      return false;
    }
  });
  // a cache miss per tree step, two more (pgd, pud of the sibling's mm) per huge_pte_offset
  yield* ctx.compute(task, ctx.costs.treeVisit * (visits + 2 * found.checked));
  // get_page() at the end of the walk: the sibling's pud is re-read here
  const spte = found.svma ? hugePteOffset(found.svma.mm, found.saddr) : null;
  if (spte) {
    spte.count++;
    if (st.tearingDown.has(found.svma!)) st.stats.teardownShareRaces++;
    yield* spte.ptl.lock(task, 'huge_pmd_share');
    if (!mm.hugePuds.has(pudIndex(addr))) {
      spte.attach(mm); // pud_populate
      st.stats.pmdShares++;
    } else {
      spte.count--; // put_page
      st.stats.pmdShareLostRace++;
    }
    yield* spte.ptl.unlock(task);
  }
  const pmd = yield* pmdAlloc(ctx, task, mm, addr);
  yield* ctx.immapUnlock(task, mapping, mode);
  return pmd;
}

/**
 * huge_pmd_unshare() (mm/hugetlb.c): the caller holds i_mmap and the huge pte lock. Page
 * count 1 → not shared, return false; else pud_clear + put_page and return true (the
 * caller skips to the end of the PUD region). Takes no lock itself (§2 row 20).
 */
export function hugePmdUnshare(ctx: MmContext, mm: MmStruct, pmd: HugePmdPage): boolean {
  if (pmd.count <= 0) throw new Error(`huge_pmd_unshare: PMD page ${pmd.pud} has page count ${pmd.count}`);
  if (pmd.count === 1) return false;
  const st = hstate(ctx);
  if (pmd.count > pmd.sharers.size) st.stats.unshareShareRaces++;
  pmd.detach(mm);
  pmd.count--;
  st.stats.pmdUnshares++;
  return true;
}

/**
 * __unmap_hugepage_range() (mm/hugetlb.c): per huge page of [start, end) of `vma`, under
 * its huge pte lock: huge_pmd_unshare (skipping the rest of a shared PUD region) or clear
 * the pte (only `refPage` if given, then stop). Returns the pages whose ptes were cleared;
 * the caller flushes the TLB and frees (tlb_finish_mmu). Caller holds i_mmap.
 */
export function* unmapHugePages(ctx: MmContext, task: Task, vma: Vma, start: number, end: number, refPage: Page | null = null): Proc<Page[]> {
  if (start % HPAGE_PAGES !== 0 || end % HPAGE_PAGES !== 0) throw new Error(`__unmap_hugepage_range: [${start}, ${end}) not huge-page aligned`);
  const mm = vma.mm;
  const removed: Page[] = [];
  let steps = 0;
  for (let addr = start; addr < end; addr += HPAGE_PAGES) {
    const pmd = hugePteOffset(mm, addr);
    if (!pmd) {
      // huge_pte_offset() is NULL for every address of this PUD region
      const next = Math.min(end, pudEnd(addr));
      steps += (next - addr) / HPAGE_PAGES;
      addr = next - HPAGE_PAGES;
      continue;
    }
    steps++;
    yield* ctx.compute(task, steps * ctx.costs.hugePteStep);
    steps = 0;
    yield* pmd.ptl.lock(task, '__unmap_hugepage_range');
    if (hugePmdUnshare(ctx, mm, pmd)) {
      addr = pudEnd(addr) - HPAGE_PAGES;
      yield* pmd.ptl.unlock(task);
      continue;
    }
    const i = pmdIndex(addr);
    const pte = pmd.ptes.get(i);
    if (!pte || (refPage && pte.page !== refPage)) {
      yield* pmd.ptl.unlock(task);
      continue;
    }
    if (refPage) hstate(ctx).resvUnmapped.add(vma); // set_vma_resv_flags(HPAGE_RESV_UNMAPPED)
    pmd.clearPte(i); // huge_ptep_get_and_clear + page_remove_rmap
    removed.push(pte.page);
    yield* ctx.compute(task, ctx.costs.zapPte);
    yield* pmd.ptl.unlock(task);
    if (refPage) break;
  }
  yield* ctx.compute(task, steps * ctx.costs.hugePteStep);
  return removed;
}

/** tlb_finish_mmu() for hugetlb pages: flush, then free those nothing else keeps */
function* flushAndFree(ctx: MmContext, task: Task, removed: Page[]): Proc {
  if (removed.length === 0) return;
  yield* ctx.compute(task, ctx.costs.tlbFlushRange);
  const st = hstate(ctx);
  for (const p of removed) if (p.mapcount === 0 && st.isOrphan(p)) yield* st.freeHugePage(task, p);
}

/**
 * unmap_hugepage_range() (mm/hugetlb.c): gather, __unmap_hugepage_range, finish (TLB flush
 * and page freeing inside the caller's i_mmap). Used by truncate and unmap_ref_private.
 */
export function* unmapHugepageRange(ctx: MmContext, task: Task, vma: Vma, start: number, end: number, refPage: Page | null = null): Proc {
  const removed = yield* unmapHugePages(ctx, task, vma, start, end, refPage);
  yield* flushAndFree(ctx, task, removed);
}

/**
 * The hugetlb branch of unmap_single_vma() (mm/memory.c) → __unmap_hugepage_range_final()
 * (mm/hugetlb.c), for munmap and exit: under i_mmap (site unmap_single_vma) unmap or unshare
 * every huge pte of [start, end), then clear VM_MAYSHARE so huge_pmd_share cannot pick the
 * dying VMA (d833352a4338). The TLB flush and page freeing of tlb_finish_mmu follow after
 * the unlock, as unmap_region/exit_mmap do them after unmap_vmas. Caller holds mmap_sem
 * for write (munmap) or nothing (exit). A VMA without a file takes no lock.
 */
export function* unmapHugepageRangeFinal(ctx: MmContext, task: Task, vma: Vma, start = vma.start, end = vma.end): Proc {
  const file = vma.file;
  if (!file) return;
  const st = hstate(ctx);
  const mode = yield* ctx.immapLock(task, file, 'unmap_single_vma');
  st.tearingDown.add(vma);
  const removed = yield* unmapHugePages(ctx, task, vma, start, end);
  vma.flags &= ~VM_MAYSHARE;
  st.tearingDown.delete(vma);
  yield* ctx.immapUnlock(task, file, mode);
  yield* flushAndFree(ctx, task, removed);
}

/**
 * hugetlb_free_pgd_range() from free_pgtables() (mm/memory.c) for a hugetlb VMA being
 * removed: drop this mm's PMD pages over the VMA's PUD regions that no other VMA of the
 * mm uses (floor/ceiling). Runs after unmapHugepageRangeFinal (which unshared every shared
 * region), with the VMA still in mm.vmas or not. No lock (mmap_sem W or a dying mm); CPU
 * cost is the caller's freePgtables.
 */
export function hugetlbFreePgdRange(ctx: MmContext, vma: Vma): void {
  const mm = vma.mm;
  for (let pud = pudIndex(vma.start); pud <= pudIndex(vma.end - 1); pud++) {
    const pmd = mm.hugePuds.get(pud);
    if (!pmd) continue;
    const base = pud * PUD_PAGES;
    const used = mm.vmas.some((v) => v !== vma && v.start < base + PUD_PAGES && v.end > base);
    if (used) continue;
    if (pmd.count === 1 && pmd.ptes.size > 0) throw new Error(`${mm.name}: freeing PMD page ${pud} with ${pmd.ptes.size} huge ptes still present`);
    pmd.detach(mm);
    pmd.count--;
  }
  void ctx;
}

/**
 * hugetlb_change_protection() (mm/hugetlb.c), from mprotect (mmap_sem W): under i_mmap
 * (site hugetlb_change_protection) and each huge pte lock, unshare a shared PMD page or
 * change the pte's protection; the TLB flush comes BEFORE the unlock (else a page table
 * unshared here could be freed and reused by another task first). Returns the huge pages
 * changed or unshared (as `pages` counts them).
 */
export function* hugetlbChangeProtection(ctx: MmContext, task: Task, vma: Vma, start: number, end: number, write: boolean): Proc<number> {
  const file = vma.file;
  if (!file) throw new Error('hugetlb_change_protection: hugetlb VMA without a file');
  const mm = vma.mm;
  let pages = 0;
  const mode = yield* ctx.immapLock(task, file, 'hugetlb_change_protection');
  for (let addr = start; addr < end; addr += HPAGE_PAGES) {
    yield* ctx.compute(task, ctx.costs.hugePteStep);
    const pmd = hugePteOffset(mm, addr);
    if (!pmd) continue;
    yield* pmd.ptl.lock(task, 'hugetlb_change_protection');
    if (hugePmdUnshare(ctx, mm, pmd)) {
      pages++;
      addr = pudEnd(addr) - HPAGE_PAGES;
    } else {
      const pte = pmd.ptes.get(pmdIndex(addr));
      if (pte) {
        pte.write = write;
        pages++;
        yield* ctx.compute(task, ctx.costs.zapPte);
      }
    }
    yield* pmd.ptl.unlock(task);
  }
  yield* ctx.compute(task, ctx.costs.tlbFlushRange); // flush_tlb_range() before the unlock
  yield* ctx.immapUnlock(task, file, mode);
  return pages;
}

/**
 * unmap_ref_private() (mm/hugetlb.c), from hugetlb_cow when the owner of a MAP_PRIVATE
 * reservation cannot get a page: under i_mmap (site unmap_ref_private) unmap `page` from
 * every other private VMA at the offset that does not own a reservation (forked children;
 * they get SIGKILL if they fault there again). Uses the owner's address for every VMA, as
 * the kernel does.
 */
export function* unmapRefPrivate(ctx: MmContext, task: Task, vma: Vma, page: Page, address: number): Proc {
  const file = vma.file;
  if (!file) throw new Error('unmap_ref_private: hugetlb VMA without a file');
  const st = hstate(ctx);
  st.stats.unmapRefPrivateCalls++;
  const addr = address - (address % HPAGE_PAGES);
  const pgoff = addr - vma.start + vma.pgoff;
  const mode = yield* ctx.immapLock(task, file, 'unmap_ref_private');
  const victims: Vma[] = [];
  const visits = file.i_mmap.forEachOverlap(pgoff, pgoff, (n) => {
    const v = n.value;
    if (v === vma || v.has(VM_MAYSHARE) || st.resvOwner.has(v)) return;
    victims.push(v);
  });
  yield* ctx.compute(task, visits * ctx.costs.treeVisit);
  for (const v of victims) yield* unmapHugepageRange(ctx, task, v, addr, addr + HPAGE_PAGES, page);
  yield* ctx.immapUnlock(task, file, mode);
}
