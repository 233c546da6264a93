import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTruncate } from '../../src/workloads/mm_paths';

// Mechanism (mm/truncate.c): truncate_setsize → truncate_pagecache takes i_mmap at
// unmap_mapping_range twice per call, shrink or regrow, W on both kernels (R only with 11/10).
const opts = { mappers: 24, accesses: 40, truncates: 20 };

for (const kernel of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged+11'] as const) {
  test(`${kernel}: truncate/regrow of a widely mapped file: unmap_mapping_range twice per truncate_setsize`, () => {
    const r = runTruncate({ kernel, ...opts });
    const f = r.figures;
    const u = r.sites.unmap_mapping_range;
    const plus11 = kernel.endsWith('+11');
    assert.equal(u.mode, plus11 ? 'read' : 'write');
    assert.equal(f.shrinks + f.regrows, opts.truncates);
    // plus one per page a mapper refaulted between the first unmap and truncate_inode_pages
    assert.ok(u.acquisitions >= 2 * opts.truncates && u.acquisitions <= 2 * opts.truncates + f.pagesDropped, `${u.acquisitions}`);
    if (!plus11) assert.equal(u.overlap.maxHolders, 1);
    assert.equal(r.sites.vma_link.acquisitions, opts.mappers);
    assert.equal(r.sites.unlink_file_vma.acquisitions, opts.mappers);
    assert.equal(f.exits, opts.mappers);
    assert.ok(f.pagesDropped > 0, 'shrinking dropped cached pages');
    assert.ok(f.pgfault > opts.mappers, 'mappers refault what truncation zapped');
  });
}

test('truncate scenario is deterministic per seed', () => {
  const small = { kernel: '3.18-rc1', mappers: 8, accesses: 20, truncates: 8 };
  const a = runTruncate({ ...small, seed: 5 });
  assert.deepEqual(runTruncate({ ...small, seed: 5 }), a);
  assert.notDeepEqual(runTruncate({ ...small, seed: 6 }), a);
});
