import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelConfigError } from '../../src/kernel/errors';
import { ALLOWED_PRIMITIVES, applyLockOverrides, defaultLockConfig, defaultLocks, describeLock, lockConfigOf, LOCK_OPTIONS } from '../../src/kernel/lockclasses';

function throwsAt(fn: () => unknown, field: string, re: RegExp) {
  assert.throws(fn, (e: unknown) => e instanceof KernelConfigError && e.field === field && re.test(e.message));
}

test('3.18 defaults', () => {
  assert.deepEqual(defaultLockConfig('mutex'), { primitive: 'mutex', options: { optimisticSpin: true } });
  assert.deepEqual(defaultLockConfig('rwsem'), { primitive: 'rwsem', options: { optimisticSpin: true, writerSteal: true, readerPreference: false } });
  assert.deepEqual(defaultLockConfig('spinlock'), { primitive: 'spinlock', options: { fair: true } });
  for (const [p, specs] of Object.entries(LOCK_OPTIONS)) {
    for (const [name, s] of Object.entries(specs)) assert.equal(typeof s.default, s.type, `${p}.${name}`);
  }
});

test('overrides: options merge; a primitive change resets options to the new defaults', () => {
  const base = defaultLocks('mutex');
  const a = applyLockOverrides(base, { anon_vma: { options: { writerSteal: false } } });
  assert.equal(a.anon_vma.options.writerSteal, false);
  assert.equal(a.anon_vma.options.optimisticSpin, true);
  assert.equal(a.i_mmap, base.i_mmap);
  const b = applyLockOverrides(base, { i_mmap: { primitive: 'rwsem', options: { writerSteal: false } } });
  assert.deepEqual(b.i_mmap, { primitive: 'rwsem', options: { optimisticSpin: true, writerSteal: false, readerPreference: false } });
  const c = applyLockOverrides(base, { anon_vma: { primitive: 'mutex' } });
  assert.deepEqual(c.anon_vma, defaultLockConfig('mutex'));
  assert.equal(applyLockOverrides(base, undefined), base);
  assert.equal(describeLock(b.i_mmap), 'rwsem (optimisticSpin)');
  assert.equal(describeLock({ primitive: 'mutex', options: { optimisticSpin: false } }), 'mutex');
});

test('override errors name the field and list what is allowed', () => {
  const base = defaultLocks('rwsem');
  throwsAt(() => applyLockOverrides(base, { mmap_sem: { primitive: 'semaphore' } }), 'locks.mmap_sem.primitive', /"semaphore" is not a primitive for mmap_sem; allowed: mutex, rwsem, spinlock$/);
  throwsAt(() => applyLockOverrides(base, { ptl: { primitive: 42 } }), 'locks.ptl.primitive', /allowed: mutex, rwsem, spinlock$/);
  // options the locking layer does not model accept only their 3.18 value
  throwsAt(() => applyLockOverrides(base, { i_mmap: { options: { readerPreference: true } } }), 'locks.i_mmap.options.readerPreference', /true is not modelled .*; allowed: false$/);
  throwsAt(() => applyLockOverrides(base, { ptl: { options: { fair: false } } }), 'locks.ptl.options.fair', /false is not modelled .*; allowed: true$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { options: { writerSteal: 1 } } }), 'locks.i_mmap.options.writerSteal', /expected a boolean, got 1$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { primitive: 'mutex', options: { writerSteal: false } } }), 'locks.i_mmap.options.writerSteal', /unknown option for a mutex; allowed: optimisticSpin$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { prim: 'x' } }), 'locks.i_mmap.prim', /unknown key; allowed: primitive, options$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: 'rwsem' }), 'locks.i_mmap', /expected an object with primitive and\/or options, got "rwsem"/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { options: [] } }), 'locks.i_mmap.options', /expected an object, got an array; allowed: optimisticSpin, writerSteal, readerPreference$/);
  throwsAt(() => applyLockOverrides(base, [] as never), 'locks', /allowed: i_mmap, anon_vma, mmap_sem, ptl$/);
  for (const c of ['i_mmap', 'anon_vma', 'mmap_sem', 'ptl'] as const) assert.deepEqual([...ALLOWED_PRIMITIVES[c]], ['mutex', 'rwsem', 'spinlock']);
});

test('every class takes every primitive; ptl is absent until overridden', () => {
  const base = defaultLocks('mutex');
  assert.equal(base.ptl, undefined);
  assert.deepEqual(lockConfigOf(base, 'ptl'), defaultLockConfig('spinlock'));
  for (const c of ['i_mmap', 'anon_vma', 'mmap_sem', 'ptl'] as const) {
    for (const p of ['mutex', 'rwsem', 'spinlock'] as const) {
      const l = applyLockOverrides(base, { [c]: { primitive: p } });
      assert.deepEqual(lockConfigOf(l, c), defaultLockConfig(p), `${c} ${p}`);
    }
  }
  const off = applyLockOverrides(base, { ptl: { primitive: 'mutex', options: { optimisticSpin: false } } });
  assert.deepEqual(off.ptl, { primitive: 'mutex', options: { optimisticSpin: false } });
});
