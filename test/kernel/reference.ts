/**
 * An independent transcription of docs/reference/kernel-locking.md §2's mode columns (v1 = all ten v1
 * patches as benchmarked, 3.19 = what was merged), with the patch named in the v1 column.
 * The kernel layer derives these from the patch data; the tests compare the two.
 */
export const REFERENCE_MODES: Record<string, { v1: 'R' | 'W'; v1Patch: number; v319: 'R' | 'W' }> = {
  vma_link: { v1: 'W', v1Patch: 3, v319: 'W' },
  unlink_file_vma: { v1: 'W', v1Patch: 3, v319: 'W' },
  vma_adjust: { v1: 'W', v1Patch: 3, v319: 'W' },
  dup_mmap: { v1: 'W', v1Patch: 3, v319: 'W' },
  move_ptes: { v1: 'R', v1Patch: 8, v319: 'W' },
  unmap_mapping_range: { v1: 'W', v1Patch: 3, v319: 'W' },
  unmap_single_vma: { v1: 'R', v1Patch: 10, v319: 'W' },
  rmap_walk_file: { v1: 'R', v1Patch: 4, v319: 'R' },
  huge_pmd_share: { v1: 'R', v1Patch: 10, v319: 'W' },
  unmap_ref_private: { v1: 'R', v1Patch: 10, v319: 'W' },
  hugetlb_change_protection: { v1: 'R', v1Patch: 10, v319: 'W' },
  hugetlb_vmtruncate_list: { v1: 'R', v1Patch: 10, v319: 'W' },
  build_map_info: { v1: 'R', v1Patch: 5, v319: 'R' },
  __xip_unmap: { v1: 'R', v1Patch: 6, v319: 'R' },
  collect_procs_file: { v1: 'R', v1Patch: 7, v319: 'R' },
  add_vma_to_mm: { v1: 'W', v1Patch: 3, v319: 'W' },
  delete_vma_from_mm: { v1: 'W', v1Patch: 3, v319: 'W' },
  nommu_shrink_inode_mappings: { v1: 'R', v1Patch: 9, v319: 'R' },
  vm_lock_mapping: { v1: 'W', v1Patch: 3, v319: 'W' },
  remap_file_pages: { v1: 'W', v1Patch: 3, v319: 'W' },
};

/** The site ids the brief asks for, in its order. */
export const BRIEF_IDS = [
  'vma_link', 'unlink_file_vma', 'vma_adjust', 'dup_mmap', 'move_ptes', 'unmap_mapping_range',
  'unmap_single_vma', 'rmap_walk_file', 'huge_pmd_share', 'unmap_ref_private',
  'hugetlb_change_protection', 'hugetlb_vmtruncate_list', 'build_map_info', '__xip_unmap',
  'collect_procs_file', 'add_vma_to_mm', 'delete_vma_from_mm', 'nommu_shrink_inode_mappings',
  'vm_lock_mapping', 'remap_file_pages',
];
