import type { Task } from '../sched';
import { RwSem, type SleepLock } from '../locking';
import type { MmContext } from './model/context';
import { LOCKDEP_CLASSES } from './model/context';
import type { AddressSpace } from './address_space';
import type { MmStruct } from './mm_struct';
import { treeUpdateCost } from './mmap';
import { Vma, VM_MAYSHARE, VM_SHARED } from './vma';
import type { Proc } from '../engine';

/**
 * !CONFIG_MMU mappings (mm/nommu.c, 3.18). A VMA points to a `vm_region` (the memory
 * actually backing it), shared by every VMA of a MAP_SHARED mapping of the same file range.
 * Regions are managed under the global `nommu_region_sem`, taken for write around mmap and
 * around nommu_shrink_inode_mappings — which also takes i_mmap (site
 * nommu_shrink_inode_mappings; R since patch 09). Every other i_mmap user of a nommu kernel
 * is a tree update (W) or needs the MMU (rmap, uprobes, memory failure), and the shrinker
 * runs under nommu_region_sem W, so its read mode can overlap no other holder [I].
 */
export class VmRegion {
  usage = 1;
  /** [start, end) in pages; `top` = end of the allocation (vm_top) */
  constructor(public start: number, public end: number, public top: number, readonly pgoff: number, readonly file: AddressSpace | null) {}
}

const regions = new WeakMap<Vma, VmRegion>();
const regionSems = new WeakMap<MmContext, SleepLock>();

/** vma->vm_region */
export function vmRegion(vma: Vma): VmRegion | undefined {
  return regions.get(vma);
}

/** `nommu_region_sem` (mm/nommu.c), an rw_semaphore of class nommu_region_sem */
export function nommuRegionSem(ctx: MmContext): SleepLock {
  let l = regionSems.get(ctx);
  if (!l) regionSems.set(ctx, (l = new RwSem(ctx.env, LOCKDEP_CLASSES.nommu_region_sem, 'nommu_region_sem')));
  return l;
}

/**
 * add_vma_to_mm() (mm/nommu.c): link a file VMA into i_mmap under i_mmap (site
 * add_vma_to_mm, W in every kernel), then into the mm's tree and list. Caller holds
 * mmap_sem W and nommu_region_sem W (do_mmap_pgoff).
 */
export function* addVmaToMm(ctx: MmContext, task: Task, mm: MmStruct, vma: Vma): Proc {
  const file = vma.file;
  if (file) {
    const mode = yield* ctx.immapLock(task, file, 'add_vma_to_mm');
    vma.itNode = file.i_mmap.insert(vma.pgoff, vma.lastPgoff, vma);
    yield* ctx.compute(task, treeUpdateCost(ctx, file.i_mmap.size));
    yield* ctx.immapUnlock(task, file, mode);
  }
  mm.insertVma(vma);
  yield* ctx.compute(task, ctx.costs.vmaLink);
}

/**
 * delete_vma_from_mm() (mm/nommu.c): unlink a file VMA from i_mmap under i_mmap (site
 * delete_vma_from_mm, W), then from the mm. Caller holds mmap_sem W (munmap) or the mm is dying.
 */
export function* deleteVmaFromMm(ctx: MmContext, task: Task, vma: Vma): Proc {
  const file = vma.file;
  if (file && vma.itNode) {
    const mode = yield* ctx.immapLock(task, file, 'delete_vma_from_mm');
    const n = file.i_mmap.size;
    file.i_mmap.remove(vma.itNode);
    vma.itNode = null;
    yield* ctx.compute(task, treeUpdateCost(ctx, n));
    yield* ctx.immapUnlock(task, file, mode);
  }
  vma.mm.removeVma(vma);
  yield* ctx.compute(task, ctx.costs.vmaLink);
}

/**
 * do_mmap_pgoff() for a file on !MMU (reduced): under nommu_region_sem W, a MAP_SHARED
 * mapping reuses the region of an existing shared VMA of the same file range (usage++),
 * else gets a new region; then add_vma_to_mm. Caller holds mmap_sem W.
 */
export function* nommuMmap(ctx: MmContext, task: Task, mm: MmStruct, file: AddressSpace, pgoff: number, pages: number, shared: boolean): Proc<Vma> {
  const sem = nommuRegionSem(ctx);
  yield* sem.acquire(task, 'write', 'do_mmap_pgoff');
  let region: VmRegion | null = null;
  // the kernel searches nommu_region_tree (under nommu_region_sem); the file's VMAs hold the same regions
  if (shared) {
    file.i_mmap.forEachOverlap(pgoff, pgoff + pages - 1, (n) => {
      const r = regions.get(n.value);
      if (n.value.has(VM_SHARED) && r && r.pgoff === pgoff && r.end - r.start >= pages) {
        region = r;
        return false;
      }
    });
  }
  const r: VmRegion = region ?? new VmRegion(0, 0, 0, pgoff, file);
  if (region) {
    r.usage++;
  } else {
    const start = mm.unmappedArea(pages);
    r.start = start;
    r.end = r.top = start + pages;
  }
  const vma = new Vma(mm, r.start, r.start + pages, pgoff, shared ? VM_SHARED | VM_MAYSHARE : 0, file);
  regions.set(vma, r);
  yield* ctx.compute(task, ctx.costs.vmaCopy);
  yield* addVmaToMm(ctx, task, mm, vma);
  yield* sem.release(task, 'write');
  return vma;
}

/** do_munmap() on !MMU: delete_vma_from_mm, then put_nommu_region under nommu_region_sem W */
export function* nommuMunmap(ctx: MmContext, task: Task, vma: Vma): Proc {
  yield* deleteVmaFromMm(ctx, task, vma);
  const r = regions.get(vma);
  if (!r) return;
  const sem = nommuRegionSem(ctx);
  yield* sem.acquire(task, 'write', 'put_nommu_region');
  r.usage--;
  yield* sem.release(task, 'write');
}

export const ETXTBSY = -26;

/**
 * nommu_shrink_inode_mappings() (mm/nommu.c), from a ramfs truncate (sizes in pages):
 * under nommu_region_sem W and i_mmap (site nommu_shrink_inode_mappings), any VM_SHARED
 * VMA overlapping the dead zone [newSize, oldSize] fails the shrink with -ETXTBSY; else
 * every shared VMA's region is trimmed to the new size (vm_top, and vm_end if beyond).
 */
export function* nommuShrinkInodeMappings(ctx: MmContext, task: Task, file: AddressSpace, oldSize: number, newSize: number): Proc<number> {
  const sem = nommuRegionSem(ctx);
  yield* sem.acquire(task, 'write', 'nommu_shrink_inode_mappings');
  const mode = yield* ctx.immapLock(task, file, 'nommu_shrink_inode_mappings');
  let busy = false;
  let visits = file.i_mmap.forEachOverlap(newSize, Math.max(newSize, oldSize), (n) => {
    if (n.value.has(VM_SHARED)) {
      busy = true;
      return false;
    }
  });
  if (!busy) {
    visits += file.i_mmap.forEachOverlap(0, Number.MAX_SAFE_INTEGER, (n) => {
      if (!n.value.has(VM_SHARED)) return;
      const r = regions.get(n.value);
      if (!r) return;
      const rTop = r.pgoff + (r.top - r.start);
      if (rTop > newSize) {
        r.top -= rTop - newSize;
        if (r.end > r.top) r.end = r.top;
      }
    });
  }
  yield* ctx.compute(task, visits * ctx.costs.treeVisit);
  yield* ctx.immapUnlock(task, file, mode);
  yield* sem.release(task, 'write');
  return busy ? ETXTBSY : 0;
}
