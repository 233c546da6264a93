import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNommu } from '../../src/workloads/mm_paths';

for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const) {
  test(`${k}: nommu shrinks take i_mmap ${k === '3.18-rc1' ? 'exclusively' : 'shared'} but never overlap: nommu_region_sem is held for write`, () => {
    const r = runNommu({ kernel: k, processes: 8, rounds: 6, truncaters: 3, truncates: 6 });
    const s = r.sites.nommu_shrink_inode_mappings;
    assert.equal(s.mode, k === '3.18-rc1' ? 'write' : 'read');
    assert.equal(s.acquisitions, 18);
    assert.equal(r.figures.shrinksOk + r.figures.shrinksEtxtbsy, 18);
    assert.ok(r.figures.shrinksEtxtbsy > 0);
    assert.equal(s.overlap.sameSiteNs, 0);
    assert.equal(r.sites.add_vma_to_mm.mode, 'write');
    assert.equal(r.sites.delete_vma_from_mm.acquisitions, 8 * 6);
  });
}
