import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALLSITES, SITE_IDS, callSite, isSiteId } from '../../src/kernel/callsites';
import { KernelConfigError } from '../../src/kernel/errors';
import { resolveKernel } from '../../src/kernel/kernels';
import { BRIEF_IDS } from './reference';

test('the table has exactly the twenty call-site ids, once each, in SITE_IDS order', () => {
  assert.deepEqual([...SITE_IDS], BRIEF_IDS);
  assert.deepEqual(CALLSITES.map((s) => s.id), BRIEF_IDS);
  assert.equal(new Set(SITE_IDS).size, 20);
});

test('every row cites a reference row and names a kernel source file', () => {
  for (const s of CALLSITES) {
    assert.match(s.ref, /^docs\/reference\/kernel-locking\.md §2 row \d+/, s.id);
    assert.match(s.file, /^(mm|kernel|fs)\/[\w/-]+\.c$/, s.id);
    assert.ok(s.function.length > 0 && s.underLock.length > 0 && s.why.length > 0, s.id);
  }
});

test('modifiesTree follows treeOp, and every tree modifier needs exclusive access', () => {
  for (const s of CALLSITES) {
    assert.equal(s.modifiesTree, ['insert', 'remove', 'remove+insert'].includes(s.treeOp), s.id);
    if (s.modifiesTree) assert.equal(s.needsExclusive, true, s.id);
  }
  assert.deepEqual(
    CALLSITES.filter((s) => s.modifiesTree).map((s) => s.id),
    ['vma_link', 'unlink_file_vma', 'vma_adjust', 'dup_mmap', 'add_vma_to_mm', 'delete_vma_from_mm', 'remap_file_pages'],
  );
});

test('exclusive-but-tree-preserving sites are the ones review kept exclusive', () => {
  const ids = CALLSITES.filter((s) => s.needsExclusive && !s.modifiesTree).map((s) => s.id);
  assert.deepEqual(ids, ['move_ptes', 'unmap_single_vma', 'huge_pmd_share', 'unmap_ref_private', 'hugetlb_change_protection', 'vm_lock_mapping']);
  assert.match(callSite('move_ptes').why, /NACK/);
});

test('3.19 (merged) never shares a site that needs exclusive access', () => {
  const k = resolveKernel('3.18-rc1-i_mmap_rwsem-merged');
  for (const s of CALLSITES) if (s.needsExclusive) assert.equal(k.sites[s.id].mode, 'write', s.id);
});

test('the table is frozen', () => {
  assert.ok(Object.isFrozen(CALLSITES));
  assert.ok(Object.isFrozen(CALLSITES[0]));
  assert.throws(() => { (CALLSITES[0] as { treeOp: string }).treeOp = 'none'; });
});

test('callSite looks up by id and rejects unknown ids listing the allowed ones', () => {
  assert.equal(callSite('dup_mmap').file, 'kernel/fork.c');
  assert.equal(callSite('remap_file_pages').function, 'generic_file_remap_pages');
  assert.ok(isSiteId('rmap_walk_file'));
  assert.ok(!isSiteId('huge_pmd_unshare'));
  assert.throws(() => callSite('huge_pmd_unshare'), (e: unknown) => {
    assert.ok(e instanceof KernelConfigError);
    assert.equal(e.field, 'site');
    assert.match(e.message, /^site: unknown i_mmap call site "huge_pmd_unshare"; allowed: vma_link, .*remap_file_pages$/);
    return true;
  });
});
