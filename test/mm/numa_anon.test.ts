import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation, type Proc } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import { MmContext, VM_READ, VM_WRITE, fork as mmFork, type MmStruct, type NumaParams } from '../../src/mm';
import { takeProportional } from '../../src/mm/numa_anon';
import { siteAcquisitions } from './harness';
import { linkAnonVma } from './rmap_fixtures';

function sim(numa: Partial<NumaParams> = {}, kernel = '3.18-rc1', seed = 1) {
  const s = new Simulation(seed);
  const sched = new Scheduler(s, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(s, sched, { checks: true });
  const ctx = new MmContext(s, sched, env, resolveKernel(kernel), { numa });
  const cpuOf = (node: number) => sched.machine.cpusOfSocket(node)[0];
  const spawnOn = (node: number, name: string, body: (t: Task) => Proc) =>
    sched.spawn(name, body, { cpu: cpuOf(node) });
  return { sim: s, sched, env, ctx, spawnOn };
}

/** an mm with one anonymous VMA of `pages` present anonymous ptes */
function anonMm(ctx: MmContext, name: string, pages: number): MmStruct {
  const mm = ctx.newMm(name);
  const v = linkAnonVma(ctx.newAnonVma(null, name), mm, Math.max(pages, 1), VM_READ | VM_WRITE);
  for (let i = 0; i < pages; i++) mm.pt.set(v.start + i, null);
  return mm;
}

const sumGrid = (g: number[][]) => g.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);

test('takeProportional: takes min(k, total), never more than a cell holds', () => {
  fc.assert(fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 12 }), fc.nat(400), (cells, k) => {
    const t = takeProportional(cells, k);
    const total = cells.reduce((a, b) => a + b, 0);
    assert.equal(t.reduce((a, b) => a + b, 0), Math.min(k, total));
    t.forEach((x, i) => assert.ok(x >= 0 && x <= cells[i]!));
  }));
});

test('task_tick_numa pacing: no anonymous scan before scan_delay (1000 ms of runtime), then one per scan period', () => {
  const s = sim();
  s.ctx.numa.anon.touchIntervalNs = 1e12; // touches so rare that marks stay: only the scans are watched
  const mm = anonMm(s.ctx, 'proc', 100);
  const scansAt: number[] = [];
  s.spawnOn(0, 'p', function* (t) {
    s.ctx.numa.attach(t, mm);
    let seen = 0;
    for (let i = 0; i < 350; i++) { // 3.5 s of CPU in 10 ms slices
      yield* s.ctx.numa.runUser(t, 10e6);
      if (s.ctx.numa.stats.scanPasses !== seen) { seen = s.ctx.numa.stats.scanPasses; scansAt.push(t.stats.cpu + (t.onCpu ? s.sim.now - t.execStart : 0)); }
    }
  });
  s.sim.run();
  assert.ok(scansAt.length >= 2, `scans at ${scansAt}`);
  assert.ok(scansAt[0]! >= 1000e6, `first scan after the scan delay, at ${scansAt[0]! / 1e6} ms of runtime`);
  // rescans: task_scan_min = 1000 ms for a small mm (1000 / nr_scan_windows, floor 1000/10)
  for (let i = 1; i < scansAt.length; i++) assert.ok(scansAt[i]! - scansAt[i - 1]! >= 1000e6 - 20e6, `period ${(scansAt[i]! - scansAt[i - 1]!) / 1e6} ms`);
  assert.equal(s.ctx.vmstat.numa_pte_updates, 100, 'the first scan marked all 100; later ones find them still marked');
  assert.equal(s.ctx.numa.anon.marked(s.ctx.numa.anon.peek(mm)!), 100);
});

