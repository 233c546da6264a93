import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, SCENARIO_NAMES } from '../../src/workloads/mm_paths';
import { SMALL } from './mm_paths_small';

// Every registered scenario, small: runs on both kernels in checking mode (a lock-order or
// invariant violation throws), and the same seed gives the same report.

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
