import type { Task } from '../sched';
import { RwSem, type SleepLock } from '../locking';
import type { MmContext } from './model/context';
import { LOCKDEP_CLASSES } from './model/context';
import type { AddressSpace } from './address_space';
import type { MmStruct } from './mm_struct';
import { VM_HUGETLB, VM_MAYSHARE, VM_WRITE, type Vma } from './vma';
import type { Proc } from '../engine';

/**
 * Uprobe registration (kernel/events/uprobes.c, 3.18): uprobe_register →
 * register_for_each_vma → build_map_info (i_mmap, site build_map_info: R since patch 05)
 * → per mm, mmap_sem for write → install_breakpoint (copy-on-write of the text page).
 *
 * register_for_each_vma holds the global `dup_mmap_sem` (a percpu rwsem) for WRITE around
 * all of it, so two registrations never overlap — read mode in build_map_info lets a
 * registration overlap other i_mmap readers (rmap walks), not another registration.
 */
export class Uprobe {
  /** mms whose text page at `offset` carries the breakpoint (MMF_HAS_UPROBES) */
  readonly installed = new Set<MmStruct>();
  /** install_breakpoint's first call copies the instruction (prepare_uprobe) */
  prepared = false;

  /** `offset`: the probed file page (uprobe->offset >> PAGE_SHIFT) */
  constructor(readonly file: AddressSpace, readonly offset: number) {
    if (!(offset >= 0 && offset < file.nrPages)) throw new Error(`uprobe: offset ${offset} outside ${file.name} (0..${file.nrPages - 1})`);
  }
}

export interface MapInfo {
  mm: MmStruct;
  vaddr: number;
}

const dupMmapSems = new WeakMap<MmContext, SleepLock>();

/**
 * `dup_mmap_sem` (kernel/events/uprobes.c), a percpu_rw_semaphore: fork reads it
 * (uprobe_start_dup_mmap, outside the parent's mmap_sem), register_for_each_vma writes it.
 * Modelled as an RwSem of class dup_mmap_sem; the write side's synchronize_sched_expedited
 * is charged as `percpuRwsemWrite` by the writer. A percpu reader costs a per-cpu
 * increment in the kernel, an rwsem read here [deviation].
 */
export function dupMmapSem(ctx: MmContext): SleepLock {
  let l = dupMmapSems.get(ctx);
  if (!l) dupMmapSems.set(ctx, (l = new RwSem(ctx.env, LOCKDEP_CLASSES.dup_mmap_sem, 'dup_mmap_sem')));
  return l;
}

/**
 * valid_vma(): a file mapping with VM_MAYEXEC and neither VM_HUGETLB nor VM_MAYSHARE (nor
 * VM_WRITE when registering). VM_MAYEXEC is set on every file mapping outside noexec
 * mounts, so it is assumed here [I].
 */
export function validVma(vma: Vma, isRegister: boolean): boolean {
  const bad = VM_HUGETLB | VM_MAYSHARE | (isRegister ? VM_WRITE : 0);
  return vma.file !== null && (vma.flags & bad) === 0;
}

export interface BuildMapInfoOptions {
  /** probability that a GFP_NOWAIT kmalloc under the lock fails (default 0; rng 'uprobes.gfp_nowait') */
  gfpNowaitFailure?: number;
}

/**
 * build_map_info() (kernel/events/uprobes.c): under i_mmap (site build_map_info) list the
 * valid VMAs at `offset`, allocating each map_info with GFP_NOWAIT (no reclaim under the
 * lock). Once an allocation fails, the rest are only counted (`more`); after the unlock
 * `more` map_infos are allocated with GFP_KERNEL and the walk is redone — so the lock is
 * taken again each time the preallocated list was short.
 */
