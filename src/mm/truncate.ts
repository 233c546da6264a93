import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { AddressSpace } from './address_space';
import { unmapMappingRange } from './memory';
import type { Proc } from '../engine';

/**
 * mm/truncate.c. The caller holds the inode's i_mutex (rank above mmap_sem: rmap.c's
 * lock order starts with it).
 */

/**
 * truncate_pagecache() (mm/truncate.c): unmap_mapping_range(holebegin, 0, even_cows = 1)
 * — i_mmap at site `unmap_mapping_range`, taken even if nothing maps the file — then
 * truncate_inode_pages, then unmap_mapping_range again (private COWs may have appeared
 * meanwhile). `newSize` in pages.
 */
export function* truncatePagecache(ctx: MmContext, task: Task, file: AddressSpace, newSize: number): Proc {
  yield* unmapMappingRange(ctx, task, file, newSize, Number.MAX_SAFE_INTEGER, true);
  yield* truncateInodePages(ctx, task, file, newSize);
  yield* unmapMappingRange(ctx, task, file, newSize, Number.MAX_SAFE_INTEGER, true);
}

/**
 * truncate_inode_pages() (mm/truncate.c): drop every cached page at index >= `from`:
 * lock_page; if it is still mapped (refaulted since the first unmap), truncate_inode_page
 * unmaps that page alone (unmap_mapping_range, even_cows = 0: page lock → i_mmap);
 * delete it from the page cache; unlock. Returns the pages dropped.
 */
export function* truncateInodePages(ctx: MmContext, task: Task, file: AddressSpace, from: number): Proc<number> {
  let n = 0;
  for (const page of file.cachedFrom(from)) {
    yield* page.lockPage(task);
    if (page.mapping === file) {
      if (page.mapcount > 0) yield* unmapMappingRange(ctx, task, file, page.index, page.index, false);
      file.deletePage(page);
      yield* ctx.compute(task, ctx.costs.truncatePage);
      n++;
    }
    yield* page.unlockPage(task);
  }
  return n;
}

/** truncate_setsize() (mm/truncate.c): i_size_write, then truncate_pagecache */
export function* truncateSetsize(ctx: MmContext, task: Task, file: AddressSpace, newSize: number): Proc {
  file.isize = newSize;
  yield* truncatePagecache(ctx, task, file, newSize);
}
