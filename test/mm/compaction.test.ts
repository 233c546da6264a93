import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation, type Proc } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import {
  MmContext, compactZone, allocHighOrder, fileShare, resolveCompactionParams, fork,
  COMPACT_CLUSTER_MAX, VM_READ, VM_EXEC, type CompactionParams,
} from '../../src/mm';
import { siteAcquisitions } from './harness';
import { linkFileVma, mms } from './rmap_fixtures';

function setup(kernel: string, compaction: Partial<CompactionParams>, mapped: number, seed = 1) {
  const sim = new Simulation(seed);
  const sched = new Scheduler(sim, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched, { checks: true });
  const ctx = new MmContext(sim, sched, env, resolveKernel(kernel), { compaction });
  const file = ctx.newFile('libc.so.6', { nrPages: 8 });
  ctx.addCachedFile(file);
  const procs = mms(ctx, mapped);
  for (const mm of procs) {
    const vma = linkFileVma(file, mm, 0, 8, VM_READ | VM_EXEC);
    for (let i = 0; i < 8; i++) mm.pt.set(vma.addressOf(i), file.page(i)); // text mapped in every process
  }
  const run = (body: (t: Task) => Proc) => {
    sched.spawn('allocator', body);
    sim.run();
    env.finalCheck();
  };
  return { sim, sched, env, ctx, file, procs, run };
}

test('compaction: a stall isolates a COMPACT_CLUSTER_MAX batch; file pages of a mapped library take its i_mmap lock twice per pass (3.18: try_to_unmap even when unmapped, then remove_migration_ptes)', () => {
  const s = setup('3.18-rc1', { stallProbability: 1 }, 5);
  // no anonymous memory: every page of the batch is a page of the file
  assert.equal(fileShare(s.ctx), 1);
  s.run((t) => compactZone(s.ctx, t));
  const v = s.ctx.vmstat;
  assert.equal(v.compact_stall, 1);
  assert.equal(v.compact_migrate_scanned, COMPACT_CLUSTER_MAX);
  // 32 draws over 8 pages: duplicates are skipped, so 1..8 distinct pages
  assert.ok(v.compact_isolated_file >= 1 && v.compact_isolated_file <= 8, `isolated ${v.compact_isolated_file}`);
  assert.equal(v.compact_isolated, v.compact_isolated_file);
  const walks = siteAcquisitions(s.env, 'i_mmap').rmap_walk_file;
  assert.ok(walks.write >= 2 * v.compact_isolated_file, `walks ${walks.write} for ${v.compact_isolated_file} pages`);
  assert.equal(walks.read, 0, 'the mutex kernel takes every walk exclusively');
  // every VMA covering the offset is visited: O(processes) per walk
  assert.equal(v.rmap_vmas_visited, 5 * v.rmap_walks);
  // the pages come back mapped in every process
  for (let i = 0; i < 8; i++) assert.equal(s.file.page(i).mapcount, 5);
  assert.equal(v.pgmigrate_success, v.compact_isolated);
});

test('compaction: with the series the walks take i_mmap for read', () => {
  const s = setup('3.18-rc1-i_mmap_rwsem', { stallProbability: 1 }, 3);
  s.run((t) => compactZone(s.ctx, t));
  const walks = siteAcquisitions(s.env, 'i_mmap').rmap_walk_file;
  assert.equal(walks.write, 0);
  assert.ok(walks.read >= 2);
});

test('compaction: anonymous memory dilutes the batch (fileShare counts present anonymous ptes)', () => {
  const s = setup('3.18-rc1', { stallProbability: 1 }, 2);
  for (let a = 100000; a < 100024; a++) s.procs[0].pt.set(a, null);
  assert.equal(s.ctx.anonPtes, 24);
  assert.equal(fileShare(s.ctx), 8 / 32);
  s.procs[0].pt.clear(100000);
  s.procs[0].pt.set(100001, null); // replacing an anonymous pte keeps the count
  assert.equal(s.ctx.anonPtes, 23);
  s.procs[0].pt.set(100002, s.file.page(0)); // an anonymous pte replaced by a file pte
  assert.equal(s.ctx.anonPtes, 22);
});

test('compaction: stallProbability 0 (the default) never stalls; 1 stalls on every order >= 1 allocation, never on order 0', () => {
  for (const [p, order, want] of [[0, 2, 0], [1, 2, 1], [1, 0, 0]] as const) {
    const s = setup('3.18-rc1', { stallProbability: p }, 1);
    s.run((t) => allocHighOrder(s.ctx, t, order));
    assert.equal(s.ctx.vmstat.compact_stall, want, `p=${p} order=${order}`);
  }
  assert.equal(resolveCompactionParams(undefined).stallProbability, 0);
});

test('compaction: fork allocates its order-2 kernel stack first', () => {
  const s = setup('3.18-rc1', { stallProbability: 1 }, 1);
  s.run(function* (t) { yield* fork(s.ctx, t, s.procs[0], 'child'); });
  assert.equal(s.ctx.vmstat.compact_stall, 1);
  assert.equal(s.ctx.vmstat.forks, 1);
});

test('compaction params: bad values name the field and the allowed range', () => {
  assert.throws(() => resolveCompactionParams({ stallProbability: 1.5 }), /mm\.compaction\.stallProbability: must be in \[0, 1\]/);
  assert.throws(() => resolveCompactionParams({ pagesPerStall: 0 }), /mm\.compaction\.pagesPerStall: must be an integer >= 1/);
  assert.throws(() => resolveCompactionParams({ nope: 1 } as never), /mm\.compaction\.nope: unknown parameter; allowed: stallProbability, pagesPerStall/);
});

test('compaction (property): any stall probability and mapping count keep every page mapped where it was, and the locks consistent', () => {
  fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1000 }),
    (p, mapped, forks, seed) => {
      const s = setup(seed % 2 ? '3.18-rc1' : '3.18-rc1-i_mmap_rwsem', { stallProbability: p }, mapped, seed);
      for (let k = 0; k < forks; k++) s.sched.spawn(`f${k}`, function* (t) { yield* allocHighOrder(s.ctx, t, 2); });
      s.sim.run();
      s.env.finalCheck();
      for (let i = 0; i < 8; i++) {
        const pg = s.file.page(i);
        assert.equal(pg.mapcount, mapped);
        assert.equal(pg.isolated, false);
        assert.equal(pg.migrationPtes.size, 0);
      }
      assert.ok(s.ctx.vmstat.compact_stall <= forks);
    }), { numRuns: 40 });
});
