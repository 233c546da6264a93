import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, Resource, Interrupt } from '../../src/engine';

/** Resource: capacity, FIFO grants, hand-over on release, abandoned waiters skipped. */

test('grants at most `capacity` units, the rest in request order', () => {
  const sim = new Simulation(1);
  const res = new Resource(sim, 2);
  const log: string[] = [];
  for (const [name, arrive, hold] of [['a', 0, 10], ['b', 1, 10], ['c', 2, 10], ['d', 3, 1], ['e', 3, 1]] as const) {
    sim.process((function* () {
      yield arrive;
      yield res.request();
      log.push(`${name}+${sim.now}`);
      yield hold;
      res.release();
    })(), name);
  }
  sim.run();
  // a, b at once; c waits for a (t=10), d for b (t=11), e for d (t=12)
  assert.deepEqual(log, ['a+0', 'b+1', 'c+10', 'd+11', 'e+12']);
  assert.equal(res.count, 0);
  assert.equal(res.queueLength, 0);
});

test('a released unit goes to the oldest waiter, not to a request made at the same instant', () => {
  const sim = new Simulation(1);
  const res = new Resource(sim, 1);
  const log: string[] = [];
  sim.process((function* () {
    yield res.request();
    yield 5;
    res.release(); // at t=5: w (waiting since 1) must get it, not late (asking at 5)
  })(), 'holder');
  sim.process((function* () {
    yield 1;
    yield res.request();
    log.push(`w@${sim.now}`);
    yield 1;
    res.release();
  })(), 'w');
  sim.process((function* () {
    yield 5;
    yield res.request();
    log.push(`late@${sim.now}`);
    res.release();
  })(), 'late');
  sim.run();
  assert.deepEqual(log, ['w@5', 'late@6']);
});

test('counts units in use and waiters', () => {
  const sim = new Simulation(1);
  const res = new Resource(sim, 1);
  sim.process((function* () { yield res.request(); yield 10; res.release(); })());
  sim.process((function* () { yield res.request(); res.release(); })());
  sim.run(5);
  assert.equal(res.count, 1);
  assert.equal(res.queueLength, 1);
  sim.run();
  assert.equal(res.count, 0);
  assert.equal(res.queueLength, 0);
});

test('an interrupted waiter is skipped when its turn comes', () => {
  const sim = new Simulation(1);
  const res = new Resource(sim, 1);
  const log: string[] = [];
  sim.process((function* () { yield res.request(); yield 10; res.release(); })(), 'holder');
  const quitter = sim.process((function* () {
    try {
      yield res.request();
      log.push('quitter got it');
    } catch (e) {
      assert.ok(e instanceof Interrupt);
      log.push(`quitter gave up@${sim.now}`);
    }
  })(), 'quitter');
  sim.process((function* () { yield res.request(); log.push(`patient@${sim.now}`); res.release(); })(), 'patient');
  sim.at(3, () => sim.interrupt(quitter, 'timeout'));
  sim.run();
  assert.deepEqual(log, ['quitter gave up@3', 'patient@10']);
  assert.equal(res.count, 0);
});

test('release without a unit in use and bad capacities throw', () => {
  const sim = new Simulation(1);
  assert.throws(() => new Resource(sim, 1).release(), /no unit is in use/);
  assert.throws(() => new Resource(sim, 0), RangeError);
  assert.throws(() => new Resource(sim, 1.5), RangeError);
});
