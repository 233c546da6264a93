import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import { PTRS_PER_PTE } from './mm_struct';
import { Vma, VM_HUGETLB, VM_READ, VM_WRITE, VM_EXEC } from './vma';
import { findVmaFrom, splitVma, vmaMerge, vmaNext, vmaPrev } from './mmap';
import type { Proc } from '../engine';

/**
 * mm/mprotect.c. A protection change splits or merges VMAs (vma_merge / __split_vma →
 * vma_adjust: i_mmap W for file VMAs) and rewrites present ptes under their pte locks. No
 * other i_mmap use — except hugetlb VMAs, whose hugetlb_change_protection (hugetlb.ts,
 * via ctx.hugetlb) takes i_mmap at site `hugetlb_change_protection` itself.
 */

/**
 * change_protection() (mm/mprotect.c) on [start, end) ∩ vma: per page table with present
 * ptes, under its pte lock, rewrite each (change_pte_range). Returns the ptes changed.
 */
export function* changeProtection(ctx: MmContext, task: Task, vma: Vma, start: number, end: number): Proc<number> {
  if (vma.has(VM_HUGETLB) && vma.file) {
    yield* ctx.hugetlb.changeProtection(ctx, task, vma, start, end);
    return 0;
  }
  return yield* changePteRange(ctx, task, vma, start, end);
}

function* changePteRange(ctx: MmContext, task: Task, vma: Vma, start: number, end: number): Proc<number> {
  const mm = vma.mm;
  let n = 0;
  for (const table of mm.pt.tableKeysIn(start, end)) {
    let k = 0;
    yield* mm.ptl(table * PTRS_PER_PTE).critical(task, 'change_pte_range', () => {
      k = mm.pt.countIn(table, start, end);
      return k * ctx.costs.changePte;
    });
    n += k;
  }
  return n;
}

/**
 * mprotect_fixup() (mm/mprotect.c): give [start, end) of `vma` the flags `newflags`. Same
 * flags → nothing. Else try vma_merge with the neighbours; failing that, split at `start`
 * (new VMA below) and at `end` (new VMA above); set the flags; change_protection. Returns
 * the VMA now covering [start, end) — the caller's new `prev`.
 */
export function* mprotectFixup(ctx: MmContext, task: Task, vma: Vma, prev: Vma | null, start: number, end: number, newflags: number): Proc<Vma> {
  if (newflags === vma.flags) return vma;
  const pgoff = vma.pgoff + (start - vma.start);
  const merged = yield* vmaMerge(ctx, task, vma.mm, prev, start, end, newflags, vma.anonVma, vma.file, pgoff);
  if (merged) vma = merged;
  else {
    if (start !== vma.start) yield* splitVma(ctx, task, vma, start, true);
    if (end !== vma.end) yield* splitVma(ctx, task, vma, end, false);
  }
  vma.flags = newflags;
  yield* changeProtection(ctx, task, vma, start, end);
  return vma;
}

/** protections an mprotect may set: the VM_READ | VM_WRITE | VM_EXEC bits */
const PROT_MASK = VM_READ | VM_WRITE | VM_EXEC;

/**
 * sys_mprotect() (mm/mprotect.c): under mmap_sem for write, mprotect_fixup every VMA in
 * [start, start + pages) with the protection bits `prot` (VM_READ|VM_WRITE|VM_EXEC; other
 * flags are kept). Throws (ENOMEM) if the range has a hole.
 */
export function* mprotect(ctx: MmContext, task: Task, mm: MmStruct, start: number, pages: number, prot: number): Proc {
  if ((prot & ~PROT_MASK) !== 0) throw new Error(`mprotect: prot may hold only VM_READ|VM_WRITE|VM_EXEC, got ${prot}`);
  if (!(pages > 0)) return;
  const end = start + pages;
  yield* mm.mmapSem.acquire(task, 'write', 'mprotect');
  try {
    let vma = findVmaFrom(mm, start);
    if (!vma || vma.start > start) throw new Error(`mprotect: ENOMEM, page ${start} of ${mm.name} is not mapped`);
    let prev = start > vma.start ? vma : vmaPrev(vma);
    let nstart = start;
    for (;;) {
      const newflags = prot | (vma.flags & ~PROT_MASK);
      const tmp = Math.min(vma.end, end);
      prev = yield* mprotectFixup(ctx, task, vma, prev, nstart, tmp, newflags);
      nstart = tmp;
      if (nstart < prev.end) nstart = prev.end;
      if (nstart >= end) return;
      const nx = vmaNext(prev);
      if (!nx || nx.start !== nstart) throw new Error(`mprotect: ENOMEM, hole at page ${nstart} of ${mm.name}`);
      vma = nx;
    }
  } finally {
    yield* mm.mmapSem.release(task, 'write');
  }
}
