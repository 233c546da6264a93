import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../src/experiment/run';
import { ConfigError } from '../../src/experiment/errors';
import { getWorkload, workloadNames } from '../../src/workloads';
import type { LockStatRow } from '../../src/locking';

// iozone -B throughput mode, small: 3 children, 512 KiB files (128 pages), 16 KiB records
const SMALL = { processes: 3, fileMb: 0.5, recordKb: 16 };
const T = SMALL.processes, PAGES = 128;
const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const;
const go = (kernel: string, params: Record<string, unknown> = {}, seed = 3) =>
  run({ workload: 'iozone-mmap', kernel, params: { ...SMALL, ...params } as never, seed, options: { checks: true } });
const row = (rows: LockStatRow[], cls: string, site: string) => rows.find((r) => r.lockClass === cls && r.site === site);

test('iozone-mmap is registered and listed: a run-to-completion workload with a typed parameter table', () => {
  assert.ok(workloadNames().includes('iozone-mmap'));
  const w = getWorkload('iozone-mmap')!;
  assert.equal(w.timing, 'completion');
  assert.match(w.description, /rmap_walk_file/);
  for (const k of ['processes', 'fileMb', 'recordKb', 'tests', 'msync', 'atEnd', 'sharedFile', 'deviceMbPerS']) assert.ok(k in w.params, k);
  for (const p of Object.values(w.params)) assert.ok(p.help.length > 5);
});

test('iozone-mmap: bad parameters are ConfigErrors naming the field', () => {
  const bad = (params: Record<string, unknown>, field: string, re: RegExp) => assert.throws(() => go('3.18-rc1', params), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.field, field);
    assert.match(e.message, re);
    return true;
  });
  bad({ processes: 0 }, 'params.processes', /integer from 1 to 1024, got 0/);
  bad({ recordKb: 6 }, 'params.recordKb', /multiple of 4, got 6/);
  bad({ msync: 'maybe' }, 'params.msync', /sync, async, none/);
  bad({ processes: 64, fileMb: 128 }, 'params.fileMb', /processes x fileMb must be at most 4096 MiB, got 64 x 128/);
  bad({ sharedFile: 'yes' }, 'params.sharedFile', /true or false/);
});

for (const kernel of KERNELS) {
  test(`${kernel}: iozone-mmap reports MB/s per test and takes i_mmap at mmap, msync (page_mkclean) and munmap; same seed, same output`, () => {
    const a = go(kernel);
    const v1 = kernel === '3.18-rc1-i_mmap_rwsem';
    for (const k of ['mb_per_s', 'write_mb_per_s', 'rewrite_mb_per_s', 'read_mb_per_s', 'reread_mb_per_s']) assert.ok(a.metrics[k]! > 0, k);
    assert.equal(a.counters.stopped_early, 0);
    // four tests, each child maps and unmaps once: vma_link and unlink_file_vma (W on both kernels)
    assert.equal(row(a.lockstat, 'i_mmap', 'vma_link')!.acqWrite, 4 * T);
    assert.equal(row(a.lockstat, 'i_mmap', 'unlink_file_vma')!.acqWrite, 4 * T);
    // msync(MS_SYNC) after write and rewrite: one page_mkclean walk per dirty page, R from patch 04
    const walk = row(a.lockstat, 'i_mmap', 'rmap_walk_file')!;
    assert.equal(v1 ? walk.acqRead : walk.acqWrite, 2 * T * PAGES);
    assert.equal(v1 ? walk.acqWrite : walk.acqRead, 0);
    assert.equal(a.counters.pages_written_back, 2 * T * PAGES);
    assert.equal(a.counters.pages_cleaned, 2 * T * PAGES); // every dirty page was mapped writable
    assert.equal(row(a.lockstat, 'i_mmap', 'unmap_mapping_range'), undefined); // unlink at the end: no i_mmap
    assert.ok(row(a.lockstat, 'mmap_sem', 'do_page_fault')!.acqRead > 0);
    assert.ok(row(a.lockstat, 'page_lock', 'lock_page')!.acqWrite > 0);
    const b = go(kernel);
    assert.equal(JSON.stringify(b.metrics), JSON.stringify(a.metrics));
    assert.deepEqual(b.counters, a.counters);
    assert.deepEqual(b.lockstat, a.lockstat);
  });
}

test('iozone-mmap: ftruncate at the end takes i_mmap twice per file at unmap_mapping_range, though nothing maps the file any more', () => {
  for (const kernel of KERNELS) {
    const own = go(kernel, { atEnd: 'truncate' });
    assert.equal(row(own.lockstat, 'i_mmap', 'unmap_mapping_range')!.acqWrite, 2 * T, kernel);
    const shared = go(kernel, { atEnd: 'truncate', sharedFile: true });
    assert.equal(row(shared.lockstat, 'i_mmap', 'unmap_mapping_range')!.acqWrite, 2, kernel); // one file
  }
  // msync(MS_ASYNC) starts no writeback in 3.18: no page_mkclean walk
  const async = go('3.18-rc1', { msync: 'async' });
  assert.equal(row(async.lockstat, 'i_mmap', 'rmap_walk_file'), undefined);
  assert.equal(async.counters.pages_written_back, 0);
});

test('iozone-mmap on one shared file: page_mkclean walks overlap only when i_mmap is an rwsem taken for read', () => {
  const p = { sharedFile: true, processes: 4, tests: 'write' };
  const mutex = go('3.18-rc1', p), rwsem = go('3.18-rc1-i_mmap_rwsem', p);
  assert.equal(mutex.metrics.immap_rmap_walk_file_max_holders, 1);
  assert.ok(rwsem.metrics.immap_rmap_walk_file_max_holders! > 1, String(rwsem.metrics.immap_rmap_walk_file_max_holders));
  assert.ok(row(mutex.lockstat, 'i_mmap', 'rmap_walk_file')!.contWrite > 0); // the children's msyncs meet on the mutex
});
