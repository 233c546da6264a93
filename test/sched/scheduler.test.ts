import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation } from '../../src/engine';
import { loadMachine, Machine } from '../../src/hw';
import { Scheduler, RESCHED, type Task } from '../../src/sched';

const ivb = () => loadMachine('ivybridge-ex-4s');
function small(sockets = 1, cores = 2, threads = 1): Machine {
  const spec = { ...ivb().spec, name: 'small', sockets, coresPerSocket: cores, threadsPerCore: threads, nodeDistance: undefined };
  return new Machine(spec);
}

test('2000 CPU-bound tasks on 120 threads all finish, CPUs stay busy, time ≈ work / capacity', () => {
  const sim = new Simulation(1);
  const m = ivb();
  const s = new Scheduler(sim, m);
  let done = 0;
  const work = 10e6; // 10 ms user time each
  for (let i = 0; i < 2000; i++) {
    s.spawn(`t${i}`, function* (t) {
      yield* s.compute(t, work, true);
      done++;
    });
  }
  sim.run();
  assert.equal(done, 2000);
  // 60 cores; two busy threads per core each run at smt.busy speed
  const capacity = 60 * 2 * m.spec.smt.busy;
  const ideal = (2000 * work) / capacity;
  assert.ok(sim.now >= ideal * 0.98, `finished at ${sim.now}, faster than capacity allows (${ideal})`);
  assert.ok(sim.now <= ideal * 1.25, `finished at ${sim.now}, ideal ${ideal}`);
  const pre = s.totalStats().preemptions;
  assert.ok(pre > 0, 'time slicing must preempt user work');
});

test('kernel work is not preempted; user work is, at the tick', () => {
  const sim = new Simulation(2);
  const s = new Scheduler(sim, small(1, 1, 1));
  const log: string[] = [];
  s.spawn('kernel', function* (t) { yield* s.compute(t, 100e6, false); log.push(`k@${Math.round(sim.now / 1e6)}`); }, { cpu: 0 });
  s.spawn('other', function* (t) { yield* s.compute(t, 1e6, true); log.push(`o@${Math.round(sim.now / 1e6)}`); }, { cpu: 0 });
  sim.run();
  assert.deepEqual(log, ['k@100', 'o@101']);
  const sim2 = new Simulation(2);
  const s2 = new Scheduler(sim2, small(1, 1, 1));
  const log2: string[] = [];
  s2.spawn('user', function* (t) { yield* s2.compute(t, 100e6, true); log2.push('u'); }, { cpu: 0 });
  s2.spawn('other', function* (t) { yield* s2.compute(t, 1e6, true); log2.push('o'); }, { cpu: 0 });
  sim2.run();
  assert.deepEqual(log2, ['o', 'u']);
});

test('block/wake: no lost wake-up when the wake comes first', () => {
  const sim = new Simulation(3);
  const s = new Scheduler(sim, small());
  let sleeper!: Task;
  const log: string[] = [];
  sleeper = s.spawn('sleeper', function* (t) {
    yield* s.compute(t, 1000);
    yield* s.block(t); // the wake already happened at t≈500
    log.push('woke');
  }, { cpu: 0 });
  s.spawn('waker', function* (t) {
    yield* s.compute(t, 500);
    assert.equal(s.wake(sleeper), false);
  }, { cpu: 1 });
  sim.run();
  assert.deepEqual(log, ['woke']);
});

test('a sleeping task is woken onto an idle CPU after the wake-up latency', () => {
  const sim = new Simulation(4);
  const s = new Scheduler(sim, small());
  let woke = -1;
  const sleeper = s.spawn('sleeper', function* (t) { yield* s.block(t); woke = sim.now; }, { cpu: 0 });
  s.spawn('waker', function* (t) { yield* s.compute(t, 1e6); assert.equal(s.wake(sleeper), true); }, { cpu: 1 });
  sim.run();
  const p = s.params;
  assert.ok(Math.abs(woke - (1e6 + p.contextSwitch + p.idleWakeLatency + p.contextSwitch)) < 1, `woke at ${woke}`);
  assert.equal(sleeper.stats.wakeups, 1);
});

test('spin ends on notify, or with RESCHED when need_resched is set by a tick', () => {
  const sim = new Simulation(5);
  const s = new Scheduler(sim, small(1, 1, 1));
  const got: unknown[] = [];
  const spinner = s.spawn('spinner', function* (t) { got.push(yield* s.spin(t)); got.push(yield* s.spin(t)); }, { cpu: 0 });
  s.spawn('queued', function* (t) { yield* s.compute(t, 1000); }, { cpu: 0 });
  sim.at(5000, () => s.notify(spinner, 'released'));
  sim.run();
  assert.equal(got[0], 'released');
  assert.equal(got[1], RESCHED);
  assert.ok(spinner.stats.spin > 0);
});

