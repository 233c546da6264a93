// Compute costs from measurement (src/workloads/aim7/measured_compute.ts): the compute tests'
// user time becomes the measured CPU time × the speed factor, nothing else changes, and the
// aim7-whatif run with cpuCosts=measured is faster than the calibrated one (465 ms per test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadTestDefs } from '../../../src/workloads/aim7';
import { loadMeasuredCpuMs, withMeasuredCompute, MEASURED_FLOOR_MS } from '../../../src/workloads/aim7/measured_compute';
import { run } from '../../../src/experiment';

const tests = loadTestDefs();
const measured = loadMeasuredCpuMs();

test('every compute test gets its measured CPU time × the factor, in 1 ms units; other tests are untouched', () => {
  fc.assert(fc.property(fc.double({ min: 0.1, max: 10, noNaN: true }), (factor) => {
    const out = withMeasuredCompute(tests, measured, factor);
    assert.deepEqual(Object.keys(out), Object.keys(tests));
    let compute = 0;
    for (const [name, ops] of Object.entries(tests)) {
      if (ops.every((op) => op.k === 'cpu')) {
        compute++;
        const units = out[name]!.reduce((s, op) => s + (op.k === 'cpu' ? op.units : 0), 0);
        const want = Math.max(measured.get(name)!, MEASURED_FLOOR_MS) * factor;
        assert.ok(Math.abs(units - want) <= 1e-9 * want, `${name}: ${units} vs ${want}`);
      } else {
        assert.equal(out[name], ops, `${name} must be the same object`);
      }
    }
    assert.equal(compute, 28, 'the 28 compute tests of alltests');
  }), { numRuns: 20 });
});

test('a compute test without a measurement, or a bad factor, is an error naming it', () => {
  const partial = new Map([...measured].filter(([k]) => k !== 'sieve'));
  assert.throws(() => withMeasuredCompute(tests, partial, 1), /compute test sieve has no measurement.*allowed: tests measured there/);
  assert.throws(() => withMeasuredCompute(tests, measured, 0), /cpuSpeedFactor: must be a positive number/);
});

test('aim7-whatif with cpuCosts=measured: compute tests cost ms, not the calibrated unit, so 4 users finish far sooner', () => {
  const base = { workload: 'aim7-whatif', seed: 1, params: { workfile: 'alltests', users: 4, estimate: 'full' } };
  const cal = run({ ...base, params: { ...base.params } });
  const mea = run({ ...base, params: { ...base.params, cpuCosts: 'measured', cpuSpeedFactor: 1 } });
  const mea3 = run({ ...base, params: { ...base.params, cpuCosts: 'measured', cpuSpeedFactor: 3 } });
  const user = (r: typeof cal) => r.counters.task_user_s as number;
  assert.ok(user(mea) < user(cal) / 20, `user time ${user(mea)} s vs calibrated ${user(cal)} s`);
  assert.ok(user(mea3) > user(mea) * 2, `factor 3 triples the compute: ${user(mea3)} vs ${user(mea)}`);
  assert.ok((mea.metrics.jpm as number) > (cal.metrics.jpm as number), 'less compute, more jobs per minute');
});

test('kernelCostScale multiplies the mm kernel work, not the user time', () => {
  const base = { workload: 'aim7-whatif', seed: 1, params: { workfile: 'alltests', users: 5, estimate: 'full', cpuCosts: 'measured', ioScale: 1 } };
  const k1 = run(base);
  const k3 = run({ ...base, params: { ...base.params, kernelCostScale: 3 } });
  const kern = (r: typeof k1) => r.counters.task_kernel_s as number;
  assert.ok(kern(k3) > kern(k1) * 1.5, `(the file-system and syscall costs are not scaled) ` + `kernel time ${kern(k3)} vs ${kern(k1)}`);
  assert.ok(Math.abs((k3.counters.task_user_s as number) / (k1.counters.task_user_s as number) - 1) < 0.05);
});
