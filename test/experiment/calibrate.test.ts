import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { calibrate, readBaseline } from '../../src/experiment/calibrate';
import { getWorkload, registerWorkload } from '../../src/workloads';

// A stand-in model whose jpm is known in closed form: alltests ∝ 1/userUnitMs (and a
// little on ioScale), disk ∝ 1/ioScale^0.8: the fit must find the values that make the mean
// log error vanish, from the baseline column only.
const STUB = 'aim7-calibrate-stub';
if (!getWorkload(STUB)) {
  registerWorkload({
    name: STUB, description: 'test stand-in for aim7 in calibrate tests', timing: 'completion',
    params: {
      workfile: { type: 'enum', default: 'alltests', values: ['alltests', 'disk'], help: 'workfile' },
      users: { type: 'int', default: 100, min: 1, max: 4000, help: 'users' },
      userUnitMs: { type: 'number', default: 100, min: 1, max: 2000, help: 'calibrated' },
      ioScale: { type: 'number', default: 1, min: 0.01, max: 1000, help: 'calibrated' },
      estimate: { type: 'enum', default: 'auto', values: ['auto', 'window', 'full'], help: 'ignored' },
    },
    run(w) {
      w.run();
      const p = w.params as { workfile: string; users: number; userUnitMs: number; ioScale: number };
      const jpm = p.workfile === 'alltests' ? (3.4e6 / p.userUnitMs) * (1 + 0.01 * Math.log(p.ioScale)) : 4e5 / p.ioScale ** 0.8;
      return { metrics: { jpm: jpm * (1 - p.users / 1e5) } };
    },
  });
}

test('calibrate reads only the baseline column: workload,users,jpm', () => {
  const b = readBaseline();
  assert.equal(b.size, 40);
  assert.equal(b.get('alltests:100'), 17918.72);
  assert.equal(b.get('disk:2000'), 4668.36);
});

test('calibrate (smoke, stand-in model): converges within the tolerance, resumes from its journals, writes nothing unless asked', async () => {
  const out = tempDir('mmlock-cal-');
  const file = join(out, 'fit.json');
  const opts = { out, workers: 0, users: [100, 2000], iterations: 6, tolerance: 0.002, workload: STUB, file };
  const r = await calibrate(opts);
  const all = r.rows.filter((x) => x.workload === 'alltests'), disk = r.rows.filter((x) => x.workload === 'disk');
  const mle = (rows: typeof all) => rows.reduce((s, x) => s + Math.log(x.sim_jpm / x.paper_jpm), 0) / rows.length;
  assert.ok(Math.abs(mle(all)) < 0.002, `alltests mean log error ${mle(all)}`);
  assert.ok(Math.abs(mle(disk)) < 0.002, `disk mean log error ${mle(disk)}`);
  assert.ok(r.params.ioScale > 10 && r.params.ioScale < 1000, String(r.params.ioScale));
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(doc.params, r.params);
  assert.equal(doc.target, 'data/paper/baseline-3.18-rc1.csv');
  assert.equal(doc.residuals.rows.length, 4);
  // a rerun finds every evaluation in the journals and gives the same fit
  const dirs = readdirSync(out).filter((d) => d.startsWith('alltests-') || d.startsWith('disk-')).length;
  const again = await calibrate(opts);
  assert.deepEqual(again.params, r.params);
  assert.equal(readdirSync(out).filter((d) => d.startsWith('alltests-') || d.startsWith('disk-')).length, dirs);
  await calibrate({ ...opts, file: null, iterations: 1 });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).params, r.params, 'file: null writes nothing');
});
