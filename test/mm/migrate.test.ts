import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, type Proc } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import {
  MmContext, migrateMisplacedPage, migratePages, unmapAndMove, migrateState,
  EAGAIN, MIGRATEPAGE_SUCCESS, VM_READ, VM_WRITE, VM_EXEC, type NumaParams,
} from '../../src/mm';
import { siteAcquisitions } from './harness';
import { linkFileVma, mms } from './rmap_fixtures';

function sim(kernel = '3.18-rc1', numa: Partial<NumaParams> = {}) {
  const s = new Simulation(1);
  const sched = new Scheduler(s, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(s, sched, { checks: true });
  const ctx = new MmContext(s, sched, env, resolveKernel(kernel), { numa });
  return { sim: s, sched, env, ctx };
}

/** file page 5 mapped by `nMapped` of 4 processes (VMAs of `flags`), on node 0 */
function setup(kernel = '3.18-rc1', flags = VM_READ | VM_WRITE, nMapped = 3, numa: Partial<NumaParams> = {}) {
  const s = sim(kernel, numa);
  const file = s.ctx.newFile('libc.data', { nrPages: 16 });
  const procs = mms(s.ctx, 4);
  const vmas = procs.map((mm) => linkFileVma(file, mm, 0, 16, flags));
  const page = file.page(5);
  for (let i = 0; i < nMapped; i++) page.mappers.add(procs[i]);
  return { ...s, file, procs, vmas, page };
}

/** run body as a task, then the simulation; returns body's result */
function run<R>(s: { sim: Simulation; sched: Scheduler; env: LockEnv }, body: (t: Task) => Proc<R>): R {
  let out: R | undefined;
  s.sched.spawn('migrator', function* (t) { out = yield* body(t); });
  s.sim.run();
  s.env.finalCheck();
  return out as R;
}

/** the caller's reference from numa_migrate_prep, then migrate_misplaced_page */
function* misplaced(s: ReturnType<typeof setup>, t: Task, target: number, vma = s.vmas[0]) {
  s.page.refs++;
  return yield* migrateMisplacedPage(s.ctx, t, s.page, target, vma);
}

for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const) {
  test(`${k}: a migrated mapped file page costs two i_mmap walks (try_to_unmap + remove_migration_ptes)`, () => {
    const s = setup(k);
    const ok = run(s, (t) => misplaced(s, t, 2));
    assert.equal(ok, true);
    assert.equal(s.page.node, 2);
    const mode = k === '3.18-rc1' ? 'write' : 'read';
    assert.deepEqual(siteAcquisitions(s.env, 'i_mmap'), { rmap_walk_file: { read: mode === 'read' ? 2 : 0, write: mode === 'write' ? 2 : 0 } });
    assert.equal(s.ctx.vmstat.rmap_walks, 2);
    assert.deepEqual(new Set(s.page.mappers), new Set(s.procs.slice(0, 3)), 'mappings restored onto the new page');
    assert.equal(s.page.migrationPtes.size, 0);
    assert.equal(s.page.isolated, false);
    assert.equal(s.page.refs, 0);
    assert.equal(s.ctx.vmstat.numa_pages_migrated, 1);
    assert.equal(s.ctx.vmstat.pgmigrate_success, 1);
    assert.equal(s.ctx.vmstat.pgmigrate_fail, 0);
  });
}

test('3.18: an unmapped page-cache page still takes both walks (no page_mapped test before 2ebba6b7e1d9)', () => {
  const s = setup('3.18-rc1', VM_READ | VM_WRITE, 0);
  assert.equal(run(s, (t) => misplaced(s, t, 1)), true);
  assert.equal(siteAcquisitions(s.env, 'i_mmap').rmap_walk_file.write, 2);
});

test('refusal (a): a file page mapped more than once in a VM_EXEC VMA is not migrated; mapped once it is', () => {
  const s = setup('3.18-rc1', VM_READ | VM_EXEC, 2);
  assert.equal(run(s, (t) => misplaced(s, t, 1)), false);
  assert.equal(migrateState(s.ctx).refused.exec, 1);
  assert.equal(s.ctx.vmstat.rmap_walks, 0);
  assert.equal(s.page.refs, 0, 'the caller reference is dropped');
  assert.equal(s.page.node, 0);

  const one = setup('3.18-rc1', VM_READ | VM_EXEC, 1);
  assert.equal(run(one, (t) => misplaced(one, t, 1)), true);
});

