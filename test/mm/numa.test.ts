import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, type Proc } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import {
  MmContext, migrateState, resolveNumaParams, TNF_FAULT_LOCAL,
  VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_HUGETLB, type NumaParams,
} from '../../src/mm';
import { siteAcquisitions } from './harness';
import { linkFileVma, linkAnonVma, mms, acq } from './rmap_fixtures';

/** fast scanning: 1 ms delay and period (the floor 1000/windows ms is lowered through MAX_SCAN_WINDOW) */
const FAST: Partial<NumaParams> = { scanDelayMs: 1, scanPeriodMinMs: 1, scanPeriodMaxMs: 50, maxScanWindowMb: 256_000 };

function sim(numa: Partial<NumaParams> = {}, kernel = '3.18-rc1-i_mmap_rwsem') {
  const s = new Simulation(1);
  const sched = new Scheduler(s, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(s, sched, { checks: true });
  const ctx = new MmContext(s, sched, env, resolveKernel(kernel), { numa });
  const cpuOf = (node: number) => sched.machine.cpusOfSocket(node)[0];
  function spawnOn(node: number, name: string, body: (t: Task) => Proc): Task {
    return sched.spawn(name, body, { cpu: cpuOf(node) });
  }
  return { sim: s, sched, env, ctx, cpuOf, spawnOn };
}

test('NumaParams: defaults of 3.18 and validation', () => {
  const p = resolveNumaParams(undefined);
  assert.equal(p.scanDelayMs, 1000);
  assert.equal(p.scanPeriodMinMs, 1000);
  assert.equal(p.scanPeriodMaxMs, 60000);
  assert.equal(p.scanSizeMb, 256);
  assert.equal(p.ratelimitPages, 32768);
  assert.equal(p.migrateIntervalMs, 100);
  assert.equal(p.isolateFailProbability, 0);
  assert.throws(() => resolveNumaParams({ bogus: 1 } as never), /unknown parameter/);
  assert.throws(() => resolveNumaParams({ isolateFailProbability: 2 }), /\[0, 1\]/);
  assert.throws(() => resolveNumaParams({ scanPeriodMaxMs: 10 }), /scanPeriodMaxMs/);
  const s = sim();
  assert.equal(s.ctx.numa.taskScanMin(s.ctx.newMm()), 1000, 'max(1000/10, 1000/1)');
  assert.equal(s.ctx.numa.taskScanMax(s.ctx.newMm()), 60000);
});

test('task_numa_work marks only present ptes of eligible VMAs, under pte locks and mmap_sem read, no i_mmap', () => {
  const s = sim();
  const mm = s.ctx.newMm('proc');
  const mk = (name: string, flags: number, hugetlb = false) => {
    const f = s.ctx.newFile(name, { nrPages: 8, hugetlb });
    const v = linkFileVma(f, mm, 0, 8, flags);
    s.ctx.numa.populate(v, [0, 1, 2, 3, 4, 5, 6, 7]);
    return v;
  };
  const data = mk('libc.data', VM_READ | VM_WRITE); // rw-p: scanned
  const others = [
    mk('libc.rodata', VM_READ), // r--: read-only file, skipped
    mk('libc.text', VM_READ | VM_EXEC), // r-x: skipped (READ without WRITE)
    mk('huge', VM_READ | VM_WRITE | VM_SHARED | VM_HUGETLB, true), // hugetlb: skipped
    mk('guard', 0), // ---p: inaccessible, skipped
  ];
  linkAnonVma(s.ctx.newAnonVma(null, 'heap'), mm, 64, VM_READ | VM_WRITE);
  s.spawnOn(0, 'scanner', function* (t) {
    const tn = s.ctx.numa.attach(t, mm);
    yield* s.ctx.compute(t, 1000);
    mm.numaNextScan = 1; // due
    yield* s.ctx.numa.taskNumaWork(t, tn);
    assert.ok(mm.numaNextScan > s.sim.now, 'numa_next_scan advanced by the scan period');
    yield* s.ctx.numa.taskNumaWork(t, tn); // rate-limited: returns at once
  });
  s.sim.run();
  s.env.finalCheck();
  for (let i = 0; i < 8; i++) assert.ok(data.file!.page(i).numaPtes.has(mm));
  for (const v of others) for (let i = 0; i < 8; i++) assert.equal(v.file!.page(i).numaPtes.size, 0, v.file!.name);
  assert.equal(s.ctx.vmstat.numa_pte_updates, 8);
  assert.equal(s.ctx.numa.stats.scanPasses, 1);
  assert.equal(acq(s.env, 'ptl', 'change_pte_range'), 1, 'one page table');
  assert.deepEqual(siteAcquisitions(s.env, 'i_mmap'), {});
  assert.deepEqual(siteAcquisitions(s.env, 'mmap_sem').task_numa_work, { read: 1, write: 0 });
  assert.equal(mm.numaScanSeq, 1, 'reached the end of the address space: reset_ptenuma_scan');
  assert.equal(mm.numaScanOffset, 0);
});

test('task_numa_work covers scan_size per pass from numa_scan_offset (end aligned to 512 pages)', () => {
  const s = sim({ scanSizeMb: 1 });
  const mm = s.ctx.newMm('proc');
  const f = s.ctx.newFile('data', { nrPages: 2048 });
  const v = linkFileVma(f, mm, 0, 2048, VM_READ | VM_WRITE);
  s.ctx.numa.populate(v, Array.from({ length: 2048 }, (_, i) => i));
  const offsets: number[] = [];
  s.spawnOn(0, 'scanner', function* (t) {
    const tn = s.ctx.numa.attach(t, mm);
    for (let k = 0; k < 3; k++) {
      yield* s.ctx.compute(t, 100);
      mm.numaNextScan = 1;
      yield* s.ctx.numa.taskNumaWork(t, tn);
      offsets.push(mm.numaScanOffset);
    }
  });
  s.sim.run();
  // first pass [v.start, ALIGN(v.start + 256, 512)), then 512 pages each
  const first = Math.ceil((v.start + 256) / 512) * 512;
  assert.deepEqual(offsets, [first, first + 512, first + 1024]);
  assert.equal(s.ctx.vmstat.numa_pte_updates, first + 1024 - v.start);
  assert.equal(acq(s.env, 'ptl', 'change_pte_range'), 3);
});

test('a hinting fault migrates the page to the faulting task\'s node; a local fault does not', () => {
  const s = sim();
  const mm = s.ctx.newMm('proc');
  const f = s.ctx.newFile('libc.data', { nrPages: 8, node: 0 });
  const v = linkFileVma(f, mm, 0, 8, VM_READ | VM_WRITE);
  const other = s.ctx.newMm('other');
  s.ctx.numa.populate(linkFileVma(f, other, 0, 8, VM_READ | VM_WRITE), [3]);
  s.ctx.numa.populate(v, [3]);
  const page = f.page(3);
  const results: string[] = [];
  s.spawnOn(1, 'toucher', function* (t) {
    page.numaPtes.add(mm);
    results.push(yield* s.ctx.numa.touch(t, mm, v, 3));
    results.push(yield* s.ctx.numa.touch(t, mm, v, 3));
    page.numaPtes.add(mm);
    results.push(yield* s.ctx.numa.touch(t, mm, v, 3));
  });
  s.sim.run();
  s.env.finalCheck();
  assert.deepEqual(results, ['hinting', 'hit', 'hinting']);
  assert.equal(page.node, 1);
  assert.equal(s.ctx.vmstat.numa_hint_faults, 2);
  assert.equal(s.ctx.vmstat.numa_hint_faults_local, 1);
  assert.equal(s.ctx.vmstat.numa_pages_migrated, 1);
  assert.equal(s.ctx.vmstat.rmap_walks, 2);
  assert.deepEqual(new Set(page.mappers), new Set([mm, other]));
  assert.deepEqual(siteAcquisitions(s.env, 'mmap_sem').do_numa_page, { read: 2, write: 0 });
  assert.equal(page.refs, 0);
});

test('should_numa_migrate_memory: a fault from another node than the last one refuses; the second in a row migrates', () => {
  const s = sim();
  const mm = s.ctx.newMm('proc');
  const f = s.ctx.newFile('libc.data', { nrPages: 8, node: 0 });
  const v = linkFileVma(f, mm, 0, 8, VM_READ | VM_WRITE);
  s.ctx.numa.populate(v, [2]);
  const page = f.page(2);
  page.lastCpupid = s.cpuOf(2) * 256 + 77; // last fault from node 2
  const nodes: number[] = [];
  s.spawnOn(1, 'toucher', function* (t) {
    for (let k = 0; k < 2; k++) {
      page.numaPtes.add(mm);
      yield* s.ctx.numa.touch(t, mm, v, 2);
      nodes.push(page.node);
    }
  });
  s.sim.run();
  assert.deepEqual(nodes, [0, 1]);
  assert.equal(s.ctx.vmstat.numa_hint_faults, 2);
  assert.equal(s.ctx.vmstat.numa_pages_migrated, 1);
});

test('shared library text is never migrated: r-x VMAs are not scanned, and a marked shared exec page is refused', () => {
  const s = sim();
  const [a, b] = mms(s.ctx, 2);
  const f = s.ctx.newFile('libc.text', { nrPages: 8, node: 0 });
  const va = linkFileVma(f, a, 0, 8, VM_READ | VM_EXEC);
  s.ctx.numa.populate(va, [0]);
  s.ctx.numa.populate(linkFileVma(f, b, 0, 8, VM_READ | VM_EXEC), [0]);
  s.spawnOn(3, 'toucher', function* (t) {
    f.page(0).numaPtes.add(a); // as if marked (task_numa_work would not)
    yield* s.ctx.numa.touch(t, a, va, 0);
  });
  s.sim.run();
  assert.equal(f.page(0).node, 0);
  assert.equal(migrateState(s.ctx).refused.exec, 1);
  assert.equal(s.ctx.vmstat.rmap_walks, 0);
});

for (const enabled of [true, false]) {
  test(`tick-driven balancing ${enabled ? 'on' : 'off'}: runUser over a hot set ${enabled ? 'moves the pages to the task\'s node' : 'changes nothing'}`, () => {
    const s = sim({ ...FAST, enabled });
    const mm = s.ctx.newMm('proc');
    const f = s.ctx.newFile('libc.data', { nrPages: 8, node: 0 });
    const v = linkFileVma(f, mm, 0, 8, VM_READ | VM_WRITE);
    s.ctx.numa.populate(v, [0, 1, 2, 3, 4, 5, 6, 7]);
    s.ctx.numa.setHotSet(mm, { vma: v, pages: [0, 1, 2, 3, 4, 5, 6, 7], touchIntervalNs: 20_000 });
    s.spawnOn(2, 'worker', function* (t) {
      s.ctx.numa.attach(t, mm);
      while (s.sim.now < 20e6) yield* s.ctx.numa.runUser(t, 500_000);
    });
    s.sim.run();
    s.env.finalCheck();
    const nodes = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => f.page(i).node);
    if (enabled) {
      assert.ok(s.ctx.numa.stats.scanPasses >= 2, `scans: ${s.ctx.numa.stats.scanPasses}`);
      assert.deepEqual(nodes, [2, 2, 2, 2, 2, 2, 2, 2]);
      assert.equal(s.ctx.vmstat.numa_pages_migrated, 8);
      assert.ok(s.ctx.vmstat.numa_hint_faults_local > 0, 'later passes fault locally');
    } else {
      assert.equal(s.ctx.numa.stats.scanPasses, 0);
      assert.equal(s.ctx.vmstat.numa_pte_updates, 0);
      assert.deepEqual(nodes, [0, 0, 0, 0, 0, 0, 0, 0]);
    }
  });
}

