import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../../tmp';
import { join } from 'node:path';
import { run } from '../../../src/experiment/run';
import { ConfigError } from '../../../src/experiment/errors';
import { getWorkload } from '../../../src/workloads';
import { placeTask } from '../../../src/workloads/microbench';
import { loadMachine } from '../../../src/hw';

/** a short run: 1 ms of warm-up (the exec and forks of the start), `ms` measured */
const mb = (params: Record<string, unknown>, o: { ms?: number; seed?: number; kernel?: string; checks?: boolean } = {}) =>
  run({ workload: 'microbench', kernel: o.kernel ?? '3.18-rc1', params: { tasks: 2, pagesScale: 1 / 128, ...params } as never, duration: { ms: o.ms ?? 0.3, warmupMs: 1 }, seed: o.seed ?? 1, options: { checks: o.checks ?? true } });
type R = ReturnType<typeof mb>;
const acq = (r: R, cls: string, site: string) => r.lockstat.filter((l) => l.lockClass === cls && l.site === site).reduce((a, l) => a + l.acqRead + l.acqWrite, 0);
const cont = (r: R, cls: string, site: string) => r.lockstat.filter((l) => l.lockClass === cls && l.site === site).reduce((a, l) => a + l.contRead + l.contWrite, 0);
const immap = (r: R) => r.lockstat.filter((l) => l.lockClass === 'i_mmap').reduce((a, l) => a + l.acqRead + l.acqWrite, 0);
const perTaskSum = (r: R, n: number) => Array.from({ length: n }, (_, i) => r.metrics[`task${i}_per_s`]!).reduce((a, b) => a + b, 0);

test('microbench: registered with its parameters; a bad file is an error naming params.file', () => {
  const w = getWorkload('microbench')!;
  for (const k of ['file', 'tasks', 'mode', 'placement', 'iterations', 'pagesScale', 'syscallNs']) assert.ok(k in w.params, k);
  assert.throws(() => mb({ file: 'nope' }), (e: unknown) => e instanceof ConfigError && e.field === 'params.file' && /unknown microbench "nope"/.test(e.message) && /mmap1, mmap2/.test(e.message));
  const dir = tempDir('mmlock-mb-');
  writeFileSync(join(dir, 'bad.yaml'), 'loop:\n  - touch: {}\n');
  assert.throws(() => mb({ file: join(dir, 'bad.yaml') }), (e: unknown) => e instanceof ConfigError && e.field === 'params.file' && /loop\[0\]\.touch: needs a mapping/.test(e.message));
  assert.throws(() => mb({ mode: 'fibers' }), (e: unknown) => e instanceof ConfigError && e.field === 'params.mode');
});

test('mmap1 (anonymous): mmap_sem in mmap and munmap, no i_mmap in the window; total = sum of the tasks', () => {
  const r = mb({ file: 'mmap1' });
  assert.ok(r.metrics.iterations! > 0);
  assert.ok(acq(r, 'mmap_sem', 'mmap') > 0 && acq(r, 'mmap_sem', 'munmap') > 0);
  assert.equal(immap(r), 0);
  assert.ok(Math.abs(r.metrics.iterations_per_s! - perTaskSum(r, 2)) < 1e-6);
  assert.ok(Math.abs(r.metrics.iterations_per_s! - r.metrics.iterations! / 0.3e-3) < 1e-6);
});

test('mmap2 (a file per task) takes each file\'s i_mmap in vma_link and unlink_file_vma, uncontended', () => {
  const r = mb({ file: 'mmap2', tasks: 4 });
  const it = r.metrics.iterations!;
  for (const s of ['vma_link', 'unlink_file_vma']) {
    assert.ok(Math.abs(acq(r, 'i_mmap', s) - it) <= 4, `${s}: ${acq(r, 'i_mmap', s)} vs ${it} iterations`);
    assert.equal(cont(r, 'i_mmap', s), 0, s);
  }
});

test('the shared-file loop: every task takes ONE i_mmap in vma_link and unlink_file_vma, and they contend; rwsem or mutex alike (both are writes)', () => {
  for (const kernel of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem']) {
    const r = mb({ file: 'mmap_shared_file', tasks: 4 }, { kernel });
    assert.ok(acq(r, 'i_mmap', 'vma_link') > 0 && acq(r, 'i_mmap', 'unlink_file_vma') > 0, kernel);
    assert.ok(cont(r, 'i_mmap', 'vma_link') + cont(r, 'i_mmap', 'unlink_file_vma') > 0, `${kernel}: no contention`);
    const sep = mb({ file: 'mmap2', tasks: 4 }, { kernel });
    assert.ok(r.metrics.iterations_per_s! < sep.metrics.iterations_per_s!, `${kernel}: one shared file is slower than a file each`);
  }
});

test('page_fault1-3: anonymous faults, file private (COW through filemap_fault) and file shared faults, one iteration per page', () => {
  const site = (r: R, s: string) => r.lockstat.some((l) => l.site === s && l.acqRead + l.acqWrite > 0);
  const pf = (file: string) => mb({ file, pagesScale: 1 / 1024 }); // 32 pages a loop: many loops in the window
  const pf1 = pf('page_fault1'), pf2 = pf('page_fault2'), pf3 = pf('page_fault3');
  for (const r of [pf1, pf2, pf3]) {
    assert.ok(r.metrics.iterations! > 64);
    assert.ok(Math.abs(acq(r, 'mmap_sem', 'do_page_fault') - r.metrics.iterations!) <= 2, 'one fault per counted page (window edges aside)');
    assert.ok(acq(r, 'mmap_sem', 'munmap') > 0);
  }
  // do_anonymous_page: anon_vma_prepare, no page lock
  assert.ok(site(pf1, 'anon_vma_prepare') && !site(pf1, 'lock_page'));
  // do_cow_fault: the file page under its page lock (filemap_fault), then a private copy (anon_vma_prepare)
  assert.ok(site(pf2, 'lock_page') && site(pf2, 'anon_vma_prepare'));
  assert.ok(acq(pf2, 'i_mmap', 'vma_link') > 0);
  // do_shared_fault: the page lock, no anonymous copy
  assert.ok(site(pf3, 'lock_page') && !site(pf3, 'anon_vma_prepare'));
});

