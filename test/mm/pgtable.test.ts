import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PageTable } from '../../src/mm/pgtable';
import type { MmStruct } from '../../src/mm/mm_struct';
import type { Page } from '../../src/mm/page';

/** what PageTable needs of an mm and a page */
const fakeMm = (name: string) => ({ name, rss: 0, ctx: { anonPtes: 0 } }) as unknown as MmStruct;
const fakePage = (mapping: object) => ({ mapping, mappers: new Set(), numaPtes: new Set(), young: new Set() }) as unknown as Page;

/**
 * The reference: one Map of present ptes per mm and the rmap side effects entry by entry,
 * as pgtable.ts did before its sorted-array layout. Ranges are walked in ascending order.
 */
class RefTable {
  readonly ptes = new Map<number, Page | null>();
  private readonly refs = new Map<Page, number>();
  constructor(readonly mm: MmStruct) {}
  set(addr: number, page: Page | null): void {
    if (this.ptes.has(addr)) this.drop(this.ptes.get(addr)!);
    this.ptes.set(addr, page);
    if (page) {
      this.refs.set(page, (this.refs.get(page) ?? 0) + 1);
      page.mappers.add(this.mm);
    }
    this.mm.rss = this.ptes.size;
  }
  clear(addr: number): Page | null | undefined {
    if (!this.ptes.has(addr)) return undefined;
    const old = this.ptes.get(addr)!;
    this.ptes.delete(addr);
    this.drop(old);
    this.mm.rss = this.ptes.size;
    return old;
  }
  inRange(table: number, start: number, end: number): [number, Page | null][] {
    return [...this.ptes].filter(([a]) => Math.floor(a / 512) === table && a >= start && a < end).sort((x, y) => x[0] - y[0]);
  }
  private drop(page: Page | null): void {
    if (!page) return;
    const n = (this.refs.get(page) ?? 1) - 1;
    if (n > 0) this.refs.set(page, n);
    else {
      this.refs.delete(page);
      page.mappers.delete(this.mm);
      page.numaPtes.delete(this.mm);
      page.young.delete(this.mm);
    }
  }
}

const SPAN = 4 * 512; // four page tables
const op = fc.oneof(
  fc.record({ k: fc.constant('set' as const), mm: fc.nat(1), addr: fc.nat(SPAN - 1), page: fc.integer({ min: -1, max: 5 }) }),
  fc.record({ k: fc.constant('clear' as const), mm: fc.nat(1), addr: fc.nat(SPAN - 1) }),
  fc.record({ k: fc.constant('clearIn' as const), mm: fc.nat(1), addr: fc.nat(SPAN - 1), len: fc.nat(700), mapping: fc.integer({ min: -1, max: 1 }) }),
  fc.record({ k: fc.constant('copyIn' as const), mm: fc.nat(1), addr: fc.nat(SPAN - 1), len: fc.nat(700) }),
  fc.record({ k: fc.constant('uprobe' as const), mm: fc.nat(1), page: fc.nat(5) }),
);

test('PageTable matches the one-map reference: entries, rss, ranges and the order of page.mappers', () => {
  fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
    const mappings = [{}, {}];
    const mk = () => {
      const mms = [fakeMm('a'), fakeMm('b')];
      const pages = [0, 1, 2, 3, 4, 5].map((i) => fakePage(mappings[i % 2]!));
      return { mms, pages };
    };
    const A = mk(), B = mk();
    const pt = A.mms.map((m) => new PageTable(m));
    const ref = B.mms.map((m) => new RefTable(m));
    for (const o of ops) {
      const other = 1 - o.mm;
      switch (o.k) {
        case 'set':
          pt[o.mm]!.set(o.addr, o.page < 0 ? null : A.pages[o.page]!);
          ref[o.mm]!.set(o.addr, o.page < 0 ? null : B.pages[o.page]!);
          break;
        case 'clear':
          assert.equal(pageId(pt[o.mm]!.clear(o.addr), A.pages), pageId(ref[o.mm]!.clear(o.addr), B.pages));
          break;
        case 'clearIn': {
          const table = Math.floor(o.addr / 512), end = o.addr + o.len;
          const n = pt[o.mm]!.clearIn(table, o.addr, end, o.mapping < 0 ? null : mappings[o.mapping]!);
          let m = 0;
          for (const [a, p] of ref[o.mm]!.inRange(table, o.addr, end)) {
            if (o.mapping >= 0 && (p === null || p.mapping !== mappings[o.mapping])) continue;
            ref[o.mm]!.clear(a);
            m++;
          }
          assert.equal(n, m);
          break;
        }
        case 'copyIn': {
          // copy_pte_range: the other mm's ptes of one table into this one
          const table = Math.floor(o.addr / 512), end = o.addr + o.len;
          const n = pt[o.mm]!.copyIn(pt[other]!, table, o.addr, end);
          const src = ref[other]!.inRange(table, o.addr, end);
          for (const [a, p] of src) ref[o.mm]!.set(a, p);
          assert.equal(n, src.length);
          break;
        }
        case 'uprobe':
          // __replace_page leaves the mm's pte but drops it from the page's mappers
          A.pages[o.page]!.mappers.delete(A.mms[o.mm]!);
          B.pages[o.page]!.mappers.delete(B.mms[o.mm]!);
          break;
      }
    }
    for (let m = 0; m < 2; m++) {
      const got = [...pt[m]!.entries()].map(([a, p]) => [a, pageId(p, A.pages)]);
      const want = [...ref[m]!.ptes].sort((x, y) => x[0] - y[0]).map(([a, p]) => [a, pageId(p, B.pages)]);
      assert.deepEqual(got, want);
      assert.equal(pt[m]!.size, ref[m]!.ptes.size);
      assert.equal(A.mms[m]!.rss, B.mms[m]!.rss);
      // the context's count of anonymous ptes (compaction's anonymous share) follows every change
      assert.equal((A.mms[m]!.ctx as { anonPtes: number }).anonPtes, [...ref[m]!.ptes.values()].filter((p) => p === null).length);
      for (let t = 0; t < 4; t++) {
        assert.equal(pt[m]!.hasTable(t), want.some(([a]) => Math.floor((a as number) / 512) === t));
        const s = t * 512 + 100, e = t * 512 + 400;
        assert.deepEqual(pt[m]!.entriesIn(t, s, e).map(([a, p]) => [a, pageId(p, A.pages)]), ref[m]!.inRange(t, s, e).map(([a, p]) => [a, pageId(p, B.pages)]));
        assert.equal(pt[m]!.countIn(t, s, e), ref[m]!.inRange(t, s, e).length);
      }
      assert.deepEqual(pt[m]!.tableKeysIn(300, 1900), [...new Set(want.map(([a]) => Math.floor((a as number) / 512)))].filter((t) => t * 512 + 511 >= 300 && t * 512 < 1900).sort((x, y) => x - y));
    }
    for (let i = 0; i < 6; i++) {
      // mappers in the same order (rmap walks go through them in order)
      assert.deepEqual([...A.pages[i]!.mappers].map((mm) => mm.name), [...B.pages[i]!.mappers].map((mm) => mm.name));
    }
  }), { numRuns: 300 });
});

function pageId(p: Page | null | undefined, pages: Page[]): number | null | undefined {
  return p === null || p === undefined ? p : pages.indexOf(p);
}
