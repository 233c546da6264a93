import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import { mmapRegion, unlinkFileVma, VM_READ, VM_EXEC } from '../../src/mm';

for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const) {
  test(`${k}: mmap of a file links the VMA into i_mmap under the i_mmap lock for write (vma_link)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const libc = ctx.newFile('libc.so', { nrPages: 450 });
    const mm = ctx.newMm('proc');
    runTask(function* (t) {
      yield* mm.mmapSem.acquire(t, 'write', 'mmap');
      const v = yield* mmapRegion(ctx, t, mm, { file: libc, pgoff: 0, pages: 450, flags: VM_READ | VM_EXEC });
      assert.equal(libc.i_mmap.size, 1);
      yield* unlinkFileVma(ctx, t, v);
      yield* mm.mmapSem.release(t, 'write');
    });
    assert.equal(libc.i_mmap.size, 0);
    assert.deepEqual(siteAcquisitions(env, 'i_mmap'), { vma_link: { read: 0, write: 1 }, unlink_file_vma: { read: 0, write: 1 } });
  });
}
