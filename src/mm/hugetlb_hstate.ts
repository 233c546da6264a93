import type { Task } from '../sched';
import { Mutex, SpinLock } from '../locking';
import type { MmContext } from './model/context';
import { LOCKDEP_CLASSES } from './model/context';
import type { AddressSpace } from './address_space';
import type { MmStruct } from './mm_struct';
import { Page } from './page';
import { VM_SHARED, type Vma } from './vma';
import { HPAGE_PAGES } from './hugetlb_pgtable';
import type { Proc } from '../engine';

/** hugetlbfs inode state: i_size in huge pages and the page cache of huge pages (by huge index). */
export interface HugetlbInode {
  size: number;
  readonly pages: Map<number, Page>;
}

/** Counters of the hugetlb model (no /proc/vmstat equivalent; for reports and tests). */
export interface HugetlbStats {
  faults: number;
  /** huge pages allocated from the pool (and cleared or copied) */
  hugePagesAllocated: number;
  hugePagesFreed: number;
  /** PMD page-table pages allocated by pmd_alloc */
  pmdPagesAllocated: number;
  /** pud_populate with a sibling's PMD page in huge_pmd_share */
  pmdShares: number;
  /** huge_pmd_share took a reference but the pud had been populated meanwhile (put_page) */
  pmdShareLostRace: number;
  /** huge_pmd_unshare calls that dropped a shared PMD page */
  pmdUnshares: number;
  /**
   * huge_pmd_unshare saw a page count inflated by an in-flight huge_pmd_share reference
   * (count > sharers): the race Mel Gorman named against patch 10 — possible only when
   * the two overlap, i.e. both take i_mmap for read
   */
  unshareShareRaces: number;
  /**
   * huge_pmd_share picked the page table of a VMA being torn down (inside
   * __unmap_hugepage_range_final, before VM_MAYSHARE is cleared): the window
   * d833352a4338 closed, reopened by read mode
   */
  teardownShareRaces: number;
  cowCopies: number;
  unmapRefPrivateCalls: number;
}

/**
 * Global hugetlb state of one simulated kernel (mm/hugetlb.c): the huge page pool guarded
 * by `hugetlb_lock`, the fault mutex table, hugetlbfs inodes, reservation owners.
 */
export class Hstate {
  /** free huge pages in the pool (nr_free_huge_pages); Infinity = never exhausted */
  freePages = Infinity;
  readonly hugetlbLock: SpinLock;
  /**
   * num_fault_mutexes = roundup_pow_of_two(8 * num_possible_cpus()) (hugetlb_init(),
   * mm/hugetlb.c, 3.15–3.18 as in public copies of that source; the commit that introduced
   * it was not checked [U])
   */
  readonly numFaultMutexes: number;
  private readonly faultMutexes: (Mutex | null)[];
  readonly stats: HugetlbStats = {
    faults: 0, hugePagesAllocated: 0, hugePagesFreed: 0, pmdPagesAllocated: 0, pmdShares: 0,
    pmdShareLostRace: 0, pmdUnshares: 0, unshareShareRaces: 0, teardownShareRaces: 0, cowCopies: 0,
    unmapRefPrivateCalls: 0,
  };
  /** MAP_PRIVATE VMAs with HPAGE_RESV_OWNER (the mapper, not a forked child) */
  readonly resvOwner = new WeakSet<Vma>();
  /** VMAs whose page was taken by unmap_ref_private (HPAGE_RESV_UNMAPPED): faulting there is SIGKILL */
  readonly resvUnmapped = new WeakSet<Vma>();
  /** VMAs inside __unmap_hugepage_range_final (for teardownShareRaces) */
  readonly tearingDown = new WeakSet<Vma>();
  /** anonymous (MAP_PRIVATE) huge pages: PageAnon */
  readonly anon = new WeakSet<Page>();
  private readonly inodes = new WeakMap<AddressSpace, HugetlbInode>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  constructor(readonly ctx: MmContext) {
    this.hugetlbLock = new SpinLock(ctx.env, LOCKDEP_CLASSES.hugetlb_lock, 'hugetlb_lock');
    this.numFaultMutexes = roundupPowOfTwo(8 * ctx.sched.cpus.length);
    this.faultMutexes = new Array(this.numFaultMutexes).fill(null);
  }

