import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import type { Task } from '../../src/sched';
import {
  HPAGE_PAGES, PUD_PAGES, VM_MAYSHARE, hstate, hugetlbAccess, hugetlbfsMmap, newHugetlbfsFile, unmapHugepageRangeFinal,
  hugetlbFreePgdRange, hugetlbChangeProtection, hugetlbVmtruncate, copyHugetlbPageRange, mmapRegion, roundupPowOfTwo,
  type MmContext, type MmStruct, type AddressSpace, type Vma,
} from '../../src/mm';
import type { Proc } from '../../src/engine';

const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
const expectMode = (k: string, v1Read: boolean) => (k === '3.18-rc1-i_mmap_rwsem' && v1Read ? 'read' : 'write');
const BASE = 4 * PUD_PAGES; // a PUD-aligned address

function* mapSeg(ctx: MmContext, t: Task, mm: MmStruct, f: AddressSpace, hugePages: number, shared = true): Proc<Vma> {
  yield* mm.mmapSem.acquire(t, 'write', 'mmap');
  const v = yield* hugetlbfsMmap(ctx, t, mm, f, { pgoff: 0, pages: hugePages * HPAGE_PAGES, shared, addr: BASE });
  yield* mm.mmapSem.release(t, 'write');
  return v;
}

function* munmapHuge(ctx: MmContext, t: Task, v: Vma): Proc {
  yield* v.mm.mmapSem.acquire(t, 'write', 'munmap');
  yield* unmapHugepageRangeFinal(ctx, t, v);
  hugetlbFreePgdRange(ctx, v);
  v.mm.removeVma(v);
  yield* v.mm.mmapSem.release(t, 'write');
}

