import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, Interrupt } from '../../src/engine';

/** Processes: interrupt, join on `finished`, and errors that name the process. */

test('interrupt throws Interrupt(cause) into a waiting process at the current time', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  const p = sim.process((function* () {
    try {
      yield 100;
      log.push('not interrupted');
    } catch (e) {
      assert.ok(e instanceof Interrupt);
      log.push(`interrupted by ${e.cause}@${sim.now}`);
    }
    yield 1;
    log.push(`done@${sim.now}`); // the abandoned t=100 wake-up must not resume it again
  })(), 'victim');
  sim.at(30, () => sim.interrupt(p, 'boss'));
  sim.run();
  assert.deepEqual(log, ['interrupted by boss@30', 'done@31']);
  assert.equal(sim.now, 31); // the abandoned t=100 entry does not move the clock
});

test('interrupt of a finished process, or of itself, throws', () => {
  const sim = new Simulation(1);
  const done = sim.process((function* () {})(), 'done');
  const self = sim.process((function* () {
    yield 1;
    assert.throws(() => sim.interrupt(self), /cannot interrupt itself/);
  })(), 'self');
  sim.run();
  assert.throws(() => sim.interrupt(done), /has finished/);
  assert.equal(self.done, true);
});

test('an uncaught Interrupt ends run() with the process named', () => {
  const sim = new Simulation(1);
  const p = sim.process((function* () { yield 10; })(), 'fragile');
  sim.at(1, () => sim.interrupt(p));
  assert.throws(() => sim.run(), /interrupted \(in process fragile at t=1 ns\)/);
});

test('finished: joiners resume with the return value, in join order', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  const worker = sim.process((function* () {
    yield 50;
    return 'result';
  })(), 'worker');
  for (const name of ['j1', 'j2']) {
    sim.process((function* () {
      const r = yield worker.finished;
      log.push(`${name} ${r}@${sim.now}`);
    })(), name);
  }
  sim.run();
  assert.deepEqual(log, ['j1 result@50', 'j2 result@50']);
  assert.equal(worker.done, true);
  assert.equal(worker.result, 'result');
});

test('finished: joining a process that already ended resumes at once', () => {
  const sim = new Simulation(1);
  const quick = sim.process((function* () { return 7; })());
  let got: unknown;
  sim.process((function* () {
    yield 20;
    got = [yield quick.finished, sim.now];
  })());
  sim.run();
  assert.deepEqual(got, [7, 20]);
});

test('bad delays are a RangeError naming the process', () => {
  for (const d of [-1, NaN, Infinity]) {
    const sim = new Simulation(1);
    sim.process((function* () { yield d; })(), 'sleepy');
    assert.throws(() => sim.run(), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, new RegExp(`process sleepy yielded delay ${d}`));
      return true;
    });
  }
});

test('yielding something that is neither a delay nor a Waitable is a TypeError naming the process', () => {
  for (const y of ['10', null, undefined, {}, { subscribe: 1 }]) {
    const sim = new Simulation(1);
    sim.process((function* (): Generator<any, void, unknown> { yield y; })(), 'confused');
    assert.throws(() => sim.run(), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /process confused yielded .*: yield a delay in ns \(number >= 0\) or a Waitable/);
      return true;
    });
  }
});

test('an error thrown by a body propagates from run() with the process and time', () => {
  const sim = new Simulation(1);
  sim.process((function* () {
    yield 3;
    throw new Error('boom');
  })(), 'bomb');
  assert.throws(() => sim.run(), /^Error: boom \(in process bomb at t=3 ns\)$/);
});
