import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation } from '../../src/engine';

/**
 * Simulation.advanceBy: a wait ended at once, without a queue entry, when nothing else can
 * happen first. It must give exactly the run that yielding the delay gives.
 */

type Step = { delay: number; timer: number | null };

/** processes that wait and set timers; with `shortcut` they try advanceBy before yielding a delay */
function trace(plans: Step[][], shortcut: boolean, until: number, maxEvents: number) {
  const sim = new Simulation(7);
  const log: string[] = [];
  plans.forEach((steps, i) =>
    sim.process((function* () {
      for (const s of steps) {
        if (!(shortcut && sim.advanceBy(s.delay))) yield s.delay;
        log.push(`${i}@${sim.now}`);
        if (s.timer !== null) sim.at(s.timer, () => log.push(`timer ${i}@${sim.now}`));
      }
    })(), `p${i}`));
  sim.run(until, maxEvents);
  return { log, now: sim.now, events: sim.eventCount, pending: sim.pending > 0, advanced: sim.advancedCount };
}

test('a wait ended by advanceBy gives the same run as yielding it', () => {
  const step = fc.record({
    delay: fc.constantFrom(0, 1, 2, 3, 5, 8, 13),
    timer: fc.option(fc.constantFrom(0, 1, 4, 9), { nil: null }),
  });
  let advanced = 0;
  fc.assert(
    fc.property(
      fc.array(fc.array(step, { maxLength: 12 }), { minLength: 1, maxLength: 5 }),
      fc.constantFrom(Infinity, 20, 40),
      fc.constantFrom(Infinity, 15, 30),
      (plans, until, maxEvents) => {
        const a = trace(plans, false, until, maxEvents);
        const b = trace(plans, true, until, maxEvents);
        assert.equal(a.advanced, 0);
        assert.deepEqual({ ...b, advanced: 0 }, a);
        advanced += b.advanced;
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(advanced > 100, `the shortcut was taken ${advanced} times: the property would test nothing`);
});

test('advanceBy refuses when something else is due first, and never passes the run bounds', () => {
  const sim = new Simulation(1);
  const seen: (boolean | number)[] = [];
  sim.at(10, () => {}); // the next entry: t = 10
  sim.process((function* () {
    seen.push(sim.advanceBy(10)); // an entry at that very instant goes first
    seen.push(sim.advanceBy(0)); // zero delay: not a wait advanceBy ends
    seen.push(sim.advanceBy(4), sim.now); // nothing before t = 4
    sim.process((function* () {})(), 'late'); // something due now (the FIFO)
    seen.push(sim.advanceBy(1));
    yield 0;
    seen.push(sim.advanceBy(1), sim.now); // the FIFO drained: t = 5
    sim.stop();
    seen.push(sim.advanceBy(1)); // stopping after this event
  })(), 'p');
  sim.run(100);
  assert.deepEqual(seen, [false, false, true, 4, false, true, 5, false]);

  const s2 = new Simulation(1);
  const got: boolean[] = [];
  s2.process((function* () {
    got.push(s2.advanceBy(6)); // past run(5)
    got.push(s2.advanceBy(5)); // exactly at `until`: run(until) still runs it
  })(), 'q');
  s2.run(5);
  assert.deepEqual(got, [false, true]);

  const s3 = new Simulation(1);
  s3.hookAt = 3;
  s3.hook = () => { s3.hookAt = Infinity; };
  const h: boolean[] = [];
  s3.process((function* () {
    h.push(s3.advanceBy(3)); // the hook is due at 3: it must run first
    h.push(s3.advanceBy(2));
  })(), 'r');
  s3.run();
  assert.deepEqual(h, [false, true]);

  const outside = new Simulation(1);
  assert.equal(outside.advanceBy(1), false, 'no run in progress, no active process');
});