/** drive fault batches of a task on `node`: mark every anon page of mm, then fault them all */
function* markAndFault(s: ReturnType<typeof sim>, t: Task, mm: MmStruct): Proc {
  const v = mm.vmas[0]!;
  yield* s.ctx.numa.anon.changeProtNumaAnon(t, v, v.start, v.end);
  yield* s.ctx.numa.runUser(t, 1e6); // touchIntervalNs tiny: every marked page faults
}

test('should_numa_migrate_memory on anonymous pages: an unset cpupid migrates at once; a last fault from another node refuses the first remote fault, the second migrates', () => {
  const s = sim();
  s.ctx.numa.anon.touchIntervalNs = 1; // every marked page is touched
  const fresh = anonMm(s.ctx, 'fresh', 10);
  const old = anonMm(s.ctx, 'old', 10);
  const log: number[] = [];
  s.spawnOn(1, 'p', function* (t) {
    s.ctx.numa.attach(t, fresh);
    // pages first touched on node 0 (never faulted: cpupid unset)
    s.ctx.numa.anon.stateOf(fresh, 0);
    yield* markAndFault(s, t, fresh);
    log.push(s.ctx.vmstat.numa_pages_migrated);
    s.ctx.numa.detach(t);
    s.ctx.numa.attach(t, old);
    // pages on node 0 whose last hinting fault came from node 2
    const st = s.ctx.numa.anon.stateOf(old, 0);
    st.cells[0][0]![4] -= 10; st.cells[0][0]![2] += 10;
    yield* markAndFault(s, t, old);
    log.push(s.ctx.vmstat.numa_pages_migrated);
    assert.equal(st.cells[0][0]![1], 10, 'refused: still on node 0, last fault now node 1');
    yield* markAndFault(s, t, old);
    log.push(s.ctx.vmstat.numa_pages_migrated);
    assert.equal(st.cells[0][1]![1], 10, 'migrated to node 1');
  });
  s.sim.run();
  s.env.finalCheck();
  assert.deepEqual(log, [10, 10, 20]);
  assert.equal(s.ctx.vmstat.numa_hint_faults, 30);
  assert.equal(s.ctx.vmstat.numa_hint_faults_local, 0);
  assert.equal(s.ctx.vmstat.pgmigrate_success, 20);
  assert.equal(s.ctx.numa.anon.stats.filterRefused, 10);
});

test('anonymous migration walks the anon_vma under its read lock and never takes i_mmap; local faults do not migrate', () => {
  for (const kernel of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem']) {
    const s = sim({}, kernel);
    s.ctx.numa.anon.touchIntervalNs = 1;
    const remote = anonMm(s.ctx, 'remote', 8);
    const local = anonMm(s.ctx, 'local', 8);
    s.spawnOn(1, 'p', function* (t) {
      s.ctx.numa.attach(t, remote);
      s.ctx.numa.anon.stateOf(remote, 0);
      yield* markAndFault(s, t, remote);
      s.ctx.numa.detach(t);
      s.ctx.numa.attach(t, local);
      s.ctx.numa.anon.stateOf(local, 1);
      yield* markAndFault(s, t, local);
    });
    s.sim.run();
    s.env.finalCheck();
    assert.equal(s.ctx.vmstat.numa_pages_migrated, 8, kernel);
    assert.equal(s.ctx.vmstat.numa_hint_faults_local, 8, kernel);
    assert.deepEqual(siteAcquisitions(s.env, 'i_mmap'), {}, kernel);
    assert.deepEqual(siteAcquisitions(s.env, 'anon_vma').rmap_walk_anon, { read: 1, write: 0 }, kernel);
  }
});

