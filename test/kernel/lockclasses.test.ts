import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelConfigError } from '../../src/kernel/errors';
import { ALLOWED_PRIMITIVES, applyLockOverrides, defaultLockConfig, defaultLocks, describeLock, LOCK_OPTIONS } from '../../src/kernel/lockclasses';

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
  const b = applyLockOverrides(base, { i_mmap: { primitive: 'rwsem', options: { readerPreference: true } } });
  assert.deepEqual(b.i_mmap, { primitive: 'rwsem', options: { optimisticSpin: true, writerSteal: true, readerPreference: true } });
  const c = applyLockOverrides(base, { anon_vma: { primitive: 'mutex' } });
  assert.deepEqual(c.anon_vma, defaultLockConfig('mutex'));
  assert.equal(applyLockOverrides(base, undefined), base);
  assert.equal(describeLock(b.i_mmap), 'rwsem (optimisticSpin, writerSteal, readerPreference)');
  assert.equal(describeLock({ primitive: 'mutex', options: { optimisticSpin: false } }), 'mutex');
});

test('override errors name the field and list what is allowed', () => {
  const base = defaultLocks('rwsem');
  throwsAt(() => applyLockOverrides(base, { mmap_sem: { primitive: 'mutex' } }), 'locks.mmap_sem.primitive', /"mutex" is not a primitive for mmap_sem; allowed: rwsem$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { primitive: 'spinlock' } }), 'locks.i_mmap.primitive', /allowed: mutex, rwsem$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { options: { writerSteal: 1 } } }), 'locks.i_mmap.options.writerSteal', /expected a boolean, got 1$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { primitive: 'mutex', options: { writerSteal: false } } }), 'locks.i_mmap.options.writerSteal', /unknown option for a mutex; allowed: optimisticSpin$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { prim: 'x' } }), 'locks.i_mmap.prim', /unknown key; allowed: primitive, options$/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: 'rwsem' }), 'locks.i_mmap', /expected an object with primitive and\/or options, got "rwsem"/);
  throwsAt(() => applyLockOverrides(base, { i_mmap: { options: [] } }), 'locks.i_mmap.options', /expected an object, got an array; allowed: optimisticSpin, writerSteal, readerPreference$/);
  throwsAt(() => applyLockOverrides(base, [] as never), 'locks', /allowed: i_mmap, anon_vma, mmap_sem$/);
  assert.deepEqual([...ALLOWED_PRIMITIVES.anon_vma], ['rwsem', 'mutex']);
});
