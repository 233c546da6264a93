import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';

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
