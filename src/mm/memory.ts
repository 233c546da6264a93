import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { AddressSpace } from './address_space';
import type { Page } from './page';
import { PTRS_PER_PTE } from './mm_struct';
import { Vma, VM_HUGETLB, VM_NONLINEAR, VM_READ, VM_SHARED, VM_WRITE, VM_EXEC } from './vma';
import { anonVmaPrepare } from './rmap_anon';
import type { Proc } from '../engine';

/**
 * mm/memory.c: page faults, zapping ptes (munmap, exit, truncate), copying page tables at
 * fork, and unmap_mapping_range. Present ptes live in `mm.pt` (pgtable.ts), which keeps
 * `page.mappers` — what rmap walks rely on — exact.
 */

/** fault_around_bytes (mm/memory.c, default 65536): a read fault maps up to 16 cached pages */
export const FAULT_AROUND_PAGES = 16;

/**
 * zap_pte_range() via unmap_page_range(): clear the present ptes of `vma` in [start, end),
 * one page table at a time under its split pte lock. With `checkMapping` (zap_details of
 * unmap_mapping_range with even_cows = 0) only that file's page-cache pages are zapped and
 * private COW copies stay. Returns the ptes cleared.
 */
export function* zapPteRange(ctx: MmContext, task: Task, vma: Vma, start: number, end: number, checkMapping: AddressSpace | null): Proc<number> {
  const mm = vma.mm;
  let zapped = 0;
  for (const table of mm.pt.tableKeysIn(start, end)) {
    let n = 0;
    yield* mm.ptl(table * PTRS_PER_PTE).critical(task, 'zap_pte_range', () => {
      n = mm.pt.clearIn(table, start, end, checkMapping);
      return n * ctx.costs.zapPte;
    });
    zapped += n;
  }
  return zapped;
}

/**
 * unmap_single_vma() (mm/memory.c): zap [start, end) ∩ vma. A hugetlb file VMA goes to
 * __unmap_hugepage_range_final (hugetlb.ts, via ctx.hugetlb), which takes i_mmap at site `unmap_single_vma`; everything else zaps
 * without i_mmap.
 */
export function* unmapSingleVma(ctx: MmContext, task: Task, vma: Vma, start: number, end: number): Proc {
  const s = Math.max(vma.start, start), e = Math.min(vma.end, end);
  if (s >= e) return;
  if (vma.has(VM_HUGETLB)) {
    if (!vma.file) return;
    // hugetlb.ts takes i_mmap at site unmap_single_vma itself (and flushes after unlocking)
    yield* ctx.hugetlb.unmapHugepageRangeFinal(ctx, task, vma, s, e);
    return;
  }
  yield* zapPteRange(ctx, task, vma, s, e, null);
}

/** unmap_vmas() (mm/memory.c): unmap_single_vma over a detached list of VMAs */
export function* unmapVmas(ctx: MmContext, task: Task, vmas: readonly Vma[], start: number, end: number): Proc {
  for (const v of vmas) yield* unmapSingleVma(ctx, task, v, start, end);
}

/**
 * unmap_mapping_range() (mm/memory.c): zap every mapping of file pages [first, last]
 * (last defaults to the end: holelen 0) in every process. Takes i_mmap at site
 * `unmap_mapping_range` EVEN IF the tree is empty (3.18 tests the tree only after locking),
 * walks the VMAs overlapping the range (zap_page_range_single each: pte locks inside
 * i_mmap), then the nonlinear list. `evenCows` = even_cows: also zap private COW copies.
 * Hugetlbfs files are truncated by hugetlb_vmtruncate (hugetlb.ts), never through here.
 */
export function* unmapMappingRange(ctx: MmContext, task: Task, file: AddressSpace, first: number, last = Number.MAX_SAFE_INTEGER, evenCows = false): Proc {
  if (file.hugetlb) throw new Error(`unmap_mapping_range on hugetlbfs file ${file.name}: use hugetlb_vmtruncate`);
  if (last < first) last = Number.MAX_SAFE_INTEGER; // details.last_index overflow
  const mode = yield* ctx.immapLock(task, file, 'unmap_mapping_range');
  const vmas: Vma[] = [];
  const visits = file.i_mmap.forEachOverlap(first, last, (n) => { vmas.push(n.value); });
  yield* ctx.compute(task, visits * ctx.costs.treeVisit);
  const check = evenCows ? null : file;
  for (const v of vmas) {
    // unmap_mapping_range_tree: the part of the VMA mapping [first, last]
    const s = v.addressOf(Math.max(first, v.pgoff));
    const e = v.addressOf(Math.min(last, v.lastPgoff)) + 1;
    yield* zapPteRange(ctx, task, v, s, e, check);
  }
  // unmap_mapping_range_list: nonlinear VMAs are zapped whole (offsets checked per pte)
  for (const v of [...file.i_mmap_nonlinear]) yield* zapPteRange(ctx, task, v, v.start, v.end, check);
  yield* ctx.immapUnlock(task, file, mode);
}

