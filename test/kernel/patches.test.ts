import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SITE_IDS } from '../../src/kernel/callsites';
import { KernelConfigError } from '../../src/kernel/errors';
import {
  COVER_LETTER_LAYOUT_NOTE, MERGED_PATCHES, PATCHES, PATCH_IDS, V1_PATCHES,
  formatPatchList, getPatch, parsePatchId, parsePatchList,
} from '../../src/kernel/patches';

test('eleven patches, ids 1..11 in order, labels as posted', () => {
  assert.deepEqual(PATCHES.map((p) => p.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual([...PATCH_IDS], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(PATCHES.map((p) => p.label), ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11/10']);
  assert.equal(getPatch(11).posting, '11/10');
  assert.ok(PATCHES.slice(0, 10).every((p) => p.posting === 'v1'));
});

test('titles follow the cover letter shortlog', () => {
  assert.deepEqual(PATCHES.map((p) => p.title), [
    'mm,fs: introduce helpers around the i_mmap_mutex',
    'mm: use new helper functions around the i_mmap_mutex',
    'mm: convert i_mmap_mutex to rwsem',
    'mm/rmap: share the i_mmap_rwsem',
    'uprobes: share the i_mmap_rwsem',
    'mm/xip: share the i_mmap_rwsem',
    'mm/memory-failure: share the i_mmap_rwsem',
    'mm/mremap: share the i_mmap_rwsem',
    'mm/nommu: share the i_mmap_rwsem',
    'mm/hugetlb: share the i_mmap_rwsem',
    'mm/memory.c: share the i_mmap_rwsem',
  ]);
});

test('changes: 1-2 helpers, 3 converts mutex → rwsem with every site write, 4-11 share', () => {
  assert.equal(getPatch(1).change.kind, 'helpers');
  assert.equal(getPatch(2).change.kind, 'helpers');
  assert.deepEqual(getPatch(3).change, { kind: 'convert', from: 'mutex', to: 'rwsem', mode: 'write' });
  const shared = new Map<string, number>();
  for (const p of PATCHES.slice(3)) {
    assert.equal(p.change.kind, 'share', `patch ${p.id}`);
    if (p.change.kind !== 'share') continue;
    for (const s of p.change.sites) {
      assert.ok((SITE_IDS as readonly string[]).includes(s), s);
      assert.ok(!shared.has(s), `${s} shared by ${shared.get(s)} and ${p.id}`);
      shared.set(s, p.id);
    }
  }
  assert.equal(shared.get('rmap_walk_file'), 4);
  assert.equal(shared.get('move_ptes'), 8);
  assert.equal(shared.get('unmap_mapping_range'), 11);
  const ten = getPatch(10).change;
  assert.ok(ten.kind === 'share');
  assert.deepEqual([...ten.sites].sort(), ['huge_pmd_share', 'hugetlb_change_protection', 'hugetlb_vmtruncate_list', 'unmap_ref_private', 'unmap_single_vma']);
});

test('fates: 8 NACKed, 10 dropped, 11/10 reverted, the rest merged', () => {
  assert.deepEqual(PATCHES.map((p) => p.fate), [
    'merged', 'merged', 'merged', 'merged', 'merged', 'merged', 'merged', 'nacked', 'merged', 'dropped', 'reverted',
  ]);
  assert.deepEqual([...MERGED_PATCHES], [1, 2, 3, 4, 5, 6, 7, 9]);
  assert.deepEqual([...V1_PATCHES], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(getPatch(3).commits.merged, 'c8c06efa8b55');
  assert.equal(getPatch(11).commits.revert, '48ec833b7851');
  assert.ok(getPatch(8).review.some((r) => /NACK/.test(r) && /Hugh/.test(r)));
  assert.ok(getPatch(10).review.some((r) => /Mel/.test(r) && /d833352a4338/.test(r)));
});

test('the cover letter numbering discrepancy is recorded', () => {
  assert.match(COVER_LETTER_LAYOUT_NOTE, /Patches 1-4 convert/);
  assert.match(COVER_LETTER_LAYOUT_NOTE, /4 = "mm\/rmap: share the i_mmap_rwsem"/);
});

test('parsePatchId accepts numbers, numeric strings, leading zeros and "11/10"', () => {
  assert.equal(parsePatchId(4), 4);
  assert.equal(parsePatchId('4'), 4);
  assert.equal(parsePatchId('04'), 4);
  assert.equal(parsePatchId(' 10 '), 10);
  assert.equal(parsePatchId('11/10'), 11);
  assert.equal(parsePatchId(11), 11);
  for (const bad of [0, 12, 3.5, -1, '12', '', 'x', '3/10', null, undefined, {}, [3], NaN, true]) {
    assert.throws(() => parsePatchId(bad, 'patches[0]'), (e: unknown) => {
      assert.ok(e instanceof KernelConfigError, String(bad));
      assert.equal(e.field, 'patches[0]');
      assert.match(e.message, /^patches\[0\]: unknown patch .*; allowed: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 \(= "11\/10"\)$/);
      return true;
    });
  }
});

/** `fn` throws a KernelConfigError whose message matches `re`. */
function rejects(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof KernelConfigError && re.test(e.message));
}

test('parsePatchList: strings with ranges and commas, arrays with mixed tokens', () => {
  assert.deepEqual(parsePatchList('1-4,9'), [1, 2, 3, 4, 9]);
  assert.deepEqual(parsePatchList(' 1 - 3 , 11/10 '), [1, 2, 3, 11]);
  assert.deepEqual(parsePatchList(''), []);
  assert.deepEqual(parsePatchList([1, '2', '3-5', '11/10']), [1, 2, 3, 4, 5, 11]);
  assert.deepEqual(parsePatchList([]), []);
  rejects(() => parsePatchList('4-1'), /^patches: range "4-1" runs backwards/);
  rejects(() => parsePatchList('1,,2'), /^patches: unknown patch ""/);
  rejects(() => parsePatchList([1, 99]), /^patches\[1\]: unknown patch 99; allowed: 1, 2/);
  rejects(() => parsePatchList(7), /^patches: expected an array of patch numbers or a string/);
});

test('formatPatchList compresses runs of three or more', () => {
  assert.equal(formatPatchList([1, 2, 3, 4, 5, 6, 7, 9]), '1-7,9');
  assert.equal(formatPatchList([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), '1-10');
  assert.equal(formatPatchList([1, 2, 4]), '1,2,4');
  assert.equal(formatPatchList([3, 4, 5, 11]), '3-5,11');
  assert.equal(formatPatchList([]), '');
  assert.equal(formatPatchList([4, 3]), '4,3');
});
