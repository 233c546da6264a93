import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PteSet, setPageChangeHook, type Page, type PteSetKind } from '../../src/mm/page';
import type { MmStruct } from '../../src/mm/mm_struct';

/** what PteSet needs of an mm and a page */
const fakeMm = (id: number) => ({ id, name: `mm${id}` }) as unknown as MmStruct;

type Op = { op: 'add' | 'delete' | 'has'; mm: number } | { op: 'clear' } | { op: 'watch'; on: boolean };

/** ids near 0, around chunk edges (64) and far apart, so the chunk array grows at both ends */
const ids = [1, 2, 63, 64, 65, 127, 128, 700, 701, 5000, 5063, 5064, 100_000];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), mm: fc.integer({ min: 0, max: ids.length - 1 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), mm: fc.integer({ min: 0, max: ids.length - 1 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('has' as const), mm: fc.integer({ min: 0, max: ids.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('watch' as const), on: fc.boolean() }) },
);

test('PteSet behaves as a Set of mms: has, add, delete, clear, size; iterates by ascending mm id; reports changes only while watched', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
      const mms = ids.map(fakeMm);
      const page = { watched: 0 } as unknown as Page;
      const reports: [PteSetKind, string | null][] = [];
      setPageChangeHook((p, kind, mm) => {
        assert.equal(p, page);
        reports.push([kind, mm?.name ?? null]);
      });
      try {
        const s = new PteSet(page, 'young');
        const ref = new Set<MmStruct>();
        const expected: [PteSetKind, string | null][] = [];
        for (const o of ops) {
          const watched = page.watched !== 0;
          if (o.op === 'watch') page.watched = o.on ? 1 : 0;
          else if (o.op === 'clear') {
            if (watched && ref.size > 0) expected.push(['young', null]);
            ref.clear();
            s.clear();
          } else {
            const mm = mms[o.mm]!;
            if (o.op === 'has') assert.equal(s.has(mm), ref.has(mm));
            else if (o.op === 'add') {
              if (watched && !ref.has(mm)) expected.push(['young', mm.name]);
              ref.add(mm);
              assert.equal(s.add(mm), s);
            } else {
              const had = ref.delete(mm);
              if (watched && had) expected.push(['young', mm.name]);
              assert.equal(s.delete(mm), had);
            }
          }
          assert.equal(s.size, ref.size);
          assert.deepEqual([...s], [...ref].sort((a, b) => a.id - b.id));
          for (const mm of mms) assert.equal(s.has(mm), ref.has(mm));
        }
        assert.deepEqual(reports, expected);
      } finally {
        setPageChangeHook(null);
      }
    }),
    { numRuns: 300 },
  );
});

test('PteSet refuses two different mms with the same id', () => {
  const s = new PteSet({ watched: 0 } as unknown as Page, 'mappers');
  s.add(fakeMm(7));
  assert.throws(() => s.add(fakeMm(7)), /two mms with id 7 \(mm7, mm7\)/);
  assert.equal(s.size, 1);
});
