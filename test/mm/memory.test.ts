import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import { Mutex } from '../../src/locking';
import {
  LOCKDEP_CLASSES, FAULT_AROUND_PAGES, vmMmap, pageFault, filemapFault, anonFault, unmapMappingRange, truncateSetsize,
  fork, protFlags, FaultError, VM_SHARED, VM_MAYSHARE,
} from '../../src/mm';

const RX = protFlags('r-x'), RW = protFlags('rw-');

for (const k of KERNEL_NAMES) {
  test(`${k}: a read fault maps the page-cache page (mmap_sem R, pte lock) and its fault-around window; mappers record the mm`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 64 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 64, flags: RX, addr: 0x1000 });
      yield* filemapFault(ctx, t, mm, 0x1003);
    });
    assert.equal(mm.rss, FAULT_AROUND_PAGES);
    for (let i = 0; i < FAULT_AROUND_PAGES; i++) assert.ok(f.page(i).mappers.has(mm));
    assert.equal(f.page(16).mapcount, 0);
    assert.deepEqual(siteAcquisitions(env, 'mmap_sem').do_page_fault, { read: 1, write: 0 });
    assert.equal(ctx.vmstat.pgfault, 1);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), { vma_link: { read: 0, write: 1 } }, 'faults take no i_mmap');
    checkMms([mm], [f]);
  });

  test(`${k}: a write fault on a private file page COWs (anon_vma_prepare W the first time only); shared writes map the page`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 8 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 4, flags: RW, addr: 0x1000 });
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 4, pages: 4, flags: RW | VM_SHARED | VM_MAYSHARE, addr: 0x2000 });
      yield* filemapFault(ctx, t, mm, 0x1000); // read: page-cache page
      yield* filemapFault(ctx, t, mm, 0x1000, true); // do_wp_page
      yield* filemapFault(ctx, t, mm, 0x1001, true); // mapped by the read's fault-around: do_wp_page
      yield* filemapFault(ctx, t, mm, 0x2000, true); // do_shared_fault
    });
    assert.equal(mm.pt.get(0x1000), null, 'anonymous copy');
    assert.equal(f.page(0).mappers.has(mm), false);
    assert.equal(mm.pt.get(0x2000), f.page(4));
    assert.deepEqual(siteAcquisitions(env, 'anon_vma').anon_vma_prepare, { read: 0, write: 1 });
    checkMms([mm], [f]);
  });

  test(`${k}: anonymous faults: the first write allocates the anon_vma (anon_vma W + page_table_lock), later ones do not`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: RW, addr: 0x1000 });
      for (let a = 0x1000; a < 0x1008; a++) yield* anonFault(ctx, t, mm, a);
    });
    assert.equal(mm.rss, 8);
    assert.deepEqual(siteAcquisitions(env, 'anon_vma').anon_vma_prepare, { read: 0, write: 1 });
    assert.deepEqual(siteAcquisitions(env, 'ptl').anon_vma_prepare, { read: 0, write: 1 });
  });

  test(`${k}: faults outside a VMA or against its protection throw FaultError (SIGSEGV) and release mmap_sem`, () => {
    const { ctx, runTask } = kernelSim(k);
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: protFlags('r--'), addr: 0x1000 });
      for (const [a, w] of [[0x5000, false], [0x1000, true]] as const) {
        let err: unknown;
        try { yield* pageFault(ctx, t, mm, a, w); } catch (e) { err = e; }
        assert.ok(err instanceof FaultError, String(err));
      }
      yield* mm.mmapSem.acquire(t, 'write', 'test');
      yield* mm.mmapSem.release(t, 'write');
    });
  });

  test(`${k}: unmap_mapping_range locks i_mmap even when no process maps the file`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('tmp', { nrPages: 8 });
    runTask(function* (t) { yield* unmapMappingRange(ctx, t, f, 0); });
    assert.equal(ctx.siteMode('unmap_mapping_range'), 'write', 'W in every kernel here (11/10 is in none of them)');
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), { unmap_mapping_range: { read: 0, write: 1 } });
  });

  test(`${k}: unmap_mapping_range zaps the file's pages in every mm, pte locks inside i_mmap; COW copies stay unless even_cows`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 32 });
    const a = ctx.newMm('a');
    let b!: typeof a;
    runTask(function* (t) {
      yield* vmMmap(ctx, t, a, { file: f, pgoff: 0, pages: 32, flags: RW, addr: 0x1000 });
      yield* filemapFault(ctx, t, a, 0x1000); // 16 pages by fault-around
      yield* filemapFault(ctx, t, a, 0x1010, true); // a COW copy
      b = yield* fork(ctx, t, a, 'b'); // copies the ptes (a has an anon_vma)
      assert.equal(f.page(3).mapcount, 2);
      yield* unmapMappingRange(ctx, t, f, 2, 5);
      assert.equal(f.page(3).mapcount, 0);
      assert.equal(f.page(6).mapcount, 2);
      yield* unmapMappingRange(ctx, t, f, 16);
      assert.equal(a.pt.get(0x1010), null, 'private COW copy kept');
      yield* unmapMappingRange(ctx, t, f, 16, Number.MAX_SAFE_INTEGER, true);
      assert.equal(a.pt.has(0x1010), false);
    });
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').unmap_mapping_range, { read: 0, write: 3 });
    checkMms([a, b], [f]);
  });

  test(`${k}: truncate (i_mutex held) = unmap_mapping_range twice + page-cache pages beyond the size dropped`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 32 });
    const mm = ctx.newMm('p');
    const iMutex = new Mutex(env, LOCKDEP_CLASSES.i_mutex, 'data.i_mutex');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 32, flags: protFlags('r--'), addr: 0x1000 });
      yield* filemapFault(ctx, t, mm, 0x1000);
      yield* filemapFault(ctx, t, mm, 0x1010);
      assert.equal(f.cachedPages, 32);
      yield* iMutex.acquire(t, 'write', 'do_truncate');
      yield* truncateSetsize(ctx, t, f, 8);
      yield* iMutex.release(t);
      let err: unknown;
      try { yield* filemapFault(ctx, t, mm, 0x1010); } catch (e) { err = e; }
      assert.match(String(err), /SIGBUS/);
    });
    assert.equal(f.cachedPages, 8);
    assert.equal(mm.rss, 8);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').unmap_mapping_range, { read: 0, write: 2 });
    checkMms([mm], [f]);
  });
}

test('an i_mmap call site is a SiteId: a misspelt one does not compile, and one from outside the types is refused at run time', () => {
  const { ctx } = kernelSim('3.18-rc1');
  // never called: the line only has to type-check (the test build fails if the misspelling compiles)
  const typoDoesNotCompile = (f: Parameters<typeof ctx.immapLock>[1], t: Parameters<typeof ctx.immapLock>[0]) =>
    // @ts-expect-error 'vma_lnik' is not a SiteId
    ctx.immapLock(t, f, 'vma_lnik');
  assert.equal(typeof typoDoesNotCompile, 'function');
  assert.throws(() => ctx.siteMode('vma_lnik' as never), /i_mmap call site "vma_lnik" is not in kernel 3\.18-rc1; allowed: .*vma_link/);
});
