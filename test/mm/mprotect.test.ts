import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms, layout } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import { mprotect, vmMmap, pageFault, protFlags, VM_READ } from '../../src/mm';

const RX = protFlags('r-x'), RW = protFlags('rw-');

for (const k of KERNEL_NAMES) {
  test(`${k}: mprotect of the middle of a file VMA: two splits (vma_adjust W), pte rewrite, no other i_mmap`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 64 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 64, flags: RX, addr: 0x1000 });
      yield* pageFault(ctx, t, mm, 0x1014);
      yield* mprotect(ctx, t, mm, 0x1010, 16, 0);
    });
    assert.deepEqual(layout(mm), ['4096-4112 r-x lib@0', '4112-4128 --- lib@16', '4128-4160 r-x lib@32']);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), { vma_link: { read: 0, write: 1 }, vma_adjust: { read: 0, write: 2 } });
    assert.ok(env.stat.classes.get('ptl')!.get('change_pte_range')!.acquisitions.write >= 1);
    checkMms([mm], [f]);
  });

  test(`${k}: mprotect back to the neighbours' protection merges (vma_merge case 1: one vma_adjust swallowing next)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 64 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 64, flags: RX, addr: 0x1000 });
      yield* mprotect(ctx, t, mm, 0x1010, 16, 0);
      yield* mprotect(ctx, t, mm, 0x1010, 16, RX);
    });
    assert.deepEqual(layout(mm), ['4096-4160 r-x lib@0']);
    // 2 splits, then case 6 of vma_merge: prev swallows area and next (remove_next = 2: two rounds)
    assert.deepEqual(siteAcquisitions(env, 'i_mmap').vma_adjust, { read: 0, write: 4 });
    checkMms([mm], [f]);
  });

  test(`${k}: mprotect of a VMA's tail to match the next VMA moves the boundary (adjust_next)`, () => {
    const { ctx, runTask } = kernelSim(k);
    const f = ctx.newFile('lib', { nrPages: 64 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 32, flags: RX, addr: 0x1000 });
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 32, pages: 32, flags: VM_READ, addr: 0x1020, fixed: true });
      yield* mprotect(ctx, t, mm, 0x1018, 8, VM_READ); // case 4
      yield* mprotect(ctx, t, mm, 0x1018, 4, RX); // case 5
    });
    assert.deepEqual(layout(mm), ['4096-4124 r-x lib@0', '4124-4160 r-- lib@28']);
    checkMms([mm], [f]);
  });

  test(`${k}: mprotect of an anonymous VMA with an anon_vma: splits take anon_vma W only`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 64, flags: RW, addr: 0x1000 });
      yield* pageFault(ctx, t, mm, 0x1000, true);
      yield* mprotect(ctx, t, mm, 0x1020, 32, VM_READ);
    });
    assert.deepEqual(layout(mm), ['4096-4128 rw- anon', '4128-4160 r-- anon']);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), {});
    assert.deepEqual(siteAcquisitions(env, 'anon_vma').vma_adjust, { read: 0, write: 1 });
    checkMms([mm], []);
  });

  test(`${k}: mprotect over a hole throws ENOMEM and releases mmap_sem`, () => {
    const { ctx, runTask } = kernelSim(k);
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: RW, addr: 0x1000 });
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: RX, addr: 0x1010 });
      let err: unknown;
      try { yield* mprotect(ctx, t, mm, 0x1000, 32, VM_READ); } catch (e) { err = e; }
      assert.match(String(err), /ENOMEM/);
      yield* mm.mmapSem.acquire(t, 'write', 'test'); // would deadlock if still held
      yield* mm.mmapSem.release(t, 'write');
    });
  });
}
