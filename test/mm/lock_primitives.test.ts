/**
 * Any primitive on any lock class the mm model uses (kernel specs' `locks`): each runs a
 * scenario and a small aim7 in checking mode (lock invariants, lock order, lost wake-ups,
 * the end-of-run check), a read-mode site on a primitive without a shared mode takes it
 * exclusively, a spinlock i_mmap spins and never sleeps, and the historical kernels run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { run, type RunResult } from '../../src/experiment/run';
import { HISTORICAL_KERNEL_NAMES, resolveKernel, type KernelSpec } from '../../src/kernel';

const CLASSES = ['i_mmap', 'anon_vma', 'mmap_sem', 'ptl'] as const;
const PRIMITIVES = ['mutex', 'rwsem', 'spinlock'] as const;

type Cls = (typeof CLASSES)[number];
const rows = (r: RunResult, c: string) => r.lockstat.filter((l) => l.lockClass === c);
const total = (r: RunResult, c: string, f: 'acqRead' | 'acqWrite' | 'spinNs' | 'sleepNs' | 'contWrite') => rows(r, c).reduce((a, l) => a + (l[f] as number), 0);

function runWith(workload: string, kernel: KernelSpec, seed = 1): RunResult {
  const params: Record<string, string | number> = workload === 'aim7' ? { workfile: 'alltests', users: 2, jobs: 10, estimate: 'full' } : {};
  return run({ workload, kernel, params, seed, options: { checks: true } });
}

for (const c of CLASSES) {
  for (const p of PRIMITIVES) {
    test(`${c} as a ${p}: truncate and a small aim7 run with the checkers on; reads are exclusive unless an rwsem`, () => {
      // the merged series: i_mmap has read-mode sites (rmap_walk_file, ...)
      const kernel: KernelSpec = { base: '3.18-rc1-i_mmap_rwsem-merged', locks: { [c]: { primitive: p } } };
      assert.equal(resolveKernel(kernel).locks[c]?.primitive, p);
      let taken = 0;
      for (const w of ['numa-migration', 'aim7']) {
        const r = runWith(w, kernel);
        taken += total(r, c, 'acqRead') + total(r, c, 'acqWrite');
        if (p !== 'rwsem') assert.equal(total(r, c, 'acqRead'), 0, `${w}: a ${p} ${c} has no read holds`);
        if (p === 'spinlock') assert.equal(total(r, c, 'sleepNs'), 0, `${w}: a spinlock never sleeps`);
      }
      assert.ok(taken > 0, `${c} taken`);
    });
  }
}

test('with the series and an rwsem, i_mmap has read holds (so the exclusive check above can fail)', () => {
  const r = runWith('numa-migration', '3.18-rc1-i_mmap_rwsem-merged' as never);
  assert.ok(total(r, 'i_mmap', 'acqRead') > 0, 'rmap_walk_file reads i_mmap');
  assert.ok(total(r, 'mmap_sem', 'acqRead') > 0, 'faults take mmap_sem for read');
  const rw = runWith('aim7', '3.18-rc1-i_mmap_rwsem-merged' as never);
  assert.ok(total(rw, 'mmap_sem', 'acqRead') > 0, 'aim7 faults take mmap_sem for read');
});

test('a spinlock i_mmap spins under contention and never sleeps; a mutex without spinning sleeps', () => {
  const spin = runWith('truncate', { base: '3.18-rc1', locks: { i_mmap: { primitive: 'spinlock' } } });
  assert.ok(total(spin, 'i_mmap', 'contWrite') > 0, 'contended');
  assert.ok(total(spin, 'i_mmap', 'spinNs') > 0, 'spins');
  assert.equal(total(spin, 'i_mmap', 'sleepNs'), 0, 'no sleeps');
  const sleepy = runWith('truncate', { base: '3.18-rc1', locks: { i_mmap: { options: { optimisticSpin: false } } } });
  assert.ok(total(sleepy, 'i_mmap', 'sleepNs') > 0, 'the same contention on a non-spinning mutex sleeps');
});

for (const name of HISTORICAL_KERNEL_NAMES) {
  test(`historical kernel ${name}: runs with the checkers on`, () => {
    const k = resolveKernel(name);
    assert.equal(k.name, name);
    assert.ok(k.sites.rmap_walk_file.mode === 'write');
    const r = runWith('truncate', name as never);
    assert.ok(total(r, 'i_mmap', 'acqWrite') > 0);
    if (k.locks.i_mmap.primitive === 'spinlock') assert.equal(total(r, 'i_mmap', 'sleepNs'), 0);
  });
}

test('the historical lock table: 2.6.39 spinlocks, 3.0 mutexes, 3.8 anon_vma rwsem, 3.10 writer stealing', () => {
  const p = (n: string, c: 'i_mmap' | 'anon_vma' | 'mmap_sem') => resolveKernel(n).locks[c];
  assert.equal(p('3.18-rc1-locks-2.6.39', 'i_mmap').primitive, 'spinlock');
  assert.equal(p('3.18-rc1-locks-2.6.39', 'anon_vma').primitive, 'spinlock');
  assert.equal(p('3.18-rc1-locks-3.0', 'i_mmap').primitive, 'mutex');
  assert.equal(p('3.18-rc1-locks-3.0', 'anon_vma').primitive, 'mutex');
  assert.deepEqual(p('3.18-rc1-locks-3.8', 'anon_vma'), { primitive: 'rwsem', options: { optimisticSpin: false, writerSteal: false, readerPreference: false } });
  assert.deepEqual(p('3.18-rc1-locks-3.10', 'mmap_sem').options, { optimisticSpin: false, writerSteal: true, readerPreference: false });
  // a historical base takes lock overrides, not patches
  assert.equal(resolveKernel({ base: '3.18-rc1-locks-3.0', locks: { ptl: { primitive: 'mutex' } } }).locks.ptl?.primitive, 'mutex');
  assert.throws(() => resolveKernel('3.18-rc1-locks-3.0+3'), /kernel: 3\.18-rc1-locks-3\.0 is a historical lock design: it takes lock overrides, not patches .*; allowed: 3\.18-rc1, /);
});

test('property: any class, primitive and options, any seed: the checkers hold, reads are exclusive without an rwsem, same seed → same result', () => {
  const spec = fc.record({
    cls: fc.constantFrom(...CLASSES),
    primitive: fc.constantFrom(...PRIMITIVES),
    spin: fc.boolean(),
    steal: fc.boolean(),
    base: fc.constantFrom('3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-locks-3.0'),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });
  fc.assert(fc.property(spec, ({ cls, primitive, spin, steal, base, seed }) => {
    const options = primitive === 'mutex' ? { optimisticSpin: spin } : primitive === 'rwsem' ? { optimisticSpin: spin, writerSteal: steal } : {};
    const kernel: KernelSpec = { base, locks: { [cls as Cls]: { primitive, options } } };
    const a = runWith('numa-migration', kernel, seed);
    const b = runWith('numa-migration', kernel, seed);
    assert.deepEqual({ m: a.metrics, c: a.counters, l: a.lockstat }, { m: b.metrics, c: b.counters, l: b.lockstat });
    if (primitive !== 'rwsem') assert.equal(total(a, cls, 'acqRead'), 0);
    if (primitive === 'spinlock') assert.equal(total(a, cls, 'sleepNs'), 0);
  }), { numRuns: 6 });
});