/**
 * copy_page_range() (mm/memory.c) from dup_mmap: VMAs without an anon_vma (and not
 * hugetlb or nonlinear) are skipped — the child faults their pages in. Otherwise per page
 * table of the parent with present ptes: the child's pte lock, then the parent's nested
 * (spin_lock_nested, SINGLE_DEPTH_NESTING), copy (copy_pte_range).
 */
export function* copyPageRange(ctx: MmContext, task: Task, dst: Vma, src: Vma): Proc {
  if (!src.has(VM_HUGETLB | VM_NONLINEAR) && !src.anonVma) return;
  if (src.has(VM_HUGETLB)) {
    yield* ctx.hugetlb.copyHugetlbPageRange(ctx, task, dst, src);
    return;
  }
  yield* copyPteRanges(ctx, task, dst, src);
}

function* copyPteRanges(ctx: MmContext, task: Task, dst: Vma, src: Vma): Proc {
  for (const table of src.mm.pt.tableKeysIn(src.start, src.end)) {
    const addr = table * PTRS_PER_PTE;
    yield* dst.mm.ptl(addr).criticalPair(src.mm.ptl(addr), task, 'copy_pte_range', () => {
      dst.mm.pt.copyIn(src.mm.pt, table, src.start, src.end);
      return ctx.costs.copyPtePage;
    });
  }
}

/** A fault the kernel would answer with a signal: the workload asked for something invalid. */
export class FaultError extends Error {}

/**
 * A user page fault at virtual page `addr` (__do_page_fault → handle_mm_fault), under
 * mm->mmap_sem for read. Dispatches like handle_pte_fault:
 * - file VMA, no pte: read → do_read_fault (fault-around, then filemap_fault with the page
 *   lock); write to a private mapping → do_cow_fault; write to a shared one → do_shared_fault;
 * - anonymous VMA, no pte → do_anonymous_page (anon_vma_prepare on a write);
 * - write to a present page-cache page of a private mapping → do_wp_page (COW);
 * - anything else present: nothing to do.
 * Throws FaultError for SIGSEGV/SIGBUS cases.
 */
export function* pageFault(ctx: MmContext, task: Task, mm: MmStruct, addr: number, write = false): Proc {
  // exception entry before mmap_sem and exit after it (arch/x86/mm/fault.c __do_page_fault
  // takes mmap_sem after entry and drops it before returning): the time between two faults'
  // locked sections, or between a syscall's up_write and a fault's down_read (was: zero,
  // both lumped into the locked work; issue 12). Owed CPU time, no event of its own.
  ctx.sched.stall(task, ctx.costs.faultEntry);
  yield* mm.mmapSem.acquire(task, 'read', 'do_page_fault');
  try {
    const vma = mm.findVma(addr);
    if (!vma) throw new FaultError(`${mm.name}: SIGSEGV at page ${addr}: no VMA`);
    if (write ? !vma.has(VM_WRITE) : !vma.has(VM_READ | VM_EXEC)) {
      throw new FaultError(`${mm.name}: SIGSEGV at page ${addr}: ${write ? 'write' : 'read'} not permitted`);
    }
    ctx.vmstat.pgfault++;
    if (vma.has(VM_HUGETLB)) {
      // handle_mm_fault(): is_vm_hugetlb_page → hugetlb_fault (hugetlb_fault.ts)
      const r = yield* ctx.hugetlb.fault(ctx, task, vma, addr, write);
      if (r === 'sigbus') throw new FaultError(`${mm.name}: SIGBUS at page ${addr}: hugetlb fault (no huge page)`);
    } else {
      yield* handlePteFault(ctx, task, vma, addr, write);
    }
  } finally {
    yield* mm.mmapSem.release(task, 'read');
  }
  ctx.sched.stall(task, ctx.costs.faultExit);
}

/** a fault's lumped CPU cost less its exception entry and exit, which pageFault charges outside mmap_sem */
function faultWork(ctx: MmContext, lumped: number): number {
  return Math.max(0, lumped - ctx.costs.faultEntry - ctx.costs.faultExit);
}

/** pageFault on a file-backed VMA (filemap_fault path); throws if `addr` is anonymous */
export function* filemapFault(ctx: MmContext, task: Task, mm: MmStruct, addr: number, write = false): Proc {
  const v = mm.findVma(addr);
  if (v && !v.file) throw new Error(`filemapFault: page ${addr} of ${mm.name} is anonymous`);
  yield* pageFault(ctx, task, mm, addr, write);
}

/** pageFault on an anonymous VMA (do_anonymous_page; a write by default) */
export function* anonFault(ctx: MmContext, task: Task, mm: MmStruct, addr: number, write = true): Proc {
  const v = mm.findVma(addr);
  if (v && v.file) throw new Error(`anonFault: page ${addr} of ${mm.name} is file-backed`);
  yield* pageFault(ctx, task, mm, addr, write);
}

