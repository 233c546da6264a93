import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../src/engine';
import { loadMachine, Machine } from '../../src/hw';
import { Scheduler } from '../../src/sched';

function small(cores: number): Machine {
  return new Machine({ ...loadMachine('ivybridge-ex-4s').spec, name: 'small', sockets: 1, coresPerSocket: cores, threadsPerCore: 1, nodeDistance: undefined });
}

test('a preemption point that would pick the same task again carries on (no switch, no hang)', () => {
  // B (CPU 1, kernel work, so not preempted at once) gets need_resched from X's wake-up at
  // 5 ms; before B reaches its preemption point, CPU 0 goes idle and pulls X. At the
  // preemption point nothing else is queued on CPU 1: schedule() returns to B.
  const sim = new Simulation(1);
  const s = new Scheduler(sim, small(2));
  const log: string[] = [];
  const X = s.spawn('X', function* (t) { yield* s.block(t); log.push(`X runs on ${t.cpu.id}`); }, { cpu: 1 });
  s.spawn('A', function* (t) { yield* s.compute(t, 6e6); }, { cpu: 0 });
  let B!: ReturnType<typeof s.spawn>;
  sim.at(3000, () => {
    B = s.spawn('B', function* (t) {
      yield* s.compute(t, 10e6);
      log.push(`B at a preemption point, need_resched ${t.cpu.needResched}, queued here ${t.cpu.rq.length}`);
      yield* s.condResched(t);
      log.push('B carries on');
      yield* s.compute(t, 1000);
      log.push('B done');
    }, { cpu: 1 });
  });
  sim.at(5e6, () => s.wake(X));
  sim.run(1e9); // bounded: the old bug left B parked forever while the ticks ran on
  assert.deepEqual(log, ['X runs on 0', 'B at a preemption point, need_resched true, queued here 0', 'B carries on', 'B done']);
  assert.equal(B.state, 'dead');
  assert.equal(B.stats.preemptions, 0);
  assert.equal(B.stats.switches, 1);
});
