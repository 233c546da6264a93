import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNumaMigration } from '../../src/workloads/mm_paths';
import type { ScenarioReport } from '../../src/workloads/mm_paths';

// Mechanism only (no paper figures): NUMA migrations of a shared writable file page walk
// i_mmap twice; under the rwsem (patch 4) walks share the lock, under the mutex never.
const opts = { durationMs: 5, processes: 16, forkers: 6 };
const results: Record<string, ScenarioReport> = {};
const run = (kernel: string) => (results[kernel] ??= runNumaMigration({ kernel, ...opts }));

function commonChecks(r: ScenarioReport, mode: 'read' | 'write'): void {
  const f = r.figures;
  assert.ok(f.numa_pages_migrated > 0, 'NUMA balancing migrated shared file pages');
  assert.equal(f.pgmigrate_success, f.numa_pages_migrated);
  assert.ok(f.scanPasses > 0 && f.numa_pte_updates > 0 && f.numa_hint_faults > 0);
  assert.equal(f.rmap_walks % 2, 0, 'every unmap_and_move walks twice (try_to_unmap + remove_migration_ptes)');
  assert.ok(f.rmap_walks >= 2 * f.numa_pages_migrated);
  const w = r.sites.rmap_walk_file;
  assert.equal(w.acquisitions, f.rmap_walks);
  assert.equal(w.mode, mode);
  assert.equal(f.refusedExec, 0, 'rw-p data is not VM_EXEC');
  // fork/exit churn: dup_mmap once per fork (one file VMA), unlink_file_vma once per exit, exclusive
  assert.ok(f.forks > 0);
  assert.equal(r.sites.dup_mmap.acquisitions, f.forks);
  assert.equal(r.sites.unlink_file_vma.acquisitions, f.exits);
  assert.equal(f.exits, f.forks + opts.processes + opts.forkers);
  assert.equal(r.sites.dup_mmap.mode, 'write');
  assert.equal(r.sites.unlink_file_vma.overlap.maxHolders, 1, 'tree changes stay exclusive');
  assert.equal(f.dataTreeEnd, 0);
}

test('numa-migration on 3.18-rc1 (i_mmap_mutex): walks never overlap', () => {
  const r = run('3.18-rc1');
  commonChecks(r, 'write');
  assert.equal(r.sites.rmap_walk_file.overlap.maxHolders, 1);
  for (const s of Object.values(r.sites)) assert.equal(s.overlap.concurrentNs, 0, 'no two holders of the mutex at any time');
});

test('numa-migration on 3.18-rc1-i_mmap_rwsem: rmap walks hold i_mmap for read at the same time', () => {
  const r = run('3.18-rc1-i_mmap_rwsem');
  commonChecks(r, 'read');
  const w = r.sites.rmap_walk_file.overlap;
  assert.ok(w.maxHolders >= 2, `most concurrent walks: ${w.maxHolders}`);
  assert.ok(w.sameSiteNs > 0);
});

test('numa-migration is deterministic per seed', () => {
  const small = { kernel: '3.18-rc1-i_mmap_rwsem', durationMs: 3, processes: 8, forkers: 2 };
  const a = runNumaMigration({ ...small, seed: 2 });
  assert.deepEqual(runNumaMigration({ ...small, seed: 2 }), a);
  assert.notDeepEqual(runNumaMigration({ ...small, seed: 3 }), a);
});
