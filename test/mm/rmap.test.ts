import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kernelSim, siteAcquisitions } from './harness';
import { linkFileVma, linkAnonVma, mms, acq } from './rmap_fixtures';
import {
  rmapWalkFile, rmapWalkAnon, tryToUnmap, tryToMunlock, pageReferenced, pageMkclean, removeMigrationPtes,
  SWAP_AGAIN, SWAP_SUCCESS, SWAP_MLOCK, SWAP_FAIL, TTU_MIGRATION, TTU_IGNORE_MLOCK, TTU_IGNORE_ACCESS, TTU_UNMAP,
  VM_READ, VM_WRITE, VM_SHARED, VM_LOCKED, Page, type RmapWalker, type Vma, type SwapResult,
} from '../../src/mm';

/** a walker that records the VMAs and whether each was mapped */
class Recorder implements RmapWalker {
  readonly name = 'recorder';
  readonly seen: { vma: Vma; mapped: boolean }[] = [];
  rmapOne(_p: Page, vma: Vma, mapped: boolean): SwapResult {
    this.seen.push({ vma, mapped });
    return SWAP_AGAIN;
  }
}

test('rmap_walk_file visits exactly the VMAs covering the page offset; pte locks only where mapped (property, vs brute force)', () => {
  const mapping = fc.record({
    vmas: fc.array(fc.record({ mm: fc.nat(7), pgoff: fc.nat(60), pages: fc.integer({ min: 1, max: 30 }) }), { minLength: 0, maxLength: 25 }),
    mapped: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    index: fc.nat(70),
  });
  fc.assert(fc.property(mapping, ({ vmas, mapped, index }) => {
    const { ctx, env, runTask } = kernelSim('3.18-rc1-i_mmap_rwsem');
    const file = ctx.newFile('f', { nrPages: 100 });
    const procs = mms(ctx, 8);
    const all = vmas.map((v) => linkFileVma(file, procs[v.mm], v.pgoff, v.pages, VM_READ | VM_WRITE));
    const page = file.page(index);
    procs.forEach((mm, i) => { if (mapped[i]) page.mappers.add(mm); });
    const w = new Recorder();
    runTask(function* (t) {
      yield* page.lockPage(t);
      yield* rmapWalkFile(ctx, t, page, w);
      yield* page.unlockPage(t);
    });
    const expect = all.filter((v) => v.covers(index));
    assert.deepEqual(new Set(w.seen.map((s) => s.vma)), new Set(expect));
    assert.equal(w.seen.length, expect.length, 'each VMA once');
    for (const s of w.seen) assert.equal(s.mapped, page.mappers.has(s.vma.mm));
    assert.equal(acq(env, 'ptl', 'rmap_one'), expect.filter((v) => page.mappers.has(v.mm)).length);
    assert.equal(ctx.vmstat.rmap_vmas_visited, expect.length);
    assert.equal(ctx.vmstat.rmap_walks, 1);
  }), { numRuns: 60 });
});

for (const [kernel, mode] of [['3.18-rc1', 'write'], ['patches:1-3', 'write'], ['patches:1-4', 'read'], ['3.18-rc1-i_mmap_rwsem', 'read'], ['3.18-rc1-i_mmap_rwsem-merged', 'read']] as const) {
  test(`${kernel}: rmap_walk_file takes i_mmap for ${mode}`, () => {
    const { ctx, env, runTask } = kernelSim(kernel);
    const file = ctx.newFile('f', { nrPages: 8 });
    linkFileVma(file, ctx.newMm(), 0, 8, VM_READ);
    const page = file.page(3);
    runTask(function* (t) {
      yield* page.lockPage(t);
      yield* rmapWalkFile(ctx, t, page, new Recorder());
      yield* page.unlockPage(t);
    });
    const a = siteAcquisitions(env, 'i_mmap').rmap_walk_file;
    assert.deepEqual(a, mode === 'read' ? { read: 1, write: 0 } : { read: 0, write: 1 });
  });
}

test('rmap_walk_file requires the page lock', () => {
  const { ctx, runTask } = kernelSim();
  const file = ctx.newFile('f', { nrPages: 8 });
  const page = file.page(0);
  assert.throws(() => runTask(function* (t) { yield* rmapWalkFile(ctx, t, page, new Recorder()); }), /not locked/);
});

