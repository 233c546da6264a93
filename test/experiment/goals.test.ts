// The default goals of the reproduce report live in data/reproduce/goals.json (data, not code):
// they load to the thresholds the issue states, and a broken goals file is an error naming the
// file and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_GOALS, loadDefaultGoals, GOALS_FILE } from '../../src/experiment/reproduce/preset';
import { tempDir } from '../tmp';

test('the default goals come from data/reproduce/goals.json', () => {
  assert.ok(GOALS_FILE.endsWith(join('data', 'reproduce', 'goals.json')));
  assert.deepEqual(loadDefaultGoals(), DEFAULT_GOALS);
  assert.equal(DEFAULT_GOALS.baselineMaxErrPct, 5);
  assert.deepEqual(DEFAULT_GOALS.pctChangeMaePoints, { alltests: 5, disk: 8 });
  assert.equal(DEFAULT_GOALS.numa.tolerancePoints, 15);
  assert.equal(DEFAULT_GOALS.minLoadPoints, 3);
});

test('a goals file with a missing, unknown or bad key is an error naming the file and the field', () => {
  const dir = tempDir('mmlock-goals-');
  const write = (o: unknown) => { const f = join(dir, `g${Math.random().toString(36).slice(2)}.json`); writeFileSync(f, typeof o === 'string' ? o : JSON.stringify(o)); return f; };
  const good = { ...DEFAULT_GOALS } as Record<string, unknown>;
  const { minLoadPoints: _m, ...noMin } = good;
  assert.throws(() => loadDefaultGoals(write(noMin)), /minLoadPoints.*is missing/);
  assert.throws(() => loadDefaultGoals(write({ ...good, diskKnee: { workload: 'disk', fromUsers: 1500, toUsers: 1700 } })), /diskKnee\.minDropPct.*is missing/);
  assert.throws(() => loadDefaultGoals(write({ ...good, bogus: 1 })), /bogus/);
  assert.throws(() => loadDefaultGoals(write({ ...good, baselineMaxErrPct: -1 })), /baselineMaxErrPct/);
  assert.throws(() => loadDefaultGoals(write('{not json')), /cannot read the default goals/);
});
