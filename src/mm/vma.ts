import type { IntervalNode } from './interval_tree';
import type { AddressSpace } from './address_space';
import type { AnonVma } from './anon_vma';
import type { MmStruct } from './mm_struct';

// vm_flags bits, as in include/linux/mm.h
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYSHARE = 0x80;
export const VM_LOCKED = 0x2000;
export const VM_HUGETLB = 0x400000;
export const VM_DONTCOPY = 0x20000;
export const VM_NONLINEAR = 0x800000;

/**
 * `struct vm_area_struct`: a range of one address space, in pages: [start, end) of the
 * process's virtual page numbers, mapping file pages from `pgoff` (or anonymous memory).
 * A file VMA sits in its file's i_mmap tree over [pgoff, pgoff + pages - 1].
 */
export class Vma {
  /** entry in file.i_mmap while linked */
  itNode: IntervalNode<Vma> | null = null;
  anonVma: AnonVma | null = null;

  constructor(
    public mm: MmStruct,
    public start: number,
    public end: number,
    public pgoff: number,
    public flags: number,
    public file: AddressSpace | null,
  ) {
    if (!(end > start)) throw new Error(`vma: end (${end}) must be > start (${start})`);
  }

  get pages(): number {
    return this.end - this.start;
  }

  /** last file page offset covered (vma_last_pgoff) */
  get lastPgoff(): number {
    return this.pgoff + this.pages - 1;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** the virtual page where file page `index` is mapped (vma_address) */
  addressOf(index: number): number {
    return this.start + (index - this.pgoff);
  }

  /** does this VMA cover file page `index`? */
  covers(index: number): boolean {
    return index >= this.pgoff && index <= this.lastPgoff;
  }
}
