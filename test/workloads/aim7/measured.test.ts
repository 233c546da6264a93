// data/workloads/aim7/tests.yaml against the real program: every test the real reaim ran on
// the project's VM (data/measured/reaim/per-test.json, scripts/reaim-measure.js) creates as
// many processes, execs as many binaries and calls sync(2) as often per invocation in the
// model (dash: the shell forks before its last command, shellForksLast).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dataPath } from '../../../src/data';
import { Simulation } from '../../../src/engine';
import { loadMachine } from '../../../src/hw';
import { Scheduler } from '../../../src/sched';
import { LockEnv } from '../../../src/locking';
import { resolveKernel } from '../../../src/kernel';
import { MmContext } from '../../../src/mm';
import { setupLoadPoint, loadTestDefs, loadCosts, loadCalibration } from '../../../src/workloads/aim7';
import { parseWorkfile } from '../../../src/workloads/reaim';

interface Measured { error?: string; counts: { processes: number; execve: number; sync: number } }
const measured = (JSON.parse(readFileSync(dataPath('measured', 'reaim', 'per-test.json'), 'utf8')) as { tests: Record<string, Measured> }).tests;
const tests = loadTestDefs(), costs = loadCosts(), cal = loadCalibration();

/** forks, execs and syncs of one child running `jobs` jobs of `name` alone */
function counts(name: string, jobs: number) {
  const sim = new Simulation(1);
  const sched = new Scheduler(sim, loadMachine('vm-epyc-2c'));
  const env = new LockEnv(sim, sched, {});
  const ctx = new MmContext(sim, sched, env, resolveKernel('3.18-rc1'), { numa: { enabled: false } });
  const finish = setupLoadPoint(ctx, {
    users: 1, workfile: parseWorkfile(`1 ${name}\n`), tests, costs, seed: '1', estimate: 'full', warmupTasks: 0, windowTasks: 1,
    userUnitMs: cal.userUnitMs, ioScale: cal.ioScale, shellForksLast: true, numa: false, touchIntervalUs: 5000, jobs,
  }, { windowStart: () => {}, stopAt: () => sim.stop() });
  sim.run();
  const c = finish().counters;
  return { forks: c.forks!, execs: c.execs!, syncs: c.syncs! };
}

test('aim7 tests: forks, execs and syncs per invocation are those measured on the real reaim', () => {
  const names = Object.keys(measured).filter((t) => !measured[t]!.error);
  assert.ok(names.length >= 60, `only ${names.length} tests measured`);
  const wrong: string[] = [];
  for (const t of names) {
    assert.ok(tests[t], `${t} was measured but has no definition in tests.yaml`);
    const one = counts(t, 1), two = counts(t, 2);
    const model = { forks: two.forks - one.forks, execs: two.execs - one.execs, syncs: two.syncs - one.syncs };
    const m = measured[t]!.counts;
    const real = { forks: Math.round(m.processes), execs: Math.round(m.execve), syncs: Math.round(m.sync) };
    if (JSON.stringify(model) !== JSON.stringify(real)) wrong.push(`${t}: model ${JSON.stringify(model)}, measured ${JSON.stringify(real)}`);
  }
  assert.deepEqual(wrong, []);
});
