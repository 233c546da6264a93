import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, Resource, type SimulationOptions } from '../../src/engine';

/** A run is a function of its seed: same seed → same trace, other seed → other trace. */

/** A small model touching every mechanism; returns its trace. */
function trace(seed: string, queue: SimulationOptions['queue'] = 'calendar'): string[] {
  const sim = new Simulation(seed, { queue });
  const log: string[] = [];
  const res = new Resource(sim, 2);
  const ev = sim.event<number>();
  for (let i = 0; i < 300; i++) {
    const rng = sim.rng(`worker${i % 7}`);
    sim.process((function* () {
      for (let k = 0; k < 5; k++) {
        yield rng.exponential(100);
        if (rng.chance(0.3)) {
          yield res.request();
          yield rng.int(3) * 10; // ties on purpose
          res.release();
        }
        log.push(`${i}:${k}@${sim.now.toFixed(6)}`);
      }
      if (i === 0) ev.succeed(sim.now);
    })(), `w${i}`);
  }
  sim.process((function* () { log.push(`ev ${yield ev}`); })());
  sim.at(500, () => log.push('timer'));
  sim.run();
  log.push(`end@${sim.now} events=${sim.eventCount}`);
  return log;
}

test('same seed → identical trace', () => {
  assert.deepEqual(trace('s1'), trace('s1'));
});

test('different seeds → different traces', () => {
  assert.notDeepEqual(trace('s1'), trace('s2'));
});

test('the future-event list does not change the trace', () => {
  assert.deepEqual(trace('s1', 'heap'), trace('s1', 'calendar'));
});
