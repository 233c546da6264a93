import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeQuotas, loadWorkfile, parseWorkfile, quotaOf, testQuota } from '../../../src/workloads/reaim';
import { workfileArb } from './arbs';

test('rounding: ≥ 0.5 rounds up, below 0.5 down, non-zero below 1 becomes 1', () => {
  assert.equal(testQuota(1, 200), 1); // 0.5 → 1
  assert.equal(testQuota(5, 200), 3); // 2.5 → 3 (exact half, integer arithmetic)
  assert.equal(testQuota(49, 1000), 5); // 4.9
  assert.equal(testQuota(44, 1000), 4); // 4.4
  assert.equal(testQuota(1, 1000), 1); // 0.1 → 1
  assert.equal(testQuota(0, 1000), 0);
  assert.equal(testQuota(30, 990), 3); // 3.03
  assert.equal(testQuota(20, 990), 2); // 2.02
  assert.equal(testQuota(10, 990), 1); // 1.01
  assert.equal(testQuota(3, 7, 10), 4); // 4.28
  assert.throws(() => testQuota(1, 0), /totalHits must be > 0/);
});

test('alltests minus signal_test: 97 tasks per child, string_rtns gets the 30-hit quota', () => {
  const q = computeQuotas(loadWorkfile('alltests'));
  assert.equal(q.tasksPerChild, 97);
  assert.equal(q.perTest.length, 61);
  assert.equal(quotaOf(q, 'string_rtns'), 3);
  const count = (n: number) => q.perTest.filter((t) => t.quota === n).length;
  assert.deepEqual([count(3), count(2), count(1)], [7, 22, 32]);
  assert.equal(quotaOf(q, 'fork_test'), 1);
  assert.equal(quotaOf(q, 'exec_test'), 2);
  assert.equal(quotaOf(q, 'signal_test'), 0);
});

test('alltests with signal_test kept: 98 tasks per child', () => {
  assert.equal(computeQuotas(loadWorkfile('alltests', [])).tasksPerChild, 98);
});

test('disk: 5 tasks per test, 100 per child', () => {
  const q = computeQuotas(loadWorkfile('disk'));
  assert.equal(q.tasksPerChild, 100);
  assert.ok(q.perTest.every((t) => t.quota === 5));
});

test('property: quotas sum to tasks per child; hits > 0 ⇒ quota ≥ 1; quota within rounding of the share', () => {
  fc.assert(
    fc.property(workfileArb, fc.integer({ min: 1, max: 1000 }), (text, jobs) => {
      const wf = parseWorkfile(text);
      const q = computeQuotas(wf, jobs);
      assert.equal(q.tasksPerChild, q.perTest.reduce((s, t) => s + t.quota, 0));
      for (const t of q.perTest) {
        const share = (t.hits * jobs) / wf.totalHits;
        if (t.hits > 0) assert.ok(t.quota >= 1);
        else assert.equal(t.quota, 0);
        if (share >= 1) assert.ok(Math.abs(t.quota - share) <= 0.5 + 1e-9, `${t.test} ${share} → ${t.quota}`);
      }
    }),
    { numRuns: 300 },
  );
});