test('SMT: a busy sibling slows work down to smt.busy', () => {
  const sim = new Simulation(6);
  const m = small(1, 1, 2);
  const s = new Scheduler(sim, m);
  const end: number[] = [];
  s.spawn('a', function* (t) { yield* s.compute(t, 1e6); end.push(sim.now); }, { cpu: 0 });
  s.spawn('b', function* (t) { yield* s.compute(t, 1e6); end.push(sim.now); }, { cpu: 1 });
  sim.run();
  const expect = (s.params.contextSwitch + 1e6) / m.spec.smt.busy;
  for (const e of end) assert.ok(Math.abs(e - expect) < 1e-3 * expect, `${e} vs ${expect}`);
});

test('same seed → same schedule', () => {
  const run = () => {
    const sim = new Simulation(7);
    const s = new Scheduler(sim, ivb());
    const out: number[] = [];
    const r = sim.rng('work');
    for (let i = 0; i < 300; i++) {
      s.spawn(`t${i}`, function* (t) {
        for (let k = 0; k < 5; k++) { yield* s.compute(t, r.exponential(2e6), true); }
        out.push(i, sim.now);
      });
    }
    sim.run();
    return out.join(',');
  };
  assert.equal(run(), run());
});

test('compute() iterators: reused per task, and correct when two are made before either runs', () => {
  const sim = new Simulation(1);
  const s = new Scheduler(sim, small(1));
  const at: number[] = [];
  s.spawn('T', function* (t) {
    const a = s.compute(t, 1000);
    const b = s.compute(t, 500); // a is not yet run: b must be another iterator
    assert.notEqual(a, b);
    yield* a;
    at.push(sim.now);
    yield* b;
    at.push(sim.now);
    const c = s.compute(t, 0);
    assert.equal(c, a, 'an idle iterator is reused');
    yield* c; // nothing to do, no debt: ends at once
    s.stall(t, 250);
    yield* s.compute(t, 0); // pays the debt
    at.push(sim.now);
    return undefined;
  }, { cpu: 0 });
  sim.run();
  const cs = s.params.contextSwitch;
  assert.deepEqual(at, [cs + 1000, cs + 1500, cs + 1750]);
});

test('compute() iterators behave like generators under throw() and return()', () => {
  const sim = new Simulation(1);
  const s = new Scheduler(sim, small(1));
  let seen: unknown = null;
  s.spawn('T', function* (t) {
    sim.at(1, () => {}); // something due before the work ends: it needs an event (Simulation.advanceBy)
    const it = s.compute(t, 1000);
    assert.equal(it.next().done, false); // the work's duration is yielded
    assert.throws(() => it.throw(new Error('boom')), /boom/);
    assert.deepEqual(it.next(), { value: undefined, done: true }); // finished
    const r = s.compute(t, 1000);
    r.next();
    assert.deepEqual(r.return(undefined), { value: undefined, done: true });
    try {
      yield* s.compute(t, 10);
    } catch (e) {
      seen = e;
    }
  }, { cpu: 0 });
  sim.run();
  assert.equal(seen, null);
});

test('afterDebt (fast-check): the same times, yields, result and exception as `yield* compute(task, 0); return yield* body`', () => {
  // the generator afterDebt replaced, as the reference
  function* reference(s: Scheduler, t: Task, body: Generator<unknown, number, unknown>): Generator<unknown, number, unknown> {
    yield* s.compute(t, 0);
    return yield* body;
  }
  const run = (useRef: boolean, debt: number, delays: number[], fail: boolean): string[] => {
    const sim = new Simulation(1);
    const s = new Scheduler(sim, small(1, 2, 2)); // SMT siblings: paying the debt is re-timed
    const log: string[] = [];
    function* body(): Generator<unknown, number, unknown> {
      log.push(`body@${sim.now}`);
      for (const d of delays) log.push(`got ${String(yield d)}@${sim.now}`);
      if (fail) throw new Error('body failed');
      return 42;
    }
    s.spawn('other', function* (t) { yield* s.compute(t, 700, true); }, { cpu: 1 });
    s.spawn('T', function* (t) {
      s.stall(t, debt);
      try {
        const r = yield* (useRef ? reference(s, t, body()) : s.afterDebt(t, body()));
        log.push(`result ${r}@${sim.now}`);
      } catch (e) {
        log.push(`caught ${(e as Error).message}@${sim.now}`);
      }
      log.push(`owes ${s.owed(t)}`);
    }, { cpu: 0 });
    sim.run();
    return log;
  };
  fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 4 }), fc.boolean(), (debt, delays, fail) => {
    assert.deepEqual(run(false, debt, delays, fail), run(true, debt, delays, fail));
  }));
});

test('afterDebt: return() before the debt is paid ends it without starting the body', () => {
  const sim = new Simulation(1);
  const s = new Scheduler(sim, small(1));
  let started = false;
  s.spawn('T', function* (t) {
    s.stall(t, 100);
    sim.at(1, () => {}); // due before the debt is paid: paying it needs an event (Scheduler.payNow)
    const it = s.afterDebt(t, (function* (): Generator<unknown, number, unknown> { started = true; return 1; })());
    assert.equal(it.next().done, false); // paying the debt
    assert.deepEqual(it.return(7), { value: 7, done: true });
    assert.deepEqual(it.next(), { value: undefined, done: true });
    yield* s.compute(t, 0);
  }, { cpu: 0 });
  sim.run();
  assert.equal(started, false);
});
