import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSim, siteAcquisitions } from './harness';
import type { Task } from '../../src/sched';
import { Uprobe, registerForEachVma, buildMapInfo, mmapRegion, VM_READ, VM_EXEC, VM_WRITE, VM_SHARED, VM_MAYSHARE, type MmContext, type MmStruct, type AddressSpace } from '../../src/mm';

const KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged'] as const;
const readIn = (k: string) => (k === '3.18-rc1' ? 'write' : 'read');

function* mapText(ctx: MmContext, t: Task, mm: MmStruct, f: AddressSpace, flags = VM_READ | VM_EXEC) {
  yield* mm.mmapSem.acquire(t, 'write', 'mmap');
  const v = yield* mmapRegion(ctx, t, mm, { file: f, pgoff: 0, pages: 100, flags });
  yield* mm.mmapSem.release(t, 'write');
  return v;
}

for (const k of KERNELS) {
  test(`${k}: uprobe register lists the text VMAs under i_mmap (${readIn(k)}), then takes each mm's mmap_sem for write`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const bin = ctx.newFile('bin', { nrPages: 100 });
    const mms = Array.from({ length: 5 }, (_, i) => ctx.newMm(`p${i}`));
    const probe = new Uprobe(bin, 40);
    runTask(function* (t) {
      for (const mm of mms) yield* mapText(ctx, t, mm, bin);
      yield* mapText(ctx, t, ctx.newMm('writer'), bin, VM_READ | VM_WRITE); // not valid for register
      yield* mapText(ctx, t, ctx.newMm('shared'), bin, VM_READ | VM_SHARED | VM_MAYSHARE);
      assert.equal(yield* registerForEachVma(ctx, t, probe, true), 5);
      assert.equal(probe.installed.size, 5);
      assert.equal(yield* registerForEachVma(ctx, t, probe, false), 5);
      assert.equal(probe.installed.size, 0);
    });
    const acq = siteAcquisitions(env, 'i_mmap').build_map_info;
    assert.equal(acq[readIn(k)], 2);
    // register visits the 5 text mappings; unregister also lists the writable one (valid_vma
    // checks VM_WRITE only when registering) and takes its mmap_sem for nothing
    assert.equal(siteAcquisitions(env, 'mmap_sem').register_for_each_vma.write, 11);
    assert.equal(siteAcquisitions(env, 'dup_mmap_sem').register_for_each_vma.write, 2);
  });

  test(`${k}: build_map_info retakes i_mmap once when GFP_NOWAIT allocations fail`, () => {
    const { ctx, env, runTask } = kernelSim(k);
    const bin = ctx.newFile('bin', { nrPages: 100 });
    runTask(function* (t) {
      for (let i = 0; i < 4; i++) yield* mapText(ctx, t, ctx.newMm(`p${i}`), bin);
      const infos = yield* buildMapInfo(ctx, t, bin, 7, true, { gfpNowaitFailure: 1 });
      assert.equal(infos.length, 4);
    });
    assert.equal(siteAcquisitions(env, 'i_mmap').build_map_info[readIn(k)], 2);
  });
}

test('concurrent uprobe registrations never overlap in build_map_info: dup_mmap_sem is held for write around it', () => {
  const { ctx, env, sim, sched } = kernelSim('3.18-rc1-i_mmap_rwsem-merged');
  const bin = ctx.newFile('bin', { nrPages: 100 });
  sched.spawn('setup', function* (t) {
    for (let i = 0; i < 8; i++) yield* mapText(ctx, t, ctx.newMm(`p${i}`), bin);
    for (let j = 0; j < 3; j++) sched.spawn(`perf${j}`, function* (u) { yield* registerForEachVma(ctx, u, new Uprobe(bin, 10 + j), true); });
  });
  sim.run();
  env.finalCheck();
  const o = ctx.immapOverlap.site('build_map_info');
  assert.equal(o.acquisitions, 3);
  assert.equal(o.sameSiteNs, 0);
  assert.ok(env.stat.classTotal('dup_mmap_sem').contentions.write >= 1);
});
