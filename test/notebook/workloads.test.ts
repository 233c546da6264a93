import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { registerNotebookWorkloads, NOTEBOOK_WORKLOADS_MODULE } from '../../src/notebook';
import { run } from '../../src/experiment';
import { getWorkload } from '../../src/workloads';

test('numa-migration-scan: registered on request (idempotent); the scan period changes the scan passes', () => {
  assert.deepEqual(registerNotebookWorkloads(), ['numa-migration-scan']);
  assert.deepEqual(registerNotebookWorkloads(), ['numa-migration-scan']);
  assert.equal(getWorkload('numa-migration-scan')!.params.scanPeriodMs!.default, 2);
  const at = (scanPeriodMs: number) => run({ workload: 'numa-migration-scan', params: { processes: 8, forkers: 2, durationMs: 6, scanPeriodMs }, seed: 1 }).metrics;
  const fast = at(1), slow = at(4);
  assert.ok((fast.scanPasses as number) > (slow.scanPasses as number), `scan passes ${fast.scanPasses} vs ${slow.scanPasses}`);
  // default period = the numa-migration scenario's
  const same = run({ workload: 'numa-migration', params: { processes: 8, forkers: 2, durationMs: 6 }, seed: 1 }).metrics;
  const scan2 = at(2);
  assert.equal(scan2.scanPasses, same.scanPasses);
  assert.equal(scan2.numa_pages_migrated, same.numa_pages_migrated);
  assert.throws(() => run({ workload: 'numa-migration-scan', params: { scanPeriodMs: 0 } }), /scanPeriodMs/);
});

test('NOTEBOOK_WORKLOADS_MODULE is a module file for sweep workers', () => {
  assert.match(NOTEBOOK_WORKLOADS_MODULE, /register\.js$/);
  assert.ok(existsSync(NOTEBOOK_WORKLOADS_MODULE), NOTEBOOK_WORKLOADS_MODULE);
});
