import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUprobe } from '../../src/workloads/mm_paths';

for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const) {
  test(`${k}: concurrent uprobe registrations on a binary run by many processes never overlap in build_map_info (dup_mmap_sem)`, () => {
    const r = runUprobe({ kernel: k, processes: 48, probes: 3, churners: 2, rounds: 8 });
    const b = r.sites.build_map_info;
    assert.equal(b.mode, k === '3.18-rc1' ? 'write' : 'read');
    assert.equal(b.acquisitions, 6); // 3 registers + 3 unregisters, no GFP_NOWAIT failure
    assert.equal(b.overlap.sameSiteNs, 0);
    assert.ok(r.figures.installed >= 3 * 48);
    assert.ok(r.figures.dupMmapSemContentions >= 1);
  });
}
