import type { PageTableLock, SleepLock } from '../locking';
import type { MmContext } from './model/context';
import type { Vma } from './vma';
import type { HugePmdPage } from './hugetlb_pgtable';
import { PageTable } from './pgtable';

/** PTRS_PER_PTE: one page-table page (and split pte lock) covers 512 pages = 2 MiB */
export const PTRS_PER_PTE = 512;
/**
 * TASK_UNMAPPED_BASE in pages: PAGE_ALIGN(TASK_SIZE / 3) with x86-64's TASK_SIZE of
 * 2^47 - 4096 bytes (arch/x86/include/asm/processor.h), where bottom-up mmaps start
 */
export const TASK_UNMAPPED_BASE = Math.ceil((2 ** 47 - 4096) / 3 / 4096);

/**
 * `struct mm_struct`: one address space — its VMAs (kept sorted by start), `mmap_sem`,
 * and page-table locks (split pte locks, one per page-table page, created on demand).
 */
export class MmStruct {
  readonly vmas: Vma[] = [];
  readonly mmapSem: SleepLock;
  private readonly ptls = new Map<number, PageTableLock>();
  /** NUMA node this mm's task mostly runs on (numa_preferred_nid), -1 = none */
  preferredNode = -1;
  /** task_numa_work state (kernel/sched/fair.c) */
  numaNextScan = 0;
  numaScanOffset = 0;
  /** mm->numa_scan_seq: completed passes over the address space (reset_ptenuma_scan) */
  numaScanSeq = 0;
  /** pages mapped (rss) */
  rss = 0;
  /**
   * hugetlb: this mm's populated pud entries over hugetlb ranges — PUD region index
   * (virtual page / PUD_PAGES) → the PMD page-table page it points to, possibly shared
   * with other mms (hugetlb_pgtable.ts)
   */
  readonly hugePuds = new Map<number, HugePmdPage>();
  private pageTableLockObj: PageTableLock | null = null;
  /** mm->start_brk and mm->brk (virtual pages; set by exec) */
  startBrk = 0;
  brk = 0;
  /** present ptes (kept in step with rss and page.mappers) */
  readonly pt: PageTable = new PageTable(this);

  constructor(readonly ctx: MmContext, readonly id: number, readonly name: string) {
    this.mmapSem = ctx.newLock('mmap_sem', `${name}.mmap_sem`);
  }

  /** pte_lockptr(): the split pte lock of the page table covering virtual page `addr` */
  ptl(addr: number): PageTableLock {
    const key = Math.floor(addr / PTRS_PER_PTE);
    let l = this.ptls.get(key);
    if (!l) {
      l = this.ctx.newPtl(`${this.name}.ptl${key}`);
      this.ptls.set(key, l);
    }
    return l;
  }

  /**
   * The mm is gone (after exit_mmap, as mmdrop frees it): its locks leave the lock
   * environment's end-of-run check so that they can be freed with it.
   */
  dispose(): void {
    for (const l of this.ptls.values()) l.dispose();
    this.ptls.clear();
    this.pageTableLockObj?.dispose();
    this.mmapSem.dispose();
  }

  /** mm->page_table_lock (taken by __pmd_alloc/__pud_alloc to populate an upper level) */
  get pageTableLock(): PageTableLock {
    return (this.pageTableLockObj ??= this.ctx.newPtl(`${this.name}.page_table_lock`));
  }

  /** find_vma(): the VMA containing virtual page `addr`, or null */
  findVma(addr: number): Vma | null {
    const v = this.vmas;
    let lo = 0, hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid].end <= addr) lo = mid + 1;
      else if (v[mid].start > addr) hi = mid - 1;
      else return v[mid];
    }
    return null;
  }

  /** link a VMA into the mm's sorted list (__vma_link_list + rb); throws on overlap */
  insertVma(vma: Vma): void {
    const v = this.vmas;
    let i = v.length;
    while (i > 0 && v[i - 1].start > vma.start) i--;
    if ((i > 0 && v[i - 1].end > vma.start) || (i < v.length && v[i].start < vma.end)) {
      throw new Error(`${this.name}: VMA [${vma.start}, ${vma.end}) overlaps an existing one`);
    }
    v.splice(i, 0, vma);
  }

  removeVma(vma: Vma): void {
    const i = this.vmas.indexOf(vma);
    if (i < 0) throw new Error(`${this.name}: VMA [${vma.start}, ${vma.end}) is not in this mm`);
    this.vmas.splice(i, 1);
  }

  /**
   * lowest free range of `pages` pages at or above `from` (get_unmapped_area, bottom-up).
   * The default start is mmap_legacy_base (TASK_UNMAPPED_BASE, arch/x86/mm/mmap.c), so
   * mmaps stay clear of the brk heap above the executable, as in the kernel. x86-64's
   * default layout is top-down below the stack; the two differ only in addresses, which
   * nothing in the model depends on.
   */
  unmappedArea(pages: number, from = TASK_UNMAPPED_BASE): number {
    let addr = from;
    for (const v of this.vmas) {
      if (v.end <= addr) continue;
      if (v.start >= addr + pages) break;
      addr = v.end;
    }
    return addr;
  }
}
