import type { PageTableLock } from '../locking';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { Page } from './page';
import { PTRS_PER_PTE } from './mm_struct';
import { VM_LOCKED, VM_MAYSHARE, type Vma } from './vma';

/**
 * x86-64 hugetlb page tables with PMD sharing (CONFIG_ARCH_WANT_HUGE_PMD_SHARE; mm/hugetlb.c
 * 3.18; reference docs/reference/kernel-locking.md §8). Units are 4 KiB pages, like every address in the
 * model: a huge page is HPAGE_PAGES = 512 small pages (2 MiB); one PMD page-table page maps
 * a PUD region of PTRS_PER_PMD = 512 huge pages (PUD_PAGES = 1 GiB). A huge pte is a pmd
 * entry, so "the page table" of a hugetlb range is the PMD page, and that is what several
 * mms can share: each sharer's pud entry points to the same page, whose page count is the
 * number of sharers (plus transient references taken by huge_pmd_share before it installs).
 */
export const HPAGE_PAGES = 512;
export const PTRS_PER_PMD = 512;
export const PUD_PAGES = HPAGE_PAGES * PTRS_PER_PMD;

/** the PUD region (1 GiB) index of virtual page `addr` */
export const pudIndex = (addr: number): number => Math.floor(addr / PUD_PAGES);
/** pmd_index(): the huge pte slot of `addr` inside its PMD page */
export const pmdIndex = (addr: number): number => Math.floor(addr / HPAGE_PAGES) % PTRS_PER_PMD;
/** first virtual page of the PUD region after the one holding `addr` (ALIGN(addr + 1, PUD_SIZE)) */
export const pudEnd = (addr: number): number => (pudIndex(addr) + 1) * PUD_PAGES;

/** A present huge pte: the huge page it maps and its write permission. */
export interface HugePte {
  page: Page;
  write: boolean;
}

/**
 * A PMD page-table page over one PUD region. `count` is its page count (get_page/put_page),
 * `sharers` the mms whose pud entry points here (count === sharers.size except while a
 * huge_pmd_share holds its reference before pud_populate). Its split PMD lock is the
 * huge pte lock (huge_pte_lockptr → pmd_lockptr: the lock of the page-table page itself,
 * so every sharer takes the same lock).
 *
 * Page.mappers of a mapped huge page holds every sharer (every mm whose walk reaches the
 * pte) — what an rmap walk would find; the kernel's mapcount counts ptes, i.e. 1 per PMD
 * page [deviation, documented].
 */
export class HugePmdPage {
  count = 1;
  readonly sharers = new Set<MmStruct>();
  readonly ptes = new Map<number, HugePte>();
  readonly ptl: PageTableLock;

  constructor(ctx: MmContext, owner: MmStruct, readonly pud: number) {
    this.ptl = ctx.newPtl(`${owner.name}.pmd${pud}.ptl`);
    this.attach(owner);
  }

  /** pud_populate(owner's pud, this) — the reference is taken by the caller */
  attach(mm: MmStruct): void {
    if (mm.hugePuds.has(this.pud)) throw new Error(`${mm.name}: pud ${this.pud} already populated`);
    this.sharers.add(mm);
    mm.hugePuds.set(this.pud, this);
    for (const pte of this.ptes.values()) pte.page.mappers.add(mm);
  }

  /** pud_clear(mm's pud) — the reference is dropped by the caller */
  detach(mm: MmStruct): void {
    if (mm.hugePuds.get(this.pud) !== this) throw new Error(`${mm.name}: pud ${this.pud} does not point to this PMD page`);
    this.sharers.delete(mm);
    mm.hugePuds.delete(this.pud);
    for (const pte of this.ptes.values()) pte.page.mappers.delete(mm);
  }

  /** set_huge_pte_at() (ptl held) */
  setPte(i: number, pte: HugePte): void {
    if (this.ptes.has(i)) throw new Error(`PMD page ${this.pud}: huge pte ${i} already present`);
    this.ptes.set(i, pte);
    for (const mm of this.sharers) pte.page.mappers.add(mm);
  }

  /** huge_ptep_get_and_clear() (ptl held): returns the old pte */
  clearPte(i: number): HugePte | undefined {
    const pte = this.ptes.get(i);
    if (!pte) return undefined;
    this.ptes.delete(i);
    for (const mm of this.sharers) pte.page.mappers.delete(mm);
    return pte;
  }
}

/** huge_pte_offset(): the PMD page reached through mm's pud for `addr`, or null (pud none) */
export function hugePteOffset(mm: MmStruct, addr: number): HugePmdPage | null {
  return mm.hugePuds.get(pudIndex(addr)) ?? null;
}

/**
 * vma_shareable() (mm/hugetlb.c): VM_MAYSHARE and the PUD-aligned 1 GiB range around
 * `addr` lies wholly inside the VMA.
 */
export function vmaShareable(vma: Vma, addr: number): boolean {
  const base = pudIndex(addr) * PUD_PAGES;
  return vma.has(VM_MAYSHARE) && vma.start <= base && base + PUD_PAGES <= vma.end;
}

/**
 * page_table_shareable(svma, vma, addr, idx) (mm/hugetlb.c): the address of file page
 * `idx` in svma if svma's page table for it could serve `vma` at `addr` — same pmd index,
 * equal vm_flags ignoring VM_LOCKED, svma covering the whole aligned PUD region — else null.
 */
export function pageTableShareable(svma: Vma, vma: Vma, addr: number, idx: number): number | null {
  const saddr = idx - svma.pgoff + svma.start;
  const sbase = pudIndex(saddr) * PUD_PAGES;
  if (pmdIndex(addr) !== pmdIndex(saddr)) return null;
  if ((vma.flags & ~VM_LOCKED) !== (svma.flags & ~VM_LOCKED)) return null;
  if (sbase < svma.start || svma.end < sbase + PUD_PAGES) return null;
  return saddr;
}

/** vma_hugecache_offset(): the huge-page index in the file of virtual page `addr` */
export function vmaHugecacheOffset(vma: Vma, addr: number): number {
  return Math.floor((addr - vma.start) / HPAGE_PAGES) + Math.floor(vma.pgoff / HPAGE_PAGES);
}

// a huge page is one page-table page's worth of small pages
if (HPAGE_PAGES !== PTRS_PER_PTE) throw new Error('hugetlb_pgtable: HPAGE_PAGES must equal PTRS_PER_PTE');