/** handle_pte_fault() with mmap_sem held for read */
export function* handlePteFault(ctx: MmContext, task: Task, vma: Vma, addr: number, write: boolean): Proc {
  const cur = vma.mm.pt.get(addr);
  if (cur !== undefined) {
    if (write && cur !== null && !vma.has(VM_SHARED)) yield* doWpPage(ctx, task, vma, addr);
    return;
  }
  if (!vma.file) yield* doAnonymousPage(ctx, task, vma, addr, write);
  else if (!write) yield* doReadFault(ctx, task, vma, addr);
  else if (!vma.has(VM_SHARED)) yield* doCowFault(ctx, task, vma, addr);
  else yield* doSharedFault(ctx, task, vma, addr);
}

function fileIndex(vma: Vma, addr: number): number {
  const idx = vma.pgoff + (addr - vma.start);
  if (idx >= vma.file!.isize) throw new FaultError(`${vma.mm.name}: SIGBUS at page ${addr}: offset ${idx} beyond the end of ${vma.file!.name}`);
  return idx;
}

/**
 * do_anonymous_page(): a write allocates a zeroed page after anon_vma_prepare (anon_vma W
 * the first time); a read maps the zero page (the model: an anonymous pte; the later COW
 * of the zero page on a write is not modelled).
 */
function* doAnonymousPage(ctx: MmContext, task: Task, vma: Vma, addr: number, write: boolean): Proc {
  if (write) yield* anonVmaPrepare(ctx, task, vma);
  yield* ctx.compute(task, faultWork(ctx, write ? ctx.costs.anonFault : ctx.costs.fileFault));
  yield* setPteLocked(task, vma.mm, addr, null);
}

/**
 * do_read_fault(): do_fault_around() maps the cached pages of the 16-page window around
 * `addr` (within the VMA and the page table) under one pte lock, skipping locked pages;
 * if that mapped `addr`, done. Else __do_fault: filemap_fault returns the page locked,
 * then the pte is set under the pte lock and the page unlocked. The model treats every
 * page of a file below its size as cached (binaries and libraries are hot).
 */
function* doReadFault(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc {
  const mm = vma.mm, file = vma.file!;
  const idx = fileIndex(vma, addr);
  const table = Math.floor(addr / PTRS_PER_PTE);
  const ws = Math.max(addr - (addr % FAULT_AROUND_PAGES), vma.start);
  const we = Math.min(ws + FAULT_AROUND_PAGES, vma.end, (table + 1) * PTRS_PER_PTE);
  yield* mm.ptl(addr).critical(task, 'do_fault_around', () => {
    let mapped = 0;
    for (let a = ws; a < we; a++) {
      const i = vma.pgoff + (a - vma.start);
      if (i >= file.isize || mm.pt.has(a)) continue;
      const p = file.page(i);
      if (p.locked) continue; // filemap_map_pages: trylock_page failed
      mm.pt.set(a, p);
      mapped++;
    }
    return mapped * ctx.costs.faultAroundPte;
  });
  if (mm.pt.has(addr)) {
    yield* ctx.compute(task, faultWork(ctx, ctx.costs.fileFault));
    return;
  }
  const page = yield* filemapFaultLocked(ctx, task, file, idx);
  yield* setPteLocked(task, mm, addr, page);
  yield* page.unlockPage(task);
}

/** filemap_fault(): the page-cache page, returned locked (VM_FAULT_LOCKED) */
function* filemapFaultLocked(ctx: MmContext, task: Task, file: AddressSpace, idx: number): Proc<Page> {
  const page = file.page(idx);
  yield* page.lockPage(task);
  yield* ctx.compute(task, faultWork(ctx, ctx.costs.fileFault));
  return page;
}

/** do_cow_fault(): anon_vma_prepare, filemap_fault (page locked), copy to a new anonymous page */
function* doCowFault(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc {
  const idx = fileIndex(vma, addr);
  yield* anonVmaPrepare(ctx, task, vma);
  const page = yield* filemapFaultLocked(ctx, task, vma.file!, idx);
  yield* ctx.compute(task, ctx.costs.copyPage);
  yield* page.unlockPage(task);
  yield* setPteLocked(task, vma.mm, addr, null);
}

/** do_shared_fault(): filemap_fault (page locked), map the page-cache page writable */
function* doSharedFault(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc {
  const page = yield* filemapFaultLocked(ctx, task, vma.file!, fileIndex(vma, addr));
  yield* setPteLocked(task, vma.mm, addr, page);
  yield* page.unlockPage(task);
}

/** do_wp_page() on a page-cache page of a private mapping: COW into an anonymous page */
function* doWpPage(ctx: MmContext, task: Task, vma: Vma, addr: number): Proc {
  yield* anonVmaPrepare(ctx, task, vma);
  yield* ctx.compute(task, faultWork(ctx, ctx.costs.anonFault) + ctx.costs.copyPage);
  yield* setPteLocked(task, vma.mm, addr, null);
}

/** pte_offset_map_lock + set_pte_at (if still none, or replacing for COW) + unlock (the pte lock's Proc itself: one generator less) */
function setPteLocked(task: Task, mm: MmStruct, addr: number, page: Page | null): Proc {
  return mm.ptl(addr).critical(task, 'set_pte', () => {
    mm.pt.set(addr, page);
    return 0;
  });
}
