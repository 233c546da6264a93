import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  jpm, jpmPerChild, jti, realTime, diskIterationCount, watchdogAlarmSec, summarizeLoadPoint,
  MMTESTS_FILESIZE_KIB as F, MMTESTS_POOLSIZE_KIB as P,
} from '../../../src/workloads/reaim';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('jpm: hand-computed cases', () => {
  assert.equal(jpm(100, 100, 60), 10000); // 100 × 60 × 100 / 60
  assert.equal(jpm(97, 100, 32), 18187.5); // 582000 / 32
  // 100 users × 97 tasks, makespan 32.48 s: 97 × 60 × 100 = 582000; 582000 / 32.48 = 17918.7192118226...
  close(jpm(97, 100, 32.48), 17918.719211822660);
  close(jpmPerChild(97, 100, 32.48), 179.18719211822660);
  assert.equal(jpm(100, 2000, 2400), 5000);
  assert.throws(() => jpm(97, 100, 0), /realTimeSec must be > 0/);
  assert.throws(() => jpm(97, 0, 10), /users must be a positive integer/);
});

test('real_time runs to the last exit; the slowest child sets jpm', () => {
  assert.equal(realTime(10, [12, 40, 25]), 30);
  const s = summarizeLoadPoint({ users: 4, tasksPerChild: 100, startSec: 1, childExitSec: [21, 21, 21, 61] });
  assert.equal(s.realTimeSec, 60);
  assert.equal(s.jpm, 400); // 100 × 60 × 4 / 60
  assert.equal(s.jpmPerChild, 100);
  assert.deepEqual(s.childElapsedSec, [20, 20, 20, 60]);
  // mean 30, population stddev sqrt((3×100 + 900)/4) = sqrt(300) = 17.3205…
  close(s.jti, (1 - Math.sqrt(300) / 30) * 100);
  assert.throws(() => realTime(10, [9]), /before the start/);
  assert.throws(() => summarizeLoadPoint({ users: 2, tasksPerChild: 1, startSec: 0, childExitSec: [1] }), /1 exit times for 2 users/);
});

test('JTI: equal times 100; hand cases', () => {
  assert.equal(jti([5, 5, 5]), 100);
  assert.equal(jti([10, 30]), 50); // mean 20, stddev 10
  close(jti([2, 4, 4, 4, 5, 5, 7, 9]), 60); // mean 5, stddev 2
  assert.throws(() => jti([]), /no children/);
});

test('disk_iteration_count = 10 + ⌊1024 / N⌋ KiB and the watchdog', () => {
  const cases: [number, number][] = [[1, 1034], [100, 20], [200, 15], [300, 13], [1000, 11], [1024, 11], [1025, 10], [2000, 10]];
  for (const [n, want] of cases) assert.equal(diskIterationCount(F, P, n), want, `N=${n}`);
  assert.equal(watchdogAlarmSec(100, 20), 2000);
  assert.equal(watchdogAlarmSec(2000, 10), 20000);
  assert.equal(watchdogAlarmSec(3, 4), 30); // max(10, 4)
  assert.equal(diskIterationCount(10, 0, 7), 10);
});
