import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/experiment/run';
import { ConfigError } from '../../../src/experiment/errors';
import { getWorkload } from '../../../src/workloads';
import { childSpawnTotals, computeQuotas, loadWorkfile, jpm, workfileText } from '../../../src/workloads/reaim';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../../tmp';
import { join } from 'node:path';

const aim7 = (params: Record<string, unknown>, extra: { kernel?: string; seed?: number; checks?: boolean } = {}) =>
  run({ workload: 'aim7', kernel: extra.kernel ?? '3.18-rc1', params: params as never, seed: extra.seed ?? 1, options: { checks: extra.checks ?? false } });

test('aim7: registered, run to completion, calibrated params default to data/calibration/aim7.json', () => {
  const w = getWorkload('aim7')!;
  assert.equal(w.timing, 'completion');
  for (const k of ['workfile', 'users', 'estimate', 'warmupTasks', 'windowTasks', 'userUnitMs', 'ioScale', 'shellForksLast', 'numa', 'numaAnon']) assert.ok(k in w.params, k);
  assert.throws(() => aim7({ users: 0 }), (e: unknown) => e instanceof ConfigError && e.field === 'params.users' && /from 1 to 4000/.test(e.message));
  assert.throws(() => aim7({ workfile: 'nope' }), (e: unknown) => e instanceof ConfigError && e.field === 'params.workfile' && /unknown workfile 'nope'/.test(e.message) && /alltests, disk, compute/.test(e.message));
  assert.throws(() => aim7({ workfile: '/no/such/workfile.x' }), (e: unknown) => e instanceof ConfigError && e.field === 'params.workfile' && /ENOENT/.test(e.message));
});

test('aim7 on the other reaim workfiles: by name or by path, the tests of the file run (short: 17 tests, 102 tasks per child)', () => {
  const dir = tempDir('mmlock-aim7-');
  const f = join(dir, 'workfile.short');
  writeFileSync(f, workfileText('short'));
  const a = aim7({ users: 2, workfile: 'short', estimate: 'full', numa: false });
  const b = aim7({ users: 2, workfile: f, estimate: 'full', numa: false });
  assert.equal(a.metrics.tasks_per_child, 102);
  assert.deepEqual(b.metrics, a.metrics); // the same file gives the same run
  assert.ok(a.metrics.jpm! > 0);
  // high_systime: exec_test, fork_test and the shell tests fork and exec, so libc's i_mmap is taken in dup_mmap
  const h = aim7({ users: 2, workfile: 'high_systime', estimate: 'full', numa: false });
  assert.ok(h.lockstat.some((l) => l.lockClass === 'i_mmap' && l.site === 'dup_mmap' && l.acqWrite + l.acqRead > 0));
  assert.equal(h.metrics.tasks_per_child, computeQuotas(loadWorkfile('high_systime')).tasksPerChild);
});

test('aim7 full run: forks and execs per child are docs/reference/aim7.md §5\'s, for dash (forks before the last command) and bash', () => {
  const q = computeQuotas(loadWorkfile('alltests'));
  const totals = childSpawnTotals(q);
  for (const dash of [true, false]) {
    const N = 2;
    const r = aim7({ users: N, estimate: 'full', shellForksLast: dash, userUnitMs: 1, numa: false }, { checks: true });
    // the driver forks the N children and execs reaim once
    assert.equal(r.counters.forks, N * (dash ? totals.forksMax : totals.forksMin) + N, `forks, shellForksLast=${dash}`);
    assert.equal(r.counters.execs, N * totals.execs + 1, `execs, shellForksLast=${dash}`);
    assert.equal(r.counters.syncs, N * totals.syncCalls);
    assert.equal(r.counters.abandoned, 0);
    assert.equal(r.metrics.tasks_per_child, 97);
    // reaim's formula from the simulated makespan
    assert.ok(Math.abs(r.metrics.jpm! - jpm(97, N, r.metrics.makespan_s!)) < 1e-9);
    assert.ok(r.metrics.makespan_s! >= r.metrics.mean_child_s!);
  }
});

