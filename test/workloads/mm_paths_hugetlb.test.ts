import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPostgresHugetlb } from '../../src/workloads/mm_paths';
import { run as runWorkload } from '../../src/experiment/run';

const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
const runs = new Map<string, ReturnType<typeof runPostgresHugetlb>>();
const run = (k: string) => runs.get(k) ?? runs.set(k, runPostgresHugetlb({ kernel: k, slots: 8, sessions: 2, touches: 12 })).get(k)!;

for (const k of KERNELS) {
  test(`${k}: PostgreSQL-like backends on a 2 GiB shared hugetlbfs segment share PMD pages; huge_pmd_share overlaps only in the v1 kernel`, () => {
    const r = run(k);
    const v1 = k === '3.18-rc1-i_mmap_rwsem';
    const share = r.sites.huge_pmd_share;
    assert.equal(share.mode, v1 ? 'read' : 'write');
    assert.equal(r.sites.unmap_single_vma.mode, v1 ? 'read' : 'write');
    // every backend takes huge_pmd_share once per 1 GiB region it touches, and unmaps once
    assert.equal(share.acquisitions, 2 * r.figures.backends);
    assert.equal(r.sites.unmap_single_vma.acquisitions, r.figures.backends);
    assert.ok(r.figures.pmdShares > 0.5 * share.acquisitions, `shares ${r.figures.pmdShares}`);
    assert.equal(r.figures.pmdUnshares, r.figures.pmdShares); // every share is undone at exit
    if (v1) {
      assert.ok(share.overlap.sameSiteNs > 0 && share.overlap.maxHolders > 1, JSON.stringify(share.overlap));
    } else {
      assert.equal(share.overlap.sameSiteNs, 0);
      assert.equal(share.overlap.maxHolders, 1);
      // exclusion makes Mel Gorman's races impossible
      assert.equal(r.figures.unshareShareRaces + r.figures.teardownShareRaces + r.figures.pmdShareLostRace, 0);
      // walkers see each other's page tables: one PMD page per region while backends overlap
      assert.ok(r.figures.pmdPagesAllocated <= 4, `pmd pages ${r.figures.pmdPagesAllocated}`);
    }
    assert.equal(r.figures.hugePagesAllocated, r.figures.faultsMajor);
  });
}

test('concurrent first faults under the v1 kernel miss each other\'s page tables: more PMD pages than with exclusion', () => {
  const v1 = run('3.18-rc1-i_mmap_rwsem');
  const merged = run('3.18-rc1-i_mmap_rwsem-merged');
  assert.ok(v1.figures.pmdPagesAllocated > merged.figures.pmdPagesAllocated, `${v1.figures.pmdPagesAllocated} vs ${merged.figures.pmdPagesAllocated}`);
});

test('postgres-hugetlb as a workload: a segment of >= 1 GiB (default 2) shares PMD pages on both kernels, half a GiB cannot', () => {
  const go = (kernel: string, segmentGiB?: number) => runWorkload({
    workload: 'postgres-hugetlb', kernel, seed: 2, options: { checks: true },
    params: { slots: 4, sessions: 1, touches: 8, ...(segmentGiB === undefined ? {} : { segmentGiB }) },
  });
  for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem']) {
    for (const seg of [undefined, 1]) {
      const m = go(k, seg).metrics;
      assert.ok(m.segmentHugePages! >= 512, `${k} ${seg}: ${m.segmentHugePages}`);
      assert.ok(m.pmdShares! > 0 && m.immap_huge_pmd_share_acq! > 0, `${k} ${seg}: shares ${m.pmdShares}`);
    }
    assert.equal(go(k, 0.5).metrics.pmdShares, 0, k); // no whole 1 GiB region: vma_shareable fails
  }
});
