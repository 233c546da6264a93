// vmMmapAddr / doMmapRange: mmap(2)'s return value is the start of the new range, which the
// VMA does not give when vma_merge extended the VMA below it (src/mm/mmap.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim } from './harness';
import { vmMmap, vmMmapAddr, vmMunmap, pageFault, protFlags } from '../../src/mm';

const RW = protFlags('rw-');

test('vmMmapAddr: a range that merges into the anonymous VMA below it returns its own start; unmapping that leaves the one below', () => {
  const { ctx, runTask } = kernelSim('3.18-rc1');
  const mm = ctx.newMm('p');
  runTask(function* (t) {
    const below = yield* vmMmap(ctx, t, mm, { file: null, pgoff: 0, pages: 4, flags: RW, addr: 0x1000 });
    yield* pageFault(ctx, t, mm, 0x1000, true); // an anon_vma, so that the next range can merge
    const addr = yield* vmMmapAddr(ctx, t, mm, { file: null, pgoff: 0, pages: 4, flags: RW, addr: 0x1004 });
    assert.equal(addr, 0x1004);
    assert.equal(mm.vmas.length, 1, 'merged into the VMA below');
    assert.equal(mm.vmas[0]!.start, 0x1000, 'the VMA starts below the new range: its start is not mmap\'s return value');
    assert.equal(mm.vmas[0], below);
    yield* vmMunmap(ctx, t, mm, addr, 4);
    assert.deepEqual(mm.vmas.map((v) => [v.start, v.end]), [[0x1000, 0x1004]]);
    assert.equal(mm.pt.has(0x1000), true, 'the page of the range below is still mapped');
  });
});

test('vmMmapAddr: without a merge it is the new VMA\'s start', () => {
  const { ctx, runTask } = kernelSim('3.18-rc1');
  const mm = ctx.newMm('p');
  runTask(function* (t) {
    const a = yield* vmMmapAddr(ctx, t, mm, { file: null, pgoff: 0, pages: 8, flags: RW });
    const v = mm.vmas.find((x) => x.start <= a && a < x.end)!;
    assert.equal(v.start, a);
    assert.equal(v.end, a + 8);
  });
});
