import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { checkMms, layout } from './mm_check';
import { KERNEL_NAMES } from '../../src/kernel';
import { mremap, vmMmap, pageFault, protFlags, LATENCY_LIMIT } from '../../src/mm';

const RW = protFlags('rw-');

for (const k of KERNEL_NAMES) {
  test(`${k}: mremap merging into a lower-pgoff neighbour needs rmap locks: move_ptes takes i_mmap (R only in the v1 kernel), anon_vma, pte locks`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 256 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 100, flags: RW, addr: 0x1000 });
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 100, pages: 100, flags: RW, addr: 0x2000 });
      yield* pageFault(ctx, t, mm, 0x1000, true); // both get an anon_vma ...
      yield* pageFault(ctx, t, mm, 0x2000, true);
      mm.vmas[1].anonVma = mm.vmas[0].anonVma; // ... the same one (as find_mergeable_anon_vma would give)
      for (let a = 0x2000; a < 0x2000 + 100; a += 8) yield* pageFault(ctx, t, mm, a);
      // move the second VMA right after the first: copy_vma merges into it (pgoff 0 <= 100)
      const to = yield* mremap(ctx, t, mm, 0x2000, 100, 100, { newAddr: 0x1000 + 100 });
      assert.equal(to, 0x1000 + 100);
    });
    assert.deepEqual(layout(mm), ['4096-4296 rw- data@0']);
    const mode = k === '3.18-rc1-i_mmap_rwsem' ? 'read' : 'write';
    assert.equal(ctx.siteMode('move_ptes'), mode);
    // 100 pages from 0x2000 (PMD-aligned) to 0x1064: extents end at LATENCY_LIMIT (64) and at the new PMD boundary (0x1200)
    const calls = siteAcquisitions(env, 'i_mmap').move_ptes;
    assert.deepEqual(calls, { read: mode === 'read' ? 2 : 0, write: mode === 'write' ? 2 : 0 });
    assert.deepEqual(siteAcquisitions(env, 'anon_vma').move_ptes, { read: 0, write: 2 });
    checkMms([mm], [f]);
  });

  test(`${k}: mremap to a fresh place needs no rmap locks (vma_link puts the new VMA after the old one)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 256 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 200, flags: RW, addr: 0x1000 });
      for (let a = 0x1000; a < 0x1000 + 200; a += 16) yield* pageFault(ctx, t, mm, a);
      yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 1, flags: RW, addr: 0x1000 + 200 }); // blocks growth
      yield* mremap(ctx, t, mm, 0x1000, 200, 300, { mayMove: true });
    });
    assert.equal(siteAcquisitions(env, 'i_mmap').move_ptes, undefined);
    assert.equal(mm.rss, 200, 'every pte moved');
    assert.equal(mm.vmas.find((v) => v.file)!.pages, 300);
    checkMms([mm], [f]);
  });

  test(`${k}: in-place growth is one vma_adjust; shrinking unmaps the tail`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 256 });
    const mm = ctx.newMm('p');
    runTask(function* (t) {
      yield* vmMmap(ctx, t, mm, { file: f, pgoff: 0, pages: 100, flags: RW, addr: 0x1000 });
      yield* mremap(ctx, t, mm, 0x1000, 100, 150);
      yield* mremap(ctx, t, mm, 0x1000, 150, 120);
    });
    assert.deepEqual(layout(mm), ['4096-4216 rw- data@0']);
    const s = siteAcquisitions(env, 'i_mmap');
    assert.deepEqual(s.vma_adjust, { read: 0, write: 2 }, 'growth + the shrink split');
    assert.deepEqual(s.unlink_file_vma, { read: 0, write: 1 });
    checkMms([mm], [f]);
  });
}

test('LATENCY_LIMIT is 64 pages (mm/mremap.c in 3.18)', () => assert.equal(LATENCY_LIMIT, 64));
