/**
 * Every place the 3.18 kernel takes `mapping->i_mmap_mutex` (3.19: `i_mmap_rwsem`), as ONE
 * table. Source: docs/reference/kernel-locking.md §2 ("Call sites"); each row cites
 * its reference row in `ref`. The per-kernel lock mode of each site is NOT here: it is derived
 * from the patches (patches.ts) by kernels.ts, so this table only says what a site does and
 * whether it needs the lock exclusively.
 *
 * Deviations from the reference table:
 * - Reference row 16 (`add_vma_to_mm` / `delete_vma_from_mm`) is split into two ids.
 * - Reference row 19 (`generic_file_remap_pages`, mm/fremap.c) has the id `remap_file_pages`.
 * - `unmap_single_vma` means only its hugetlb branch (`__unmap_hugepage_range_final`, row 7):
 *   the non-hugetlb branch takes no i_mmap lock.
 * - `hugetlb_vmtruncate_list` is entered through `hugetlb_vmtruncate` (row 12).
 * - Reference row 20 (`huge_pmd_unshare`) is not a call site: it takes nothing itself and runs
 *   under its callers' lock (`unmap_single_vma`, `unmap_ref_private`,
 *   `hugetlb_change_protection`, `hugetlb_vmtruncate_list`).
 */

import { KernelConfigError, show } from './errors';

/** Site ids, in reference-table order. */
export const SITE_IDS = [
  'vma_link',
  'unlink_file_vma',
  'vma_adjust',
  'dup_mmap',
  'move_ptes',
  'unmap_mapping_range',
  'unmap_single_vma',
  'rmap_walk_file',
  'huge_pmd_share',
  'unmap_ref_private',
  'hugetlb_change_protection',
  'hugetlb_vmtruncate_list',
  'build_map_info',
  '__xip_unmap',
  'collect_procs_file',
  'add_vma_to_mm',
  'delete_vma_from_mm',
  'nommu_shrink_inode_mappings',
  'vm_lock_mapping',
  'remap_file_pages',
] as const;

export type SiteId = (typeof SITE_IDS)[number];

/**
 * What the site does to the interval tree `mapping->i_mmap` while holding the lock.
 * `remove+insert` = `vma_adjust` (remove, change bounds/pgoff, re-insert).
 * `iterate` covers "iterate + zap/unmap/pte clear" of the reference: the pte work is in
 * `underLock`; the tree is only read.
 */
export type TreeOp = 'insert' | 'remove' | 'remove+insert' | 'iterate' | 'none';

/**
 * Which configuration or workload feature reaches the site. `core` sites run in every MMU
 * kernel; `nommu` sites exist only in !CONFIG_MMU kernels (reference row 16/17); the others
 * run only when the feature is used (hugetlbfs, uprobes, XIP, memory failure, nonlinear
 * `remap_file_pages`, mmu notifiers).
 */
export type SiteFeature =
  | 'core'
  | 'hugetlb'
  | 'uprobes'
  | 'xip'
  | 'memory-failure'
  | 'nommu'
  | 'mmu-notifier'
  | 'nonlinear';

export interface CallSite {
  readonly id: SiteId;
  /** Kernel source file (3.18). */
  readonly file: string;
  /** The function that takes the lock (with the path into it where the reference gives one). */
  readonly function: string;
  /** Where it is called from, as listed by the reference. Empty when the reference lists none. */
  readonly callers: readonly string[];
  /** What runs while the lock is held. */
  readonly underLock: string;
  readonly treeOp: TreeOp;
  /** treeOp inserts or removes (derived from treeOp). */
  readonly modifiesTree: boolean;
  /**
   * Needs the lock exclusively for correctness. True for every tree modifier (the cover
   * letter: "the most obvious paths that require exclusive ownership of the lock is when we
   * modify the VMA interval tree") and for the sites whose read conversion review rejected
   * (`move_ptes`: Hugh's NACK of 08; the hugetlb page-table sites: Hugh and Mel on 10).
   */
  readonly needsExclusive: boolean;
  /** Why (or why not) exclusive, with its source. */
  readonly why: string;
  /** Other locks the reference says are taken inside this one (not exhaustive). */
  readonly nests: readonly string[];
  readonly feature: SiteFeature;
  /** Acquisition pattern and other modelling notes. */
  readonly notes: string;
  /** The reference rows this entry rests on. */
  readonly ref: string;
}

