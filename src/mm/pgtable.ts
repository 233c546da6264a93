import { ptesChanged, type Page } from './page';
import type { MmStruct } from './mm_struct';

/** PTRS_PER_PTE (x86-64): a page-table page maps 512 pages; same value as mm_struct.ts */
const PTRS = 512;

/** One page-table page: its present ptes as sorted offsets (0..511) and what each maps. */
interface Table {
  readonly offs: number[];
  readonly pages: (Page | null)[];
}

/**
 * The present ptes of one mm (its page tables, flattened): virtual page → the page-cache
 * page mapped there, or null for an anonymous page (the model does not follow anonymous
 * pages). Keeps `page.mappers` (what rmap walks consult) and `mm.rss` in step: an mm
 * leaves a page's mappers when its last pte mapping that page is cleared. Entries are
 * grouped by page-table page (one split pte lock each), so walks go table by table as
 * zap_pte_range / copy_pte_range / change_pte_range do.
 *
 * Layout (for speed; an mm has a handful of page tables with a few dozen ptes each): the
 * tables sorted by index in two parallel arrays, each table its ptes sorted by offset in
 * two parallel arrays. Lookups are binary searches; ranges are contiguous slices.
 */
export class PageTable {
  /** indices (addr / 512) of the page tables with present ptes, ascending */
  private readonly keys: number[] = [];
  private readonly tabs: Table[] = [];
  private readonly refs = new Map<Page, number>();
  private count = 0;
  /** present anonymous ptes of this mm (the null entries): numa_anon.ts's per-mm page count */
  anon = 0;

  constructor(private readonly mm: MmStruct) {}

  get size(): number {
    return this.count;
  }

  get(addr: number): Page | null | undefined {
    const key = Math.floor(addr / PTRS);
    const ti = this.find(key);
    if (ti < 0) return undefined;
    const t = this.tabs[ti]!;
    const i = search(t.offs, addr - key * PTRS);
    return i >= 0 ? t.pages[i] : undefined;
  }

  has(addr: number): boolean {
    return this.get(addr) !== undefined;
  }

  /** set_pte_at + page_add_file_rmap / page_add_new_anon_rmap (replaces an old entry) */
  set(addr: number, page: Page | null): void {
    const key = Math.floor(addr / PTRS);
    let ti = this.find(key);
    if (ti < 0) ti = this.addTable(key, ~ti);
    const t = this.tabs[ti]!;
    const off = addr - key * PTRS;
    const i = search(t.offs, off);
    if (i >= 0) {
      this.drop(t.pages[i]!);
      t.pages[i] = page;
    } else {
      insertAt(t, ~i, off, page);
      this.count++;
    }
    this.add(page);
    this.mm.rss = this.count;
  }

  /** ptep_get_and_clear + page_remove_rmap; returns the old entry (undefined if none) */
  clear(addr: number): Page | null | undefined {
    const key = Math.floor(addr / PTRS);
    const ti = this.find(key);
    if (ti < 0) return undefined;
    const t = this.tabs[ti]!;
    const i = search(t.offs, addr - key * PTRS);
    if (i < 0) return undefined;
    const old = t.pages[i]!;
    t.offs.splice(i, 1);
    t.pages.splice(i, 1);
    if (t.offs.length === 0) this.removeTable(ti);
    this.count--;
    this.drop(old);
    this.mm.rss = this.count;
    return old;
  }

  /**
   * Clear the present ptes of page table `table` within [start, end), in ascending order,
   * as `clear` would one by one; with `mapping`, only those mapping a page of it (the
   * zap_details check_mapping of unmap_mapping_range). Returns how many were cleared.
   */
  clearIn(table: number, start: number, end: number, mapping: object | null = null): number {
    const ti = this.find(table);
    if (ti < 0) return 0;
    const t = this.tabs[ti]!, offs = t.offs, pages = t.pages;
    const base = table * PTRS;
    const lo = lowerBound(offs, start - base), hi = lowerBound(offs, end - base);
    let w = lo, n = 0;
    for (let i = lo; i < hi; i++) {
      const p = pages[i]!;
      if (mapping !== null && (p === null || p.mapping !== mapping)) {
        offs[w] = offs[i]!;
        pages[w++] = p;
        continue;
      }
      this.count--;
      this.drop(p);
      n++;
    }
    if (n > 0) {
      offs.splice(w, hi - w);
      pages.splice(w, hi - w);
      if (offs.length === 0) this.removeTable(ti);
      this.mm.rss = this.count;
    }
    return n;
  }

  /**
   * Set in this table every present pte of `src`'s page table `table` within [start, end),
   * at the same addresses, in ascending order, as `set` would one by one (copy_pte_range).
   * Returns how many.
   */
  copyIn(src: PageTable, table: number, start: number, end: number): number {
    const si = src.find(table);
    if (si < 0) return 0;
    const s = src.tabs[si]!;
    const base = table * PTRS;
    const lo = lowerBound(s.offs, start - base), hi = lowerBound(s.offs, end - base);
    if (hi === lo) return 0;
    let ti = this.find(table);
    if (ti < 0) {
      // the common case (a fresh child): the slice as it is
      ti = this.addTable(table, ~ti, s.offs.slice(lo, hi), s.pages.slice(lo, hi));
      for (let i = lo; i < hi; i++) this.add(s.pages[i]!);
      this.count += hi - lo;
      this.mm.rss = this.count;
    } else {
      for (let i = lo; i < hi; i++) this.set(base + s.offs[i]!, s.pages[i]!);
    }
    return hi - lo;
  }