/** five VMAs of five mms covering page 5, in tree order p0..p4; `mapped` picks the mappers */
function fiveVmas(kernel: string, flags: (i: number) => number, mapped: number[]) {
  const sim = kernelSim(kernel);
  const file = sim.ctx.newFile('f', { nrPages: 20 });
  const procs = mms(sim.ctx, 5);
  const vmas = procs.map((mm, i) => linkFileVma(file, mm, i, 10, flags(i)));
  const page = file.page(5);
  for (const i of mapped) page.mappers.add(procs[i]);
  return { ...sim, file, procs, vmas, page };
}

test('try_to_unmap(TTU_MIGRATION) stops when the mapcount reaches 0 and leaves migration entries', () => {
  const { ctx, env, runTask, page, procs } = fiveVmas('3.18-rc1', () => VM_READ, [0, 1]);
  const r = runTask(function* (t) {
    yield* page.lockPage(t);
    const ret = yield* tryToUnmap(ctx, t, page, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
    yield* page.unlockPage(t);
    return ret;
  });
  assert.equal(r, SWAP_SUCCESS);
  assert.equal(ctx.vmstat.rmap_vmas_visited, 2, 'stopped after the second (last mapped) VMA');
  assert.equal(page.mapcount, 0);
  assert.deepEqual([...page.migrationPtes], [procs[0], procs[1]]);
  assert.equal(acq(env, 'ptl', 'rmap_one'), 2);
});

test('try_to_unmap stops at a VM_LOCKED mapping unless TTU_IGNORE_MLOCK, and at a young pte unless TTU_IGNORE_ACCESS', () => {
  const a = fiveVmas('3.18-rc1', (i) => (i === 1 ? VM_READ | VM_LOCKED : VM_READ), [0, 1, 2, 3]);
  const ra = a.runTask(function* (t) {
    yield* a.page.lockPage(t);
    const ret = yield* tryToUnmap(a.ctx, t, a.page, TTU_UNMAP);
    yield* a.page.unlockPage(t);
    return ret;
  });
  assert.equal(ra, SWAP_MLOCK);
  assert.equal(a.ctx.vmstat.rmap_vmas_visited, 2);
  assert.equal(a.page.mapcount, 3, 'only p0 was unmapped');

  const b = fiveVmas('3.18-rc1', () => VM_READ, [0, 1, 2]);
  b.page.young.add(b.procs[1]);
  const rb = b.runTask(function* (t) {
    yield* b.page.lockPage(t);
    const ret = yield* tryToUnmap(b.ctx, t, b.page, TTU_UNMAP);
    yield* b.page.unlockPage(t);
    return ret;
  });
  assert.equal(rb, SWAP_FAIL);
  assert.equal(b.ctx.vmstat.rmap_vmas_visited, 2);
});

test('page_referenced: 0 without a walk if unmapped; trylock variant; stops when all mappings seen or at VM_LOCKED', () => {
  const a = fiveVmas('3.18-rc1', () => VM_READ, []);
  const r0 = a.runTask(function* (t) { return yield* pageReferenced(a.ctx, t, a.page, false); });
  assert.deepEqual(r0, { referenced: 0, vmFlags: 0 });
  assert.equal(a.ctx.vmstat.rmap_walks, 0);

  const b = fiveVmas('3.18-rc1', () => VM_READ, [0, 2]);
  b.page.young.add(b.procs[2]);
  const rb = b.runTask(function* (t) { return yield* pageReferenced(b.ctx, t, b.page, false); });
  assert.equal(rb.referenced, 1);
  assert.equal(b.ctx.vmstat.rmap_vmas_visited, 3, 'p0..p2: stops once both mappings were seen');
  assert.equal(b.page.young.size, 0, 'young bit cleared');
  assert.equal(b.page.locked, false, 'the page lock it took is released');

  const c = fiveVmas('3.18-rc1', (i) => (i === 1 ? VM_READ | VM_LOCKED : VM_READ), [0, 1, 2, 3]);
  const rc = c.runTask(function* (t) {
    yield* c.page.lockPage(t);
    const r = yield* pageReferenced(c.ctx, t, c.page, true);
    yield* c.page.unlockPage(t);
    return r;
  });
  assert.ok(rc.vmFlags & VM_LOCKED);
  assert.equal(c.ctx.vmstat.rmap_vmas_visited, 2);

  // the caller does not hold the page lock and another task does: "referenced", no walk
  const d = fiveVmas('3.18-rc1', () => VM_READ, [0, 1]);
  let got: unknown;
  d.sched.spawn('holder', function* (t) {
    yield* d.page.lockPage(t);
    yield* d.ctx.compute(t, 10_000);
    yield* d.page.unlockPage(t);
  });
  d.sched.spawn('scanner', function* (t) {
    yield* d.ctx.compute(t, 1000);
    got = yield* pageReferenced(d.ctx, t, d.page, false);
  });
  d.sim.run();
  assert.deepEqual(got, { referenced: 1, vmFlags: 0 });
  assert.equal(d.ctx.vmstat.rmap_walks, 0);
  assert.equal(siteAcquisitions(d.env, 'i_mmap').rmap_walk_file, undefined);
});

test('page_mkclean never stops and skips non-VM_SHARED VMAs', () => {
  const { ctx, runTask, page } = fiveVmas('3.18-rc1', (i) => (i % 2 === 0 ? VM_READ | VM_WRITE | VM_SHARED : VM_READ | VM_WRITE), [0, 1, 2, 3, 4]);
  const cleaned = runTask(function* (t) {
    yield* page.lockPage(t);
    const n = yield* pageMkclean(ctx, t, page);
    yield* page.unlockPage(t);
    return n;
  });
  assert.equal(ctx.vmstat.rmap_vmas_visited, 3, 'p0, p2, p4 (VM_SHARED)');
  assert.equal(cleaned, 3);
});

test('try_to_munlock stops at the first VM_LOCKED mapping', () => {
  const { ctx, runTask, page } = fiveVmas('3.18-rc1', (i) => (i >= 2 ? VM_READ | VM_LOCKED : VM_READ), [0, 1, 2, 3, 4]);
  const r = runTask(function* (t) {
    yield* page.lockPage(t);
    const ret = yield* tryToMunlock(ctx, t, page);
    yield* page.unlockPage(t);
    return ret;
  });
  assert.equal(r, SWAP_MLOCK);
  assert.equal(ctx.vmstat.rmap_vmas_visited, 3);
  assert.equal(page.mapcount, 5, 'munlock unmaps nothing');
});

test('remove_migration_ptes visits every VMA at the offset and restores the remembered mappings', () => {
  const { ctx, env, runTask, page, procs } = fiveVmas('3.18-rc1', () => VM_READ, [1, 3]);
  runTask(function* (t) {
    yield* page.lockPage(t);
    yield* tryToUnmap(ctx, t, page, TTU_MIGRATION | TTU_IGNORE_MLOCK | TTU_IGNORE_ACCESS);
    assert.equal(page.mapcount, 0);
    const restored = yield* removeMigrationPtes(ctx, t, page, page);
    assert.equal(restored, 2);
    yield* page.unlockPage(t);
  });
  assert.deepEqual(new Set(page.mappers), new Set([procs[1], procs[3]]));
  assert.equal(page.migrationPtes.size, 0);
  assert.equal(ctx.vmstat.rmap_walks, 2);
  assert.equal(ctx.vmstat.rmap_vmas_visited, 4 + 5, 'unmap stops at p3; remove visits all five');
  assert.equal(acq(env, 'ptl', 'rmap_one'), 4);
});

test('rmap_walk_anon walks anon_vma->rb_root under the root rwsem for read', () => {
  const { ctx, env, runTask } = kernelSim('3.18-rc1');
  const root = ctx.newAnonVma(null, 'av');
  const procs = mms(ctx, 3);
  const vmas = procs.map((mm) => linkAnonVma(root, mm, 16, VM_READ | VM_WRITE));
  const addr = vmas[0].start + 3;
  const page = new Page(ctx, root, addr, 0);
  page.mappers.add(procs[0]);
  const w = new Recorder();
  runTask(function* (t) { yield* rmapWalkAnon(ctx, t, page, w); });
  assert.deepEqual(w.seen.map((s) => s.vma), vmas.filter((v) => v.covers(addr)));
  assert.deepEqual(siteAcquisitions(env, 'anon_vma').rmap_walk_anon, { read: 1, write: 0 });
  assert.equal(siteAcquisitions(env, 'i_mmap').rmap_walk_file, undefined);
});