type Row = Omit<CallSite, 'modifiesTree'>;

function row(r: Row): CallSite {
  return Object.freeze({
    ...r,
    callers: Object.freeze([...r.callers]),
    nests: Object.freeze([...r.nests]),
    modifiesTree: r.treeOp === 'insert' || r.treeOp === 'remove' || r.treeOp === 'remove+insert',
  });
}

const TREE = 'modifies the interval tree (cover letter: tree changes need exclusive ownership)';

/** The table, in SITE_IDS order. */
export const CALLSITES: readonly CallSite[] = Object.freeze([
  row({
    id: 'vma_link',
    file: 'mm/mmap.c',
    function: 'vma_link → __vma_link + __vma_link_file',
    callers: ['mmap_region (every file mmap, incl. exec and ld.so)', 'insert_vm_struct', 'copy_vma'],
    underLock: 'mm rb-tree/list link; i_writecount/i_mmap_writable updates; vma_interval_tree_insert (nonlinear list for VM_NONLINEAR)',
    treeOp: 'insert',
    needsExclusive: true,
    why: TREE,
    nests: [],
    feature: 'core',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 1',
  }),
  row({
    id: 'unlink_file_vma',
    file: 'mm/mmap.c',
    function: 'unlink_file_vma',
    callers: ['free_pgtables (munmap, exit)'],
    underLock: 'counters; vma_interval_tree_remove',
    treeOp: 'remove',
    needsExclusive: true,
    why: TREE,
    nests: [],
    feature: 'core',
    notes: 'one acquisition per file VMA on munmap and exit',
    ref: 'docs/reference/kernel-locking.md §2 row 2',
  }),
  row({
    id: 'vma_adjust',
    file: 'mm/mmap.c',
    function: 'vma_adjust',
    callers: ['vma_merge', '__split_vma (partial munmap/mprotect/mlock/madvise)', 'mremap in-place growth'],
    underLock: 'remove VMA(s), change bounds/pgoff, re-insert; may link a new or drop the next VMA',
    treeOp: 'remove+insert',
    needsExclusive: true,
    why: TREE,
    nests: ['anon_vma (write)'],
    feature: 'core',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 3',
  }),
  row({
    id: 'dup_mmap',
    file: 'kernel/fork.c',
    function: 'dup_mmap',
    callers: ['fork'],
    underLock: 'vma_interval_tree_insert_after(child, parent)',
    treeOp: 'insert',
    needsExclusive: true,
    why: TREE,
    nests: [],
    feature: 'core',
    notes: 'one acquisition per file VMA',
    ref: 'docs/reference/kernel-locking.md §2 row 4',
  }),
  row({
    id: 'move_ptes',
    file: 'mm/mremap.c',
    function: 'move_ptes',
    callers: ['mremap (move_page_tables), when need_rmap_locks'],
    underLock: 'move the ptes of one PMD-sized extent to the new address',
    treeOp: 'none',
    needsExclusive: true,
    why: 'Hugh Dickins NACKed 08: a pte moves from one position in the tree to another and a walker holding only a shared lock could miss it at both places — fatal for migration, which must find every pte (§1)',
    nests: ['anon_vma', 'pte lock'],
    feature: 'core',
    notes: 'one PMD-sized extent per acquisition; only when need_rmap_locks',
    ref: 'docs/reference/kernel-locking.md §2 row 5; §1 review of 08',
  }),
  row({
    id: 'unmap_mapping_range',
    file: 'mm/memory.c',
    function: 'unmap_mapping_range',
    callers: ['truncate_pagecache (twice per truncate)', 'hole punch', 'invalidate_inode_pages2_range'],
    underLock: 'zap_page_range_single per VMA in the range',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'the tree is only read; 11/10 made it R and was reverted (48ec833b7851) only as a short-term measure while trinity crashes were investigated; 2c8659951654 later reinstated R (§1). 3.19 final takes W',
    nests: [],
    feature: 'core',
    notes: 'locked even if the tree is empty',
    ref: 'docs/reference/kernel-locking.md §2 row 6; §1 on 11/10',
  }),
  row({
    id: 'unmap_single_vma',
    file: 'mm/memory.c',
    function: 'unmap_single_vma (hugetlb branch) → __unmap_hugepage_range_final',
    callers: ['munmap', 'exit'],
    underLock: 'per huge pte: huge_pmd_unshare or clear; then clear VM_MAYSHARE so huge_pmd_share cannot pick the dying VMA',
    treeOp: 'none',
    needsExclusive: true,
    why: 'shared page tables: the lock excludes more than tree changes (Hugh on 10); read mode would reopen the teardown race fixed by d833352a4338 (Mel on 10) (§1)',
    nests: [],
    feature: 'hugetlb',
    notes: 'only the hugetlb branch takes i_mmap',
    ref: 'docs/reference/kernel-locking.md §2 row 7; §1 review of 10',
  }),
  row({
    id: 'rmap_walk_file',
    file: 'mm/rmap.c',
    function: 'rmap_walk_file',
    callers: ['try_to_unmap', 'page_referenced', 'page_mkclean', 'try_to_munlock', 'remove_migration_ptes'],
    underLock: 'rmap_one per VMA covering the page offset (pte lock; TLB flush when clearing); then file_nonlinear if any',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'the tree is only read (patch 04, acked, merged 3dec0ba0be6a)',
    nests: ['pte lock'],
    feature: 'core',
    notes: 'caller holds the page lock; walks stop early per walker (§3)',
    ref: 'docs/reference/kernel-locking.md §2 row 8; §3',
  }),
  row({
    id: 'huge_pmd_share',
    file: 'mm/hugetlb.c',
    function: 'huge_pmd_share',
    callers: ['huge_pte_alloc from hugetlb_fault', 'huge_pte_alloc from copy_hugetlb_page_range (fork)'],
    underLock: 'find a sibling page table, get_page, pud_populate (under the huge pte lock), pmd_alloc',
    treeOp: 'iterate',
    needsExclusive: true,
    why: 'huge_pmd_unshare\'s page-count test would race huge_pmd_share (Mel on 10); pmd_alloc is done inside the lock so racing faults cannot miss the share or pick a bad pmd (§8)',
    nests: ['huge pte lock'],
    feature: 'hugetlb',
    notes: 'about once per 1 GB (PUD) region per mm, first fault or fork copy, shareable VMAs only (§8)',
    ref: 'docs/reference/kernel-locking.md §2 row 9; §1 review of 10; §8',
  }),
  row({
    id: 'unmap_ref_private',
    file: 'mm/hugetlb.c',
    function: 'unmap_ref_private',
    callers: ['hugetlb_cow failure for a MAP_PRIVATE owner'],
    underLock: 'unmap_hugepage_range on non-owner VMAs at the offset (may huge_pmd_unshare)',
    treeOp: 'iterate',
    needsExclusive: true,
    why: 'touches shared page tables (huge_pmd_unshare), where the lock excludes more than tree changes; Hugh would not ack the non-truncate parts of 10 (§1, §8)',
    nests: [],
    feature: 'hugetlb',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 10; §1 review of 10',
  }),
  row({
    id: 'hugetlb_change_protection',
    file: 'mm/hugetlb.c',
    function: 'hugetlb_change_protection',
    callers: ['mprotect'],
    underLock: 'per huge pte: unshare or change prot; TLB flush before unlock',
    treeOp: 'none',
    needsExclusive: true,
    why: 'shared page tables: the TLB flush must precede the unlock or an unshared page table could be freed early; Hugh would not ack the non-truncate parts of 10 (§1, §2)',
    nests: [],
    feature: 'hugetlb',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 11; §1 review of 10',
  }),
  row({
    id: 'hugetlb_vmtruncate_list',
    file: 'fs/hugetlbfs/inode.c',
    function: 'hugetlb_vmtruncate → hugetlb_vmtruncate_list',
    callers: ['hugetlbfs truncate'],
    underLock: 'VMAs from the offset to the end: unmap_hugepage_range (may huge_pmd_unshare)',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'Hugh (review of 10): the hugetlbfs truncate part looked fine; it stayed W only because 10 was dropped whole. [I] Mel\'s unshare/share race argument applies if huge_pmd_share is shared too',
    nests: [],
    feature: 'hugetlb',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 12; §1 review of 10',
  }),
  row({
    id: 'build_map_info',
    file: 'kernel/events/uprobes.c',
    function: 'build_map_info',
    callers: ['uprobe_register', 'uprobe_unregister'],
    underLock: 'list the VMAs at the offset (GFP_NOWAIT; retry outside the lock if short)',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'the tree is only read (patch 05, acked, merged)',
    nests: [],
    feature: 'uprobes',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 13',
  }),
  row({
    id: '__xip_unmap',
    file: 'mm/filemap_xip.c',
    function: '__xip_unmap',
    callers: [],
    underLock: 'VMAs at the offset; clear the pte of the sparse page',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'the tree is only read (patch 06, acked, merged)',
    nests: [],
    feature: 'xip',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 14',
  }),
  row({
    id: 'collect_procs_file',
    file: 'mm/memory-failure.c',
    function: 'collect_procs_file',
    callers: ['memory failure'],
    underLock: 'per task, VMAs at the offset',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'the tree is only read (patch 07, acked, merged)',
    nests: ['tasklist_lock (read)'],
    feature: 'memory-failure',
    notes: '',
    ref: 'docs/reference/kernel-locking.md §2 row 15; §4 second chain',
  }),
  row({
    id: 'add_vma_to_mm',
    file: 'mm/nommu.c',
    function: 'add_vma_to_mm',
    callers: [],
    underLock: 'tree insert',
    treeOp: 'insert',
    needsExclusive: true,
    why: TREE,
    nests: [],
    feature: 'nommu',
    notes: '!CONFIG_MMU only',
    ref: 'docs/reference/kernel-locking.md §2 row 16',
  }),
  row({
    id: 'delete_vma_from_mm',
    file: 'mm/nommu.c',
    function: 'delete_vma_from_mm',
    callers: [],
    underLock: 'tree remove',
    treeOp: 'remove',
    needsExclusive: true,
    why: TREE,
    nests: [],
    feature: 'nommu',
    notes: '!CONFIG_MMU only',
    ref: 'docs/reference/kernel-locking.md §2 row 16',
  }),
  row({
    id: 'nommu_shrink_inode_mappings',
    file: 'mm/nommu.c',
    function: 'nommu_shrink_inode_mappings',
    callers: [],
    underLock: '-ETXTBSY on a shared overlap; trims regions',
    treeOp: 'iterate',
    needsExclusive: false,
    why: 'the tree is only read (patch 09, acked, merged)',
    nests: [],
    feature: 'nommu',
    notes: '!CONFIG_MMU only',
    ref: 'docs/reference/kernel-locking.md §2 row 17',
  }),
  row({
    id: 'vm_lock_mapping',
    file: 'mm/mmap.c',
    function: 'vm_lock_mapping (in mm_take_all_locks)',
    callers: ['mm_take_all_locks (mmu notifier registration)'],
    underLock: 'nothing: held until mm_drop_all_locks',
    treeOp: 'none',
    needsExclusive: true,
    why: 'patch 03 takes it with down_write_nest_lock (§1); [I] mm_take_all_locks must exclude every other user of the mapping, readers included',
    nests: [],
    feature: 'mmu-notifier',
    notes: 'held across the whole mm_take_all_locks … mm_drop_all_locks section',
    ref: 'docs/reference/kernel-locking.md §2 row 18; §1 row 03',
  }),
  row({
    id: 'remap_file_pages',
    file: 'mm/fremap.c',
    function: 'generic_file_remap_pages',
    callers: ['remap_file_pages (first nonlinear remap of a shared VMA)'],
    underLock: 'tree remove, add to i_mmap_nonlinear',
    treeOp: 'remove',
    needsExclusive: true,
    why: TREE,
    nests: [],
    feature: 'nonlinear',
    notes: 'fremap.c went away when remap_file_pages became an emulation [U: release]',
    ref: 'docs/reference/kernel-locking.md §2 row 19',
  }),
]);

const BY_ID: ReadonlyMap<string, CallSite> = new Map(CALLSITES.map((s) => [s.id, s]));

/** True if `id` names a call site. */
export function isSiteId(id: unknown): id is SiteId {
  return typeof id === 'string' && BY_ID.has(id);
}

/** The call site with this id; throws (listing the ids) for an unknown one. */
export function callSite(id: string): CallSite {
  const s = BY_ID.get(id);
  if (!s) throw new KernelConfigError('site', `unknown i_mmap call site ${show(id)}`, SITE_IDS);
  return s;
}