test('aim7 full run: fork, exit and exec take libc\'s i_mmap at their call sites; checking mode finds no violation', () => {
  const r = aim7({ users: 3, workfile: 'disk', estimate: 'full', ioScale: 1 }, { checks: true, kernel: '3.18-rc1-i_mmap_rwsem' });
  const site = (s: string) => r.lockstat.find((l) => l.lockClass === 'i_mmap' && l.site === s);
  for (const s of ['dup_mmap', 'unlink_file_vma', 'vma_link', 'vma_adjust']) assert.ok(site(s) && site(s)!.acqWrite > 0, s);
  // disk: every child creates and unlinks in the shared DISKDIR; sync(2) walks s_inodes; O_SYNC and sync force the log
  const cls = (c: string, s: string) => r.lockstat.find((l) => l.lockClass === c && l.site === s);
  assert.ok(cls('i_mutex', 'lookup_open')!.acqWrite >= 3 * 5 * 20);
  assert.equal(cls('inode_sb_list_lock', 'wait_sb_inodes')!.acqWrite, r.counters.syncs);
  assert.ok(r.counters.log_forces! > r.counters.syncs!, 'O_SYNC writes and syncs force the log');
  assert.ok(r.counters.log_writes! > 0 && r.counters.log_writes! <= r.counters.log_forces!);
});

test('aim7: same seed and config give identical results; another seed another order', () => {
  const p = { users: 3, estimate: 'full', userUnitMs: 20 };
  const a = aim7(p, { seed: 7 }), b = aim7(p, { seed: 7 }), c = aim7(p, { seed: 8 });
  assert.equal(JSON.stringify([a.metrics, a.counters, a.lockstat]), JSON.stringify([b.metrics, b.counters, b.lockstat]));
  assert.notEqual(JSON.stringify(a.metrics), JSON.stringify(c.metrics));
  assert.ok(a.metrics.jpm! > 0 && Number.isFinite(a.metrics.jpm!));
});

test('aim7: a window that cannot close before the children finish falls back to the full run', () => {
  const r = aim7({ users: 3, estimate: 'window', userUnitMs: 1 });
  assert.equal(r.counters.window_fell_back, 1);
  assert.equal(r.counters.abandoned, 0);
  assert.ok(r.metrics.mean_child_s! > 0);
});

test('aim7 anonymous NUMA balancing (numaAnon, default on): the children\'s anonymous pages are scanned and migrated under anon_vma, not i_mmap; off: file pages only, none in aim7', () => {
  const p = { users: 4, estimate: 'full', userUnitMs: 100 };
  const on = aim7(p, { checks: true });
  const off = aim7({ ...p, numaAnon: false });
  const c = on.counters;
  assert.ok(c.numa_pages_migrated! > 0, `migrated ${c.numa_pages_migrated}`);
  assert.ok(c.numa_hint_faults! >= c.numa_pages_migrated!);
  assert.ok(c.numa_pte_updates! >= c.numa_hint_faults!);
  assert.ok(c.numa_hint_faults_local! <= c.numa_hint_faults!);
  assert.equal(c.pgmigrate_success, c.numa_pages_migrated);
  assert.ok(!on.lockstat.some((l) => l.lockClass === 'i_mmap' && l.site === 'rmap_walk_file'), 'no file page migrated');
  assert.ok(on.lockstat.some((l) => l.lockClass === 'anon_vma' && l.site === 'rmap_walk_anon'));
  assert.equal(off.counters.numa_pages_migrated, 0);
  assert.equal(off.counters.numa_hint_faults, 0);
  assert.throws(() => aim7({ ...p, numaAnon: 'yes' }), (e: unknown) => e instanceof ConfigError && e.field === 'params.numaAnon');
});
