import { IntervalTree } from './interval_tree';
import type { SleepLock } from '../locking';
import type { MmContext } from './model/context';
import type { Vma } from './vma';
import { Page } from './page';

export interface AddressSpaceOptions {
  /** size in pages */
  nrPages: number;
  /** NUMA node holding its page-cache pages (default 0) */
  node?: number;
  /** a hugetlbfs file (pages of `hugePageSize` small pages) */
  hugetlb?: boolean;
}

/**
 * `struct address_space` of one inode: the `i_mmap` interval tree of every VMA mapping
 * the file, the i_mmap lock (mutex in 3.18, rwsem with the series), and its page cache.
 * Shared files — libc, ld.so, /bin/sh, a benchmark binary, a shm segment — are one
 * address_space each, whose tree grows with the processes mapping them.
 */
export class AddressSpace {
  readonly i_mmap = new IntervalTree<Vma>();
  /** VM_NONLINEAR VMAs (remap_file_pages), kept off the tree in i_mmap_nonlinear */
  readonly i_mmap_nonlinear = new Set<Vma>();
  readonly lock: SleepLock;
  /** VM_SHARED writable mappings (i_mmap_writable) */
  i_mmap_writable = 0;
  readonly nrPages: number;
  readonly node: number;
  readonly hugetlb: boolean;
  private readonly cache = new Map<number, Page>();
  private size: number | null = null;

  constructor(readonly ctx: MmContext, readonly name: string, opts: AddressSpaceOptions) {
    if (!Number.isInteger(opts.nrPages) || opts.nrPages < 1) throw new Error(`file ${name}: nrPages must be a positive integer, got ${opts.nrPages}`);
    this.nrPages = opts.nrPages;
    this.node = opts.node ?? 0;
    this.hugetlb = opts.hugetlb ?? false;
    this.lock = ctx.newLock('i_mmap', `${name}.i_mmap`);
  }

  /** find_or_create_page(): the page-cache page at `index` */
  page(index: number): Page {
    let p = this.cache.get(index);
    if (!p) {
      if (!(index >= 0 && index < this.nrPages)) throw new Error(`file ${this.name}: page index ${index} outside 0..${this.nrPages - 1}`);
      p = new Page(this.ctx, this, index, this.node);
      this.cache.set(index, p);
    }
    return p;
  }

  /** find_get_pages(): the cached pages with index in [first, last], by index (none are created) */
  findGetPages(first: number, last: number): Page[] {
    const out: Page[] = [];
    if (last - first + 1 <= this.cache.size) {
      for (let i = first; i <= last; i++) {
        const p = this.cache.get(i);
        if (p) out.push(p);
      }
      return out;
    }
    for (const p of this.cache.values()) if (p.index >= first && p.index <= last) out.push(p);
    return out.sort((a, b) => a.index - b.index);
  }

  /** i_size in pages (faults beyond it get SIGBUS); starts at nrPages, truncate_setsize lowers it */
  get isize(): number {
    return this.size ?? this.nrPages;
  }

  set isize(pages: number) {
    if (!Number.isInteger(pages) || pages < 0 || pages > this.nrPages) throw new Error(`file ${this.name}: isize must be an integer in 0..${this.nrPages}, got ${pages}`);
    this.size = pages;
  }

  /** find_get_page(): the cached page at `index`, without creating it */
  peekPage(index: number): Page | undefined {
    return this.cache.get(index);
  }

  /** cached pages with index >= `from`, in index order (truncate_inode_pages' pagevec walk) */
  cachedFrom(from: number): Page[] {
    const out: Page[] = [];
    for (const [i, p] of this.cache) if (i >= from) out.push(p);
    return out.sort((a, b) => a.index - b.index);
  }

  /** __delete_from_page_cache(): drop `page` from the cache; it keeps no mapping */
  deletePage(page: Page): void {
    if (this.cache.get(page.index) === page) this.cache.delete(page.index);
    page.mapping = null;
  }

  /** cached pages (created so far) */
  get cachedPages(): number {
    return this.cache.size;
  }

  /**
   * The inode is gone (a removed SysV segment after its last detach): its i_mmap lock and
   * its pages' locks leave the lock environment's end-of-run check, as an exited mm's
   * locks do, so that they can be freed with it.
   */
  dispose(): void {
    this.lock.dispose();
    for (const p of this.cache.values()) p.dispose();
  }
}
