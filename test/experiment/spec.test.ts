import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandSweep, runSeed, shardRuns } from '../../src/experiment/spec';
import { ConfigError } from '../../src/experiment/errors';
import { smallSpec } from './helpers';

test('grid expansion: row-major (first axis slowest), labels, runIds and seeds', () => {
  const x = expandSweep(smallSpec({ axes: { kernel: { values: ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'], labels: ['mutex', 'rwsem'] }, threads: [2, 8] } }));
  assert.deepEqual(x.columns.map((c) => [c.name, c.path.join('.')]), [['kernel', 'kernel'], ['threads', 'params.threads']]);
  assert.deepEqual(x.points.map((p) => p.values), [
    { kernel: 'mutex', threads: 2 }, { kernel: 'mutex', threads: 8 }, { kernel: 'rwsem', threads: 2 }, { kernel: 'rwsem', threads: 8 },
  ]);
  assert.deepEqual(x.runs.map((r) => r.runId), ['p0000-r00', 'p0000-r01', 'p0001-r00', 'p0001-r01', 'p0002-r00', 'p0002-r01', 'p0003-r00', 'p0003-r01']);
  for (const r of x.runs) assert.equal(r.seed, runSeed('11', r.configHash, r.rep));
  assert.equal(new Set(x.runs.map((r) => r.seed)).size, x.runs.length);
  assert.equal(x.points[3]!.resolved.config.params.threads, 8);
  assert.equal(x.points[3]!.resolved.kernel.primitive, 'rwsem');
  // the normalized spec (spec.json) expands to itself
  const again = expandSweep(JSON.parse(JSON.stringify(x.spec)));
  assert.equal(again.specHash, x.specHash);
  assert.deepEqual(again.spec, x.spec);
});

test('a run keeps its seed when the grid around it changes (seed = f(sweep seed, config hash, rep))', () => {
  const a = expandSweep(smallSpec({ axes: { threads: [2, 8] } }));
  const b = expandSweep(smallSpec({ axes: { threads: [1, 2, 4, 8] } }));
  const seedOf = (x: typeof a, threads: number, rep: number) => x.runs.find((r) => r.rep === rep && x.points[r.point]!.values.threads === threads)!.seed;
  assert.equal(seedOf(a, 8, 1), seedOf(b, 8, 1));
  assert.notEqual(expandSweep(smallSpec({ seed: 12, axes: { threads: [2, 8] } })).runs[0]!.seed, a.runs[0]!.seed);
});

test('ranges: step, count, log scale; integer parameters rounded and deduplicated', () => {
  const pts = (axes: Record<string, unknown>) => expandSweep(smallSpec({ axes })).points.map((p) => p.values);
  assert.deepEqual(pts({ readers: { range: { from: 0, to: 0.3, step: 0.1 } } }).map((p) => p.readers), [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(pts({ holdNs: { range: { from: 100, to: 400, count: 4 } } }).map((p) => p.holdNs), [100, 200, 300, 400]);
  assert.deepEqual(pts({ holdNs: { range: { from: 10, to: 1000, count: 3, scale: 'log' } } }).map((p) => p.holdNs), [10, 100, 1000]);
  assert.deepEqual(pts({ threads: { range: { from: 1, to: 8, count: 6, scale: 'log' } } }).map((p) => p.threads), [1, 2, 3, 5, 8]);
  assert.deepEqual(pts({ 'duration.ms': [0.1, 0.2] }).map((p) => p['duration.ms']), [0.1, 0.2]);
});

test('samples: Sobol and random, crossed with the grid, inside the bounds, integers for int parameters', () => {
  const x = expandSweep(smallSpec({
    axes: { kernel: ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] },
    samples: { method: 'sobol', count: 8, params: { readers: { min: 0, max: 1 }, threads: { min: 1, max: 16 }, holdNs: { min: 10, max: 1000, scale: 'log' } } },
  }));
  assert.equal(x.points.length, 16);
  assert.deepEqual(x.points.slice(0, 3).map((p) => p.values), [
    { kernel: '3.18-rc1', readers: 0, threads: 1, holdNs: 10 },
    { kernel: '3.18-rc1', readers: 0.5, threads: 9, holdNs: 100 },
    { kernel: '3.18-rc1', readers: 0.75, threads: 5, holdNs: 31.6228 },
  ]);
  assert.deepEqual(x.points[8]!.values, { ...x.points[0]!.values, kernel: '3.18-rc1-i_mmap_rwsem' });
  const r = expandSweep(smallSpec({ axes: {}, samples: { method: 'random', count: 50, params: { readers: { min: 0.2, max: 0.4 }, threads: { min: 2, max: 5 } } } }));
  for (const p of r.points) {
    assert.ok((p.values.readers as number) >= 0.2 && (p.values.readers as number) <= 0.4);
    assert.ok(Number.isInteger(p.values.threads) && (p.values.threads as number) >= 2 && (p.values.threads as number) <= 5);
  }
  assert.deepEqual(new Set(r.points.map((p) => p.values.threads)), new Set([2, 3, 4, 5]));
  const again = expandSweep(smallSpec({ axes: {}, samples: { method: 'random', count: 50, params: { readers: { min: 0.2, max: 0.4 }, threads: { min: 2, max: 5 } } } }));
  assert.deepEqual(again.points.map((p) => p.values), r.points.map((p) => p.values));
});

test('shards partition the runs', () => {
  const x = expandSweep(smallSpec());
  const parts = [0, 1, 2].map((i) => shardRuns(x.runs, i, 3).map((r) => r.runId));
  assert.deepEqual(parts.flat().sort(), x.runs.map((r) => r.runId));
  assert.equal(new Set(parts.flat()).size, x.runs.length);
});

const BAD: [Record<string, unknown>, RegExp][] = [
  [{ axes: { treads: [1] } }, /^axes\.treads: unknown parameter "treads" of workload "lock-hammer"; allowed: machine, kernel, workload, .*threads/],
  [{ axes: { threads: [2, 0] } }, /^axes\.threads\[1\]: must be an integer from 1 to 4096, got 0$/],
  [{ axes: { threads: { values: [2, 5000] } } }, /^axes\.threads\.values\[1\]: must be an integer from 1 to 4096, got 5000$/],
  [{ axes: { threads: [2, 2] } }, /^axes\.threads\[1\]: duplicate of value 0, got 2; allowed: distinct values$/],
  [{ axes: { threads: [] } }, /^axes\.threads: must have at least one value, got \[\]$/],
  [{ axes: { threads: { vals: [1] } } }, /^axes\.threads: must be an array of values, \{values, labels\?\} or \{range: /],
  [{ axes: { threads: { values: [1, 2], labels: ['a'] } } }, /^axes\.threads\.labels: must have one label per value \(2\), got 1$/],
  [{ axes: { readers: { range: { from: 0, to: 2, count: 3 } } } }, /^axes\.readers\.range: must be a number from 0 to 1, got 2$/],
  [{ axes: { readers: { range: { from: 0, to: 1 } } } }, /^axes\.readers\.range: give exactly one of step and count/],
  [{ axes: { readers: { range: { from: 1, to: 0, count: 2 } } } }, /^axes\.readers\.range\.to: must be >= from \(1\), got 0$/],
  [{ axes: { readers: { range: { from: 0, to: 1, count: 2, scale: 'cubic' } } } }, /^axes\.readers\.range\.scale: must be one of linear, log, got "cubic"$/],
  [{ axes: { kernel: ['3.18-rc1', '3.19'] } }, /^axes\.kernel\[1\]: unknown kernel "3\.19"; allowed: 3\.18-rc1, /],
  [{ axes: { machine: ['ivybridge-ex-2s', 'pdp-11'] } }, /^axes\.machine\[1\]: unknown machine preset "pdp-11"; allowed: ivybridge-ex-2s, /],
  [{ axes: { workload: ['lock-hammer', 'aim8'] } }, /^axes\.workload\[1\]: unknown workload "aim8"; allowed: aim7, aim7-whatif, fork-storm, iozone-mmap, lock-hammer, memcached, memory-failure, microbench, nommu, numa-migration, postgres-hugetlb, truncate, uprobe, xip$/],
  [{ axes: { kernel: [{ base: '3.18-rc1', locks: { i_mmap: { primitive: 'ticket' } } }] } }, /^axes\.kernel\[0\]\.locks\.i_mmap\.primitive: "ticket" is not a primitive for i_mmap; allowed: mutex, rwsem, spinlock$/],
  [{ axes: { seed: [1, 2] } }, /^axes\.seed: cannot vary "seed"/],
  [{ axes: { threads: [2], 'params.threads': [4] } }, /^axes\["params\.threads"\]: sets params\.threads, as axes\.threads does/],
  [{ axes: { 'duration.ms': [0] } }, /^axes\["duration\.ms"\]\[0\]: must be a number of simulated ms > 0 and <= 1000000, got 0$/],
  [{ axes: { 'nonsense.x': [0] } }, /^axes\["nonsense\.x"\]: unknown parameter "nonsense\.x"; allowed: /],
  [{ base: { workload: 'lock-hammer', params: { treads: 1 } } }, /^base\.params\.treads: unknown parameter of workload "lock-hammer", got 1; allowed: threads, /],
  [{ base: { workload: 'lock-hammer', kernel: 'x' }, axes: { threads: [2] } }, /^base\.kernel: unknown kernel "x"; allowed: /],
  [{ base: { workload: 'lock-hammer', seed: 5 } }, /^base\.seed: runs of a sweep get seeds derived from the sweep seed, got 5/],
  [{ base: { params: {} } }, /^base\.workload: is required/],
  [{ base: 'lock-hammer' }, /^base: must be a run config object, got "lock-hammer"$/],
  [{ replications: 0 }, /^replications: must be an integer from 1 to 10000, got 0$/],
  [{ seed: 1.5 }, /^seed: must be text of 1 to 200 characters, not blank, or an integer from 0 to 9007199254740991 \(the same seed as its digits\), got 1\.5$/],
  [{ extra: true }, /^extra: unknown sweep spec key, got true; allowed: name, description, base, axes, samples, replications, seed, pairSeeds$/],
  [{ axes: {}, samples: { method: 'halton', count: 4, params: { readers: { min: 0, max: 1 } } } }, /^samples\.method: must be one of random, sobol, got "halton"$/],
  [{ axes: {}, samples: { method: 'sobol', count: 4, params: { readers: { min: 0, max: 2 } } } }, /^samples\.params\.readers\.max: must be a number from 0 to 1, got 2$/],
  [{ axes: {}, samples: { method: 'sobol', count: 4, params: { readers: { min: 1, max: 0 } } } }, /^samples\.params\.readers\.max: must be >= min \(1\), got 0$/],
  [{ axes: {}, samples: { method: 'sobol', count: 4, params: { threads: { min: 1.5, max: 4 } } } }, /^samples\.params\.threads\.min: must be an integer for an integer parameter, got 1\.5$/],
  [{ axes: {}, samples: { method: 'sobol', count: 4, params: { think: { min: 0, max: 1 } } } }, /^samples\.params\.think: samples need a numeric parameter; think is one of exponential, fixed/],
  [{ axes: {}, samples: { method: 'sobol', count: 4, params: { readers: { min: 0, max: 1, spread: 2 } } } }, /^samples\.params\.readers\.spread: unknown key of a sampled parameter, got 2; allowed: min, max, scale, int$/],
  [{ axes: { threads: { range: { from: 1, to: 1e9, step: 1 } } } }, /^axes\.threads\.range\.step: makes 1000000000 values \(more than 100000\), got 1$/],
  [{ pairSeeds: ['kernal'] }, /^pairSeeds\[0\]: "kernal" is not an axis of this spec; allowed: kernel, threads, readers$/],
  [{ pairSeeds: ['kernel', 'kernel'] }, /^pairSeeds\[1\]: duplicate of pairSeeds\[0\], got "kernel"; allowed: distinct axis names$/],
  [{ pairSeeds: [] }, /^pairSeeds: must be a non-empty array of axis names \(keys of axes\) or \{axis, seedOf\}, got \[\]$/],
  [{ pairSeeds: 'kernel' }, /^pairSeeds: must be a non-empty array of axis names \(keys of axes\) or \{axis, seedOf\}, got "kernel"$/],
  [{ pairSeeds: [1] }, /^pairSeeds\[0\]: must be an axis name \(a key of axes\) or \{axis, seedOf\}, got 1$/],
  // twin pairings: the axis, a value of it, no other key
  [{ pairSeeds: ['kernel', { axis: 'thread', seedOf: 2 }] }, /^pairSeeds\[1\]\.axis: "thread" is not an axis of this spec; allowed: kernel, threads, readers$/],
  [{ pairSeeds: [{ axis: 'threads', seedOf: 3 }] }, /^pairSeeds\[0\]\.seedOf: is not a value of axis "threads", got 3; allowed: 2, 8$/],
  [{ pairSeeds: [{ axis: 'kernel' }] }, /^pairSeeds\[0\]\.seedOf: is required: the value of the axis whose runs give their seeds to the others$/],
  [{ pairSeeds: [{ axis: 'threads', seedOf: 2, from: 8 }] }, /^pairSeeds\[0\]\.from: unknown key of a twin pairing, got 8; allowed: axis, seedOf$/],
  [{ pairSeeds: ['threads', { axis: 'threads', seedOf: 2 }] }, /^pairSeeds\[1\]: duplicate of pairSeeds\[0\], got "threads"; allowed: distinct axis names$/],
  [{ axes: {}, samples: { method: 'random', count: 2, params: { readers: { min: 0, max: 1 } } }, pairSeeds: ['readers'] }, /^pairSeeds\[0\]: "readers" is not an axis of this spec \(a sampled parameter cannot be paired\); allowed: \(none: this spec has no axes\)$/],
  // the axis name as written in the spec, not the parameter it sets
  [{ axes: { 'params.threads': [2, 8] }, pairSeeds: ['threads'] }, /^pairSeeds\[0\]: "threads" is not an axis of this spec; allowed: params\.threads$/],
];

test('every bad spec is a ConfigError naming the field, the value and what is allowed', () => {
  for (const [over, re] of BAD) {
    let err: unknown;
    try {
      expandSweep(smallSpec(over));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError, `${JSON.stringify(over)}: ${String(err)}`);
    assert.match(err.message, re, JSON.stringify(over));
  }
});