test('fork: the child starts with its parent\'s anonymous counts (copy_pte_range), marks included', () => {
  const s2 = sim();
  s2.ctx.numa.anon.touchIntervalNs = 1e12;
  const p2 = anonMm(s2.ctx, 'parent', 20);
  let child: MmStruct | null = null;
  s2.spawnOn(2, 'p', function* (t) {
    s2.ctx.numa.attach(t, p2);
    const v = p2.vmas[0]!;
    yield* s2.ctx.numa.anon.changeProtNumaAnon(t, v, v.start, v.start + 10);
    const mod = yield* forkMm(s2.ctx, t, p2);
    child = mod;
  });
  s2.sim.run();
  const cs = s2.ctx.numa.anon.peek(child!)!;
  const ps = s2.ctx.numa.anon.peek(p2)!;
  assert.equal(cs.total, 20);
  assert.deepEqual(cs.cells, ps.cells);
  assert.equal(sumGrid(cs.cells[1]), 10);
  assert.equal(cs.cells[1][2]![4], 10, 'marked, on node 2, cpupid unset');
});

function* forkMm(ctx: MmContext, t: Task, parent: MmStruct): Proc<MmStruct> {
  return yield* mmFork(ctx, t, parent, 'child');
}

/** a small random run: tasks on random nodes with anon mms whose pages were first touched elsewhere */
function randomRun(seed: number, pages: number[], nodes: number[], homes: number[], sliceMs: number, kernel: string) {
  const s = sim({ scanDelayMs: 5, scanPeriodMinMs: 5, scanPeriodMaxMs: 50, maxScanWindowMb: 256_000 }, kernel, seed);
  s.ctx.numa.anon.touchIntervalNs = 2e6;
  pages.forEach((n, i) => {
    const mm = anonMm(s.ctx, `m${i}`, n);
    s.ctx.numa.anon.stateOf(mm, homes[i]! % 4);
    s.spawnOn(nodes[i]! % 4, `t${i}`, function* (t) {
      s.ctx.numa.attach(t, mm);
      for (let k = 0; k < 40; k++) yield* s.ctx.numa.runUser(t, sliceMs * 1e6);
    });
  });
  s.sim.run();
  s.env.finalCheck();
  return s;
}

test('property: the counters add up (hint faults ≥ migrated, local ≤ hint faults, pte updates ≥ hint faults, pgmigrate_success = migrated)', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 1000 }),
    fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 5 }),
    fc.array(fc.nat(3), { minLength: 5, maxLength: 5 }),
    fc.array(fc.nat(3), { minLength: 5, maxLength: 5 }),
    fc.integer({ min: 1, max: 20 }),
    (seed, pages, nodes, homes, slice) => {
      const s = randomRun(seed, pages, nodes, homes, slice, '3.18-rc1');
      const v = s.ctx.vmstat;
      assert.ok(v.numa_hint_faults >= v.numa_pages_migrated);
      assert.ok(v.numa_hint_faults_local <= v.numa_hint_faults);
      assert.ok(v.numa_pte_updates >= v.numa_hint_faults);
      assert.equal(v.pgmigrate_success, v.numa_pages_migrated);
    }), { numRuns: 25 });
});

test('property: tasks on the node of their pages take only local faults and migrate nothing', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 4 }), fc.nat(3),
    (seed, pages, node) => {
      const nodes = pages.map(() => node);
      const s = randomRun(seed, pages, nodes, nodes, 5, '3.18-rc1');
      assert.equal(s.ctx.vmstat.numa_pages_migrated, 0);
      assert.equal(s.ctx.vmstat.numa_hint_faults_local, s.ctx.vmstat.numa_hint_faults);
      assert.ok(s.ctx.vmstat.numa_hint_faults > 0);
    }), { numRuns: 15 });
});

test('determinism: same seed and inputs, same counters', () => {
  const a = randomRun(7, [100, 50, 200], [0, 1, 2], [3, 3, 0], 7, '3.18-rc1-i_mmap_rwsem');
  const b = randomRun(7, [100, 50, 200], [0, 1, 2], [3, 3, 0], 7, '3.18-rc1-i_mmap_rwsem');
  assert.deepEqual(a.ctx.vmstat, b.ctx.vmstat);
  assert.ok(a.ctx.vmstat.numa_pages_migrated > 0);
});
