#!/usr/bin/env node
// A fingerprint of what the model computes, for checking that a speed-up changes nothing:
// sha256 of JSON {metrics, counters, lockstat} of a set of aim7 runs (full runs of both
// workfiles at 20 and 100 users, seeds 1 and 2; a window run; the rwsem kernel; exact lock
// timing; checking mode) and of `mmlock scenario all` on three kernels. Prints one line per
// run and TOTAL <hash>; compare the TOTAL lines before and after a change.
// usage: npm run build && node scripts/results-hash.js [--quick]   (--quick: 20 users only, window at 100)
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');
const { run } = require(join(root, 'dist/src/experiment/run'));
const short = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const all = createHash('sha256');
const cases = [];
for (const workfile of ['alltests', 'disk']) {
  for (const users of quick ? [20] : [20, 100]) for (const seed of [1, 2]) cases.push({ workload: 'aim7', params: { workfile, users, estimate: 'full' }, seed });
}
cases.push({ workload: 'aim7', params: { workfile: 'alltests', users: quick ? 100 : 200, estimate: 'window' }, seed: 1 });
cases.push({ workload: 'aim7', kernel: '3.18-rc1-i_mmap_rwsem', params: { workfile: 'alltests', users: 30, estimate: 'full' }, seed: 3 });
cases.push({ workload: 'aim7', params: { workfile: 'disk', users: 10, estimate: 'full' }, seed: 1, options: { exactLockTiming: true } });
cases.push({ workload: 'aim7', params: { workfile: 'alltests', users: 10, estimate: 'full' }, seed: 1, options: { checks: true } });
for (const c of cases) {
  const t0 = Date.now();
  const r = run(c);
  const s = JSON.stringify({ metrics: r.metrics, counters: r.counters, lockstat: r.lockstat });
  all.update(s);
  console.log(`${short(s)}  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${r.counters.sim_events} events  ${JSON.stringify(c)}`);
}
for (const kernels of [['3.18-rc1', '3.18-rc1-i_mmap_rwsem-merged'], ['3.18-rc1-i_mmap_rwsem']]) {
  const t0 = Date.now();
  const args = [join(root, 'dist/src/cli/main.js'), 'scenario', 'all', ...kernels.flatMap((k) => ['--kernel', k]), '--json'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`mmlock scenario failed: ${r.stderr}`);
  all.update(r.stdout);
  console.log(`${short(r.stdout)}  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  scenario all --kernel ${kernels.join(' --kernel ')}`);
}
console.log(`TOTAL ${all.digest('hex')}`);