  inode(file: AddressSpace): HugetlbInode {
    if (!file.hugetlb) throw new Error(`${file.name} is not a hugetlbfs file`);
    let i = this.inodes.get(file);
    if (!i) this.inodes.set(file, (i = { size: Math.floor(file.nrPages / HPAGE_PAGES), pages: new Map() }));
    return i;
  }

  /**
   * fault_mutex_hash() (mm/hugetlb.c 3.18): key (mapping, idx) for a VM_SHARED VMA, else
   * (mm, address >> huge_page_shift); jhash2 in the kernel, a 32-bit integer mix of the
   * same key here (object addresses replaced by per-kernel ids) [I: only the spread matters].
   */
  faultMutexHash(vma: Vma, mapping: AddressSpace, idx: number, mm: MmStruct, addr: number): number {
    const shared = vma.has(VM_SHARED);
    const a = this.id(shared ? mapping : mm);
    const b = shared ? idx : Math.floor(addr / HPAGE_PAGES);
    return mix32(Math.imul(a, 0x9e3779b1) ^ mix32(b + 0x7f4a7c15)) & (this.numFaultMutexes - 1);
  }

  /** &htlb_fault_mutex_table[hash] */
  faultMutex(hash: number): Mutex {
    return (this.faultMutexes[hash] ??= new Mutex(this.ctx.env, LOCKDEP_CLASSES.hugetlb_fault_mutex, `htlb_fault_mutex[${hash}]`));
  }

  /**
   * alloc_huge_page() (mm/hugetlb.c): a page off the free list under hugetlb_lock, or null
   * when the pool is empty (reservations and surplus pages are not modelled [I]).
   */
  *allocHugePage(task: Task, mapping: AddressSpace | null, index: number, node: number): Proc<Page | null> {
    yield* this.hugetlbLock.lock(task, 'alloc_huge_page');
    const ok = this.freePages > 0;
    if (ok) this.freePages--;
    yield* this.ctx.compute(task, this.ctx.costs.kmallocSmall);
    yield* this.hugetlbLock.unlock(task);
    if (!ok) return null;
    this.stats.hugePagesAllocated++;
    return new Page(this.ctx, mapping, index, node);
  }

  /** free_huge_page(): back to the pool under hugetlb_lock */
  *freeHugePage(task: Task, page: Page): Proc {
    if (page.mapcount !== 0) throw new Error(`freeing huge page ${page.index} still mapped by ${page.mapcount} mm(s)`);
    yield* this.hugetlbLock.lock(task, 'free_huge_page');
    this.freePages++;
    yield* this.ctx.compute(task, this.ctx.costs.kmallocSmall);
    yield* this.hugetlbLock.unlock(task);
    this.stats.hugePagesFreed++;
  }

  /** does nothing but the page table keep this page? (not in the page cache: anon or truncated) */
  isOrphan(page: Page): boolean {
    const m = page.mapping as AddressSpace | null;
    return m === null || this.anon.has(page) || !m.hugetlb || this.inode(m).pages.get(page.index) !== page;
  }

  private id(o: object): number {
    let i = this.ids.get(o);
    if (i === undefined) this.ids.set(o, (i = this.nextId++));
    return i;
  }
}

const states = new WeakMap<MmContext, Hstate>();

/** the hugetlb state of a simulated kernel (created on first use) */
export function hstate(ctx: MmContext): Hstate {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = new Hstate(ctx)));
  return s;
}

export function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** murmur3 fmix32 */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
