import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import { IntervalNode } from './interval_tree';
import { Vma, VM_DONTCOPY, VM_LOCKED, VM_NONLINEAR, VM_SHARED } from './vma';
import { anonVmaFork } from './rmap_anon';
import { copyPageRange } from './memory';
import { treeUpdateCost } from './mmap';
import { allocHighOrder, THREAD_SIZE_ORDER } from './compaction';
import type { Proc } from '../engine';

/**
 * dup_mmap() (kernel/fork.c): copy `parent`'s address space into a new mm. Holds the
 * parent's mmap_sem for write and the child's, nested (down_write_nested). Per parent VMA
 * (VM_DONTCOPY ones skipped): allocate and copy the vm_area_struct; anon_vma_fork if it
 * has an anon_vma (root anon_vma rwsem W, twice); for a file VMA take i_mmap at site
 * `dup_mmap` — ONE acquisition per file VMA — and insert the child's VMA right after the
 * parent's in the file's tree (vma_interval_tree_insert_after; i_mmap_nonlinear for
 * nonlinear VMAs); link it into the child; copy_page_range (pte locks of both mms).
 * Returns the child's mm.
 */
export function* dupMmap(ctx: MmContext, task: Task, parent: MmStruct, childName: string): Proc<MmStruct> {
  const child = ctx.newMm(childName);
  child.startBrk = parent.startBrk;
  child.brk = parent.brk;
  child.preferredNode = parent.preferredNode;
  yield* parent.mmapSem.acquire(task, 'write', 'dup_mmap');
  yield* child.mmapSem.acquire(task, 'write', 'dup_mmap', true);
  for (const mpnt of [...parent.vmas]) {
    if (mpnt.has(VM_DONTCOPY)) continue;
    const tmp = new Vma(child, mpnt.start, mpnt.end, mpnt.pgoff, mpnt.flags & ~VM_LOCKED, mpnt.file);
    yield* ctx.compute(task, ctx.costs.vmaCopy);
    yield* anonVmaFork(ctx, task, tmp, mpnt);
    const file = tmp.file;
    if (file) {
      const mode = yield* ctx.immapLock(task, file, 'dup_mmap');
      if (tmp.has(VM_SHARED)) file.i_mmap_writable++;
      if (tmp.has(VM_NONLINEAR)) file.i_mmap_nonlinear.add(tmp);
      else tmp.itNode = file.i_mmap.insertAfter(new IntervalNode(tmp.pgoff, tmp.lastPgoff, tmp), mpnt.itNode!);
      yield* ctx.compute(task, treeUpdateCost(ctx, file.i_mmap.size));
      yield* ctx.immapUnlock(task, file, mode);
    }
    child.insertVma(tmp); // __vma_link_rb
    yield* ctx.compute(task, ctx.costs.vmaLink);
    yield* copyPageRange(ctx, task, tmp, mpnt);
  }
  ctx.numaIfActive?.anon.fork(task, parent, child); // numa_anon.ts: the child's anon ptes are the parent's pages
  yield* child.mmapSem.release(task, 'write');
  yield* parent.mmapSem.release(task, 'write');
  return child;
}

/**
 * The mm side of fork() (copy_process → copy_mm → dup_mm): charges forkFixed (task_struct,
 * files, signals, pid) then dup_mmap. Spawns nothing — the workload layer creates the
 * child task and gives it the returned mm.
 */
export function* fork(ctx: MmContext, task: Task, parent: MmStruct, childName: string): Proc<MmStruct> {
  // dup_task_struct → alloc_thread_info_node: the order-2 kernel stack (GFP_KERNEL; no stack cache in 3.18)
  yield* allocHighOrder(ctx, task, THREAD_SIZE_ORDER);
  yield* ctx.compute(task, ctx.costs.forkFixed);
  const child = yield* dupMmap(ctx, task, parent, childName);
  ctx.vmstat.forks++;
  return child;
}
