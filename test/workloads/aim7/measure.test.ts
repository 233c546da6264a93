import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMakespan, estimateMakespanSd, expectedMaxNormal, normalQuantile, LoadPointMeasure } from '../../../src/workloads/aim7/measure';
import { jpm, type Quotas } from '../../../src/workloads/reaim';
import { kernelSim } from '../../mm/harness';

test('aim7 window estimate: Σ quota × mean duration, rare tests pooled; sd and Blom\'s expected maximum', () => {
  const perTest = [{ test: 'a', quota: 3 }, { test: 'b', quota: 1 }, { test: 'c', quota: 2 }];
  const st = (timeNs: number, starts: number, ends: number, n = 0, sum = 0, sumSq = 0) => ({ timeNs, starts, ends, n, sum, sumSq });
  // a: 10 s over (4 + 6) / 2 = 5 → 2 s; b and c seen < 3 times: pooled (3 + 5) s over (1 + 1 + 2 + 0) / 2 = 2 → 4 s
  const stats = new Map([['a', st(10e9, 4, 6)], ['b', st(3e9, 1, 1)], ['c', st(5e9, 2, 0)]]);
  assert.equal(estimateMakespan(perTest, stats), 3 * 2e9 + (1 + 2) * 4e9);
  // sd: a's durations 1 s and 3 s (var 2 s²), b and c pooled with 2 s and 4 s (var 2 s²)
  const sd = new Map([['a', st(0, 0, 0, 2, 4e9, 10e18)], ['b', st(0, 0, 0, 1, 2e9, 4e18)], ['c', st(0, 0, 0, 1, 4e9, 16e18)]]);
  assert.ok(Math.abs(estimateMakespanSd(perTest, sd) - Math.sqrt(3 * 2e18 + 3 * 2e18)) < 1);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963985) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
  assert.equal(expectedMaxNormal(1), 0);
  // Blom: n = 2 → Φ⁻¹(1.625 / 2.25) ≈ 0.589 (exact E[max of 2] = 1/√π ≈ 0.564)
  assert.ok(Math.abs(expectedMaxNormal(2) - normalQuantile(1.625 / 2.25)) < 1e-12);
  assert.ok(expectedMaxNormal(2000) > 3.3 && expectedMaxNormal(2000) < 3.5);
  assert.throws(() => estimateMakespan(perTest, new Map([['a', st(1, 3, 3)]])), /never seen in the window/);
});

test('aim7 full estimate: the measurement starts at the start signal; JPM from the last exit, the mean child from all', () => {
  const { ctx } = kernelSim();
  const starts: number[] = [];
  const quotas = { jobs: 1, totalHits: 1, perTest: [{ test: 'fork_test', hits: 1, quota: 3 }], tasksPerChild: 3 } as unknown as Quotas;
  const m = new LoadPointMeasure(ctx, { users: 2, estimate: 'full', warmupTasks: 3, windowTasks: 5 }, quotas, { windowStart: (ns) => starts.push(ns), stopAt: () => assert.fail('a full run has no window end') });
  m.start(1e9);
  assert.deepEqual(starts, [1e9]);
  m.testStarted(0, 'fork_test', 1e9);
  m.testEnded(0, 'fork_test', 1e9, 2e9);
  assert.throws(() => m.result({}), /only 0 of 2 children exited/);
  m.exits.push(3e9, 5e9);
  const r = m.result({ syncs: 7 });
  assert.equal(r.makespanS, 4);
  assert.equal(r.meanChildS, 3);
  assert.equal(r.jpm, jpm(3, 2, 4));
  assert.equal(r.counters.syncs, 7);
  assert.equal(r.counters.window_fell_back, 0);
});

test('aim7 window estimate: a window that never closed before every child exited is reported as a full run', () => {
  const { ctx } = kernelSim();
  const quotas = { jobs: 1, totalHits: 1, perTest: [{ test: 'fork_test', hits: 1, quota: 1 }], tasksPerChild: 1 } as unknown as Quotas;
  const m = new LoadPointMeasure(ctx, { users: 1, estimate: 'window', warmupTasks: 3, windowTasks: 5 }, quotas, { windowStart: () => {}, stopAt: () => {} });
  m.start(0);
  m.exits.push(2e9);
  assert.equal(m.result({}).counters.window_fell_back, 1);
});
