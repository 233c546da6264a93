import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import type { AddressSpace } from './address_space';
import type { AnonVma } from './anon_vma';
import type { LockMode } from '../locking';
import { Mutex } from '../locking';
import { Vma, VM_SHARED, VM_READ, VM_WRITE, VM_EXEC, VM_HUGETLB, VM_NONLINEAR } from './vma';
import { anonVmaClone, unlinkAnonVmas } from './rmap_anon';
import { unmapVmas } from './memory';
import type { Proc } from '../engine';

/** CPU cost of an interval-tree update in a tree of `n` nodes: one visit per level */
export function treeUpdateCost(ctx: MmContext, n: number): number {
  return ctx.costs.treeVisit * Math.max(1, Math.ceil(1.5 * Math.log2(n + 1)));
}

/**
 * vma_link() (mm/mmap.c): link a new VMA into its mm and, for a file VMA, into the
 * file's i_mmap tree under the i_mmap lock (call site `vma_link`). Caller holds
 * mm->mmap_sem for write.
 */
export function* vmaLink(ctx: MmContext, task: Task, vma: Vma): Proc {
  const file = vma.file;
  if (!file) {
    vma.mm.insertVma(vma);
    yield* ctx.compute(task, ctx.costs.vmaLink);
    return;
  }
  const mode = yield* ctx.immapLock(task, file, 'vma_link');
  // __vma_link(): rb-tree and list of the mm; __vma_link_file(): counters + tree insert
  vma.mm.insertVma(vma);
  linkFileLocked(vma);
  yield* ctx.compute(task, ctx.costs.vmaLink + treeUpdateCost(ctx, file.i_mmap.size));
  yield* ctx.immapUnlock(task, file, mode);
}

/**
 * unlink_file_vma() (mm/mmap.c), from free_pgtables(): remove a file VMA from its
 * file's tree, once per file VMA at munmap and exit (call site `unlink_file_vma`).
 */
export function* unlinkFileVma(ctx: MmContext, task: Task, vma: Vma): Proc {
  const file = vma.file;
  if (!file || !(vma.itNode || file.i_mmap_nonlinear.has(vma))) return;
  const mode = yield* ctx.immapLock(task, file, 'unlink_file_vma');
  const n = file.i_mmap.size;
  unlinkFileLocked(vma);
  yield* ctx.compute(task, treeUpdateCost(ctx, n));
  yield* ctx.immapUnlock(task, file, mode);
}

/**
 * __vma_link_file() (mm/mmap.c), i_mmap held: i_mmap_writable for VM_SHARED (3.18 counts
 * VM_SHARED mappings, writable or not), then the tree — or i_mmap_nonlinear.
 */
export function linkFileLocked(vma: Vma): void {
  const file = vma.file!;
  if (vma.has(VM_SHARED)) file.i_mmap_writable++;
  if (vma.has(VM_NONLINEAR)) file.i_mmap_nonlinear.add(vma);
  else vma.itNode = file.i_mmap.insert(vma.pgoff, vma.lastPgoff, vma);
}

