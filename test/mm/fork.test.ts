import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms, treeOrder } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import { fork, doExit, exitMmap, vmMmap, pageFault, protFlags, type MmContext, type MmStruct, type AddressSpace } from '../../src/mm';
import type { Task } from '../../src/sched';
import { ExclusiveOnly } from '../../src/locking';
import type { Proc } from '../../src/engine';

const RX = protFlags('r-x'), RW = protFlags('rw-');

/** a parent mapping `n` private file VMAs (one file each) + one anonymous VMA, some pages faulted */
function* parentWith(ctx: MmContext, t: Task, mm: MmStruct, files: AddressSpace[]): Proc {
  for (const [i, f] of files.entries()) {
    yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 16, flags: i % 2 ? RW : RX, addr: 0x1000 + 32 * i });
    yield* pageFault(ctx, t, mm, 0x1000 + 32 * i, i % 2 === 1); // odd ones COW: anon_vma
  }
  yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: RW, addr: 0x9000 });
  yield* pageFault(ctx, t, mm, 0x9000, true);
}

for (const k of KERNEL_NAMES) {
  test(`${k}: fork of a process with 10 file VMAs = 10 dup_mmap acquisitions, write mode; child right after parent in each tree`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const files = Array.from({ length: 10 }, (_, i) => ctx.newFile(`f${i}`, { nrPages: 16 }));
    const parent = ctx.newMm('parent');
    const other = ctx.newMm('other');
    let child!: MmStruct;
    runTask(function* (t) {
      yield* parentWith(ctx, t, parent, files);
      // a second process mapping f0 after the parent: the child must land between them
      yield* vmMmap(ctx, t, other, { file: files[0], pgoff: 0, pages: 16, flags: RX, addr: 0x1000 });
      child = yield* fork(ctx, t, parent, 'child');
    });
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').dup_mmap, { read: 0, write: 10 });
    assert.deepEqual(treeOrder(files[0]), ['parent:[4096,4112)', 'child:[4096,4112)', 'other:[4096,4112)']);
    for (const f of files) assert.equal(f.i_mmap.size, f === files[0] ? 3 : 2);
    // mmap_sem: parent W, child W nested
    const ms = siteAcquisitions(env, 'mmap_sem').dup_mmap;
    assert.deepEqual(ms, { read: 0, write: 2 });
    // anon_vma_fork: clone + link (root W twice) for each VMA with an anon_vma (5 odd files + the anon VMA)
    const av = siteAcquisitions(env, 'anon_vma');
    assert.deepEqual(av.anon_vma_clone, { read: 0, write: 6 });
    assert.deepEqual(av.anon_vma_fork, { read: 0, write: 6 });
    for (const [i, v] of child.vmas.entries()) {
      const p = parent.vmas[i];
      assert.equal(v.anonVma?.root ?? null, p.anonVma?.root ?? null, 'child anon_vma chains to the parent root');
      if (p.anonVma) assert.notEqual(v.anonVma, p.anonVma);
    }
    // copy_page_range only for VMAs with an anon_vma: read-only text is not copied
    assert.equal(child.pt.has(0x1000), false);
    assert.equal(child.pt.has(0x1020), true);
    assert.equal(child.pt.has(0x9000), true);
    // per copied VMA and page table: the child's pte lock + the parent's (6 VMAs, one table each)
    assert.equal(env.stat.classes.get('ptl')!.get('copy_pte_range')!.acquisitions.write, 6 * 2);
    checkMms([parent, child, other], files);
  });

  test(`${k}: exit_mmap takes no mmap_sem, one unlink_file_vma per file VMA, unlink_anon_vmas per anon VMA; tree shrinks back`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const files = Array.from({ length: 4 }, (_, i) => ctx.newFile(`f${i}`, { nrPages: 16 }));
    const parent = ctx.newMm('parent');
    runTask(function* (t) {
      yield* parentWith(ctx, t, parent, files);
      const child = yield* fork(ctx, t, parent, 'child');
      const before = siteAcquisitions(env, 'mmap_sem');
      yield* doExit(ctx, t, child);
      assert.deepEqual(siteAcquisitions(env, 'mmap_sem'), before);
      assert.equal(child.vmas.length, 0);
      assert.equal(child.rss, 0);
    });
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').unlink_file_vma, { read: 0, write: 4 });
    assert.deepEqual(siteAcquisitions(env, 'anon_vma').unlink_anon_vmas, { read: 0, write: 3 });
    for (const f of files) assert.deepEqual(treeOrder(f), [`parent:[${f.i_mmap.first()!.value.start},${f.i_mmap.first()!.value.end})`]);
    assert.equal(files[0].page(0).mapcount, 1, 'only the parent maps it');
    assert.equal(ctx.vmstat.forks, 1);
    assert.equal(ctx.vmstat.exits, 1);
    checkMms([parent], files);
  });

  test(`${k}: grandchildren chain to the same anon_vma root (one rwsem for the family)`, () => {
    const { ctx, runTask } = kernelSim(k);
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: RW, addr: 0x1000 });
      yield* pageFault(ctx, t, mm, 0x1000, true);
      const c = yield* fork(ctx, t, mm, 'c');
      const g = yield* fork(ctx, t, c, 'g');
      assert.equal(g.vmas[0].anonVma!.rwsem, mm.vmas[0].anonVma!.rwsem);
      yield* exitMmap(ctx, t, g);
      yield* exitMmap(ctx, t, c);
      assert.equal(mm.vmas[0].anonVma!.degree, 1, 'children gone: only the parent VMA points at the root');
    });
  });
}

