/**
 * reaim's per-load-point arithmetic (docs/reference/aim7.md §1–2).
 *
 * - JPM = tasks_per_child × 60 × N / real_time, real_time from the start signal to the LAST
 *   child's exit (seconds): the slowest child sets the result.
 * - JPM per child = JPM / N.
 * - JTI = (1 − stddev / mean of the child elapsed times) × 100 [U: population vs sample
 *   stddev, and whether reaim truncates the printed value; population, unrounded here].
 * - disk_iteration_count = FILESIZE + POOLSIZE / N (KiB blocks, integer division).
 * - watchdog: each child arms alarm(N × max(10, disk_iteration_count)) seconds.
 */

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}
function nonNegInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
}

/** Jobs per minute of one load point. */
export function jpm(tasksPerChild: number, users: number, realTimeSec: number): number {
  positiveInt('tasksPerChild', tasksPerChild);
  positiveInt('users', users);
  if (!(realTimeSec > 0) || !Number.isFinite(realTimeSec)) throw new RangeError(`realTimeSec must be > 0, got ${realTimeSec}`);
  return (tasksPerChild * 60 * users) / realTimeSec;
}

/** JPM per child (= JPM / N). */
export function jpmPerChild(tasksPerChild: number, users: number, realTimeSec: number): number {
  return jpm(tasksPerChild, users, realTimeSec) / users;
}

/** real_time: from the start signal to the last child's exit. */
export function realTime(startSec: number, childExitSec: readonly number[]): number {
  if (childExitSec.length === 0) throw new RangeError('realTime: no children');
  let last = -Infinity;
  for (const t of childExitSec) {
    if (!Number.isFinite(t) || t < startSec) throw new RangeError(`realTime: child exit ${t} before the start ${startSec}`);
    if (t > last) last = t;
  }
  return last - startSec;
}

/** Job timing index: (1 − stddev/mean) × 100 of the child elapsed times (population stddev [U]). */
export function jti(childElapsedSec: readonly number[]): number {
  const n = childElapsedSec.length;
  if (n === 0) throw new RangeError('jti: no children');
  const mean = childElapsedSec.reduce((s, x) => s + x, 0) / n;
  if (!(mean > 0)) throw new RangeError(`jti: mean elapsed time must be > 0, got ${mean}`);
  const variance = childElapsedSec.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  return (1 - Math.sqrt(variance) / mean) * 100;
}

/** File size of the disk tests at N users, in 1 KiB blocks: FILESIZE + ⌊POOLSIZE / N⌋. */
export function diskIterationCount(fileSizeKiB: number, poolSizeKiB: number, users: number): number {
  nonNegInt('fileSizeKiB', fileSizeKiB);
  nonNegInt('poolSizeKiB', poolSizeKiB);
  positiveInt('users', users);
  return fileSizeKiB + Math.floor(poolSizeKiB / users);
}

/** The child watchdog: alarm(N × max(10, disk_iteration_count)) seconds. */
export function watchdogAlarmSec(users: number, diskIterations: number): number {
  positiveInt('users', users);
  nonNegInt('diskIterations', diskIterations);
  return users * Math.max(10, diskIterations);
}

/** mmtests' reaim.config for the 2014 runs: FILESIZE 10k, POOLSIZE 1m. */
export const MMTESTS_FILESIZE_KIB = 10;
export const MMTESTS_POOLSIZE_KIB = 1024;

export interface LoadPointSummary {
  users: number;
  tasksPerChild: number;
  realTimeSec: number;
  jpm: number;
  jpmPerChild: number;
  jti: number;
  childElapsedSec: number[];
}

/**
 * Everything reaim prints for one load point from the start time and each child's exit time
 * (a child's elapsed time is taken from the common start signal to its exit [I]).
 */
export function summarizeLoadPoint(args: {
  users: number;
  tasksPerChild: number;
  startSec: number;
  childExitSec: readonly number[];
}): LoadPointSummary {
  const { users, tasksPerChild, startSec, childExitSec } = args;
  if (childExitSec.length !== users) throw new RangeError(`summarizeLoadPoint: ${childExitSec.length} exit times for ${users} users`);
  const rt = realTime(startSec, childExitSec);
  const elapsed = childExitSec.map((t) => t - startSec);
  return {
    users,
    tasksPerChild,
    realTimeSec: rt,
    jpm: jpm(tasksPerChild, users, rt),
    jpmPerChild: jpmPerChild(tasksPerChild, users, rt),
    jti: jti(elapsed),
    childElapsedSec: elapsed,
  };
}
