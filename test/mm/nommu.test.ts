import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { nommuMmap, nommuMunmap, nommuShrinkInodeMappings, vmRegion, ETXTBSY } from '../../src/mm';

const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
const readIn = (k: string) => (k === '3.18-rc1' ? 'write' : 'read');

for (const k of KERNELS) {
  test(`${k}: nommu add/delete take i_mmap for write; shrink (${readIn(k)}) refuses a shared overlap and trims regions`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('ramfs', { nrPages: 64 });
    runTask(function* (t) {
      const a = ctx.newMm('a'), b = ctx.newMm('b'), c = ctx.newMm('c');
      const va = yield* nommuMmap(ctx, t, a, f, 0, 16, true);
      const vb = yield* nommuMmap(ctx, t, b, f, 0, 16, true);
      assert.equal(vmRegion(va), vmRegion(vb)); // MAP_SHARED of the same range shares the region
      assert.equal(vmRegion(va)!.usage, 2);
      const vc = yield* nommuMmap(ctx, t, c, f, 32, 8, false);
      assert.equal(f.i_mmap.size, 3);
      assert.equal(yield* nommuShrinkInodeMappings(ctx, t, f, 64, 8), ETXTBSY); // shared VMA over [8, 64]
      assert.equal(yield* nommuShrinkInodeMappings(ctx, t, f, 64, 30), 0); // only the private VMA is past 30
      yield* nommuMunmap(ctx, t, vc);
      yield* nommuMunmap(ctx, t, vb);
      assert.equal(vmRegion(va)!.usage, 1);
      assert.equal(yield* nommuShrinkInodeMappings(ctx, t, f, 30, 12), ETXTBSY);
      yield* nommuMunmap(ctx, t, va);
      assert.equal(yield* nommuShrinkInodeMappings(ctx, t, f, 30, 12), 0);
      assert.equal(f.i_mmap.size, 0);
    });
    const acq = siteAcquisitions(env, 'i_mmap');
    assert.deepEqual(acq.add_vma_to_mm, { read: 0, write: 3 });
    assert.deepEqual(acq.delete_vma_from_mm, { read: 0, write: 3 });
    assert.equal(acq.nommu_shrink_inode_mappings[readIn(k)], 4);
    assert.equal(siteAcquisitions(env, 'nommu_region_sem').nommu_shrink_inode_mappings.write, 4);
  });
}

test('nommu shrink trims a shared region that extends past the new size', () => {
  const { ctx, runTask } = kernelSim('3.18-rc1-i_mmap_rwsem-merged');
  const f = ctx.newFile('ramfs', { nrPages: 64 });
  runTask(function* (t) {
    const v = yield* nommuMmap(ctx, t, ctx.newMm('a'), f, 0, 8, true);
    vmRegion(v)!.top += 8; // an allocation rounded up past the mapping (vm_top)
    assert.equal(yield* nommuShrinkInodeMappings(ctx, t, f, 64, 10), 0);
    assert.equal(vmRegion(v)!.top - vmRegion(v)!.start, 10);
  });
});
