/**
 * The hugetlb branches of the generic paths are wired by MmContext (ctx.hugetlb), not by
 * importing src/mm/index.ts for its side effect: a caller that imports memory.ts and the
 * context directly, and never the mm index, faults huge pages on a hugetlb VMA, not ptes.
 * (This file imports no module that imports src/mm/index.ts; node's test runner gives it a
 * process of its own, and the test checks the index was never loaded.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import { MmContext } from '../../src/mm/model/context';
import { pageFault, unmapSingleVma } from '../../src/mm/memory';
import { newHugetlbfsFile, hugetlbfsMmap } from '../../src/mm/hugetlbfs';
import { HPAGE_PAGES, PUD_PAGES, hugePteOffset, pmdIndex } from '../../src/mm/hugetlb_pgtable';
import { hstate } from '../../src/mm/hugetlb_hstate';

test('memory.ts imported without the mm index: a fault on a hugetlb VMA maps a huge page, no pte; munmap frees it', () => {
  const sim = new Simulation(1);
  const sched = new Scheduler(sim, loadMachine('ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched, { checks: true });
  const ctx = new MmContext(sim, sched, env, resolveKernel('3.18-rc1'));
  const f = newHugetlbfsFile(ctx, 'seg', 4);
  const mm = ctx.newMm('p');
  const base = 4 * PUD_PAGES;
  const addr = base + HPAGE_PAGES + 5;
  sched.spawn('t', function* (t) {
    yield* mm.mmapSem.acquire(t, 'write', 'mmap');
    const vma = yield* hugetlbfsMmap(ctx, t, mm, f, { pgoff: 0, pages: 4 * HPAGE_PAGES, shared: true, addr: base });
    yield* mm.mmapSem.release(t, 'write');
    yield* pageFault(ctx, t, mm, addr, true);
    const pte = hugePteOffset(mm, addr)?.ptes.get(pmdIndex(addr));
    assert.ok(pte, 'no huge pte after the fault');
    assert.equal(pte.write, true);
    assert.equal(mm.pt.size, 0, 'the fault made ordinary ptes for a hugetlb VMA');
    assert.equal(hstate(ctx).stats.pmdPagesAllocated, 1);
    yield* mm.mmapSem.acquire(t, 'write', 'munmap');
    yield* unmapSingleVma(ctx, t, vma, vma.start, vma.end);
    yield* mm.mmapSem.release(t, 'write');
    assert.equal(hugePteOffset(mm, addr)?.ptes.get(pmdIndex(addr)), undefined, 'the huge pte survived unmap_single_vma');
  });
  sim.run();
  env.finalCheck();
  const loaded = Object.keys(require.cache).filter((p) => /[\\/]src[\\/]mm[\\/]index\.js$/.test(p));
  assert.deepEqual(loaded, [], 'this test must not load src/mm/index.js (it checks the wiring without it)');
});