for (const k of KERNELS) {
  test(`${k}: a second process faulting the same 1 GiB region of a shared hugetlbfs file reuses the first's page table`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'pgshm', 512);
    const a = ctx.newMm('a'), b = ctx.newMm('b');
    const st = hstate(ctx);
    runTask(function* (t) {
      const va = yield* mapSeg(ctx, t, a, f, 512);
      const vb = yield* mapSeg(ctx, t, b, f, 512);
      assert.equal(yield* hugetlbAccess(ctx, t, a, BASE, true), 'major');
      assert.equal(st.stats.pmdPagesAllocated, 1);
      assert.equal(yield* hugetlbAccess(ctx, t, a, BASE + 3 * HPAGE_PAGES, true), 'major');
      // b's pud is empty: the fault goes through huge_pmd_share and finds a's PMD page, whose pte is present
      assert.equal(yield* hugetlbAccess(ctx, t, b, BASE, true), 'minor');
      const pmd = a.hugePuds.get(BASE / PUD_PAGES)!;
      assert.equal(b.hugePuds.get(BASE / PUD_PAGES), pmd);
      assert.equal(pmd.count, 2);
      assert.equal(st.stats.pmdShares, 1);
      assert.equal(st.stats.pmdPagesAllocated, 1);
      // a page a faulted is mapped in b without a fault
      assert.equal(yield* hugetlbAccess(ctx, t, b, BASE + 3 * HPAGE_PAGES + 7, false), 'hit');
      assert.equal(pmd.ptes.get(3)!.page.mapcount, 2);
      // a page b faults appears in a
      assert.equal(yield* hugetlbAccess(ctx, t, b, BASE + 9 * HPAGE_PAGES, true), 'major');
      assert.equal(yield* hugetlbAccess(ctx, t, a, BASE + 9 * HPAGE_PAGES, true), 'hit');
      // unmap b: unshare (count 2 → 1), b's pud cleared, a keeps the ptes
      yield* munmapHuge(ctx, t, vb);
      assert.equal(pmd.count, 1);
      assert.equal(b.hugePuds.size, 0);
      assert.equal(vb.has(VM_MAYSHARE), false);
      assert.equal(pmd.ptes.size, 3);
      assert.equal(pmd.ptes.get(3)!.page.mapcount, 1);
      assert.equal(st.stats.pmdUnshares, 1);
      // unmap a: last user, ptes cleared, page table freed; page-cache pages stay
      yield* munmapHuge(ctx, t, va);
      assert.equal(pmd.ptes.size, 0);
      assert.equal(a.hugePuds.size, 0);
      assert.equal(st.inode(f).pages.size, 3);
    });
    const acq = siteAcquisitions(env, 'i_mmap');
    const m = expectMode(k, true);
    // huge_pmd_share: a's first fault and b's first fault
    assert.deepEqual(acq.huge_pmd_share, { read: m === 'read' ? 2 : 0, write: m === 'write' ? 2 : 0 });
    assert.deepEqual(acq.unmap_single_vma, { read: m === 'read' ? 2 : 0, write: m === 'write' ? 2 : 0 });
    assert.deepEqual(acq.vma_link, { read: 0, write: 2 });
  });

  test(`${k}: a VMA not covering a whole aligned PUD region never takes i_mmap to fault`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'small', 16);
    const a = ctx.newMm('a'), b = ctx.newMm('b');
    runTask(function* (t) {
      yield* mapSeg(ctx, t, a, f, 16);
      yield* mapSeg(ctx, t, b, f, 16);
      assert.equal(yield* hugetlbAccess(ctx, t, a, BASE, true), 'major');
      assert.equal(yield* hugetlbAccess(ctx, t, b, BASE, true), 'cache');
      assert.notEqual(a.hugePuds.get(4), b.hugePuds.get(4));
    });
    assert.equal(siteAcquisitions(env, 'i_mmap').huge_pmd_share, undefined);
    assert.equal(hstate(ctx).stats.pmdShares, 0);
  });

  test(`${k}: hugetlb_vmtruncate unshares other mms' page tables, clears the last one and frees the pages`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'seg', 512);
    const st = hstate(ctx);
    st.freePages = 10;
    const mms = [ctx.newMm('a'), ctx.newMm('b'), ctx.newMm('c')];
    runTask(function* (t) {
      for (const mm of mms) yield* mapSeg(ctx, t, mm, f, 512);
      for (let i = 0; i < 4; i++) yield* hugetlbAccess(ctx, t, mms[i % 3], BASE + i * HPAGE_PAGES, true);
      assert.equal(st.freePages, 6);
      assert.equal(mms[0].hugePuds.get(4)!.count, 3);
      yield* hugetlbVmtruncate(ctx, t, f, 0);
      assert.equal(mms.filter((m) => m.hugePuds.size > 0).length, 1);
      const last = mms.find((m) => m.hugePuds.size > 0)!;
      assert.equal(last.hugePuds.get(4)!.count, 1);
      assert.equal(last.hugePuds.get(4)!.ptes.size, 0);
      assert.equal(st.freePages, 10);
      assert.equal(yield* hugetlbAccess(ctx, t, mms[1], BASE, false), 'sigbus');
    });
    const acq = siteAcquisitions(env, 'i_mmap').hugetlb_vmtruncate_list;
    assert.deepEqual(acq, expectMode(k, true) === 'read' ? { read: 1, write: 0 } : { read: 0, write: 1 });
    assert.equal(st.stats.pmdUnshares, 2);
  });

  test(`${k}: hugetlb_change_protection unshares a shared PMD page, changes private ptes, one acquisition`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'seg', 1024);
    const a = ctx.newMm('a'), b = ctx.newMm('b');
    runTask(function* (t) {
      const va = yield* mapSeg(ctx, t, a, f, 1024);
      yield* mapSeg(ctx, t, b, f, 1024);
      yield* hugetlbAccess(ctx, t, a, BASE, true);
      yield* hugetlbAccess(ctx, t, b, BASE, true); // shares region 4
      yield* hugetlbAccess(ctx, t, a, BASE + PUD_PAGES, true); // region 5: a's alone
      yield* a.mmapSem.acquire(t, 'write', 'mprotect');
      const n = yield* hugetlbChangeProtection(ctx, t, va, va.start, va.end, false);
      yield* a.mmapSem.release(t, 'write');
      assert.equal(n, 2); // one unshare + one pte changed
      assert.equal(a.hugePuds.has(4), false);
      assert.equal(b.hugePuds.get(4)!.count, 1);
      assert.equal(a.hugePuds.get(5)!.ptes.get(0)!.write, false);
    });
    const acq = siteAcquisitions(env, 'i_mmap').hugetlb_change_protection;
    assert.deepEqual(acq, expectMode(k, true) === 'read' ? { read: 1, write: 0 } : { read: 0, write: 1 });
  });

  test(`${k}: fork's copy_hugetlb_page_range shares a shared segment's PMD page via huge_pmd_share`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'seg', 512);
    const parent = ctx.newMm('parent'), child = ctx.newMm('child');
    runTask(function* (t) {
      const pv = yield* mapSeg(ctx, t, parent, f, 512);
      for (let i = 0; i < 5; i++) yield* hugetlbAccess(ctx, t, parent, BASE + i * HPAGE_PAGES, true);
      yield* child.mmapSem.acquire(t, 'write', 'dup_mmap');
      const cv = yield* mmapRegion(ctx, t, child, { file: f, pgoff: 0, pages: pv.pages, flags: pv.flags, addr: pv.start });
      yield* copyHugetlbPageRange(ctx, t, cv, pv);
      yield* child.mmapSem.release(t, 'write');
      assert.equal(child.hugePuds.get(4), parent.hugePuds.get(4));
      assert.equal(yield* hugetlbAccess(ctx, t, child, BASE + 4 * HPAGE_PAGES, true), 'hit');
    });
    assert.equal(siteAcquisitions(env, 'i_mmap').huge_pmd_share[expectMode(k, true)], 2);
  });

  test(`${k}: MAP_PRIVATE owner failing to COW takes the page from the forked child (unmap_ref_private)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'priv', 4);
    const st = hstate(ctx);
    st.freePages = 2;
    const parent = ctx.newMm('parent'), child = ctx.newMm('child');
    runTask(function* (t) {
      const pv = yield* mapSeg(ctx, t, parent, f, 4, false);
      assert.equal(yield* hugetlbAccess(ctx, t, parent, BASE, true), 'major');
      yield* child.mmapSem.acquire(t, 'write', 'dup_mmap');
      const cv = yield* mmapRegion(ctx, t, child, { file: f, pgoff: 0, pages: pv.pages, flags: pv.flags, addr: pv.start });
      yield* copyHugetlbPageRange(ctx, t, cv, pv);
      yield* child.mmapSem.release(t, 'write');
      const page = parent.hugePuds.get(4)!.ptes.get(0)!.page;
      assert.equal(page.mapcount, 2);
      assert.equal(parent.hugePuds.get(4)!.ptes.get(0)!.write, false);
      st.freePages = 0;
      // the owner writes: no page for a copy → unmap_ref_private, then reuse
      assert.equal(yield* hugetlbAccess(ctx, t, parent, BASE, true), 'reuse');
      assert.equal(child.hugePuds.get(4)!.ptes.size, 0);
      assert.equal(page.mapcount, 1);
      assert.equal(yield* hugetlbAccess(ctx, t, child, BASE, false), 'sigbus');
    });
    assert.equal(st.stats.unmapRefPrivateCalls, 1);
    const acq = siteAcquisitions(env, 'i_mmap').unmap_ref_private;
    assert.deepEqual(acq, expectMode(k, true) === 'read' ? { read: 1, write: 0 } : { read: 0, write: 1 });
  });
}

test('fault mutex table: 8 × CPUs rounded up to a power of two', () => {
  const { ctx, sched } = kernelSim('3.18-rc1');
  assert.equal(hstate(ctx).numFaultMutexes, roundupPowOfTwo(8 * sched.cpus.length));
  assert.equal(roundupPowOfTwo(8 * 120), 1024);
  assert.equal(roundupPowOfTwo(8), 8);
});

/** two tasks of two mms fault huge pages of one small file at the same time */
function concurrentFaults(idxA: number, idxB: number) {
  const { ctx, env, sim, sched } = kernelSim('3.18-rc1-i_mmap_rwsem-merged');
  const f = newHugetlbfsFile(ctx, 'seg', 16);
  const a = ctx.newMm('a'), b = ctx.newMm('b');
  const res: string[] = [];
  const hashes: number[] = [];
  let ready = 0;
  const body = (mm: MmStruct, idx: number) => function* (t: Task) {
    const v = yield* mapSeg(ctx, t, mm, f, 16);
    const addr = BASE + idx * HPAGE_PAGES;
    hashes.push(hstate(ctx).faultMutexHash(v, f, idx, mm, addr));
    ready++;
    while (ready < 2) yield* sched.compute(t, 100);
    res.push(yield* hugetlbAccess(ctx, t, mm, addr, true));
  };
  sched.spawn('A', body(a, idxA), { cpu: 0 });
  sched.spawn('B', body(b, idxB), { cpu: 1 });
  sim.run();
  env.finalCheck();
  const s = env.stat.classTotal('hugetlb_fault_mutex');
  return { res: res.sort(), contentions: s.contentions.write, waitNs: s.wait.sum, hashes, ctx };
}

test('fault mutex serializes two faults on the same file index only', () => {
  const same = concurrentFaults(3, 3);
  assert.equal(same.hashes[0], same.hashes[1]);
  assert.deepEqual(same.res, ['cache', 'major']); // the second waited for the clear, then found the page
  assert.equal(same.contentions, 1);
  assert.ok(same.waitNs > 0.9 * same.ctx.costs.hugePageClear, `waited ${same.waitNs} ns`);
  // another index of the same file, hashed to another mutex (collisions are possible, as in the kernel)
  const diff = concurrentFaults(3, 4);
  assert.notEqual(diff.hashes[0], diff.hashes[1]);
  assert.deepEqual(diff.res, ['major', 'major']);
  assert.equal(diff.contentions, 0);
  assert.ok(diff.waitNs < 2000, `waited ${diff.waitNs} ns`); // the lock word's cache miss only
});

for (const k of KERNELS) {
  test(`${k}: a first fault racing the teardown of the only sibling ${k === '3.18-rc1-i_mmap_rwsem' ? 'shares the dying page table (d833352a4338 window reopened)' : 'waits and gets its own page table'}`, () => {
    const { ctx, env, sim, sched } = kernelSim(k);
    const f = newHugetlbfsFile(ctx, 'seg', 512);
    const a = ctx.newMm('a'), b = ctx.newMm('b');
    const st = hstate(ctx);
    let va: Vma | null = null, vb: Vma | null = null;
    sched.spawn('setup', function* (t) {
      va = yield* mapSeg(ctx, t, a, f, 512);
      vb = yield* mapSeg(ctx, t, b, f, 512);
      for (let i = 0; i < 8; i++) yield* hugetlbAccess(ctx, t, a, BASE + i * HPAGE_PAGES, true);
      sched.spawn('a-exit', function* (u) {
        yield* unmapHugepageRangeFinal(ctx, u, va!);
        hugetlbFreePgdRange(ctx, va!);
        a.removeVma(va!);
      }, { cpu: 2 });
      sched.spawn('b-fault', function* (u) {
        yield* sched.compute(u, 3000); // a is clearing its 512 huge ptes by now
        yield* hugetlbAccess(ctx, u, b, BASE + 100 * HPAGE_PAGES, true);
      }, { cpu: 3 });
    });
    sim.run();
    env.finalCheck();
    void vb;
    const v1 = k === '3.18-rc1-i_mmap_rwsem';
    assert.equal(st.stats.teardownShareRaces, v1 ? 1 : 0);
    assert.equal(st.stats.pmdShares, v1 ? 1 : 0);
    assert.equal(st.stats.pmdPagesAllocated, v1 ? 1 : 2);
    assert.equal(b.hugePuds.get(4)!.count, 1);
  });
}