  /** page-table pages (index = addr / 512) with present ptes in [start, end), ascending */
  tableKeysIn(start: number, end: number): number[] {
    const lo = Math.floor(start / PTRS), hi = Math.floor((end - 1) / PTRS);
    const keys = this.keys;
    return keys.slice(lowerBound(keys, lo), lowerBound(keys, hi + 1));
  }

  /** present entries of page table `table` within [start, end), ascending (a snapshot) */
  entriesIn(table: number, start: number, end: number): [number, Page | null][] {
    const ti = this.find(table);
    if (ti < 0) return [];
    const t = this.tabs[ti]!;
    const base = table * PTRS;
    const out: [number, Page | null][] = [];
    for (let i = lowerBound(t.offs, start - base), hi = lowerBound(t.offs, end - base); i < hi; i++) out.push([base + t.offs[i]!, t.pages[i]!]);
    return out;
  }

  /** how many ptes page table `table` has present within [start, end) */
  countIn(table: number, start: number, end: number): number {
    const ti = this.find(table);
    if (ti < 0) return 0;
    const offs = this.tabs[ti]!.offs;
    const base = table * PTRS;
    return lowerBound(offs, end - base) - lowerBound(offs, start - base);
  }

  /** is any pte present in page table `table` (get_old_pmd finds a pmd)? */
  hasTable(table: number): boolean {
    return this.find(table) >= 0;
  }

  /**
   * The anonymous ptes of virtual pages [start, end), per page-table page: [table index,
   * count] for each table holding at least one (change_pte_range's walk, numa_anon.ts).
   */
  anonTables(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    for (let ti = lowerBound(this.keys, Math.floor(start / PTRS)); ti < this.keys.length; ti++) {
      const base = this.keys[ti]! * PTRS;
      if (base >= end) break;
      const t = this.tabs[ti]!;
      let n = 0;
      for (let i = 0; i < t.offs.length; i++) {
        const a = base + t.offs[i]!;
        if (a >= start && a < end && t.pages[i] === null) n++;
      }
      if (n) out.push([this.keys[ti]!, n]);
    }
    return out;
  }

  /** every present entry, ascending (tests and invariant checks) */
  *entries(): IterableIterator<[number, Page | null]> {
    for (let ti = 0; ti < this.keys.length; ti++) {
      const t = this.tabs[ti]!, base = this.keys[ti]! * PTRS;
      for (let i = 0; i < t.offs.length; i++) yield [base + t.offs[i]!, t.pages[i]!];
    }
  }

  /** the position of table `key` in `keys`, or ~(where it would go) */
  private find(key: number): number {
    return search(this.keys, key);
  }

  private addTable(key: number, at: number, offs: number[] = [], pages: (Page | null)[] = []): number {
    this.keys.splice(at, 0, key);
    this.tabs.splice(at, 0, { offs, pages });
    return at;
  }

  private removeTable(ti: number): void {
    this.keys.splice(ti, 1);
    this.tabs.splice(ti, 1);
  }

  /** the pte now maps `page`: one more reference from this mm (page_add_*_rmap) */
  private add(page: Page | null): void {
    if (!page) {
      this.mm.ctx.anonPtes++; // compaction's anonymous share (compaction.ts)
      this.anon++;
      return;
    }
    this.refs.set(page, (this.refs.get(page) ?? 0) + 1);
    page.mappers.add(this.mm);
    ptesChanged(page, this.mm); // the count of its ptes, which mappers does not show (rmap_lazy.ts)
  }

  /** how many ptes of this mm map `page` */
  ptesOf(page: Page): number {
    return this.refs.get(page) ?? 0;
  }

  private drop(page: Page | null): void {
    if (!page) {
      this.mm.ctx.anonPtes--;
      this.anon--;
      return;
    }
    ptesChanged(page, this.mm);
    const n = (this.refs.get(page) ?? 1) - 1;
    if (n > 0) this.refs.set(page, n);
    else {
      this.refs.delete(page);
      page.mappers.delete(this.mm);
      // the NUMA-marked and young bits lived in the pte just cleared
      page.numaPtes.delete(this.mm);
      page.young.delete(this.mm);
    }
  }
}

/** index of `x` in the ascending array `a`, or ~(its insertion point) */
function search(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length - 1;
  // the last element first: ptes are mostly set in ascending order
  if (hi >= 0 && a[hi]! < x) return ~a.length;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = a[mid]!;
    if (v < x) lo = mid + 1;
    else if (v > x) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

/** the first index of the ascending array `a` whose value is >= x */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertAt(t: Table, i: number, off: number, page: Page | null): void {
  if (i === t.offs.length) {
    t.offs.push(off);
    t.pages.push(page);
  } else {
    t.offs.splice(i, 0, off);
    t.pages.splice(i, 0, page);
  }
}
