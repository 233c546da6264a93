import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SiteOverlap } from '../../../src/mm';

test('SiteOverlap: busy, same-site and cross-site overlap per lock, by hand', () => {
  const o = new SiteOverlap();
  const L = {}, M = {};
  o.enter(L, 'a', 0);
  o.enter(L, 'a', 10); // two holders at a: 10..30
  o.enter(M, 'a', 15); // another lock: no overlap with L
  o.enter(L, 'b', 20); // b shares L with a: 20..40
  o.exit(L, 'a', 30);
  o.exit(L, 'a', 40);
  o.exit(L, 'b', 50);
  o.exit(M, 'a', 100);
  o.exit(M, 'a', 120); // unmatched: ignored
  const a = o.site('a'), b = o.site('b');
  assert.deepEqual(a, { acquisitions: 3, busyNs: 40 + 85, sameSiteNs: 20, concurrentNs: 30, maxHolders: 2 });
  assert.deepEqual(b, { acquisitions: 1, busyNs: 30, sameSiteNs: 0, concurrentNs: 20, maxHolders: 1 });
  assert.deepEqual(Object.keys(o.all()), ['a', 'b']);
});