test('update_task_scan_period: no faults double the period; local faults lengthen it; remote faults shorten it (clamped); the local + shared == 0 quirk', () => {
  const s = sim();
  const mm = s.ctx.newMm('proc');
  s.spawnOn(0, 't', function* (t) {
    const numa = s.ctx.numa;
    const tn = numa.attach(t, mm);
    tn.scanPeriod = 1000;
    mm.numaScanSeq++;
    numa.taskNumaFault(t, -1, 0, 1, TNF_FAULT_LOCAL);
    assert.equal(tn.scanPeriod, 2000, 'no faults recorded in the last pass: scan slower');
    for (let i = 0; i < 10; i++) numa.taskNumaFault(t, -1, 0, 1, TNF_FAULT_LOCAL);
    mm.numaScanSeq++;
    numa.taskNumaFault(t, -1, 0, 1, 0);
    assert.equal(tn.scanPeriod, 2600, 'all local (ratio 10 >= 7): + 3 slots of 200');
    numa.taskNumaFault(t, -1, 0, 1, TNF_FAULT_LOCAL);
    for (let i = 0; i < 9; i++) numa.taskNumaFault(t, -1, 1, 1, 0);
    mm.numaScanSeq++;
    numa.taskNumaFault(t, -1, 1, 1, 0);
    assert.equal(tn.scanPeriod, 1000, '1 local, 10 remote, all private: ratio 0: - 7 slots of 260, clamped to task_scan_min');
    for (let i = 0; i < 10; i++) numa.taskNumaFault(t, -1, 1, 1, 0);
    mm.numaScanSeq++;
    numa.taskNumaFault(t, -1, 1, 1, 0);
    assert.equal(tn.scanPeriod, 2000, 'only remote private faults: 3.18 tests local + shared == 0 (not local + remote) and scans slower');
    yield* s.ctx.compute(t, 1);
  });
  s.sim.run();
});

