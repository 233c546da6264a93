import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import {
  mmTakeAllLocks, mmDropAllLocks, remapFilePages, vmMmap, vmMunmap, pageFault, fork, exitMmap, unmapMappingRange,
  protFlags, VM_SHARED, VM_MAYSHARE, VM_NONLINEAR, VM_HUGETLB,
} from '../../src/mm';

const RW = protFlags('rw-'), SH = VM_SHARED | VM_MAYSHARE;

for (const k of KERNEL_NAMES) {
  test(`${k}: mm_take_all_locks: i_mmap W of each mapped file once (vm_lock_mapping), then each anon_vma root, held until mm_drop_all_locks`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const a = ctx.newFile('a', { nrPages: 16 }), b = ctx.newFile('b', { nrPages: 16 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: a, pgoff: 0, pages: 4, flags: RW, addr: 0x1000 });
      yield* vmMmap(ctx, t, mm, { file: a, pgoff: 8, pages: 4, flags: protFlags('r--'), addr: 0x1010 });
      yield* vmMmap(ctx, t, mm, { file: b, pgoff: 0, pages: 4, flags: RW, addr: 0x1020 });
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 4, flags: RW, addr: 0x1030 });
      yield* pageFault(ctx, t, mm, 0x1030, true);
      yield* mm.mmapSem.acquire(t, 'write', 'mmu_notifier_register');
      const held = yield* mmTakeAllLocks(ctx, t, mm);
      assert.deepEqual(held.mappings.map((m) => m.file.name), ['a', 'b']);
      assert.equal(held.anonRoots.length, 1);
      assert.equal(env.held(t).length, 1 + 1 + 2 + 1, 'mmap_sem, mm_all_locks_mutex, 2 i_mmap, 1 anon_vma');
      yield* mmDropAllLocks(ctx, t, held);
      assert.equal(env.held(t).length, 1);
      yield* mm.mmapSem.release(t, 'write');
    });
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').vm_lock_mapping, { read: 0, write: 2 });
    assert.deepEqual(siteAcquisitions(env, 'anon_vma').vm_lock_anon_vma, { read: 0, write: 1 });
  });

  test(`${k}: remap_file_pages: first nonlinear remap moves the VMA to i_mmap_nonlinear under i_mmap W; fork and exit handle it`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const shm = ctx.newFile('shm', { nrPages: 64 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: shm, pgoff: 0, pages: 32, flags: RW | SH, addr: 0x1000 });
      yield* remapFilePages(ctx, t, mm, 0x1000, 4, 0); // linear already: nothing
      yield* pageFault(ctx, t, mm, 0x1004, true);
      yield* remapFilePages(ctx, t, mm, 0x1000, 4, 40);
      yield* remapFilePages(ctx, t, mm, 0x1004, 4, 50); // already nonlinear: no i_mmap
      assert.ok(mm.vmas[0].has(VM_NONLINEAR));
      assert.equal(shm.i_mmap.size, 0);
      assert.equal(mm.pt.has(0x1004), false, 'install_file_pte replaced the pte');
      const c = yield* fork(ctx, t, mm, 'c');
      assert.equal(shm.i_mmap_nonlinear.size, 2);
      checkMms([mm, c], [shm]);
      yield* unmapMappingRange(ctx, t, shm, 0);
      yield* exitMmap(ctx, t, c);
      yield* vmMunmap(ctx, t, mm, 0x1000, 32);
    });
    assert.equal(shm.i_mmap_nonlinear.size, 0);
    assert.equal(shm.i_mmap_writable, 0);
    const s = siteAcquisitions(env, 'i_mmap');
    assert.deepEqual(s.remap_file_pages, { read: 0, write: 1 });
    assert.deepEqual(s.unlink_file_vma, { read: 0, write: 2 });
    const ms = siteAcquisitions(env, 'mmap_sem').remap_file_pages;
    assert.deepEqual(ms, { read: 3, write: 1 }, 'read first; the write lock only to go nonlinear');
  });

  test(`${k}: remap_file_pages on a mapping with dirty accounting is emulated by a MAP_FIXED mmap (no nonlinear VMA)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('xfsfile', { nrPages: 64 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 32, flags: RW | SH, addr: 0x1000 });
      yield* remapFilePages(ctx, t, mm, 0x1008, 4, 40, { accountDirty: true });
    });
    assert.deepEqual(mm.vmas.map((v) => [v.start - 0x1000, v.pgoff]), [[0, 0], [8, 40], [12, 12]]);
    assert.equal(siteAcquisitions(env, 'i_mmap').remap_file_pages, undefined);
    checkMms([mm], [f]);
  });

  test(`${k}: munmap of a hugetlb file VMA takes i_mmap at unmap_single_vma around the hugetlb hook (mode per kernel)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const h = ctx.newFile('huge', { nrPages: 1024, hugetlb: true });
    const mm = ctx.newMm('p');
    let hookRan = 0;
    const saved = ctx.hugetlb.unmapHugepageRangeFinal;
    ctx.hugetlb.unmapHugepageRangeFinal = function* (c, t, vma, s, e) { hookRan++; yield* saved(c, t, vma, s, e); };
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: h, pgoff: 0, pages: 512, flags: RW | SH | VM_HUGETLB, addr: 0x1000 });
      yield* vmMunmap(ctx, t, mm, 0x1000, 512);
    });
    assert.equal(hookRan, 1);
    const mode = ctx.siteMode('unmap_single_vma');
    assert.equal(mode, k === '3.18-rc1-i_mmap_rwsem' ? 'read' : 'write');
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').unmap_single_vma, { read: mode === 'read' ? 1 : 0, write: mode === 'write' ? 1 : 0 });
  });
}
