import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import type { Task } from '../../src/sched';
import { memoryFailure, collectProcsFile, isHwPoisoned, mmapRegion, VM_READ, VM_WRITE, type McProcess, type MmContext, type AddressSpace, type MmStruct } from '../../src/mm';

const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
const readIn = (k: string) => (k === '3.18-rc1' ? 'write' : 'read');

function* mapAll(ctx: MmContext, t: Task, mm: MmStruct, f: AddressSpace) {
  yield* mm.mmapSem.acquire(t, 'write', 'mmap');
  yield* mmapRegion(ctx, t, mm, { file: f, pgoff: 0, pages: f.nrPages, flags: VM_READ | VM_WRITE });
  yield* mm.mmapSem.release(t, 'write');
  f.page(3).mappers.add(mm);
}

for (const k of KERNELS) {
  test(`${k}: memory failure lists every process mapping the page under i_mmap (${readIn(k)}) + tasklist_lock (read)`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const f = ctx.newFile('data', { nrPages: 16 });
    const procs: McProcess[] = [];
    for (let i = 0; i < 6; i++) procs.push({ name: `p${i}`, mm: ctx.newMm(`p${i}`), earlyKill: i % 2 === 0 });
    procs.push({ name: 'kthread', mm: null });
    runTask(function* (t) {
      for (const p of procs.slice(0, 4)) yield* mapAll(ctx, t, p.mm!, f);
      const early = yield* collectProcsFile(ctx, t, f.page(3), procs, false);
      assert.deepEqual(early.map((x) => x.proc.name), ['p0', 'p2']);
      const r = yield* memoryFailure(ctx, t, f.page(3), procs, { forceEarly: true });
      assert.deepEqual(r.killed.map((x) => x.proc.name), ['p0', 'p1', 'p2', 'p3']);
      assert.ok(isHwPoisoned(f.page(3)));
      assert.equal((yield* memoryFailure(ctx, t, f.page(3), procs)).alreadyPoisoned, true);
    });
    assert.equal(siteAcquisitions(env, 'i_mmap').collect_procs_file[readIn(k)], 2);
    assert.equal(siteAcquisitions(env, 'tasklist_lock').collect_procs_file.read, 2);
  });
}
