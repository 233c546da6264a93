/**
 * Tasks per child (docs/reference/aim7.md §1): each test's quota is
 * `hits / total_hits × jobs` (jobs = 100 by default, mmtests keeps it), rounded so that a
 * fraction ≥ 0.5 rounds up, and a non-zero quota below 1 becomes 1. The child runs the sum of
 * the quotas (the driver recomputes `procs_per_user` to that sum).
 *
 * Computed in integer arithmetic (hits × jobs and its remainder), so a fraction of exactly
 * 0.5 is recognised without floating-point error. A test with 0 hits gets quota 0 [I: "non-zero"
 * read as "hits > 0"].
 */
import type { Workfile } from './workfile';
import type { ReaimTest } from './tests';

export const DEFAULT_JOBS = 100;

/** One test's quota: round-half-up of hits × jobs / totalHits, at least 1 when hits > 0. */
export function testQuota(hits: number, totalHits: number, jobs: number = DEFAULT_JOBS): number {
  for (const [k, v] of [['hits', hits], ['totalHits', totalHits], ['jobs', jobs]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`testQuota: ${k} must be a non-negative integer, got ${v}`);
  }
  if (totalHits === 0) throw new RangeError('testQuota: totalHits must be > 0');
  if (hits === 0) return 0;
  const num = hits * jobs;
  if (!Number.isSafeInteger(num)) throw new RangeError(`testQuota: hits × jobs = ${num} is too large`);
  const floor = Math.floor(num / totalHits);
  const rem = num - floor * totalHits;
  const q = 2 * rem >= totalHits ? floor + 1 : floor;
  return Math.max(q, 1);
}

export interface TestQuota {
  test: ReaimTest;
  hits: number;
  quota: number;
}

export interface Quotas {
  jobs: number;
  totalHits: number;
  /** Per distinct test, in workfile order (first appearance). */
  perTest: TestQuota[];
  /** Sum of the quotas: the tasks each child runs. */
  tasksPerChild: number;
}

export function computeQuotas(wf: Pick<Workfile, 'tests' | 'totalHits'>, jobs: number = DEFAULT_JOBS): Quotas {
  const perTest = wf.tests.map((t) => ({ test: t.test, hits: t.hits, quota: testQuota(t.hits, wf.totalHits, jobs) }));
  return { jobs, totalHits: wf.totalHits, perTest, tasksPerChild: perTest.reduce((s, t) => s + t.quota, 0) };
}

/** Quota of one test by name (0 when it is not in the workfile). */
export function quotaOf(q: Quotas, test: ReaimTest): number {
  return q.perTest.find((t) => t.test === test)?.quota ?? 0;
}