test('fork: child and parent pte locks nest (spin_lock_nested); a lock-order violation would throw in checking mode', () => {
  const { ctx, runTask } = kernelSim('3.18-rc1');
  const mm = ctx.newMm('p');
  const f = ctx.newFile('f', { nrPages: 4 });
  runTask(function* (t) {
    yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 4, flags: RW, addr: 0x1000 });
    yield* pageFault(ctx, t, mm, 0x1000, true);
    // taking i_mmap while holding a pte lock inverts rmap.c's order
    const ptl = mm.ptl(0x1000);
    yield* ptl.acquire(t, 'write', 'test');
    let err: unknown;
    try { yield* ctx.immapLock(t, f, 'vma_link'); } catch (e) { err = e; }
    assert.match(String(err), /lock order/);
    yield* ptl.unlock(t);
  });
});

test('once a process family has exited, the lock environment forgets its anon_vma locks (and a removed file its locks)', () => {
  const { ctx, env, runTask } = kernelSim('3.18-rc1');
  const forgotten = new Set<object>();
  const forget = env.forget.bind(env);
  env.forget = (l) => { forgotten.add(l); forget(l); };
  const files = Array.from({ length: 2 }, (_, i) => ctx.newFile(`f${i}`, { nrPages: 16 }));
  const parent = ctx.newMm('parent');
  const roots = new Set<object>();
  runTask(function* (t) {
    yield* parentWith(ctx, t, parent, files);
    for (const v of parent.vmas) if (v.anonVma) roots.add(v.anonVma.rwsem);
    const child = yield* fork(ctx, t, parent, 'child');
    yield* doExit(ctx, t, child);
    for (const l of roots) assert.equal(forgotten.has(l), false, 'the parent still maps them');
    yield* doExit(ctx, t, parent);
  });
  assert.equal(roots.size, 2);
  for (const l of roots) assert.ok(forgotten.has(l));
  const shm = ctx.newFile('shm', { nrPages: 4 });
  const page = shm.page(0);
  runTask(function* (t) {
    yield* page.lockPage(t);
    yield* page.unlockPage(t);
  });
  shm.dispose();
  // a mutex i_mmap is wrapped (ExclusiveOnly: read-mode sites take it exclusively); the env tracks the mutex
  assert.ok(forgotten.has(shm.lock instanceof ExclusiveOnly ? shm.lock.inner : shm.lock));
  assert.equal(env.finalCheck().length, 0);
});
