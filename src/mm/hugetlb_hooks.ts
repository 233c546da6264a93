import { hugetlbHooks } from './memory';
import { mprotectHooks } from './mprotect';
import { unmapHugepageRangeFinal, hugetlbFreePgdRange, hugetlbChangeProtection } from './hugetlb';
import { copyHugetlbPageRange } from './hugetlb_fault';
import { VM_WRITE } from './vma';

/**
 * Plug the hugetlb implementations into the generic paths that call them (memory.ts:
 * unmap_single_vma, copy_page_range, free_pgtables; mprotect.ts: change_protection).
 * The generic files only hold hooks so that they do not import hugetlb (no import cycle).
 * Imported for its effect by src/mm/index.ts.
 */
hugetlbHooks.unmapHugepageRangeFinal = unmapHugepageRangeFinal;
hugetlbHooks.copyHugetlbPageRange = copyHugetlbPageRange;
hugetlbHooks.freePgdRange = hugetlbFreePgdRange;
mprotectHooks.hugetlbChangeProtection = function* (ctx, task, vma, start, end) {
  yield* hugetlbChangeProtection(ctx, task, vma, start, end, vma.has(VM_WRITE));
};
