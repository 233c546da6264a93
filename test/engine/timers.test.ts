import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';

/** Timers (sim.at), and taking over a process's wait: cancelWait + resumeAfter. */

test('a timer fires once at its time; a cancelled one never does', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  const keep = sim.at(10, () => log.push(`keep@${sim.now}`));
  const drop = sim.at(20, () => log.push('drop'));
  sim.at(5, () => drop.cancel());
  sim.run();
  assert.deepEqual(log, ['keep@10']);
  assert.equal(drop.cancelled, true);
  assert.equal(keep.cancelled, true); // fired timers count as spent
  assert.equal(sim.pending, 0);
});

test('cancelling a timer from its own time step, or twice, is harmless', () => {
  const sim = new Simulation(1);
  let fired = 0;
  const t = sim.at(10, () => fired++);
  sim.at(10, () => { t.cancel(); t.cancel(); }); // t already fired (scheduled first)
  const u = sim.at(20, () => fired++);
  sim.at(15, () => { u.cancel(); u.cancel(); });
  sim.run();
  assert.equal(fired, 1);
});

test('cancelWait + resumeAfter reschedule a sleeping process', () => {
  const sim = new Simulation(1);
  const log: string[] = [];
  const p = sim.process((function* () {
    const v = yield 100;
    log.push(`woke with ${v}@${sim.now}`);
    yield 200;
    log.push(`slept again@${sim.now}`);
  })(), 'sleeper');
  sim.at(10, () => {
    sim.cancelWait(p); // its t=100 entry becomes stale
    sim.resumeAfter(p, 5, 'early');
  });
  sim.run();
  assert.deepEqual(log, ['woke with early@15', 'slept again@215']);
});

test('cancelWait alone leaves the process suspended', () => {
  const sim = new Simulation(1);
  let woke = false;
  const p = sim.process((function* () { yield 100; woke = true; })());
  sim.at(10, () => sim.cancelWait(p));
  sim.run();
  assert.equal(woke, false);
  assert.equal(p.done, false);
  sim.resumeAfter(p, 0);
  sim.run();
  assert.equal(woke, true);
});

test('a wake for a cancelled wait is refused', () => {
  const sim = new Simulation(1);
  const ev = sim.event();
  const p = sim.process((function* () { yield ev; })());
  sim.run();
  const id = p.wait;
  sim.cancelWait(p);
  assert.equal(sim.wake(p, id), false);
  ev.succeed(); // its waiter's id is stale: nothing happens
  sim.run();
  assert.equal(p.done, false);
});

test('sim.at and resumeAfter reject negative, NaN and infinite delays', () => {
  const sim = new Simulation(1);
  const p = sim.process((function* () { yield 1; })(), 'p');
  for (const d of [-1, NaN, Infinity]) {
    assert.throws(() => sim.at(d, () => {}), RangeError);
    assert.throws(() => sim.resumeAfter(p, d), /resumeAfter\(p\): delay/);
  }
});
