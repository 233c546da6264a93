import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configHash, resolveRunConfig, validateRunConfig } from '../../src/experiment/config';
import { ConfigError } from '../../src/experiment/errors';

const W = { workload: 'lock-hammer' };

test('defaults are filled in; the effective config validates to itself', () => {
  const c = validateRunConfig({ ...W, params: { threads: 4 } });
  assert.deepEqual(c, {
    machine: 'ivybridge-ex-4s',
    kernel: '3.18-rc1',
    workload: 'lock-hammer',
    params: { threads: 4, readers: 0, holdNs: 100, thinkNs: 200, think: 'exponential' },
    duration: { ms: 10, warmupMs: 0, maxEvents: null },
    seed: '1',
    options: { checks: false, trace: false, sched: {} },
  });
  assert.deepEqual(validateRunConfig(c), c);
  const t = validateRunConfig({ ...W, duration: { ms: 4 }, options: { trace: true }, seed: 7 });
  assert.deepEqual(t.options.trace, { intervalMs: 0.2 });
  assert.equal(t.seed, '7');
  assert.deepEqual(validateRunConfig(t), t);
});

test('workload {name, params} and top-level params merge', () => {
  const c = validateRunConfig({ workload: { name: 'lock-hammer', params: { threads: 3, readers: 0.5 } }, params: { readers: 0.25 } });
  assert.equal(c.params.threads, 3);
  assert.equal(c.params.readers, 0.25);
});

test('the config hash ignores the seed, covers everything else and the resolved machine/kernel', () => {
  const a = configHash({ ...W, seed: 1 });
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(configHash({ ...W, seed: 2 }), a);
  assert.equal(configHash({ ...W, params: { threads: 16 } }), a, 'a default given explicitly is the same config');
  assert.notEqual(configHash({ ...W, params: { threads: 8 } }), a);
  assert.notEqual(configHash({ ...W, kernel: 'patches:1-3' }), a);
  assert.notEqual(configHash({ ...W, duration: { ms: 11 } }), a);
  assert.equal(resolveRunConfig({ ...W, kernel: '3.18-rc1' }).configHash, a);
});

const BAD: [unknown, RegExp][] = [
  [42, /^a run config must be an object, got 42; allowed: keys machine, kernel, workload/],
  [{}, /^workload: is required \(a workload name or \{name, params\}\)$/],
  [{ ...W, bogus: 1 }, /^bogus: unknown run config key, got 1; allowed: machine, kernel, workload, params, duration, seed, options$/],
  [{ workload: 'aim8' }, /^workload: unknown workload "aim8"; allowed: aim7, aim7-whatif, fork-storm, iozone-mmap, lock-hammer, memcached, memory-failure, microbench, nommu, numa-migration, postgres-hugetlb, truncate, uprobe, xip$/],
  [{ workload: { name: 'aim8' } }, /^workload\.name: unknown workload "aim8"; allowed: aim7, aim7-whatif, fork-storm, iozone-mmap, lock-hammer, memcached, memory-failure, microbench, nommu, numa-migration, postgres-hugetlb, truncate, uprobe, xip$/],
  [{ ...W, params: { treads: 4 } }, /^params\.treads: unknown parameter of workload "lock-hammer", got 4; allowed: threads, readers, holdNs, thinkNs, think$/],
  [{ ...W, params: { threads: 0 } }, /^params\.threads: must be an integer from 1 to 4096, got 0$/],
  [{ ...W, params: { threads: 2.5 } }, /^params\.threads: must be an integer from 1 to 4096, got 2\.5$/],
  [{ ...W, params: { threads: '8' } }, /^params\.threads: must be an integer from 1 to 4096, got "8"$/],
  [{ ...W, params: { readers: 1.5 } }, /^params\.readers: must be a number from 0 to 1, got 1\.5$/],
  [{ ...W, params: { think: 'gauss' } }, /^params\.think: must be one of exponential, fixed, got "gauss"$/],
  [{ workload: { name: 'lock-hammer', params: { threads: -1 } } }, /^workload\.params\.threads: must be an integer from 1 to 4096, got -1$/],
  [{ ...W, machine: 'foo' }, /^machine: unknown machine preset "foo"; allowed: ivybridge-ex-2s, ivybridge-ex-4s, .*westmere-ex-8s, the path of a MachineSpec JSON file \(ending in \.json or containing \/\), or a MachineSpec object$/],
  [{ ...W, machine: { name: 'm', sockets: 0 } }, /^machine: sockets must be an integer from 1 to 64, got 0$/],
  [{ ...W, machine: 7 }, /^machine: must be a machine preset name \(.*\), a MachineSpec JSON file path, or a MachineSpec object, got 7$/],
  [{ ...W, kernel: '3.19' }, /^kernel: unknown kernel "3\.19"; allowed: 3\.18-rc1, 3\.18-rc1-i_mmap_rwsem, 3\.18-rc1-i_mmap_rwsem-merged, /],
  [{ ...W, kernel: 'patches:4' }, /^kernel: patch 4 .* needs the rwsem of patch 3/],
  [{ ...W, kernel: { base: '3.18-rc1', locks: { i_mmap: { options: { spin: true } } } } }, /^kernel\.locks\.i_mmap\.options\.spin: unknown option for a mutex; allowed: optimisticSpin$/],
  [{ ...W, kernel: { base: 'nope' } }, /^kernel\.base: unknown base kernel "nope"; allowed: 3\.18-rc1, /],
  [{ ...W, duration: { ms: 0 } }, /^duration\.ms: must be a number of simulated ms > 0 and <= 1000000, got 0$/],
  [{ ...W, duration: { ms: 1, warm: 1 } }, /^duration\.warm: unknown key of duration, got 1; allowed: ms, warmupMs, maxEvents$/],
  [{ ...W, duration: 5 }, /^duration: must be .*, got 5$/],
  [{ ...W, seed: -1 }, /^seed: must be text of 1 to 200 characters, not blank, or an integer from 0 to 9007199254740991 \(the same seed as its digits\), got -1$/],
  [{ ...W, options: { checks: 'yes' } }, /^options\.checks: must be true or false, got "yes"$/],
  [{ ...W, options: { trace: { every: 1 } } }, /^options\.trace\.every: unknown key of options\.trace, got 1; allowed: intervalMs$/],
  [{ ...W, options: { sched: { hz: 0 } } }, /^options\.sched\.hz: must be a number > 0 and <= 100000, got 0$/],
  [{ ...W, options: { sched: { tick: 1 } } }, /^options\.sched\.tick: unknown scheduler parameter, got 1; allowed: hz, schedLatency, /],
];

test('every bad run config is a ConfigError naming the field, the value and what is allowed', () => {
  for (const [input, re] of BAD) {
    let err: unknown;
    try {
      validateRunConfig(input);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError, `${JSON.stringify(input)}: ${String(err)}`);
    assert.match(err.message, re, JSON.stringify(input));
  }
});
