import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms, layout } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import { doMunmap, vmMmap, vmMunmap, sysBrk, pageFault, protFlags, VM_READ, VM_WRITE } from '../../src/mm';

const RX = protFlags('r-x'), RW = VM_READ | VM_WRITE;

for (const k of KERNEL_NAMES) {
  test(`${k}: whole munmap of a file VMA = one unlink_file_vma (W), no split`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 100 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      const v = yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 100, flags: RX, addr: 0x1000 });
      yield* pageFault(ctx, t, mm, 0x1005);
      assert.ok(mm.rss > 0);
      yield* vmMunmap(ctx, t, mm, v.start, v.pages);
    });
    assert.equal(mm.vmas.length, 0);
    assert.equal(f.i_mmap.size, 0);
    assert.equal(mm.rss, 0);
    assert.equal(f.page(5).mapcount, 0);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), { vma_link: { read: 0, write: 1 }, unlink_file_vma: { read: 0, write: 1 } });
    checkMms([mm], [f]);
  });

  test(`${k}: munmap of the middle of a file VMA splits twice (vma_adjust W ×2) and unlinks the middle`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 100 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 100, flags: RX, addr: 0x1000 });
      for (const a of [0x1000, 0x1020, 0x1050]) yield* pageFault(ctx, t, mm, a);
      yield* vmMunmap(ctx, t, mm, 0x1000 + 30, 10);
    });
    assert.deepEqual(layout(mm), ['4096-4126 r-x lib@0', '4136-4196 r-x lib@40']);
    assert.deepEqual(f.i_mmap.toArray().map((n) => [n.start, n.last]), [[0, 29], [40, 99]]);
    const s = siteAcquisitions(env, 'i_mmap');
    assert.deepEqual(s.vma_adjust, { read: 0, write: 2 });
    assert.deepEqual(s.unlink_file_vma, { read: 0, write: 1 });
    assert.equal(mm.pt.has(0x1020), false, 'pte in the hole zapped');
    assert.equal(mm.pt.has(0x1050), true);
    checkMms([mm], [f]);
  });

  test(`${k}: munmap of a head and of a tail split once each`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 100 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 100, flags: RX, addr: 0x1000 });
      yield* vmMunmap(ctx, t, mm, 0x1000, 10);
      yield* vmMunmap(ctx, t, mm, 0x1000 + 90, 10);
    });
    assert.deepEqual(layout(mm), ['4106-4186 r-x lib@10']);
    const s = siteAcquisitions(env, 'i_mmap');
    assert.deepEqual(s.vma_adjust, { read: 0, write: 2 });
    assert.deepEqual(s.unlink_file_vma, { read: 0, write: 2 });
    checkMms([mm], [f]);
  });

  test(`${k}: munmap across several VMAs unlinks each file VMA once; anonymous ones take only anon_vma`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 100 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 10, flags: RX, addr: 0x1000 });
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 10, flags: RW, addr: 0x100a });
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 50, pages: 10, flags: RX, addr: 0x1014 });
      yield* pageFault(ctx, t, mm, 0x100b, true); // anon_vma_prepare
      yield* mm.mmapSem.acquire(t, 'write', 'test');
      yield* doMunmap(ctx, t, mm, 0x1000, 30);
      yield* mm.mmapSem.release(t, 'write');
    });
    assert.equal(mm.vmas.length, 0);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').unlink_file_vma, { read: 0, write: 2 });
    const av = siteAcquisitions(env, 'anon_vma');
    assert.deepEqual(av.anon_vma_prepare, { read: 0, write: 1 });
    assert.deepEqual(av.unlink_anon_vmas, { read: 0, write: 1 });
    checkMms([mm], [f]);
  });

  test(`${k}: brk grows the heap by vma_adjust (anon_vma W once faulted) and shrinks by split + unlink, never i_mmap`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const mm = ctx.newMm('p');
    mm.startBrk = mm.brk = 0x2000;
    runTask(function* (t) {
      yield* sysBrk(ctx, t, mm, 0x2000 + 256); // new heap VMA
      for (let a = 0x2000; a < 0x2000 + 256; a += 16) yield* pageFault(ctx, t, mm, a, true);
      for (let i = 0; i < 16; i++) yield* sysBrk(ctx, t, mm, mm.brk + 1); // vma_merge → vma_adjust
      yield* sysBrk(ctx, t, mm, mm.brk - 16); // do_munmap tail: split
    });
    assert.deepEqual(layout(mm), [`${0x2000}-${0x2000 + 256} rw- anon`]);
    assert.equal(mm.brk, 0x2000 + 256);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), {});
    const av = siteAcquisitions(env, 'anon_vma');
    assert.deepEqual(av.vma_adjust, { read: 0, write: 17 }, '16 grows + the split');
    assert.deepEqual(av.anon_vma_clone, { read: 0, write: 1 });
    assert.deepEqual(av.unlink_anon_vmas, { read: 0, write: 1 });
    assert.deepEqual(siteAcquisitions(env, 'mmap_sem').brk, { read: 0, write: 18 });
    checkMms([mm], []);
  });
}
