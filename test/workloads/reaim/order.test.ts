import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng, Streams } from '../../../src/engine/random';
import {
  childOrder, childOrderFor, childOrderSeeded, childStreamName, computeQuotas, loadWorkfile, parseWorkfile,
} from '../../../src/workloads/reaim';
import { workfileArb } from './arbs';

function counts(xs: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

test('alltests: 97 tasks, each test exactly its quota; children differ; same seed same order', () => {
  const q = computeQuotas(loadWorkfile('alltests'));
  const a = childOrderSeeded(q, 1, 0);
  assert.equal(a.length, 97);
  const c = counts(a);
  for (const t of q.perTest) assert.equal(c.get(t.test), t.quota, t.test);
  assert.deepEqual(childOrderSeeded(q, 1, 0), a);
  assert.notDeepEqual(childOrderSeeded(q, 1, 1), a);
  assert.notDeepEqual(childOrderSeeded(q, 2, 0), a);
  // Streams-based and bare-seed variants agree (same stream name under the run seed)
  assert.deepEqual(childOrderFor(q, new Streams(1), 0), a);
  assert.equal(childStreamName(3), 'reaim/child/3/order');
  assert.throws(() => childStreamName(-1), /non-negative integer/);
});

test('order is shuffled, not the workfile order', () => {
  const q = computeQuotas(loadWorkfile('disk'));
  const o = childOrderSeeded(q, 7, 0);
  const sorted = q.perTest.flatMap((t) => Array<string>(t.quota).fill(t.test));
  assert.notDeepEqual(o, sorted);
});

test('zero-quota tests never run', () => {
  const q = computeQuotas(parseWorkfile('0 sieve\n10 fork_test\n'));
  assert.deepEqual(childOrder(q, new Rng('x')), Array(100).fill('fork_test'));
});

test('property: each quota used exactly, deterministic per seed', () => {
  fc.assert(
    fc.property(workfileArb, fc.integer({ min: 1, max: 300 }), fc.string(), fc.nat(5000), (text, jobs, seed, child) => {
      const q = computeQuotas(parseWorkfile(text), jobs);
      const o = childOrderSeeded(q, seed, child);
      assert.equal(o.length, q.tasksPerChild);
      const c = counts(o);
      for (const t of q.perTest) assert.equal(c.get(t.test) ?? 0, t.quota, t.test);
      assert.deepEqual(childOrderSeeded(q, seed, child), o);
    }),
    { numRuns: 200 },
  );
});
