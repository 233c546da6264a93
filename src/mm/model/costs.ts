/**
 * CPU costs of mm operations besides their locks (ns). Lock costs (cache-line
 * transfers, spinning, wake-ups) come from the hw and locking layers; these are the
 * instructions and cache misses of the work done *under* the locks. Each is derived from
 * the machine's documented latencies (docs/reference/hardware.md) by counting the
 * cache misses the kernel code makes, or marked [U] where it is an estimate.
 */
import { withOverrides } from '../../engine/params';
export interface MmCosts {
  /** one step of an interval-tree search (vma_interval_tree_*): a VMA struct, usually not cached */
  treeVisit: number;
  /** rmap_one() on one VMA: 4-level page-table walk (~4 misses) + pte check/clear */
  rmapOne: number;
  /** extra for a VMA whose page table maps the page: pte lock round trip + TLB flush share */
  rmapOneMapped: number;
  /** insert or remove of a VMA in an mm (rb-tree + list + accounting) outside the i_mmap lock */
  vmaLink: number;
  /** vm_area_struct allocation + copy (dup_mmap per VMA, outside locks) */
  vmaCopy: number;
  /** per page-table page copied at fork (copy_page_range) */
  copyPtePage: number;
  /** per present pte zapped at munmap/exit (zap_pte_range) */
  zapPte: number;
  /** freeing page tables of one VMA (free_pgtables per VMA) */
  freePgtables: number;
  /** a minor fault on a page-cache page (filemap_fault hit + set pte), exception entry and exit included */
  fileFault: number;
  /** an anonymous fault: zeroed page + set pte */
  anonFault: number;
  /** copying one 4 KiB page (migration, COW) across nodes */
  copyPage: number;
  /** fork's fixed cost besides VMAs (task_struct, files, signals, pid) */
  forkFixed: number;
  /** exec's fixed cost besides mappings (binfmt parsing, new mm, credentials) */
  execFixed: number;
  /** exit's fixed cost besides the mm (files, signals, reparent, wait) */
  exitFixed: number;
  /** NUMA hinting fault (do_numa_page) besides locks and migration: exception entry/exit, pte_mknonnuma, mpol_misplaced */
  numaHintFault: number;
  /** change_prot_numa: per pte marked _PAGE_NUMA */
  numaPteUpdate: number;
  /** change_prot_numa: per page-table page with marked ptes (pmd walk + TLB flush share) */
  changeProtPtePage: number;
  /** migrate_page_move_mapping: tree_lock, refcount freeze, radix slot replace, page flags copy */
  migrateMoveMapping: number;
  /** clear_huge_page(): zeroing a new 2 MiB huge page at its first fault */
  hugePageClear: number;
  /** allocating and zeroing one page-table page (pmd_alloc_one / pte_alloc_one) */
  pgtableAlloc: number;
  /** one step of a huge-pte loop (huge_pte_offset + test) besides its pte lock */
  hugePteStep: number;
  /** flush_tlb_range()/tlb_finish_mmu() of one mm after ptes were cleared or changed */
  tlbFlushRange: number;
  /** kmalloc + later kfree of a small object (map_info, to_kill) */
  kmallocSmall: number;
  /** percpu_down_write(): synchronize_sched_expedited() to drain per-cpu readers */
  percpuRwsemWrite: number;
  /** visiting one task in for_each_process() (a task_struct not in cache) */
  taskScan: number;
  /** one step of an interval-tree walk repeated within one critical section (nodes cache-hot) */
  treeVisitHot: number;
  /** per present pte whose protection changes (change_pte_range: mprotect, NUMA scan) */
  changePte: number;
  /** per present pte moved by mremap (move_ptes) */
  movePte: number;
  /** per extra pte mapped by fault-around (filemap_map_pages) */
  faultAroundPte: number;
  /** per page-cache page dropped by truncate (truncate_inode_page) */
  truncatePage: number;
  /** ld.so's user-space work per shared library besides its mmap/mprotect calls */
  dsoLoad: number;
  /** compaction's migrate scanner per page of a pageblock (isolate_migratepages_block) */
  compactScanPage: number;
  /** migrating one anonymous page in compaction: anon_vma read lock, 2 one-VMA walks, copy, move_mapping */
  compactAnonPage: number;
  /**
   * pageFault's exception entry up to mmap_sem, and its exit after up_read: spent outside
   * the lock, carved out of the fault's lumped cost (fileFault, anonFault) so a fault costs
   * the same CPU in all; a fault that finds its pte present pays only these
   */
  faultEntry: number;
  faultExit: number;
}