test('brk1: two iterations per loop, sys_brk under mmap_sem, no i_mmap; fork1: dup_mmap and unlink_file_vma on the image\'s files', () => {
  const b = mb({ file: 'brk1', iterations: 5 }, { ms: 5 });
  assert.equal(b.metrics.iterations, 2 * 5 * 2);
  assert.equal(acq(b, 'mmap_sem', 'brk'), 2 * 5 * 2);
  assert.equal(immap(b), 0);
  const f = mb({ file: 'fork1', iterations: 3 }, { ms: 20 });
  assert.equal(f.counters.forks, 2 * 3);
  assert.equal(f.metrics.iterations, 6);
  // /bin/sleep's image: every file VMA is duplicated under i_mmap in each fork and unlinked in each exit
  assert.ok(acq(f, 'i_mmap', 'dup_mmap') >= 6 * 5 && acq(f, 'i_mmap', 'dup_mmap') === acq(f, 'i_mmap', 'unlink_file_vma'));
});

test('threads share one mm (mmap_sem contended), processes do not; placement packed and spread', () => {
  const th = mb({ file: 'mmap1', tasks: 4, mode: 'threads' });
  const pr = mb({ file: 'mmap1', tasks: 4, mode: 'processes' });
  assert.ok(cont(th, 'mmap_sem', 'mmap') + cont(th, 'mmap_sem', 'munmap') > 0);
  assert.equal(cont(pr, 'mmap_sem', 'mmap') + cont(pr, 'mmap_sem', 'munmap'), 0);
  const m = loadMachine('ivybridge-ex-4s');
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => placeTask(m, 'packed', i)), [0, 1, 2, 3, 4]);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => m.socketOf(placeTask(m, 'spread', i))), [0, 1, 2, 3, 0]);
  assert.equal(new Set(Array.from({ length: m.ncpus }, (_, i) => placeTask(m, 'spread', i))).size, m.ncpus);
});

test('microbench: the same seed and config give the same results; a lock operation is a critical section on a named lock', () => {
  const a = mb({ file: 'mmap_shared_file', tasks: 3 }, { seed: 7 }), b = mb({ file: 'mmap_shared_file', tasks: 3 }, { seed: 7 });
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.lockstat, b.lockstat);
  const dir = tempDir('mmlock-mb-');
  const f = join(dir, 'lock.yaml');
  writeFileSync(f, 'image: none\nloop:\n  - lock: {class: i_mmap, name: big, mode: write, holdNs: 1000}\n  - cpu: 500\n');
  const r = mb({ file: f, tasks: 4, iterations: 10 }, { ms: 20 });
  assert.equal(acq(r, 'i_mmap', 'microbench:big'), 40);
  assert.ok(cont(r, 'i_mmap', 'microbench:big') > 0);
  // mprotect of part of a file mapping splits it: vma_adjust under i_mmap
  writeFileSync(f, 'image: none\nfile: {pages: 8, per: task}\nloop:\n  - mmap: {pages: 8, backing: file}\n  - mprotect: {prot: r, pages: 2}\n  - munmap: {}\n');
  const p = mb({ file: f, iterations: 4, pagesScale: 1 }, { ms: 20 });
  assert.ok(acq(p, 'i_mmap', 'vma_adjust') >= 8);
  assert.equal(acq(p, 'i_mmap', 'unlink_file_vma'), 2 * 4 * 2); // two pieces unlinked per munmap

  // fork + exec in the child: exec maps /bin/sh, ld.so and libc (vma_link), the child's exit unlinks them
  writeFileSync(f, 'image: none\nloop:\n  - fork: [{exec: /bin/sh}]\n');
  const e = mb({ file: f, iterations: 2 }, { ms: 50 });
  assert.equal(e.counters.forks, 4);
  assert.ok(acq(e, 'i_mmap', 'vma_link') > 0 && acq(e, 'i_mmap', 'unlink_file_vma') > 0);
  assert.equal(acq(e, 'i_mmap', 'dup_mmap'), 0); // the parent has no file mapping to duplicate
});

test('threads share one mm: each thread faults and unmaps only its own range (ranges merge into the VMA below), and brk1 threads move the one shared break without a brk below start_brk', () => {
  for (const kernel of [undefined, '{"base":"3.18-rc1","locks":{"mmap_sem":{"primitive":"mutex"}}}']) {
    // a fixed number of loops: every counted touch of a fresh mapping is a fault of that thread's own
    const r = run({ workload: 'microbench', kernel: kernel ? JSON.parse(kernel) : '3.18-rc1', params: { file: 'page_fault1', mode: 'threads', tasks: 12, pagesScale: 1 / 512, iterations: 4 } as never,
      duration: { ms: 2, warmupMs: 1 }, seed: 3, options: { checks: true } });
    assert.equal(r.metrics.iterations, 12 * 4 * 64);
    assert.equal(r.counters.faults, r.metrics.iterations, 'a touch found a page present: another thread\'s range');
  }
  const b = mb({ file: 'brk1', mode: 'threads', tasks: 16 }, { ms: 0.1 });
  assert.ok(b.metrics.iterations! > 0);
});