export function* buildMapInfo(ctx: MmContext, task: Task, mapping: AddressSpace, offset: number, isRegister: boolean, opts: BuildMapInfoOptions = {}): Proc<MapInfo[]> {
  const pFail = opts.gfpNowaitFailure ?? 0;
  const rng = ctx.sim.rng('uprobes.gfp_nowait');
  let prealloc = 0; // map_infos in hand (the `prev` list)
  for (;;) {
    const infos: MapInfo[] = [];
    let more = 0;
    let allocs = 0;
    const mode = yield* ctx.immapLock(task, mapping, 'build_map_info');
    const visits = mapping.i_mmap.forEachOverlap(offset, offset, (n) => {
      const vma = n.value;
      if (!validVma(vma, isRegister)) return;
      if (prealloc === 0 && more === 0) {
        allocs++;
        if (pFail === 0 || !rng.chance(pFail)) prealloc++; // kmalloc(GFP_NOWAIT)
      }
      if (prealloc === 0) {
        more++;
        return;
      }
      prealloc--; // atomic_inc_not_zero(&mm->mm_users): the mm is alive in this model
      infos.push({ mm: vma.mm, vaddr: vma.addressOf(offset) });
    });
    // a miss per tree step and per mm touched (mm_users), plus the allocations
    yield* ctx.compute(task, ctx.costs.treeVisit * (visits + infos.length) + ctx.costs.kmallocSmall * allocs);
    yield* ctx.immapUnlock(task, mapping, mode);
    if (more === 0) return infos;
    // mmput() the listed mms, then kmalloc(GFP_KERNEL) `more` map_infos and walk again
    prealloc += infos.length + more;
    yield* ctx.compute(task, ctx.costs.kmallocSmall * more);
  }
}

/**
 * uprobe_register()/uprobe_unregister() → register_for_each_vma(): dup_mmap_sem for
 * write; build_map_info; then for each listed mm, mmap_sem for write, re-check the VMA
 * (find_vma, valid_vma, same file and offset) and install (or remove) the breakpoint.
 * Returns the mms changed.
 */
export function* registerForEachVma(ctx: MmContext, task: Task, uprobe: Uprobe, isRegister: boolean, opts: BuildMapInfoOptions = {}): Proc<number> {
  const dup = dupMmapSem(ctx);
  yield* dup.acquire(task, 'write', 'register_for_each_vma');
  yield* ctx.compute(task, ctx.costs.percpuRwsemWrite);
  const infos = yield* buildMapInfo(ctx, task, uprobe.file, uprobe.offset, isRegister, opts);
  let changed = 0;
  for (const { mm, vaddr } of infos) {
    yield* mm.mmapSem.acquire(task, 'write', 'register_for_each_vma');
    const vma = mm.findVma(vaddr);
    if (vma && validVma(vma, isRegister) && vma.file === uprobe.file && vma.start <= vaddr && vaddr - vma.start + vma.pgoff === uprobe.offset) {
      if (isRegister && !uprobe.installed.has(mm)) {
        yield* installBreakpoint(ctx, task, uprobe, vma, vaddr);
        changed++;
      } else if (!isRegister && uprobe.installed.has(mm)) {
        yield* uprobeWriteOpcode(ctx, task, vma, vaddr); // set_orig_insn
        uprobe.installed.delete(mm);
        changed++;
      }
    }
    yield* mm.mmapSem.release(task, 'write');
  }
  yield* dup.release(task, 'write');
  return changed;
}

/** install_breakpoint(): prepare_uprobe (copy the instruction, once) + set_swbp */
function* installBreakpoint(ctx: MmContext, task: Task, uprobe: Uprobe, vma: Vma, vaddr: number): Proc {
  if (!uprobe.prepared) {
    yield* ctx.compute(task, ctx.costs.fileFault); // copy_insn from the page cache
    uprobe.prepared = true;
  }
  yield* uprobeWriteOpcode(ctx, task, vma, vaddr);
  uprobe.installed.add(vma.mm);
}

/**
 * uprobe_write_opcode(): get_user_pages (faulting the text page in if needed), allocate a
 * new anonymous page, copy it and patch the opcode, then __replace_page under the pte lock
 * (clear + flush the old pte, install the copy). The mm no longer maps the file page.
 */
function* uprobeWriteOpcode(ctx: MmContext, task: Task, vma: Vma, vaddr: number): Proc {
  const mm = vma.mm;
  const filePage = vma.file!.page(vma.pgoff + (vaddr - vma.start));
  const c = ctx.costs;
  yield* ctx.compute(task, c.rmapOne + (filePage.mappers.has(mm) ? 0 : c.fileFault) + c.copyPage);
  const ptl = mm.ptl(vaddr);
  yield* ptl.lock(task, '__replace_page');
  filePage.mappers.delete(mm);
  yield* ctx.compute(task, c.rmapOneMapped + c.tlbFlushRange);
  yield* ptl.unlock(task);
}
