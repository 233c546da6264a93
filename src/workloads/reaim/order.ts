/**
 * The order in which one child runs its tasks (docs/reference/aim7.md §1).
 *
 * Known: the child repeatedly skips a pseudo-random number of list entries and runs the test
 * it lands on, until every test's quota is used; reaim seeds the generator with the child's
 * pid, so children run different orders.
 *
 * Assumed [U] (the exact rule in driver.c was not checked):
 * - the list is the workfile's distinct tests with quota > 0, in workfile order, walked
 *   cyclically, and the walk continues from where the previous task landed;
 * - each step skips `skip` entries with `skip` uniform in [0, L) (L = list length) and lands
 *   on the next one, i.e. position ← (position + 1 + skip) mod L, starting from position −1;
 * - landing on a test whose quota is used up moves on to the next entry that still has quota.
 * - the generator: libc `rand()` seeded with the pid in reaim; here a seeded `Rng` stream named
 *   after the child index (`childStreamName`), so the order is reproducible per run seed.
 * Any rule of this shape gives each test exactly its quota; only the interleaving is [U].
 */
import { Rng, type Streams } from '../../engine/random';
import type { Quotas } from './quota';
import type { ReaimTest } from './tests';

/** Name of child `index`'s order stream (0-based). */
export function childStreamName(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`child index must be a non-negative integer, got ${index}`);
  return `reaim/child/${index}/order`;
}

/** The sequence of tests one child runs; its length is `quotas.tasksPerChild`. */
export function childOrder(quotas: Pick<Quotas, 'perTest'>, rng: Rng): ReaimTest[] {
  const list = quotas.perTest.filter((t) => t.quota > 0);
  const left = list.map((t) => t.quota);
  const total = left.reduce((s, n) => s + n, 0);
  const L = list.length;
  const out: ReaimTest[] = [];
  let pos = -1;
  for (let k = 0; k < total; k++) {
    pos = (pos + 1 + rng.int(L)) % L;
    while (left[pos] === 0) pos = (pos + 1) % L;
    left[pos]!--;
    out.push(list[pos]!.test);
  }
  return out;
}

/** Child `index`'s order, from its named stream of the run's `Streams`. */
export function childOrderFor(quotas: Pick<Quotas, 'perTest'>, streams: Streams, index: number): ReaimTest[] {
  return childOrder(quotas, streams.get(childStreamName(index)));
}

/** Child `index`'s order from a bare seed (a fresh stream, independent of any Streams cache). */
export function childOrderSeeded(quotas: Pick<Quotas, 'perTest'>, seed: number | string, index: number): ReaimTest[] {
  return childOrder(quotas, new Rng(`${seed}\u0000${childStreamName(index)}`));
}
