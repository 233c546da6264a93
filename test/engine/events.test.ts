import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, Parking } from '../../src/engine';

/** SimEvent (one-shot, many waiters) and Parking (reusable, one waiter). */

test('SimEvent wakes its waiters in subscription order, with the value', () => {
  const sim = new Simulation(1);
  const ev = sim.event<string>();
  const log: string[] = [];
  for (const [name, d] of [['late', 3], ['early', 1], ['mid', 2]] as const) {
    sim.process((function* () {
      yield d;
      const v = yield ev;
      log.push(`${name} ${v}@${sim.now}`);
    })(), name);
  }
  sim.at(10, () => ev.succeed('go'));
  sim.run(5);
  assert.equal(ev.waiting, 3);
  assert.equal(ev.triggered, false);
  sim.run();
  assert.deepEqual(log, ['early go@10', 'mid go@10', 'late go@10']);
  assert.equal(ev.waiting, 0);
});

test('yielding an already triggered SimEvent resumes at once with its value', () => {
  const sim = new Simulation(1);
  const ev = sim.event<number>();
  ev.succeed(42);
  let got: [number, number] | undefined;
  sim.process((function* () {
    yield 7;
    got = [(yield ev) as number, sim.now];
  })());
  sim.run();
  assert.deepEqual(got, [42, 7]);
  assert.equal(ev.value, 42);
});

test('SimEvent.succeed twice throws', () => {
  const ev = new Simulation(1).event();
  ev.succeed();
  assert.throws(() => ev.succeed(), /already triggered/);
});

test('Parking: signal resumes the parked process with a value', () => {
  const sim = new Simulation(1);
  const park = new Parking(sim);
  let got: unknown;
  sim.process((function* () { got = yield park; })());
  sim.run();
  assert.equal(park.occupied, true);
  assert.equal(park.signal('v'), true);
  assert.equal(park.occupied, false);
  sim.run();
  assert.equal(got, 'v');
  assert.equal(park.signal(), false); // nobody parked
});

test('Parking: a signal for an abandoned wait is ignored', () => {
  const sim = new Simulation(1);
  const park = new Parking(sim);
  const log: string[] = [];
  const p = sim.process((function* () {
    try {
      yield park;
      log.push('woken by park');
    } catch {
      log.push(`interrupted@${sim.now}`);
    }
    yield 100; // now sleeping: a stale park signal must not cut this short
    log.push(`slept@${sim.now}`);
  })());
  sim.at(5, () => sim.interrupt(p));
  sim.at(10, () => log.push(`signal → ${park.signal('late')}`));
  sim.run();
  assert.deepEqual(log, ['interrupted@5', 'signal → false', 'slept@105']);
});
