import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getWorkload, registerWorkload, workloadNames, paramDefaults, describeParam, kernelLock } from '../../src/workloads';
import { Simulation } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler } from '../../src/sched';
import { LockEnv, Mutex, RwSem } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';

test('lock-hammer is registered with a parameter table', () => {
  assert.ok(workloadNames().includes('lock-hammer'));
  const w = getWorkload('lock-hammer')!;
  assert.deepEqual(Object.keys(w.params), ['threads', 'readers', 'holdNs', 'thinkNs', 'think']);
  assert.deepEqual(paramDefaults(w), { threads: 16, readers: 0, holdNs: 100, thinkNs: 200, think: 'exponential' });
  assert.equal(describeParam(w.params.threads!), 'an integer from 1 to 4096');
  assert.equal(describeParam(w.params.think!), 'one of exponential, fixed');
});

test('registerWorkload rejects bad names, duplicates and inconsistent parameter tables', () => {
  const run = () => ({ metrics: {} });
  assert.throws(() => registerWorkload({ name: 'Bad Name', description: '', params: {}, run }), /name must match/);
  assert.throws(() => registerWorkload({ name: 'lock-hammer', description: '', params: {}, run }), /already registered/);
  assert.throws(() => registerWorkload({ name: 'x-bad-default', description: '', params: { n: { type: 'int', default: 0, min: 1, max: 3, help: '' } }, run }), /default 0 is outside \[1, 3\]/);
  assert.throws(() => registerWorkload({ name: 'x-bad-range', description: '', params: { n: { type: 'number', default: 1, min: 2, max: 1, help: '' } }, run }), /min <= max/);
  assert.throws(() => registerWorkload({ name: 'x-bad-string', description: '', params: { f: { type: 'string', default: 'a', allowed: '', help: '' } }, run }), /description of what is allowed/);
  assert.equal(describeParam({ type: 'string', default: 'a', allowed: 'a name or a path', help: '' }), 'a name or a path');
  assert.throws(() => registerWorkload({ name: 'x-bad-enum', description: '', params: { n: { type: 'enum', default: 'c', values: ['a', 'b'], help: '' } }, run }), /one of its values/);
  assert.equal(getWorkload('x-bad-default'), undefined);
});

test('kernelLock builds the primitive the kernel configures for the class', () => {
  const sim = new Simulation(1);
  const sched = new Scheduler(sim, loadMachine('ivybridge-ex-2s'));
  const env = new LockEnv(sim, sched);
  const m = kernelLock(env, resolveKernel('3.18-rc1'), 'i_mmap');
  assert.ok(m.lock instanceof Mutex);
  assert.equal(m.shared, false);
  const r = kernelLock(env, resolveKernel('3.18-rc1-i_mmap_rwsem'), 'i_mmap');
  assert.ok(r.lock instanceof RwSem);
  assert.equal(r.shared, true);
  const nospin = kernelLock(env, resolveKernel({ base: '3.18-rc1-i_mmap_rwsem', locks: { i_mmap: { options: { optimisticSpin: false } } } }), 'i_mmap');
  assert.equal((nospin.lock as RwSem).options.optimisticSpin, false);
});
