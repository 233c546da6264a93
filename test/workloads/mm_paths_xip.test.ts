import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runXip } from '../../src/workloads/mm_paths';

for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const) {
  test(`${k}: XIP hole filling unmaps every sparse pte; __xip_unmap walks overlap only with the rwsem`, () => {
    const r = runXip({ kernel: k, readers: 12, writers: 3, filePages: 48 });
    const rw = k !== '3.18-rc1';
    const u = r.sites.__xip_unmap;
    assert.equal(u.mode, rw ? 'read' : 'write');
    assert.equal(r.figures.xipUnmaps, 24);
    assert.equal(u.acquisitions, 24 + r.figures.seqRetries); // a retry walks again
    assert.equal(r.figures.ptesCleared, r.figures.sparseMaps);
    if (rw) assert.ok(u.overlap.sameSiteNs > 0, JSON.stringify(u.overlap));
    else assert.equal(u.overlap.sameSiteNs, 0);
  });
}
