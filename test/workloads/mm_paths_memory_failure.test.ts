import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMemoryFailure } from '../../src/workloads/mm_paths';

for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const) {
  test(`${k}: simultaneous memory failures on a widely mapped file: collect_procs_file handlers overlap only with the rwsem`, () => {
    const r = runMemoryFailure({ kernel: k, mappers: 48, others: 48, failures: 3, churners: 2, rounds: 8 });
    const rw = k !== '3.18-rc1';
    const c = r.sites.collect_procs_file;
    assert.equal(c.mode, rw ? 'read' : 'write');
    assert.equal(c.acquisitions, 3);
    assert.equal(r.figures.killedTotal, 3 * 48);
    assert.equal(r.figures.pagesStillMapped, 0);
    // try_to_unmap is rmap.ts's walker: one rmap_walk_file per failure, in the kernel's mode
    assert.equal(r.sites.rmap_walk_file.acquisitions, 3);
    assert.equal(r.sites.rmap_walk_file.mode, rw ? 'read' : 'write');
    assert.equal(r.figures.rmap_walks, 3);
    if (rw) assert.ok(c.overlap.sameSiteNs > 0 && c.overlap.maxHolders > 1, JSON.stringify(c.overlap));
    else assert.equal(c.overlap.sameSiteNs, 0);
  });
}