export const defaultMmCosts: Readonly<MmCosts> = Object.freeze({
  treeVisit: 100,
  rmapOne: 500,
  rmapOneMapped: 200,
  vmaLink: 300,
  vmaCopy: 400,
  copyPtePage: 1500,
  zapPte: 30,
  freePgtables: 500,
  fileFault: 1000,
  anonFault: 1500,
  copyPage: 1000,
  forkFixed: 30000,
  execFixed: 60000,
  exitFixed: 20000,
  numaHintFault: 800,
  numaPteUpdate: 20,
  changeProtPtePage: 600,
  migrateMoveMapping: 400,
  hugePageClear: 210000,
  pgtableAlloc: 600,
  hugePteStep: 20,
  tlbFlushRange: 500,
  kmallocSmall: 100,
  percpuRwsemWrite: 50000,
  taskScan: 100,
  treeVisitHot: 5,
  changePte: 20,
  movePte: 30,
  faultAroundPte: 100,
  truncatePage: 300,
  dsoLoad: 40000,
  compactScanPage: 50,
  compactAnonPage: 3000,
  faultEntry: 100,
  faultExit: 100,
});

export const mmCostSources: Record<keyof MmCosts, string> = {
  treeVisit: 'one cache miss on a vm_area_struct shared across sockets: between local DRAM (135 ns) and a same-socket transfer (40 ns) on IvyBridge-EX (docs/reference/hardware.md §2-3); ~100 ns',
  rmapOne: 'page_check_address(): pgd, pud, pmd, pte loads of another mm (4 misses, ~100 ns each) + mm struct touch: ~500 ns [U: counted misses, not measured]',
  rmapOneMapped: 'pte lock (one more miss) + ptep_clear_flush share [U]',
  vmaLink: '[U] rb-tree insert + list + counters in the own mm (cache-hot): ~300 ns',
  vmaCopy: '[U] kmem_cache_alloc + copy of a 184-byte vm_area_struct + anon_vma_fork bookkeeping: ~400 ns',
  copyPtePage: '[U] copy_pte_range over a 512-entry table, mostly present entries: ~1.5 µs',
  zapPte: '[U] per present pte: clear, page_remove_rmap, batch free: ~30 ns',
  freePgtables: '[U] free_pgd_range for one VMA: ~500 ns',
  fileFault: '[U] minor fault on a cached page: ~1 µs (exception entry/exit + radix lookup + set_pte)',
  anonFault: '[U] anonymous fault: clear_page (4 KiB at ~10 GB/s ≈ 0.4 µs) + fault overhead: ~1.5 µs',
  copyPage: '[U] 4 KiB copy between nodes at ~4-5 GB/s: ~1 µs',
  forkFixed: '[U] fork() of a small process without its mm: ~30 µs (lmbench lat_proc fork is ~100 µs for a small static process, incl. mm and exit)',
  execFixed: '[U] execve of a small dynamically linked binary without the mapping work: ~60 µs',
  exitFixed: '[U] exit without exit_mmap: ~20 µs',
  numaHintFault: '[U] a minor fault without page-cache lookup: exception entry/exit (~0.5 µs) + pte update + mpol_misplaced (a few cached loads): ~0.8 µs',
  numaPteUpdate: '[U] ptep_set_numa on a cache-hot page-table line: read-modify-write of one pte (~8 per 64-byte line): ~20 ns',
  changeProtPtePage: '[U] pmd walk to the page-table page (1-2 misses, ~135 ns local DRAM each, docs/reference/hardware.md §2) + share of flush_tlb_range (local flush; IPIs to the few CPUs running this mm): ~0.6 µs',
  migrateMoveMapping: '[U] spin_lock_irq(tree_lock) + page_freeze_refs cmpxchg + radix_tree_replace_slot + counters: ~3 cache misses at ~135 ns: ~0.4 µs',
  hugePageClear: 'clear_huge_page() = 512 × clear_page(); at the ~0.4 µs per 4 KiB of anonFault (≈10 GB/s store bandwidth of one core [U]): 512 × 0.41 µs ≈ 210 µs',
  pgtableAlloc: '[U] alloc_page from the per-cpu list (~0.2 µs) + clearing 4 KiB (~0.4 µs, as in anonFault): ~0.6 µs',
  hugePteStep: '[U] huge_pte_offset(): pgd/pud loads of the own mm, cached after the first step, + pte test: ~20 ns',
  tlbFlushRange: '[U] local flush of one mm (invlpg per huge page or a full CR3 reload) of a single-threaded process, no IPI: ~0.5 µs',
  kmallocSmall: '[U] slab fast path alloc + free of a < 64-byte object: ~100 ns',
  percpuRwsemWrite: '[U] 3.18 percpu_down_write(): down_write + synchronize_sched_expedited() (try_stop_cpus on every CPU) + wait for slow readers: tens of µs on a 60-CPU machine; ~50 µs',
  taskScan: 'one cache miss on a task_struct (mm, flags) in for_each_process: ~100 ns, as treeVisit',
  treeVisitHot: '[U] an L1/L2 hit (~1-4 ns on IvyBridge) + compare and branch per node: ~5 ns; for walks repeated under one lock hold (collect_procs_file walks the tree once per process)',
  changePte: '[U] ptep_modify_prot_start/commit on a cache-hot page table: ~20 ns per present pte',
  movePte: '[U] ptep_get_and_clear + set_pte_at on cache-hot page tables: ~30 ns per present pte (same order as zapPte)',
  faultAroundPte: '[U] filemap_map_pages per extra page: radix-tree lookup, trylock_page, set_pte, unlock: ~100 ns',
  truncatePage: '[U] truncate_inode_page: lock_page, radix-tree delete under tree_lock, LRU removal, free: ~300 ns',
  compactScanPage: '[U] isolate_migratepages_block per pfn: struct page loads (PageLRU, PageBuddy, page_count) on a sequential sweep (prefetched): ~50 ns',
  compactAnonPage: '[U] one anonymous page through __unmap_and_move: page_lock_anon_vma_read + try_to_unmap walk of its one VMA (rmapOne + rmapOneMapped = 0.7 µs) + copyPage (1 µs) + migrate_page_move_mapping (0.4 µs) + remove_migration_ptes walk (0.7 µs): ~3 µs',
  faultEntry: '[U] #PF delivery, error_entry (register save, swapgs), do_page_fault → __do_page_fault up to down_read_trylock(&mm->mmap_sem) (arch/x86/mm/fault.c): ~300 cycles ≈ 0.1 µs at 2.8 GHz; carved out of fileFault/anonFault, which include exception entry/exit',
  faultExit: '[U] after up_read(&mm->mmap_sem): return from __do_page_fault, error_exit/iret to user: ~0.1 µs, as faultEntry',
  dsoLoad: '[U] ld.so per library besides mmap/mprotect: open, read of the ELF header, fstat, close (4 syscalls, ~1 µs each) and symbol relocation (tens of µs for libc-sized objects): ~40 µs',
};

export function resolveMmCosts(p: Partial<MmCosts> | undefined): MmCosts {
  return withOverrides(defaultMmCosts, p, 'mm.costs', 'cost', (_k, v) =>
    typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v) ? 'must be a finite number >= 0 (ns)' : undefined);
}
