/**
 * Compute costs from measurement instead of the calibration (what-if `cpuCosts: measured` of
 * aim7-whatif). The calibration gives every compute test the same fitted user time
 * (`userUnitMs`, ~465 ms); the real reaim measured test by test on the project's VM
 * (data/measured/reaim/per-test.json, scripts/reaim-measure.js) spends 0.02–38 ms of CPU per
 * invocation on them (docs/fidelity/real-vs-model.md). This rewrites each test made only of
 * `cpu` operations so its user time is the measured CPU time × `speedFactor` (the 2014
 * machine's time over this VM's: not measured, [U], run a range), with one unit = 1 ms.
 * Nothing here is fitted: with it the model's throughput is what the program's own work and
 * the modelled kernel allow, and the paper's baseline throughput, read beside it, says how much
 * time per task the model does not have (docs/fidelity/candidates.md, "Measured compute").
 */
import { readFileSync } from 'node:fs';
import { dataPath } from '../../data';
import type { Op, TestDefs } from './spec';

/** the file the measured costs come from */
export const MEASURED_REAIM_FILE = dataPath('measured', 'reaim', 'per-test.json');

/**
 * A floor for a measured CPU time, ms. Some compute tests measure 0.02 ms or, as the
 * difference of two runs, slightly negative (noise): gcc 12 at -O3 removes most of their
 * loops, so the 2014 build's time is unknown but not zero; they get at least this.
 */
export const MEASURED_FLOOR_MS = 0.01;

/** per test, the measured CPU time of one invocation (ms), from per-test.json */
export function loadMeasuredCpuMs(file = MEASURED_REAIM_FILE): ReadonlyMap<string, number> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { tests?: Record<string, { perf?: { task_clock_ms?: unknown } }> };
  if (!data.tests || typeof data.tests !== 'object') throw new Error(`${file}: no "tests" object (expected the output of scripts/reaim-measure.js)`);
  const out = new Map<string, number>();
  for (const [test, t] of Object.entries(data.tests)) {
    const ms = t.perf?.task_clock_ms;
    if (typeof ms === 'number' && Number.isFinite(ms)) out.set(test, ms);
  }
  return out;
}

/** whether a test is pure user-space compute: only top-level `cpu` operations */
function isComputeTest(ops: readonly Op[]): boolean {
  return ops.length > 0 && ops.every((op) => op.k === 'cpu');
}

/**
 * `tests` with every pure compute test's user time replaced by its measured CPU time ×
 * `speedFactor`, in units of 1 ms (so run it with `userUnitMs` = 1). A compute test with no
 * measurement is an error naming it: silently keeping a calibrated unit would mix the two.
 */
export function withMeasuredCompute(tests: TestDefs, measuredMs: ReadonlyMap<string, number>, speedFactor: number): TestDefs {
  if (!(speedFactor > 0) || !Number.isFinite(speedFactor)) throw new Error(`cpuSpeedFactor: must be a positive number, got ${speedFactor}`);
  const out: Record<string, readonly Op[]> = {};
  for (const [name, ops] of Object.entries(tests)) {
    if (!isComputeTest(ops)) { out[name] = ops; continue; }
    const ms = measuredMs.get(name);
    if (ms === undefined) throw new Error(`cpuCosts=measured: compute test ${name} has no measurement in ${MEASURED_REAIM_FILE}; allowed: tests measured there (${[...measuredMs.keys()].join(', ')})`);
    const total = ops.reduce((s, op) => s + (op.k === 'cpu' ? op.units : 0), 0);
    const perTestMs = Math.max(ms, MEASURED_FLOOR_MS) * speedFactor;
    out[name] = ops.map((op) => (op.k === 'cpu' ? { k: 'cpu', units: perTestMs * (op.units / total) } : op));
  }
  return out;
}
