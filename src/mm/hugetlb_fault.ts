import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { Page } from './page';
import type { AddressSpace } from './address_space';
import { VM_HUGETLB, VM_MAYSHARE, VM_SHARED, VM_WRITE, type Vma } from './vma';
import { HPAGE_PAGES, hugePteOffset, pmdIndex, pudEnd, vmaHugecacheOffset, type HugePmdPage, type HugePte } from './hugetlb_pgtable';
import { hstate } from './hugetlb_hstate';
import { hugePteAlloc, unmapRefPrivate } from './hugetlb';
import type { Proc } from '../engine';

/**
 * The hugetlb fault path and fork's page-table copy (mm/hugetlb.c 3.18): hugetlb_fault,
 * hugetlb_no_page, hugetlb_cow, copy_hugetlb_page_range.
 *
 * - `hit`: the pte was present with the needed permission — no fault (e.g. mapped through
 *   a PMD page shared with another process that faulted it first);
 * - `major`: hugetlb_no_page allocated and cleared a new huge page;
 * - `cache`: hugetlb_no_page mapped a page already in the page cache;
 * - `minor`: the pte was there (a racing fault instantiated it);
 * - `cow`: hugetlb_cow copied the page (or reused it: `reuse`);
 * - `backout`: a racing fault or truncate changed the pte first;
 * - `sigbus`: beyond i_size, pool exhausted, or the page was taken by unmap_ref_private.
 */
export type HugetlbFaultResult = 'hit' | 'major' | 'cache' | 'minor' | 'cow' | 'reuse' | 'backout' | 'sigbus';

/**
 * A user access to virtual page `addr` of `mm`: the MMU finds a present huge pte with the
 * needed permission (no fault, no lock), else the arch fault handler takes mmap_sem for
 * read and calls handle_mm_fault → hugetlb_fault for a hugetlb VMA.
 */
export function* hugetlbAccess(ctx: MmContext, task: Task, mm: MmStruct, addr: number, write: boolean): Proc<HugetlbFaultResult> {
  const pte = hugePteOffset(mm, addr)?.ptes.get(pmdIndex(addr));
  if (pte && (!write || pte.write)) return 'hit';
  yield* mm.mmapSem.acquire(task, 'read', 'do_page_fault');
  const vma = mm.findVma(addr);
  let r: HugetlbFaultResult = 'sigbus';
  if (vma && vma.has(VM_HUGETLB)) r = yield* hugetlbFault(ctx, task, vma, addr, write);
  yield* mm.mmapSem.release(task, 'read');
  return r;
}

/**
 * hugetlb_fault() (mm/hugetlb.c), caller holds mmap_sem for read: huge_pte_alloc (which may
 * take i_mmap in huge_pmd_share) BEFORE the fault mutex; then the mutex of
 * fault_mutex_hash(mapping, idx) serializes instantiation of one file page; an empty pte
 * goes to hugetlb_no_page, a write to a read-only pte to hugetlb_cow (page lock, then the
 * huge pte lock).
 */
export function* hugetlbFault(ctx: MmContext, task: Task, vma: Vma, address: number, write: boolean): Proc<HugetlbFaultResult> {
  const mapping = vma.file;
  if (!mapping || !vma.has(VM_HUGETLB)) throw new Error('hugetlb_fault: not a hugetlb VMA');
  const st = hstate(ctx);
  ctx.vmstat.pgfault++;
  st.stats.faults++;
  yield* ctx.compute(task, ctx.costs.fileFault); // exception, find_vma, huge_pte_offset
  const addr = address - (address % HPAGE_PAGES);
  const pmd = yield* hugePteAlloc(ctx, task, vma, addr);
  const idx = vmaHugecacheOffset(vma, addr);
  const mutex = st.faultMutex(st.faultMutexHash(vma, mapping, idx, vma.mm, addr));
  yield* mutex.lock(task, 'hugetlb_fault');
  const i = pmdIndex(addr);
  const entry = pmd.ptes.get(i);
  let r: HugetlbFaultResult;
  if (!entry) {
    r = yield* hugetlbNoPage(ctx, task, vma, mapping, idx, addr, pmd, write);
  } else {
    const page = entry.page;
    yield* page.lockPage(task);
    yield* pmd.ptl.lock(task, 'hugetlb_fault');
    if (pmd.ptes.get(i) !== entry) r = 'backout';
    else if (write && !entry.write) r = yield* hugetlbCow(ctx, task, vma, addr, pmd, i, entry);
    else r = 'minor'; // huge_ptep_set_access_flags
    yield* pmd.ptl.unlock(task);
    yield* page.unlockPage(task);
  }
  yield* mutex.unlock(task);
  return r;
}

