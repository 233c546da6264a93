import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type ScenarioResult } from './numa_scenario';

// Mechanism only (no paper figures): NUMA migrations of a shared writable file page walk
// i_mmap twice; under the rwsem (patch 4) walks share the lock, under the mutex never.
const opts = { durationMs: 8, processes: 16, forkers: 8, touchIntervalNs: 20_000 };
const results: Record<string, ScenarioResult> = {};
const run = (kernel: string) => (results[kernel] ??= runScenario({ kernel, ...opts }));

function report(t: { diagnostic(msg: string): void }, r: ScenarioResult): void {
  const v = r.vmstat;
  t.diagnostic(`${r.kernel}: numa_pages_migrated ${v.numa_pages_migrated}, numa_hint_faults ${v.numa_hint_faults} (local ${v.numa_hint_faults_local}), rmap walks ${v.rmap_walks}, most concurrent walks ${r.maxConcurrentWalks}, walks overlapping for ${r.walkOverlapNs} ns`);
  for (const [site, s] of Object.entries(r.sites)) t.diagnostic(`  i_mmap ${site}: ${s.acq} acquisitions, ${s.cont} contended, wait mean ${s.waitMeanNs} ns, total ${s.waitTotalNs} ns`);
}

function commonChecks(r: ScenarioResult, mode: 'read' | 'write'): void {
  const v = r.vmstat;
  assert.ok(v.numa_pages_migrated > 0, 'NUMA balancing migrated shared file pages');
  assert.ok(r.scanPasses > 0 && v.numa_pte_updates > 0 && v.numa_hint_faults > 0);
  assert.equal(v.rmap_walks % 2, 0, 'every unmap_and_move that unmapped walks twice (unmap + remove_migration_ptes)');
  assert.ok(v.rmap_walks >= 2 * v.numa_pages_migrated);
  assert.equal(r.sites.rmap_walk_file.acq, v.rmap_walks);
  assert.ok(r.sites.vma_link.acq > 0 && r.sites.unlink_file_vma.acq > 0, 'fork/exit-like writers ran');
  assert.equal(r.refused.exec, 0, 'rw-p data is not VM_EXEC');
  assert.equal(r.sites.rmap_walk_file.read, mode === 'read' ? v.rmap_walks : 0);
  assert.equal(r.sites.vma_link.read + r.sites.unlink_file_vma.read, 0, 'tree changes stay exclusive');
}

test('scenario 3.18-rc1 (i_mmap_mutex): walks never overlap', (t) => {
  const r = run('3.18-rc1');
  report(t, r);
  commonChecks(r, 'write');
  assert.equal(r.maxConcurrentWalks, 1);
  assert.equal(r.anyOverlapNs, 0, 'no two holders of the mutex at any time');
});

test('scenario 3.18-rc1-i_mmap_rwsem: rmap walks hold i_mmap for read at the same time', (t) => {
  const r = run('3.18-rc1-i_mmap_rwsem');
  report(t, r);
  commonChecks(r, 'read');
  assert.ok(r.maxConcurrentWalks >= 2, `most concurrent walks: ${r.maxConcurrentWalks}`);
  assert.ok(r.walkOverlapNs > 0);
});