/** __remove_shared_vm_struct() (mm/mmap.c), i_mmap held: undo linkFileLocked */
export function unlinkFileLocked(vma: Vma): void {
  const file = vma.file!;
  if (vma.has(VM_SHARED)) file.i_mmap_writable--;
  if (vma.itNode) {
    file.i_mmap.remove(vma.itNode);
    vma.itNode = null;
  }
  file.i_mmap_nonlinear.delete(vma);
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
export function* mmapRegion(ctx: MmContext, task: Task, mm: MmStruct, req: MmapRequest): Proc<Vma> {
  const addr = req.addr ?? mm.unmappedArea(req.pages);
  const vma = new Vma(mm, addr, addr + req.pages, req.pgoff, req.flags, req.file);
  yield* ctx.compute(task, ctx.costs.vmaCopy);
  yield* vmaLink(ctx, task, vma);
  return vma;
}

// ---------------------------------------------------------------- VMA list helpers

/** vma->vm_prev */
export function vmaPrev(vma: Vma): Vma | null {
  const v = vma.mm.vmas, i = v.indexOf(vma);
  return i > 0 ? v[i - 1] : null;
}

/** vma->vm_next */
export function vmaNext(vma: Vma): Vma | null {
  const v = vma.mm.vmas, i = v.indexOf(vma);
  return i >= 0 && i + 1 < v.length ? v[i + 1] : null;
}

/** find_vma() (mm/mmap.c): the first VMA with end > addr (it may start above addr) */
export function findVmaFrom(mm: MmStruct, addr: number): Vma | null {
  for (const v of mm.vmas) if (v.end > addr) return v;
  return null;
}

/** the last VMA ending at or below addr (find_vma_links' prev) */
function prevOf(mm: MmStruct, addr: number): Vma | null {
  let prev: Vma | null = null;
  for (const v of mm.vmas) {
    if (v.end > addr) break;
    prev = v;
  }
  return prev;
}

/** 'r-x' / 'rw-' / 'r--' / '---' → VM_READ | VM_WRITE | VM_EXEC (calc_vm_prot_bits) */
export function protFlags(prot: string): number {
  if (!/^[r-][w-][x-]$/.test(prot)) throw new Error(`protection must look like 'r-x', got ${JSON.stringify(prot)}`);
  return (prot[0] === 'r' ? VM_READ : 0) | (prot[1] === 'w' ? VM_WRITE : 0) | (prot[2] === 'x' ? VM_EXEC : 0);
}

// ---------------------------------------------------------------- vma_merge / vma_adjust / split

/** VM_SPECIAL: never merged (hugetlbfs sets VM_DONTEXPAND, part of VM_SPECIAL) */
const VM_SPECIAL = VM_HUGETLB;

/** is_mergeable_anon_vma(): list_is_singular(&vma->anon_vma_chain) ⇔ its anon_vma is its own root */
function isMergeableAnonVma(a1: AnonVma | null, a2: AnonVma | null, vma: Vma | null): boolean {
  const singular = vma !== null && vma.anonVma !== null && vma.anonVma.root === vma.anonVma;
  if ((!a1 || !a2) && (!vma || singular)) return true;
  return a1 === a2;
}

function canMerge(vma: Vma, flags: number, anonVma: AnonVma | null, file: AddressSpace | null): boolean {
  return vma.flags === flags && vma.file === file && isMergeableAnonVma(anonVma, vma.anonVma, vma);
}

/**
 * vma_merge() (mm/mmap.c): can [addr, end) with these attributes join `prev` and/or the
 * next VMA? Then vma_adjust does it (cases 1-8 of the kernel's comment) and the merged
 * VMA is returned; null if nothing merges. Caller holds mmap_sem for write.
 */
export function* vmaMerge(ctx: MmContext, task: Task, mm: MmStruct, prev: Vma | null, addr: number, end: number, flags: number,
  anonVma: AnonVma | null, file: AddressSpace | null, pgoff: number): Proc<Vma | null> {
  if (flags & VM_SPECIAL) return null;
  const pglen = end - addr;
  let next = prev ? vmaNext(prev) : (mm.vmas[0] ?? null);
  const area = next;
  if (next && next.end === end) next = vmaNext(next); // cases 6, 7, 8
  if (prev && prev.end === addr && canMerge(prev, flags, anonVma, file) && prev.pgoff + prev.pages === pgoff) {
    if (next && end === next.start && canMerge(next, flags, anonVma, file) && next.pgoff === pgoff + pglen &&
      isMergeableAnonVma(prev.anonVma, next.anonVma, null)) {
      yield* vmaAdjust(ctx, task, prev, prev.start, next.end, prev.pgoff, null); // cases 1, 6
    } else {
      yield* vmaAdjust(ctx, task, prev, prev.start, end, prev.pgoff, null); // cases 2, 5, 7
    }
    return prev;
  }
  if (next && end === next.start && canMerge(next, flags, anonVma, file) && next.pgoff === pgoff + pglen) {
    if (prev && addr < prev.end) yield* vmaAdjust(ctx, task, prev, prev.start, addr, prev.pgoff, null); // case 4
    else yield* vmaAdjust(ctx, task, area!, addr, next.end, next.pgoff - pglen, null); // cases 3, 8
    return area;
  }
  return null;
}

/**
 * vma_adjust() (mm/mmap.c): give `vma` the bounds [start, end) and `pgoff`; link `insert`
 * (a split-off piece); or, when growing, swallow the next VMA (remove_next, twice in
 * mprotect case 6 — one pass per lock round, like the kernel's `goto again`) or move the
 * boundary with it (adjust_next). Under i_mmap (site `vma_adjust`, file VMAs only) and,
 * nested inside, anon_vma_lock_write: the VMA (and an adjusted next) leave the interval
 * tree, change bounds and go back in (IntervalTree.insertNode). Caller holds mmap_sem W.
 */
export function* vmaAdjust(ctx: MmContext, task: Task, vma: Vma, start: number, end: number, pgoff: number,
  insert: Vma | null): Proc {
  const mm = vma.mm;
  let next = vmaNext(vma);
  let again = false;
  for (;;) {
    let removeNext = 0, adjustNext = 0;
    if (next && !insert) {
      let exporter: Vma | null = null, importer: Vma | null = null;
      if (again || end >= next.end) {
        removeNext = 1 + (end > next.end ? 1 : 0);
        end = next.end;
        exporter = next;
        importer = vma;
      } else if (end > next.start) {
        adjustNext = end - next.start; // vma takes the head of next (mprotect case 5)
        exporter = next;
        importer = vma;
      } else if (end < vma.end) {
        adjustNext = -(vma.end - end); // next takes the tail of vma (mprotect case 4)
        exporter = vma;
        importer = next;
      }
      // the importer must carry the exporter's anon_vma to cover imported anon pages
      if (exporter && importer && exporter.anonVma && !importer.anonVma) yield* anonVmaClone(ctx, task, importer, exporter);
    }
    const file = vma.file;
    let mode: LockMode | null = null;
    let treeOps = 0;
    if (file) {
      mode = yield* ctx.immapLock(task, file, 'vma_adjust');
      if (insert) { linkFileLocked(insert); treeOps++; } // __vma_link_file(insert)
    }
    let av = vma.anonVma;
    if (!av && adjustNext && next) av = next.anonVma;
    const avLock = av ? av.rwsem : null;
    if (avLock) yield* avLock.acquire(task, 'write', 'vma_adjust');
    const linear = file !== null && !vma.has(VM_NONLINEAR);
    if (linear) {
      file.i_mmap.remove(vma.itNode!);
      if (adjustNext) file.i_mmap.remove(next!.itNode!);
      treeOps += adjustNext ? 2 : 1;
    }
    vma.start = start;
    vma.end = end;
    vma.pgoff = pgoff;
    if (adjustNext) {
      next!.start += adjustNext;
      next!.pgoff += adjustNext;
    }
    if (linear) {
      if (adjustNext) file.i_mmap.insertNode(next!.itNode!, next!.pgoff, next!.lastPgoff);
      file.i_mmap.insertNode(vma.itNode!, vma.pgoff, vma.lastPgoff);
      treeOps += adjustNext ? 2 : 1;
    }
    let listOps = 0;
    if (removeNext) {
      mm.removeVma(next!); // __vma_unlink
      if (file) { unlinkFileLocked(next!); treeOps++; } // __remove_shared_vm_struct
      listOps++;
    } else if (insert) {
      mm.insertVma(insert); // __insert_vm_struct
      listOps++;
    }
    yield* ctx.compute(task, listOps * ctx.costs.vmaLink + (file ? treeOps * treeUpdateCost(ctx, file.i_mmap.size) : 0));
    if (avLock) yield* avLock.release(task, 'write');
    if (file) yield* ctx.immapUnlock(task, file, mode!);
    if (removeNext) {
      if (next!.anonVma) yield* unlinkAnonVmas(ctx, task, next!); // anon_vma_merge
      next = vmaNext(vma);
      if (removeNext === 2) {
        again = true;
        continue;
      }
    }
    return;
  }
}

/**
 * __split_vma() (mm/mmap.c): split `vma` at `addr`; the new VMA takes the part below
 * (`newBelow`) or above. anon_vma_clone (root W), then vma_adjust inserting the new one.
 */
export function* splitVma(ctx: MmContext, task: Task, vma: Vma, addr: number, newBelow: boolean): Proc<Vma> {
  if (!(addr > vma.start && addr < vma.end)) throw new Error(`split_vma: ${addr} is not inside [${vma.start}, ${vma.end})`);
  const nw = new Vma(vma.mm, vma.start, vma.end, vma.pgoff, vma.flags, vma.file);
  if (newBelow) nw.end = addr;
  else {
    nw.start = addr;
    nw.pgoff += addr - vma.start;
  }
  yield* ctx.compute(task, ctx.costs.vmaCopy);
  yield* anonVmaClone(ctx, task, nw, vma);
  if (newBelow) yield* vmaAdjust(ctx, task, vma, addr, vma.end, vma.pgoff + (addr - nw.start), nw);
  else yield* vmaAdjust(ctx, task, vma, vma.start, addr, vma.pgoff, nw);
  return nw;
}

// ---------------------------------------------------------------- munmap

/**
 * do_munmap() (mm/mmap.c): unmap [start, start + pages). A VMA straddling either end is
 * split first (__split_vma → vma_adjust); the VMAs inside are detached from the mm, then
 * unmap_region zaps and frees them. Caller holds mmap_sem for write.
 */
export function* doMunmap(ctx: MmContext, task: Task, mm: MmStruct, start: number, pages: number): Proc {
  if (!(pages > 0)) throw new Error(`munmap: length must be > 0 pages, got ${pages}`);
  const end = start + pages;
  let vma = findVmaFrom(mm, start);
  if (!vma || vma.start >= end) return;
  let prev = vmaPrev(vma);
  if (start > vma.start) {
    yield* splitVma(ctx, task, vma, start, false);
    prev = vma;
  }
  const last = findVmaFrom(mm, end);
  if (last && end > last.start) yield* splitVma(ctx, task, last, end, true);
  vma = prev ? vmaNext(prev) : (mm.vmas[0] ?? null);
  // detach_vmas_to_be_unmapped
  const detached: Vma[] = [];
  for (; vma && vma.start < end; vma = vmaNext(vma)) detached.push(vma);
  for (const v of detached) mm.removeVma(v);
  yield* ctx.compute(task, detached.length * ctx.costs.vmaLink);
  yield* unmapRegion(ctx, task, detached, start, end);
}

/** unmap_region() (mm/mmap.c): unmap_vmas, then free_pgtables, for detached VMAs */
export function* unmapRegion(ctx: MmContext, task: Task, vmas: readonly Vma[], start: number, end: number): Proc {
  yield* unmapVmas(ctx, task, vmas, start, end);
  yield* freePgtables(ctx, task, vmas);
}

/**
 * free_pgtables() (mm/memory.c): per VMA, hide it from rmap — unlink_anon_vmas (anon_vma
 * root W) then unlink_file_vma (i_mmap W) — and free its page tables.
 */
export function* freePgtables(ctx: MmContext, task: Task, vmas: readonly Vma[]): Proc {
  for (const v of vmas) {
    yield* unlinkAnonVmas(ctx, task, v);
    yield* unlinkFileVma(ctx, task, v);
    if (v.has(VM_HUGETLB)) ctx.hugetlb.freePgdRange(ctx, v);
    yield* ctx.compute(task, ctx.costs.freePgtables);
  }
}

/** vm_munmap(): do_munmap under mmap_sem for write */
export function* vmMunmap(ctx: MmContext, task: Task, mm: MmStruct, start: number, pages: number): Proc {
  yield* mm.mmapSem.acquire(task, 'write', 'munmap');
  try {
    yield* doMunmap(ctx, task, mm, start, pages);
  } finally {
    yield* mm.mmapSem.release(task, 'write');
  }
}

// ---------------------------------------------------------------- mmap

/**
 * mmap_region() (mm/mmap.c) in full: with `fixed` (MAP_FIXED) whatever overlaps
 * [addr, addr + pages) is unmapped first (do_munmap); then vma_merge with the neighbours;
 * else a new VMA is vma_link'ed. Without `fixed`, `addr` is a hint used if the range is
 * free (get_unmapped_area). Anonymous private mappings get pgoff = addr. Caller holds
 * mmap_sem for write.
 */
export function* doMmap(ctx: MmContext, task: Task, mm: MmStruct, req: MmapRequest & { fixed?: boolean }): Proc<Vma> {
  return (yield* doMmapRange(ctx, task, mm, req)).vma;
}

/**
 * doMmap, also giving the start of the mapped range — mmap(2)'s return value. The VMA alone
 * does not say it: when vma_merge extends the VMA below (prev) the returned VMA starts below
 * the new range, so a caller that later unmaps or touches its range needs `addr`.
 */
export function* doMmapRange(ctx: MmContext, task: Task, mm: MmStruct, req: MmapRequest & { fixed?: boolean }): Proc<{ vma: Vma; addr: number }> {
  if (!(Number.isInteger(req.pages) && req.pages > 0)) throw new Error(`mmap: pages must be a positive integer, got ${req.pages}`);
  let addr: number;
  if (req.fixed) {
    if (req.addr === undefined) throw new Error('mmap: MAP_FIXED needs an address');
    addr = req.addr;
  } else if (req.addr !== undefined && overlapsNothing(mm, req.addr, req.pages)) addr = req.addr;
  else addr = mm.unmappedArea(req.pages);
  const end = addr + req.pages;
  if (!overlapsNothing(mm, addr, req.pages)) yield* doMunmap(ctx, task, mm, addr, req.pages);
  const pgoff = req.file ? req.pgoff : addr;
  const merged = yield* vmaMerge(ctx, task, mm, prevOf(mm, addr), addr, end, req.flags, null, req.file, pgoff);
  if (merged) return { vma: merged, addr };
  const vma = new Vma(mm, addr, end, pgoff, req.flags, req.file);
  yield* ctx.compute(task, ctx.costs.vmaCopy);
  yield* vmaLink(ctx, task, vma);
  return { vma, addr };
}

function overlapsNothing(mm: MmStruct, addr: number, pages: number): boolean {
  const v = findVmaFrom(mm, addr);
  return !v || v.start >= addr + pages;
}

/** vm_mmap_pgoff(): doMmap under mmap_sem for write (one acquisition per mmap call) */
export function* vmMmap(ctx: MmContext, task: Task, mm: MmStruct, req: MmapRequest & { fixed?: boolean }): Proc<Vma> {
  yield* mm.mmapSem.acquire(task, 'write', 'mmap');
  try {
    return yield* doMmap(ctx, task, mm, req);
  } finally {
    yield* mm.mmapSem.release(task, 'write');
  }
}

/** vm_mmap_pgoff() as mmap(2) returns it: the start of the mapped range (see doMmapRange) */
export function* vmMmapAddr(ctx: MmContext, task: Task, mm: MmStruct, req: MmapRequest & { fixed?: boolean }): Proc<number> {
  yield* mm.mmapSem.acquire(task, 'write', 'mmap');
  try {
    return (yield* doMmapRange(ctx, task, mm, req)).addr;
  } finally {
    yield* mm.mmapSem.release(task, 'write');
  }
}

// ---------------------------------------------------------------- brk

/**
 * do_brk() (mm/mmap.c): an anonymous rw- range at [addr, addr + pages); expands the
 * previous VMA through vma_merge (vma_adjust: anon_vma W if it has one, no i_mmap) or
 * links a new VMA. Caller holds mmap_sem for write.
 */
export function* doBrk(ctx: MmContext, task: Task, mm: MmStruct, addr: number, pages: number): Proc<Vma> {
  return yield* doMmap(ctx, task, mm, { file: null, pgoff: addr, pages, flags: VM_READ | VM_WRITE, addr, fixed: true });
}

/**
 * sys_brk() (mm/mmap.c) under mmap_sem for write: shrinking unmaps the tail of the heap
 * (do_munmap: split + zap + unlink_anon_vmas), growing calls do_brk. No i_mmap either way.
 * `newBrk` in pages; returns the resulting brk.
 */
export function* sysBrk(ctx: MmContext, task: Task, mm: MmStruct, newBrk: number): Proc<number> {
  yield* mm.mmapSem.acquire(task, 'write', 'brk');
  try {
    const oldBrk = mm.brk;
    if (newBrk < mm.startBrk || newBrk === oldBrk) return mm.brk;
    if (newBrk < oldBrk) {
      yield* doMunmap(ctx, task, mm, newBrk, oldBrk - newBrk);
    } else {
      const clash = findVmaFrom(mm, oldBrk);
      if (clash && clash.start < newBrk + 1) return mm.brk; // find_vma_intersection(oldbrk, newbrk + PAGE_SIZE)
      yield* doBrk(ctx, task, mm, oldBrk, newBrk - oldBrk);
    }
    mm.brk = newBrk;
    return mm.brk;
  } finally {
    yield* mm.mmapSem.release(task, 'write');
  }
}

// ---------------------------------------------------------------- mm_take_all_locks

/** mm_all_locks_mutex (mm/mmap.c), one per simulated kernel */
const allLocksMutex = new WeakMap<MmContext, Mutex>();

/** what mm_take_all_locks took, for mm_drop_all_locks */
export interface AllLocks {
  readonly mm: MmStruct;
  readonly mappings: { file: AddressSpace; mode: LockMode }[];
  readonly anonRoots: AnonVma[];
}

/**
 * mm_take_all_locks() (mm/mmap.c; mmu_notifier_register), caller holds mmap_sem W: under
 * mm_all_locks_mutex, vm_lock_mapping takes i_mmap of every mapped file once (site
 * `vm_lock_mapping`, down_write_nest_lock on mmap_sem), then vm_lock_anon_vma every anon_vma
 * root once. All are held until {@link mmDropAllLocks}.
 */
export function* mmTakeAllLocks(ctx: MmContext, task: Task, mm: MmStruct): Proc<AllLocks> {
  let m = allLocksMutex.get(ctx);
  if (!m) allLocksMutex.set(ctx, (m = new Mutex(ctx.env, { name: 'mm_all_locks_mutex' }, 'mm_all_locks_mutex')));
  yield* m.acquire(task, 'write', 'mm_take_all_locks');
  const out: AllLocks = { mm, mappings: [], anonRoots: [] };
  const seen = new Set<AddressSpace>();
  for (const v of [...mm.vmas]) {
    if (!v.file || seen.has(v.file)) continue; // AS_MM_ALL_LOCKS already set
    seen.add(v.file);
    const mode = ctx.siteMode('vm_lock_mapping');
    yield* v.file.lock.acquire(task, mode, 'vm_lock_mapping', out.mappings.length > 0);
    out.mappings.push({ file: v.file, mode });
  }
  for (const v of [...mm.vmas]) {
    const root = v.anonVma?.root;
    if (!root || out.anonRoots.includes(root)) continue;
    yield* root.rwsem.acquire(task, 'write', 'vm_lock_anon_vma', out.anonRoots.length > 0);
    out.anonRoots.push(root);
  }
  return out;
}

/** mm_drop_all_locks() (mm/mmap.c): release what mm_take_all_locks took, then the mutex */
export function* mmDropAllLocks(ctx: MmContext, task: Task, held: AllLocks): Proc {
  for (const r of held.anonRoots.slice().reverse()) yield* r.rwsem.release(task, 'write');
  for (const { file, mode } of held.mappings.slice().reverse()) yield* ctx.immapUnlock(task, file, mode);
  yield* allLocksMutex.get(ctx)!.release(task);
}
