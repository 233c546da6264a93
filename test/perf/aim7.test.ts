import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aim7, scalingExponent, type Aim7Point } from '../../perf/aim7';
import { UsageError } from '../../src/args';
import { capture } from './capture';

test('bench aim7 runs tiny (one child process per run) and ends with exponent=<n>', () => {
  const { code, lines } = capture(() => aim7.run(['--users', '2,4', '--workfiles', 'alltests,disk']));
  assert.equal(code, 0);
  const runs = lines.filter((l) => /users/.test(l) && /wall/.test(l));
  assert.equal(runs.length, 4);
  for (const l of runs) {
    assert.match(l, /^(alltests|disk) +users +[24]: wall \d+\.\d\d s, events [1-9]\d* \(\d+\.\d% ended at once\), events\/s \d+, cpu \d+\.\d\d s, peak RSS [1-9]\d* MiB$/);
  }
  assert.ok(runs.some((l) => !/ \(0\.0% ended at once\)/.test(l)), 'the next-event shortcut ended some waits');
  assert.ok(lines.some((l) => /^alltests: wall ∝ N\^-?\d+\.\d{3}, events ∝ N\^\d+\.\d{3}$/.test(l)));
  assert.match(lines[lines.length - 1]!, /^exponent=-?\d+\.\d{3}$/);
  assert.equal(typeof aim7.summary, 'string');
});

test('bench aim7 refuses one users value and unknown workfiles', () => {
  assert.throws(() => aim7.run(['--users', '10']), UsageError);
  assert.throws(() => aim7.run(['--users', '10,10']), UsageError);
  assert.throws(() => aim7.run(['--users', '2,4', '--workfiles', 'nosuch']), /allowed: alltests, disk/);
});

test('scalingExponent: common log-log slope with one intercept per workfile', () => {
  const pt = (workfile: string, users: number, wallS: number): Aim7Point => ({ workfile, users, wallS, cpuS: wallS, events: 1, advanced: 0, maxRssBytes: 1 });
  // wall = 3 N^1.5 for one workfile and 7 N^1.5 for the other: slope 1.5 whatever the intercepts
  const pts = [10, 100, 1000].flatMap((n) => [pt('a', n, 3 * n ** 1.5), pt('b', n, 7 * n ** 1.5)]);
  assert.ok(Math.abs(scalingExponent(pts) - 1.5) < 1e-12);
  assert.ok(Math.abs(scalingExponent(pts.filter((p) => p.workfile === 'a')) - 1.5) < 1e-12);
});
