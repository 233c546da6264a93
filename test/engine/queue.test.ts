import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventQueue, type FutureEventList } from '../../src/engine/queue';
import { CalendarQueue } from '../../src/engine/calendar';
import { Rng } from '../../src/engine/random';

/**
 * The calendar queue must pop exactly the sequence the reference binary heap pops:
 * same items, same seqs, same peekTime before every pop, same size, under random
 * interleavings of push and pop and many time distributions.
 */

/** Pop one entry from both queues and check they agree. */
function popBoth(ref: EventQueue, q: FutureEventList, where: string): number {
  assert.equal(q.size, ref.size, `size ${where}`);
  const t = ref.peekTime();
  assert.equal(q.peekTime(), t, `peekTime ${where}`);
  const a = ref.pop(), b = q.pop();
  assert.equal(b, a, `item ${where}`);
  assert.equal(q.poppedSeq, ref.poppedSeq, `seq ${where}`);
  return t;
}

/** Delay (or absolute time) generators: `r` is uniform [0,1), `now` the last popped time. */
const dists: Record<string, (rng: Rng, now: number) => number> = {
  uniform: (r, now) => now + r.uniform(0, 1000),
  exponential: (r, now) => now + r.exponential(1000),
  ties: (r, now) => now + 100 * r.int(3),
  allEqual: () => 42,
  mixedScales: (r, now) => {
    const u = r.random();
    if (u < 0.3) return now;
    if (u < 0.85) return now + Math.floor(r.exponential(200));
    if (u < 0.97) return now + 4e6;
    return now + 1e9 * r.uniform(1, 5);
  },
  monotone: (r, now) => now + 1000,
  // absolute times, so many pushes land before the last popped entry
  past: (r) => r.uniform(0, 1e4),
  tiny: (r, now) => now + 1e-9 * r.random(),
  huge: (r, now) => now + 1e18 * r.random(),
  extremes: (r, now) => [now, -0, 0, Infinity, -Infinity, 1e300, -1e300, 5e-324, now + 1][r.int(9)],
};

/**
 * Drive both queues through phases, each growing or shrinking toward a target size with
 * mostly pushes or mostly pops, so sizes cross the heap/calendar switch and the ring's
 * resize thresholds in both directions.
 */
function drive(seed: number, dist: string, targets: number[], calendarAbove: number, scrambled: boolean): void {
  const rng = new Rng(`queue-test ${seed}`);
  const gen = dists[dist];
  const ref = new EventQueue();
  const q = new CalendarQueue(calendarAbove);
  let seq = 0, now = 0, ops = 0;
  for (const target of targets) {
    const steps = 2 * Math.abs(target - ref.size) + 200;
    for (let i = 0; i < steps; i++, ops++) {
      const pushP = ref.size < target ? 0.8 : 0.2;
      if (ref.size === 0 || rng.chance(pushP)) {
        const t = gen(rng, now);
        seq += 1 + rng.int(3); // seqs increase but need not be consecutive...
        // ...or are distinct but in no order (x ↦ x·odd mod 2^32 is a bijection)
        const s = scrambled ? (seq * 2654435761) % 2 ** 32 : seq;
        ref.push(t, s, seq % 100_000);
        q.push(t, s, seq % 100_000);
      } else {
        now = popBoth(ref, q, `(${dist}, seed ${seed}, op ${ops})`);
      }
    }
  }
  while (ref.size > 0) popBoth(ref, q, `(${dist}, seed ${seed}, drain)`);
  assert.equal(q.size, 0);
}

for (const dist of Object.keys(dists)) {
  test(`calendar queue pops the heap's sequence: ${dist}`, { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(0, 16, 256),
        fc.boolean(),
        (seed, targets, calendarAbove, scrambled) => drive(seed, dist, targets, calendarAbove, scrambled),
      ),
      { numRuns: 10 },
    );
  });
}

test('calendar queue matches the heap on small explicit interleavings (shrinkable)', { timeout: 20_000 }, () => {
  // each op: a time to push (from a tiny set, so ties abound) or null = pop
  const op = fc.oneof(fc.constantFrom(0, 1, 1.5, 2, 7, 1e6, -3, 2 ** 40), fc.constant(null));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(0, 4), (ops, calendarAbove) => {
      const ref = new EventQueue();
      const q = new CalendarQueue(calendarAbove);
      ops.forEach((t, i) => {
        if (t === null) {
          if (ref.size > 0) popBoth(ref, q, `op ${i}`);
        } else {
          const seq = ((i + 1) * 2654435761) % 2 ** 32; // distinct, unordered
          ref.push(t, seq, i);
          q.push(t, seq, i);
        }
      });
      while (ref.size > 0) popBoth(ref, q, 'drain');
    }),
    { numRuns: 300 },
  );
});

test('calendar queue adapts: tied and spread-out workloads stay cheap', { timeout: 20_000 }, () => {
  // Not a timing test: a width that never adapted would make this take minutes
  // (every push walking hundreds of tied entries, or every pop scanning a whole year).
  for (const gen of [dists.ties, dists.mixedScales, dists.huge, dists.tiny]) {
    const rng = new Rng('adapt');
    const q = new CalendarQueue();
    let seq = 0;
    for (let i = 0; i < 5000; i++) q.push(gen(rng, 0), ++seq, i);
    for (let i = 0; i < 100_000; i++) {
      const t = q.peekTime();
      const it = q.pop();
      q.push(gen(rng, t), ++seq, it);
    }
    assert.equal(q.size, 5000);
  }
});

test('peekTime on an empty queue is harmless', () => {
  for (const q of [new CalendarQueue(0), new CalendarQueue()]) {
    q.peekTime();
    q.push(5, 1, 7);
    q.push(3, 2, 8);
    assert.equal(q.peekTime(), 3);
    assert.equal(q.pop(), 8);
    assert.equal(q.pop(), 7);
    assert.equal(q.poppedSeq, 1);
    q.peekTime();
    q.push(1, 3, 9);
    assert.equal(q.pop(), 9);
  }
});
