import { ptesChanged, type Page } from './page';
import type { MmStruct } from './mm_struct';

/** PTRS_PER_PTE (x86-64): a page-table page maps 512 pages; same value as mm_struct.ts */
const PTRS = 512;

/**
 * The present ptes of one mm (its page tables, flattened): virtual page → the page-cache
 * page mapped there, or null for an anonymous page (the model does not follow anonymous
 * pages). Keeps `page.mappers` (what rmap walks consult) and `mm.rss` in step: an mm
 * leaves a page's mappers when its last pte mapping that page is cleared. Entries are
 * grouped by page-table page (one split pte lock each), so walks go table by table as
 * zap_pte_range / copy_pte_range / change_pte_range do.
 */
export class PageTable {
  private readonly tables = new Map<number, Map<number, Page | null>>();
  private readonly refs = new Map<Page, number>();
  private count = 0;

  constructor(private readonly mm: MmStruct) {}

  get size(): number {
    return this.count;
  }

  get(addr: number): Page | null | undefined {
    return this.tables.get(Math.floor(addr / PTRS))?.get(addr);
  }

  has(addr: number): boolean {
    return this.get(addr) !== undefined;
  }

  /** set_pte_at + page_add_file_rmap / page_add_new_anon_rmap (replaces an old entry) */
  set(addr: number, page: Page | null): void {
    const key = Math.floor(addr / PTRS);
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = new Map()));
    if (t.has(addr)) this.drop(t.get(addr)!);
    else this.count++;
    t.set(addr, page);
    if (page) {
      this.refs.set(page, (this.refs.get(page) ?? 0) + 1);
      page.mappers.add(this.mm);
      ptesChanged(page, this.mm); // the count of its ptes, which mappers does not show
    }
    this.mm.rss = this.count;
  }

  /** ptep_get_and_clear + page_remove_rmap; returns the old entry (undefined if none) */
  clear(addr: number): Page | null | undefined {
    const key = Math.floor(addr / PTRS);
    const t = this.tables.get(key);
    if (!t || !t.has(addr)) return undefined;
    const old = t.get(addr)!;
    t.delete(addr);
    if (t.size === 0) this.tables.delete(key);
    this.count--;
    this.drop(old);
    this.mm.rss = this.count;
    return old;
  }

  /** how many ptes of this mm map `page` */
  ptesOf(page: Page): number {
    return this.refs.get(page) ?? 0;
  }

  private drop(page: Page | null): void {
    if (!page) return;
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

  /** page-table pages (index = addr / 512) with present ptes in [start, end), ascending */
  tableKeysIn(start: number, end: number): number[] {
    const lo = Math.floor(start / PTRS), hi = Math.floor((end - 1) / PTRS);
    const out: number[] = [];
    if (hi - lo < this.tables.size) {
      for (let k = lo; k <= hi; k++) if (this.tables.has(k)) out.push(k);
      return out;
    }
    for (const k of this.tables.keys()) if (k >= lo && k <= hi) out.push(k);
    return out.sort((a, b) => a - b);
  }

  /** present entries of page table `table` within [start, end), ascending (a snapshot) */
  entriesIn(table: number, start: number, end: number): [number, Page | null][] {
    const t = this.tables.get(table);
    if (!t) return [];
    const out: [number, Page | null][] = [];
    for (const e of t) if (e[0] >= start && e[0] < end) out.push(e);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** is any pte present in page table `table` (get_old_pmd finds a pmd)? */
  hasTable(table: number): boolean {
    return this.tables.has(table);
  }

  /** every present entry (tests and invariant checks) */
  *entries(): IterableIterator<[number, Page | null]> {
    for (const t of this.tables.values()) yield* t;
  }
}
