import type { Task } from '../../sched';
import type { Proc } from '../../engine';
import type { MmContext } from './context';
import { unmapHugepageRangeFinal, hugetlbFreePgdRange, hugetlbChangeProtection } from '../hugetlb';
import { copyHugetlbPageRange, hugetlbFault, type HugetlbFaultResult } from '../hugetlb_fault';
import { VM_WRITE, type Vma } from '../vma';

/**
 * The hugetlb branches of the generic paths (memory.ts: the fault path, unmap_single_vma,
 * copy_page_range; mmap.ts: free_pgtables; mprotect.ts: change_protection), as the kernel's
 * `is_vm_hugetlb_page(vma)` tests send them to mm/hugetlb.c. The generic files reach them
 * through `ctx.hugetlb` (MmContext owns one copy, filled from HUGETLB_OPS when it is
 * made) rather than importing hugetlb.ts, which imports them. So whoever imports
 * memory.ts alone gets huge pages on a hugetlb VMA, never ptes. (Was: memory.ts and
 * mprotect.ts held hooks defaulting to ptes, filled in when src/mm/index.ts imported this
 * file for its side effect.)
 */
export interface HugetlbOps {
  /** hugetlb_fault() from handle_mm_fault(), mmap_sem held for read */
  fault(ctx: MmContext, task: Task, vma: Vma, addr: number, write: boolean): Proc<HugetlbFaultResult>;
  /** the hugetlb branch of unmap_single_vma(): i_mmap at `unmap_single_vma` around __unmap_hugepage_range_final() */
  unmapHugepageRangeFinal(ctx: MmContext, task: Task, vma: Vma, start: number, end: number): Proc;
  /** copy_hugetlb_page_range() from copy_page_range() (fork) */
  copyHugetlbPageRange(ctx: MmContext, task: Task, dst: Vma, src: Vma): Proc;
  /** hugetlb_free_pgd_range() from free_pgtables(): drop the (maybe shared) PMD pages */
  freePgdRange(ctx: MmContext, vma: Vma): void;
  /** hugetlb_change_protection() from change_protection(), writable as the VMA now is */
  changeProtection(ctx: MmContext, task: Task, vma: Vma, start: number, end: number): Proc;
}

export const HUGETLB_OPS: Readonly<HugetlbOps> = Object.freeze({
  fault: hugetlbFault,
  unmapHugepageRangeFinal,
  copyHugetlbPageRange,
  freePgdRange: hugetlbFreePgdRange,
  *changeProtection(ctx: MmContext, task: Task, vma: Vma, start: number, end: number): Proc {
    yield* hugetlbChangeProtection(ctx, task, vma, start, end, vma.has(VM_WRITE));
  },
});