/**
 * hugetlb_no_page() (mm/hugetlb.c), fault mutex held: find_lock_page, else (below i_size)
 * alloc_huge_page + clear_huge_page, added to the page cache for VM_MAYSHARE or kept
 * anonymous; under the huge pte lock re-check i_size and the pte, set it (writable only if
 * VM_WRITE and VM_SHARED); a write to a private mapping COWs at once.
 */
function* hugetlbNoPage(ctx: MmContext, task: Task, vma: Vma, mapping: AddressSpace, idx: number, addr: number, pmd: HugePmdPage, write: boolean): Proc<HugetlbFaultResult> {
  const st = hstate(ctx);
  const inode = st.inode(mapping);
  if (st.resvUnmapped.has(vma)) return 'sigbus'; // "killed due to inadequate hugepage pool"
  const shared = vma.has(VM_MAYSHARE);
  let page: Page;
  let r: HugetlbFaultResult;
  for (;;) {
    const cached = inode.pages.get(idx);
    if (cached) {
      yield* cached.lockPage(task); // find_lock_page
      if (inode.pages.get(idx) !== cached) {
        yield* cached.unlockPage(task);
        continue;
      }
      page = cached;
      r = 'cache';
      break;
    }
    if (idx >= inode.size) return 'sigbus';
    const np = yield* st.allocHugePage(task, shared ? mapping : null, idx, mapping.node);
    if (!np) return 'sigbus';
    yield* ctx.compute(task, ctx.costs.hugePageClear);
    if (shared) {
      if (inode.pages.has(idx)) { // add_to_page_cache → -EEXIST: retry
        np.mapping = null;
        yield* st.freeHugePage(task, np);
        continue;
      }
      inode.pages.set(idx, np);
    } else {
      st.anon.add(np);
    }
    yield* np.lockPage(task);
    page = np;
    r = 'major';
    break;
  }
  const i = pmdIndex(addr);
  yield* pmd.ptl.lock(task, 'hugetlb_no_page');
  if (idx >= inode.size || pmd.ptes.has(i)) {
    yield* pmd.ptl.unlock(task);
    yield* page.unlockPage(task);
    if (page.mapcount === 0 && st.isOrphan(page)) yield* st.freeHugePage(task, page);
    return 'backout';
  }
  const pte: HugePte = { page, write: vma.has(VM_WRITE) && vma.has(VM_SHARED) };
  pmd.setPte(i, pte);
  if (write && !vma.has(VM_SHARED)) {
    const c = yield* hugetlbCow(ctx, task, vma, addr, pmd, i, pte);
    if (c === 'sigbus') r = c;
  }
  yield* pmd.ptl.unlock(task);
  yield* page.unlockPage(task);
  return r;
}

/**
 * hugetlb_cow() (mm/hugetlb.c), called and returning with the huge pte lock held: reuse an
 * anonymous page mapped once; else drop the lock and allocate a copy. If that fails for the
 * owner of the MAP_PRIVATE reservation, unmap_ref_private() takes the page from the forked
 * children (i_mmap at site unmap_ref_private) and the COW is retried. Reservations are not
 * modelled: `outside_reserve` = owner and the old page is anonymous [I].
 */
