import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import { unmapVmas } from './memory';
import { freePgtables } from './mmap';
import type { Proc } from '../engine';

/**
 * exit_mmap() (mm/mmap.c), from mmput() when the last user of an mm goes (exit, or exec
 * dropping the old mm). Takes NO mmap_sem — nobody else can reach the mm [U, as the
 * reference notes]. unmap_vmas zaps every present pte (pte locks; hugetlb file VMAs take
 * i_mmap at site `unmap_single_vma`), free_pgtables unlinks each VMA from rmap —
 * unlink_anon_vmas (anon_vma root W) then unlink_file_vma (i_mmap W, once per file VMA) —
 * and remove_vma frees them. The mm ends empty and is disposed of (mmdrop).
 */
export function* exitMmap(ctx: MmContext, task: Task, mm: MmStruct): Proc {
  const vmas = [...mm.vmas];
  if (vmas.length > 0) {
    yield* unmapVmas(ctx, task, vmas, 0, Number.MAX_SAFE_INTEGER);
    yield* freePgtables(ctx, task, vmas);
    for (const v of vmas) mm.removeVma(v); // remove_vma
  }
  mm.dispose(); // mmdrop
}

/**
 * The mm side of do_exit(): exit_mm → mmput → exit_mmap, then exitFixed for the rest
 * (files, signals, reparenting, the parent's wait). The task itself is ended by the
 * workload layer.
 */
export function* doExit(ctx: MmContext, task: Task, mm: MmStruct | null): Proc {
  if (mm) yield* exitMmap(ctx, task, mm);
  yield* ctx.compute(task, ctx.costs.exitFixed);
  ctx.vmstat.exits++;
}
