import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { AddressSpace } from './address_space';
import { mmapRegion } from './mmap';
import { VM_HUGETLB, VM_MAYSHARE, VM_READ, VM_SHARED, VM_WRITE, type Vma } from './vma';
import { HPAGE_PAGES } from './hugetlb_pgtable';
import { hstate } from './hugetlb_hstate';
import { unmapHugepageRange } from './hugetlb';
import type { Proc } from '../engine';

/**
 * hugetlbfs files (fs/hugetlbfs/inode.c 3.18). Sizes and offsets of the file and of its
 * VMAs are in 4 KiB pages, like vm_pgoff (nrPages = huge pages × 512, so the i_mmap tree
 * is keyed exactly as the kernel's); its page cache holds huge pages by huge-page index
 * (Page.index = huge index, as page->index of a hugetlb page).
 */
export function newHugetlbfsFile(ctx: MmContext, name: string, hugePages: number, node = 0): AddressSpace {
  if (!Number.isInteger(hugePages) || hugePages < 1) throw new Error(`hugetlbfs file ${name}: hugePages must be a positive integer, got ${hugePages}`);
  const f = ctx.newFile(name, { nrPages: hugePages * HPAGE_PAGES, node, hugetlb: true });
  hstate(ctx).inode(f);
  return f;
}

export interface HugetlbMmapRequest {
  /** offset in the file, 4 KiB pages, huge-page aligned */
  pgoff: number;
  /** length in 4 KiB pages, huge-page aligned */
  pages: number;
  /** MAP_SHARED (VM_SHARED | VM_MAYSHARE) or MAP_PRIVATE */
  shared: boolean;
  /** PROT_WRITE (default true) */
  write?: boolean;
  /** fixed address; default the lowest free range aligned to `align` */
  addr?: number;
  /** alignment of a chosen address in pages (default HPAGE_PAGES; PUD_PAGES for PMD sharing) */
  align?: number;
}

/**
 * mmap of a hugetlbfs file (hugetlbfs_file_mmap + mmap_region), caller holds mmap_sem for
 * write: a VM_HUGETLB VMA linked under i_mmap (site vma_link). A MAP_PRIVATE mapping becomes
 * the owner of its reservation (HPAGE_RESV_OWNER, hugetlb_reserve_pages).
 */
export function* hugetlbfsMmap(ctx: MmContext, task: Task, mm: MmStruct, file: AddressSpace, req: HugetlbMmapRequest): Proc<Vma> {
  if (!file.hugetlb) throw new Error(`${file.name} is not a hugetlbfs file`);
  if (req.pgoff % HPAGE_PAGES || req.pages % HPAGE_PAGES || req.pages <= 0) throw new Error(`hugetlbfs mmap: pgoff ${req.pgoff} and pages ${req.pages} must be positive multiples of ${HPAGE_PAGES}`);
  const align = req.align ?? HPAGE_PAGES;
  const addr = req.addr ?? alignedUnmappedArea(mm, req.pages, align);
  if (addr % HPAGE_PAGES) throw new Error(`hugetlbfs mmap: address ${addr} not huge-page aligned`);
  let flags = VM_READ | VM_HUGETLB | ((req.write ?? true) ? VM_WRITE : 0);
  if (req.shared) flags |= VM_SHARED | VM_MAYSHARE;
  const vma = yield* mmapRegion(ctx, task, mm, { file, pgoff: req.pgoff, pages: req.pages, flags, addr });
  if (!req.shared) hstate(ctx).resvOwner.add(vma);
  return vma;
}

/** lowest free range of `pages` at an `align`-aligned address */
export function alignedUnmappedArea(mm: MmStruct, pages: number, align: number): number {
  let from = align;
  for (;;) {
    const a = mm.unmappedArea(pages, from);
    if (a % align === 0) return a;
    from = Math.ceil(a / align) * align;
  }
}

/**
 * hugetlb_vmtruncate() (fs/hugetlbfs/inode.c), from hugetlbfs_setattr (i_mutex held, not
 * modelled): set i_size, then under i_mmap (site hugetlb_vmtruncate_list; the kernel skips
 * the walk, not the lock, when the tree is empty) unmap every VMA beyond the new size, then
 * truncate_hugepages: drop the page-cache pages beyond it (freed once unmapped).
 */
export function* hugetlbVmtruncate(ctx: MmContext, task: Task, file: AddressSpace, newHugePages: number): Proc {
  const st = hstate(ctx);
  const inode = st.inode(file);
  inode.size = newHugePages; // i_size_write
  const pgoff = newHugePages * HPAGE_PAGES;
  const mode = yield* ctx.immapLock(task, file, 'hugetlb_vmtruncate_list');
  if (!file.i_mmap.isEmpty()) yield* hugetlbVmtruncateList(ctx, task, file, pgoff);
  yield* ctx.immapUnlock(task, file, mode);
  // truncate_hugepages()
  const doomed = [...inode.pages.keys()].filter((i) => i >= newHugePages).sort((a, b) => a - b);
  for (const i of doomed) {
    const page = inode.pages.get(i)!;
    yield* page.lockPage(task);
    inode.pages.delete(i);
    page.mapping = null; // delete_from_page_cache
    yield* ctx.compute(task, ctx.costs.treeVisit);
    yield* page.unlockPage(task);
    if (page.mapcount === 0) yield* st.freeHugePage(task, page);
  }
}

/**
 * hugetlb_vmtruncate_list() (fs/hugetlbfs/inode.c), i_mmap held: every VMA overlapping
 * [pgoff, ULONG_MAX] loses its ptes from that offset on (unmap_hugepage_range, which
 * unshares shared PMD pages of the other mms).
 */
export function* hugetlbVmtruncateList(ctx: MmContext, task: Task, file: AddressSpace, pgoff: number): Proc {
  const vmas: Vma[] = [];
  const visits = file.i_mmap.forEachOverlap(pgoff, Number.MAX_SAFE_INTEGER, (n) => {
    vmas.push(n.value);
  });
  yield* ctx.compute(task, visits * ctx.costs.treeVisit);
  for (const vma of vmas) {
    const vOffset = vma.pgoff < pgoff ? pgoff - vma.pgoff : 0;
    yield* unmapHugepageRange(ctx, task, vma, vma.start + vOffset, vma.end);
  }
}
