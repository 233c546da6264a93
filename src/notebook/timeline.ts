/**
 * A lock timeline: who held, spun on and slept on one lock, over time.
 *
 * The locking layer has no per-interval hook (lockstat keeps only distributions), and it
 * is not ours to change. So this is a small micro-simulation of its own: it builds a
 * Simulation, Scheduler and LockEnv, one Mutex or RwSem with the chosen options, and N
 * tasks that acquire, hold and release it. It observes from outside the lock:
 * - hold intervals: from the return of `acquire` to the call of `release`;
 * - spin and sleep intervals: it wraps this scheduler instance's `spin` and `block`, and
 *   records those a task makes while it is inside `acquire` (optimistic spinning, the OSQ,
 *   sleeping in the wait list).
 * Time inside `acquire` that is neither (cache-line transfers, the wait_lock, wake-up
 * latency) is not drawn.
 */
import { Simulation } from '../engine';
import { SEED_RULE, seedProblem } from '../engine/seed';
import { loadMachine } from '../hw';
import { Scheduler, type Task } from '../sched';
import { LockEnv, Mutex, RwSem } from '../locking';

export type TimelineState = 'hold write' | 'hold read' | 'spin' | 'sleep';

/** One interval of a task's life on the lock. */
export interface TimelineInterval {
  task: string;
  state: TimelineState;
  startNs: number;
  endNs: number;
}

export const TIMELINE_DESIGNS = ['mutex', 'rwsem'] as const;
export type TimelineDesign = (typeof TIMELINE_DESIGNS)[number];

export interface LockTimelineOptions {
  /** mutex or rwsem (default rwsem) */
  design?: TimelineDesign;
  /** optimistic spinning (both designs; default true, as 3.18) */
  optimisticSpin?: boolean;
  /** rwsem writer stealing (default true, as 3.18) */
  writerSteal?: boolean;
  /** tasks (default 8), task i on CPU i */
  threads?: number;
  /** fraction of acquisitions for read (rwsem only; default 0.5) */
  readers?: number;
  /** work under the lock, ns (default 2000) */
  holdNs?: number;
  /** mean work between acquisitions, ns, exponential (default 4000) */
  thinkNs?: number;
  /** simulated time, µs (default 100) */
  durationUs?: number;
  /** machine preset (default ivybridge-ex-4s) */
  machine?: string;
  seed?: number | string;
}

export interface LockTimeline {
  options: Required<LockTimelineOptions>;
  intervals: TimelineInterval[];
  /** per state: total time, ns; and acquisitions */
  totals: Record<TimelineState, number> & { acquisitions: number };
}

const DEFAULTS: Required<LockTimelineOptions> = {
  design: 'rwsem', optimisticSpin: true, writerSteal: true, threads: 8, readers: 0.5,
  holdNs: 2000, thinkNs: 4000, durationUs: 100, machine: 'ivybridge-ex-4s', seed: 1,
};

function check(o: Required<LockTimelineOptions>): void {
  const bad = (field: string, allowed: string, got: unknown) => {
    throw new RangeError(`lockTimeline: ${field} must be ${allowed}, got ${JSON.stringify(got)}`);
  };
  const seedBad = seedProblem(o.seed);
  if (seedBad !== null) bad('seed', SEED_RULE, o.seed);
  if (!TIMELINE_DESIGNS.includes(o.design)) bad('design', `one of ${TIMELINE_DESIGNS.join(', ')}`, o.design);
  if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 256) bad('threads', 'an integer from 1 to 256', o.threads);
  if (!(o.readers >= 0 && o.readers <= 1)) bad('readers', 'a number from 0 to 1', o.readers);
  if (!(o.holdNs >= 0)) bad('holdNs', 'a number ≥ 0', o.holdNs);
  if (!(o.thinkNs >= 0)) bad('thinkNs', 'a number ≥ 0', o.thinkNs);
  if (!(o.durationUs > 0 && o.durationUs <= 100_000)) bad('durationUs', 'a number in (0, 100000]', o.durationUs);
  if (typeof o.optimisticSpin !== 'boolean') bad('optimisticSpin', 'true or false', o.optimisticSpin);
  if (typeof o.writerSteal !== 'boolean') bad('writerSteal', 'true or false', o.writerSteal);
}

/** Run the micro-simulation and return every hold, spin and sleep interval. */
export function lockTimeline(opts: LockTimelineOptions = {}): LockTimeline {
  const o: Required<LockTimelineOptions> = { ...DEFAULTS, ...opts };
  check(o);
  const sim = new Simulation(o.seed);
  const machine = loadMachine(o.machine);
  const sched = new Scheduler(sim, machine);
  const env = new LockEnv(sim, sched, { checks: true, exactLockTiming: true }); // exact timing: every stall drawn
  const cls = { name: 'i_mmap', rank: 40 };
  const lock = o.design === 'mutex'
    ? new Mutex(env, cls, 'timeline.i_mmap', { optimisticSpin: o.optimisticSpin })
    : new RwSem(env, cls, 'timeline.i_mmap', { optimisticSpin: o.optimisticSpin, writerSteal: o.writerSteal });

  const intervals: TimelineInterval[] = [];
  const inAcquire = new Set<Task>();
  const add = (task: Task, state: TimelineState, startNs: number, endNs: number) => {
    if (endNs > startNs) intervals.push({ task: task.name, state, startNs, endNs });
  };
  // observe spins and sleeps of this scheduler instance (the lock calls env.sched.spin/block)
  const spin = sched.spin.bind(sched);
  const block = sched.block.bind(sched);
  sched.spin = function* (task: Task, preemptible?: boolean) {
    const t = sim.now;
    const v = yield* spin(task, preemptible);
    if (inAcquire.has(task)) add(task, 'spin', t, sim.now);
    return v;
  } as typeof sched.spin;
  sched.block = function* (task: Task) {
    const t = sim.now;
    yield* block(task);
    if (inAcquire.has(task)) add(task, 'sleep', t, sim.now);
  } as typeof sched.block;

  const end = o.durationUs * 1000;
  let acquisitions = 0;
  const rng = sim.rng('timeline');
  const width = String(o.threads - 1).length;
  for (let i = 0; i < o.threads; i++) {
    const name = `t${String(i).padStart(width, '0')}`;
    sched.spawn(name, function* (task) {
      while (sim.now < end) {
        const mode = o.design === 'rwsem' && rng.chance(o.readers) ? 'read' : 'write';
        inAcquire.add(task);
        yield* lock.acquire(task, mode, mode === 'read' ? 'timeline_read' : 'timeline_write');
        inAcquire.delete(task);
        const t = sim.now;
        acquisitions++;
        yield* sched.compute(task, o.holdNs);
        add(task, mode === 'read' ? 'hold read' : 'hold write', t, sim.now);
        yield* lock.release(task, mode);
        yield* sched.compute(task, o.thinkNs > 0 ? rng.exponential(o.thinkNs) : 0, true);
      }
    }, { cpu: i % machine.ncpus });
  }
  sim.run();
  env.finalCheck();
  intervals.sort((a, b) => a.startNs - b.startNs || (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));
  const totals = { 'hold write': 0, 'hold read': 0, spin: 0, sleep: 0, acquisitions };
  for (const iv of intervals) totals[iv.state] += iv.endNs - iv.startNs;
  return { options: o, intervals, totals };
}