test('refusal (b): the target node rate limit (checked before adding; the window restarts after migrate_interval)', () => {
  const s = setup('3.18-rc1', VM_READ | VM_WRITE, 1, { ratelimitPages: 2, migrateIntervalMs: 100 });
  const pages = [1, 2, 3, 4].map((i) => s.file.page(i));
  for (const p of pages) p.mappers.add(s.procs[0]);
  const results = run(s, function* (t) {
    const out: boolean[] = [];
    for (const p of pages) { p.refs++; out.push(yield* migrateMisplacedPage(s.ctx, t, p, 3, s.vmas[0])); }
    yield* s.ctx.compute(t, 101e6);
    s.page.refs++;
    out.push(yield* migrateMisplacedPage(s.ctx, t, s.page, 3, s.vmas[0]));
    return out;
  });
  assert.deepEqual(results, [true, true, true, false, true], '3 attempts pass (nr_pages 0,1,2 are not > 2), the 4th is refused; next window passes');
  assert.equal(migrateState(s.ctx).refused.ratelimit, 1);
  assert.equal(migrateState(s.ctx).ratelimit[3].nrPages, 1);
  assert.equal(migrateState(s.ctx).ratelimit[0].nrPages, 0, 'per node');
});

test('refusal (c): isolation fails for an isolated page, and with isolateFailProbability 1', () => {
  const s = setup();
  s.page.isolated = true;
  assert.equal(run(s, (t) => misplaced(s, t, 1)), false);
  assert.equal(migrateState(s.ctx).refused.isolate, 1);
  assert.equal(s.page.isolated, true, 'still isolated by its other owner');
  assert.equal(s.ctx.vmstat.rmap_walks, 0);
  assert.equal(siteAcquisitions(s.env, 'lru_lock').isolate_lru_page.write, 1);

  const p1 = setup('3.18-rc1', VM_READ | VM_WRITE, 3, { isolateFailProbability: 1 });
  assert.equal(run(p1, (t) => misplaced(p1, t, 1)), false);
  assert.equal(migrateState(p1.ctx).refused.isolate, 1);
});

test('busy page lock under MIGRATE_ASYNC: -EAGAIN without a walk, 10 passes, counted in neither pgmigrate counter', () => {
  const s = setup();
  let rc1 = 0;
  let ok: boolean | undefined;
  s.sched.spawn('holder', function* (t) {
    yield* s.page.lockPage(t);
    yield* s.ctx.compute(t, 1e6);
    yield* s.page.unlockPage(t);
  });
  s.sched.spawn('migrator', function* (t) {
    yield* s.ctx.compute(t, 1000);
    rc1 = yield* unmapAndMove(s.ctx, t, s.page, 1, true, 'async');
    ok = yield* misplaced(s, t, 1);
  });
  s.sim.run();
  assert.equal(rc1, EAGAIN);
  assert.equal(ok, false);
  assert.equal(s.ctx.vmstat.rmap_walks, 0);
  assert.equal(s.ctx.vmstat.pgmigrate_success + s.ctx.vmstat.pgmigrate_fail, 0);
  assert.equal(migrateState(s.ctx).eagainDropped, 1);
  assert.equal(s.page.isolated, false, 'put back on the LRU');
  assert.equal(s.page.node, 0);
});

test('MIGRATE_SYNC waits for the page lock once forced (pass > 2)', () => {
  const s = setup();
  let res: { remaining: number } | undefined;
  s.sched.spawn('holder', function* (t) {
    yield* s.page.lockPage(t);
    yield* s.ctx.compute(t, 1e6);
    yield* s.page.unlockPage(t);
  });
  s.sched.spawn('migrator', function* (t) {
    yield* s.ctx.compute(t, 1000);
    s.page.isolated = true;
    res = yield* migratePages(s.ctx, t, [s.page], 1, 'sync');
  });
  s.sim.run();
  assert.equal(res!.remaining, 0);
  assert.equal(s.ctx.vmstat.pgmigrate_success, 1);
  assert.equal(s.page.node, 1);
});

test('a reference-count mismatch fails move_to_new_page: -EAGAIN, remove_migration_ptes(old, old) restores, two walks per pass', () => {
  const s = setup();
  s.page.refs = 1; // someone else's get_page (e.g. a GUP pin)
  const ok = run(s, (t) => misplaced(s, t, 1));
  assert.equal(ok, false);
  assert.equal(s.page.node, 0);
  assert.equal(s.ctx.vmstat.rmap_walks, 20, '10 passes x (unmap + restore)');
  assert.equal(s.page.mapcount, 3);
  assert.equal(s.page.migrationPtes.size, 0);
  assert.equal(s.page.refs, 1);
});

test('PG_writeback under MIGRATE_ASYNC: -EBUSY, a permanent failure (pgmigrate_fail)', () => {
  const s = setup();
  s.page.writeback = true;
  const ok = run(s, (t) => misplaced(s, t, 1));
  assert.equal(ok, false);
  assert.equal(s.ctx.vmstat.pgmigrate_fail, 1);
  assert.equal(s.ctx.vmstat.rmap_walks, 0);
});

test('unmap_and_move returns MIGRATEPAGE_SUCCESS and keeps the page lock balanced', () => {
  const s = setup();
  const rc = run(s, (t) => unmapAndMove(s.ctx, t, s.page, 3, false, 'async'));
  assert.equal(rc, MIGRATEPAGE_SUCCESS);
  assert.equal(s.page.locked, false);
  assert.equal(s.page.node, 3);
});
