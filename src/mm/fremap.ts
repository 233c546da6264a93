import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { MmStruct } from './mm_struct';
import { PTRS_PER_PTE } from './mm_struct';
import { VM_NONLINEAR, VM_SHARED } from './vma';
import { doMmap, findVmaFrom } from './mmap';
import type { Proc } from '../engine';

/**
 * sys_remap_file_pages() (mm/fremap.c, 3.18; an emulation from 3.20 on): map file pages
 * `pgoff`.. at [start, start + pages) of a VM_SHARED file VMA, out of linear order. The
 * first nonlinear remap of a VMA needs mmap_sem for write (the read lock is dropped and the
 * write lock taken) and, for a mapping without dirty accounting (shmem/tmpfs), moves the
 * VMA from the interval tree to i_mmap_nonlinear under i_mmap at site `remap_file_pages`.
 * Mappings with dirty accounting (`accountDirty`: disk file systems) are emulated with a
 * MAP_FIXED mmap_region instead (page_mkclean cannot handle nonlinear VMAs). Then
 * generic_file_remap_pages installs a file pte per page under the pte locks.
 */
export function* remapFilePages(ctx: MmContext, task: Task, mm: MmStruct, start: number, pages: number, pgoff: number,
  opts: { accountDirty?: boolean } = {}): Proc {
  const end = start + pages;
  let mode: 'read' | 'write' = 'read';
  yield* mm.mmapSem.acquire(task, 'read', 'remap_file_pages');
  try {
    for (;;) {
      const vma = findVmaFrom(mm, start);
      if (!vma || !vma.file || !vma.has(VM_SHARED) || start < vma.start || end > vma.end) {
        throw new Error(`remap_file_pages: EINVAL, [${start}, ${end}) of ${mm.name} is not inside one shared file VMA`);
      }
      if (!vma.has(VM_NONLINEAR)) {
        if (pgoff === vma.pgoff + (start - vma.start)) return; // linear already
        if (mode === 'read') { // get_write_lock: retry under the write lock
          yield* mm.mmapSem.release(task, 'read');
          mode = 'write';
          yield* mm.mmapSem.acquire(task, 'write', 'remap_file_pages');
          continue;
        }
        if (opts.accountDirty) {
          yield* doMmap(ctx, task, mm, { file: vma.file, pgoff, pages, flags: vma.flags, addr: start, fixed: true });
          return;
        }
        const file = vma.file;
        const m = yield* ctx.immapLock(task, file, 'remap_file_pages');
        file.i_mmap.remove(vma.itNode!);
        vma.itNode = null;
        vma.flags |= VM_NONLINEAR;
        file.i_mmap_nonlinear.add(vma);
        yield* ctx.compute(task, ctx.costs.treeVisit * Math.max(1, Math.ceil(1.5 * Math.log2(file.i_mmap.size + 2))));
        yield* ctx.immapUnlock(task, file, m);
      }
      // generic_file_remap_pages → install_file_pte per page: zap what is there, set a file pte
      for (let t = Math.floor(start / PTRS_PER_PTE); t * PTRS_PER_PTE < end; t++) {
        const ptl = mm.ptl(t * PTRS_PER_PTE);
        yield* ptl.acquire(task, 'write', 'install_file_pte');
        const s = Math.max(start, t * PTRS_PER_PTE), e = Math.min(end, (t + 1) * PTRS_PER_PTE);
        for (let a = s; a < e; a++) mm.pt.clear(a);
        yield* ctx.compute(task, (e - s) * ctx.costs.changePte);
        yield* ptl.unlock(task);
      }
      return;
    }
  } finally {
    yield* mm.mmapSem.release(task, mode);
  }
}
