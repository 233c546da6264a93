import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { newXipFile, xipFileFault, xipFileWriteHole, xipState, mmapRegion, VM_READ, VM_WRITE, VM_SHARED, VM_MAYSHARE } from '../../src/mm';

const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
const readIn = (k: string) => (k === '3.18-rc1' ? 'write' : 'read');

for (const k of KERNELS) {
  test(`${k}: filling an XIP hole unmaps the sparse page from every VMA at the offset (__xip_unmap, ${readIn(k)})`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = newXipFile(ctx, 'xip', 32, [5, 6]);
    const st = xipState(ctx);
    runTask(function* (t) {
      const vmas = [];
      for (let i = 0; i < 4; i++) {
        const mm = ctx.newMm(`r${i}`);
        yield* mm.mmapSem.acquire(t, 'write', 'mmap');
        vmas.push(yield* mmapRegion(ctx, t, mm, { file: f, pgoff: 0, pages: 32, flags: VM_READ }));
        yield* mm.mmapSem.release(t, 'write');
      }
      for (const v of vmas) assert.equal(yield* xipFileFault(ctx, t, v, v.start + 5), 'sparse');
      assert.equal(yield* xipFileFault(ctx, t, vmas[0], vmas[0].start + 6), 'sparse');
      assert.equal(yield* xipFileFault(ctx, t, vmas[0], vmas[0].start + 1), 'mapped');
      assert.equal(st.sparseAt(f, 5).size, 4);
      // a shared-writable fault on hole 5: allocate the block, unmap the sparse page everywhere
      const w = ctx.newMm('w');
      yield* w.mmapSem.acquire(t, 'write', 'mmap');
      const wv = yield* mmapRegion(ctx, t, w, { file: f, pgoff: 0, pages: 32, flags: VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE });
      yield* w.mmapSem.release(t, 'write');
      assert.equal(yield* xipFileFault(ctx, t, wv, wv.start + 5), 'allocated');
      assert.equal(st.sparseAt(f, 5).size, 0);
      assert.equal(yield* xipFileFault(ctx, t, vmas[1], vmas[1].start + 5), 'mapped');
      yield* xipFileWriteHole(ctx, t, f, 6);
      assert.equal(st.sparseAt(f, 6).size, 0);
    });
    assert.equal(st.stats.ptesCleared, 5);
    assert.equal(siteAcquisitions(env, 'i_mmap').__xip_unmap[readIn(k)], 2);
  });
}