test('a task touching a page under migration waits on its migration entry; the migration completes or restores', () => {
  const s = sim({}, '3.18-rc1');
  const procs = mms(s.ctx, 40);
  const f = s.ctx.newFile('libc.data', { nrPages: 8, node: 0 });
  const vmas = procs.map((mm) => linkFileVma(f, mm, 0, 8, VM_READ | VM_WRITE));
  vmas.forEach((v) => s.ctx.numa.populate(v, [4]));
  const page = f.page(4);
  let touched: string | undefined;
  s.spawnOn(1, 'migrator', function* (t) {
    page.numaPtes.add(procs[39]);
    yield* s.ctx.numa.touch(t, procs[39], vmas[39], 4);
  });
  s.spawnOn(2, 'reader', function* (t) {
    s.ctx.numa.attach(t, procs[0]);
    // p0 is unmapped first; by 8 µs its pte holds a migration entry
    yield* s.ctx.compute(t, 8000);
    assert.ok(page.migrationPtes.has(procs[0]), 'the reader meets a migration entry');
    touched = yield* s.ctx.numa.touch(t, procs[0], vmas[0], 4);
  });
  s.sim.run();
  s.env.finalCheck();
  assert.equal(touched, 'hit');
  assert.equal(s.ctx.numa.stats.migrationEntryWaits, 1);
  assert.equal(page.mapcount, 40);
  assert.equal(page.migrationPtes.size, 0);
  assert.equal(page.refs, 0);
  assert.equal(page.locked, false);
});
