import type { Task } from '../sched';
import type { MmContext } from './context';
import type { MmStruct } from './mm_struct';
import type { AddressSpace } from './address_space';
import { Vma, VM_SHARED, VM_WRITE } from './vma';

/** CPU cost of an interval-tree update in a tree of `n` nodes: one visit per level */
export function treeUpdateCost(ctx: MmContext, n: number): number {
  return ctx.costs.treeVisit * Math.max(1, Math.ceil(1.5 * Math.log2(n + 1)));
}

/**
 * vma_link() (mm/mmap.c): link a new VMA into its mm and, for a file VMA, into the
 * file's i_mmap tree under the i_mmap lock (call site `vma_link`). Caller holds
 * mm->mmap_sem for write.
 */
export function* vmaLink(ctx: MmContext, task: Task, vma: Vma): Generator<unknown, void, unknown> {
  const file = vma.file;
  if (!file) {
    vma.mm.insertVma(vma);
    yield* ctx.compute(task, ctx.costs.vmaLink);
    return;
  }
  const mode = yield* ctx.immapLock(task, file, 'vma_link');
  // __vma_link(): rb-tree and list of the mm; __vma_link_file(): counters + tree insert
  vma.mm.insertVma(vma);
  if (vma.has(VM_SHARED) && vma.has(VM_WRITE)) file.i_mmap_writable++;
  vma.itNode = file.i_mmap.insert(vma.pgoff, vma.lastPgoff, vma);
  yield* ctx.compute(task, ctx.costs.vmaLink + treeUpdateCost(ctx, file.i_mmap.size));
  yield* ctx.immapUnlock(task, file, mode);
}

/**
 * unlink_file_vma() (mm/mmap.c), from free_pgtables(): remove a file VMA from its
 * file's tree, once per file VMA at munmap and exit (call site `unlink_file_vma`).
 */
export function* unlinkFileVma(ctx: MmContext, task: Task, vma: Vma): Generator<unknown, void, unknown> {
  const file = vma.file;
  if (!file || !vma.itNode) return;
  const mode = yield* ctx.immapLock(task, file, 'unlink_file_vma');
  if (vma.has(VM_SHARED) && vma.has(VM_WRITE)) file.i_mmap_writable--;
  const n = file.i_mmap.size;
  file.i_mmap.remove(vma.itNode);
  vma.itNode = null;
  yield* ctx.compute(task, treeUpdateCost(ctx, n));
  yield* ctx.immapUnlock(task, file, mode);
}

export interface MmapRequest {
  file: AddressSpace | null;
  pgoff: number;
  pages: number;
  flags: number;
  /** fixed address (MAP_FIXED); default: lowest free range */
  addr?: number;
}

/**
 * mmap_region() (mm/mmap.c) for a new range that overlaps nothing: allocate the VMA
 * and vma_link() it. Caller holds mm->mmap_sem for write.
 */
export function* mmapRegion(ctx: MmContext, task: Task, mm: MmStruct, req: MmapRequest): Generator<unknown, Vma, unknown> {
  const addr = req.addr ?? mm.unmappedArea(req.pages);
  const vma = new Vma(mm, addr, addr + req.pages, req.pgoff, req.flags, req.file);
  yield* ctx.compute(task, ctx.costs.vmaCopy);
  yield* vmaLink(ctx, task, vma);
  return vma;
}
