import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, SCENARIO_NAMES } from '../../src/workloads/mm_paths';

// Every registered scenario, small: runs on both kernels in checking mode (a lock-order or
// invariant violation throws), and the same seed gives the same report.
const SMALL: Record<string, Record<string, number>> = {
  'fork-storm': { workers: 6, rounds: 2 },
  truncate: { mappers: 6, accesses: 10, truncates: 4 },
  'numa-migration': { processes: 6, forkers: 2, durationMs: 3 },
  'postgres-hugetlb': { slots: 3, sessions: 1, touches: 4 },
  'memory-failure': { mappers: 8, others: 8, failures: 2, churners: 1, rounds: 3 },
  uprobe: { processes: 8, probes: 2, churners: 1, rounds: 3 },
  xip: { readers: 4, writers: 2, filePages: 16 },
  nommu: { processes: 4, rounds: 3, truncaters: 2, truncates: 3 },
};

test('the registry covers the six paths of issue #3 and the other untested ones', () => {
  assert.deepEqual([...SCENARIO_NAMES].sort(), Object.keys(SMALL).sort());
  for (const n of SCENARIO_NAMES) {
    const e = SCENARIOS[n]!;
    assert.ok(e.description.length > 20 && !e.description.includes('\n'), n);
    for (const k of Object.keys(SMALL[n]!)) assert.ok(k in e.params, `${n}: ${k} is a declared option`);
  }
});

for (const kernel of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const) {
  test(`${kernel}: every scenario runs silently in checking mode and is deterministic per seed`, () => {
    for (const n of SCENARIO_NAMES) {
      const run = () => SCENARIOS[n]!.run({ kernel, seed: 11, ...SMALL[n] });
      const a = run();
      assert.equal(a.scenario, n);
      assert.equal(a.kernel, kernel);
      assert.ok(a.elapsedNs > 0 && Object.keys(a.sites).length > 0, n);
      assert.deepEqual(run(), a, `${n} is deterministic`);
    }
  });
}