function* hugetlbCow(ctx: MmContext, task: Task, vma: Vma, addr: number, pmd: HugePmdPage, i: number, pte: HugePte): Proc<HugetlbFaultResult> {
  const st = hstate(ctx);
  const old = pte.page;
  for (;;) {
    if (old.mapcount === 1 && st.anon.has(old)) {
      pte.write = true; // page_move_anon_rmap + set_huge_ptep_writable
      return 'reuse';
    }
    const outsideReserve = st.resvOwner.has(vma) && st.anon.has(old);
    yield* pmd.ptl.unlock(task);
    const np = yield* st.allocHugePage(task, null, old.index, old.node);
    if (!np) {
      if (outsideReserve) {
        yield* unmapRefPrivate(ctx, task, vma, old, addr);
        yield* pmd.ptl.lock(task, 'hugetlb_cow');
        if (pmd.ptes.get(i) === pte) continue; // retry_avoidcopy
        return 'backout';
      }
      yield* pmd.ptl.lock(task, 'hugetlb_cow');
      return 'sigbus';
    }
    st.anon.add(np);
    yield* ctx.compute(task, ctx.costs.copyPage * HPAGE_PAGES); // copy_user_huge_page
    yield* pmd.ptl.lock(task, 'hugetlb_cow');
    const copied = pmd.ptes.get(i) === pte;
    let free: Page = np;
    if (copied) {
      pmd.clearPte(i); // huge_ptep_clear_flush
      yield* ctx.compute(task, ctx.costs.tlbFlushRange);
      pmd.setPte(i, { page: np, write: true });
      st.stats.cowCopies++;
      free = old;
    }
    // page_cache_release() of the loser, with the pte lock dropped
    if (free.mapcount === 0 && st.isOrphan(free)) {
      yield* pmd.ptl.unlock(task);
      yield* st.freeHugePage(task, free);
      yield* pmd.ptl.lock(task, 'hugetlb_cow');
    }
    return copied ? 'cow' : 'backout';
  }
}

/**
 * copy_hugetlb_page_range() (mm/hugetlb.c), from fork's copy_page_range with both mms'
 * mmap_sem held for write: per huge page, huge_pte_alloc in the child (for a shareable
 * VMA this is huge_pmd_share, which finds the parent's page table: the whole PUD region is
 * then shared and skipped); else copy the pte under both huge pte locks, write-protecting
 * it in the parent for a private (COW) mapping. The child VMA is already in i_mmap
 * (dup_mmap inserts it first) and starts where the parent's does.
 */
export function* copyHugetlbPageRange(ctx: MmContext, task: Task, dstVma: Vma, srcVma: Vma): Proc {
  if (dstVma.start !== srcVma.start || dstVma.end !== srcVma.end) throw new Error('copy_hugetlb_page_range: child VMA must match the parent VMA');
  const src = srcVma.mm;
  const cow = !srcVma.has(VM_SHARED); // (VM_SHARED | VM_MAYWRITE) == VM_MAYWRITE, VM_MAYWRITE assumed [I]
  let steps = 0;
  for (let addr = srcVma.start; addr < srcVma.end; addr += HPAGE_PAGES) {
    const spmd = hugePteOffset(src, addr);
    if (!spmd) {
      const next = Math.min(srcVma.end, pudEnd(addr));
      steps += (next - addr) / HPAGE_PAGES;
      addr = next - HPAGE_PAGES;
      continue;
    }
    yield* ctx.compute(task, (steps + 1) * ctx.costs.hugePteStep);
    steps = 0;
    const dpmd = yield* hugePteAlloc(ctx, task, dstVma, addr);
    if (dpmd === spmd) { // dst_pte == src_pte for the rest of the region
      const next = Math.min(srcVma.end, pudEnd(addr));
      steps += (next - addr) / HPAGE_PAGES - 1;
      addr = next - HPAGE_PAGES;
      continue;
    }
    const i = pmdIndex(addr);
    yield* dpmd.ptl.lock(task, 'copy_hugetlb_page_range');
    yield* spmd.ptl.lock(task, 'copy_hugetlb_page_range', true); // spin_lock_nested
    const e = spmd.ptes.get(i);
    if (e && !dpmd.ptes.has(i)) {
      if (cow) e.write = false; // huge_ptep_set_wrprotect(src)
      dpmd.setPte(i, { page: e.page, write: e.write }); // page_dup_rmap
      yield* ctx.compute(task, ctx.costs.zapPte);
    }
    yield* spmd.ptl.unlock(task);
    yield* dpmd.ptl.unlock(task);
  }
  yield* ctx.compute(task, steps * ctx.costs.hugePteStep);
}
