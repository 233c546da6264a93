import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';

/** Event order, run(until) and stop(). */

test('processes resume in (time, insertion) order', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  for (const [name, d] of [['a', 5], ['b', 3], ['c', 5], ['d', 0]] as const) {
    sim.process((function* () {
      yield d;
      log.push(`${name}@${sim.now}`);
    })(), name);
  }
  sim.run();
  assert.deepEqual(log, ['d@0', 'b@3', 'a@5', 'c@5']);
});

test('zero-delay work runs after the queue entries already due at the same time', () => {
  for (const queue of ['calendar', 'heap'] as const) {
    const sim = new Simulation(1, { queue });
    const log: string[] = [];
    const ev = sim.event<string>();
    sim.process((function* () {
      yield 10;
      log.push('a');
      ev.succeed('x'); // wakes w: zero delay, but after b, whose entry for t=10 is older
      yield 0; // also zero delay: after w
      log.push('a again');
    })(), 'a');
    sim.process((function* () {
      yield 10;
      log.push('b');
    })(), 'b');
    sim.process((function* () {
      log.push(`w got ${yield ev}`);
    })(), 'w');
    // scheduled now, before the processes above have even started (they start from the
    // zero-delay FIFO when run() begins), so its entry for t=10 is the oldest
    sim.at(10, () => log.push('timer'));
    sim.run();
    assert.deepEqual(log, ['timer', 'a', 'b', 'w got x', 'a again'], queue);
  }
});

test('new processes start at the current time after the work already due', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  sim.process((function* () {
    yield 2;
    sim.process((function* () { log.push(`child@${sim.now}`); })(), 'child');
    log.push('parent');
  })(), 'parent');
  sim.run();
  assert.deepEqual(log, ['parent', 'child@2']);
});

test('run(until) processes events up to and including `until`, then sets now = until', () => {
  const sim = new Simulation(1);
  const log: number[] = [];
  sim.process((function* () {
    for (let i = 0; i < 5; i++) {
      yield 10;
      log.push(sim.now);
    }
  })());
  sim.run(20);
  assert.deepEqual(log, [10, 20]);
  assert.equal(sim.now, 20);
  sim.run(25);
  assert.deepEqual(log, [10, 20]);
  assert.equal(sim.now, 25);
  sim.run();
  assert.deepEqual(log, [10, 20, 30, 40, 50]);
  assert.equal(sim.now, 50);
  assert.equal(sim.pending, 0);
});

test('stop() ends run() after the current event; run() resumes from there', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  sim.process((function* () {
    yield 5;
    log.push('stopper');
    sim.stop();
    log.push('stopper continues its step');
  })(), 'stopper');
  sim.process((function* () {
    yield 5;
    log.push('same-time');
  })(), 'other');
  sim.run();
  assert.deepEqual(log, ['stopper', 'stopper continues its step']);
  assert.equal(sim.now, 5);
  sim.run();
  assert.deepEqual(log, ['stopper', 'stopper continues its step', 'same-time']);
});

test('eventCount counts resumptions and timer calls, not stale entries', () => {
  const sim = new Simulation(1);
  const t = sim.at(5, () => {});
  t.cancel();
  sim.at(6, () => {});
  sim.process((function* () { yield 1; yield 2; })());
  sim.run();
  assert.equal(sim.eventCount, 4); // process start, two wake-ups, one timer
});
