import { Simulation } from '../../src/engine';
import { loadMachine, Machine, type MachineSpec } from '../../src/hw';
import { Scheduler } from '../../src/sched';
import { LockEnv, Mutex, RwSem, SpinLock, type LockMode } from '../../src/locking';

export type Kind = 'mutex' | 'rwsem' | 'spinlock';

export function machine(sockets = 4, cores = 15, threads = 2): Machine {
  const base = loadMachine('ivybridge-ex-4s').spec;
  const spec: MachineSpec = { ...base, name: 'test', sockets, coresPerSocket: cores, threadsPerCore: threads, nodeDistance: undefined };
  return new Machine(spec);
}

export interface HammerResult {
  ops: number;
  now: number;
  env: LockEnv;
  sim: Simulation;
  sched: Scheduler;
}

/**
 * N tasks each doing `iters` × { acquire (write with probability pWrite), hold, release, think }.
 * Checking mode on: any invariant break throws.
 */
export function hammer(opts: {
  kind: Kind; tasks: number; iters: number; pWrite?: number; hold?: number; think?: number;
  seed?: number; m?: Machine; lockOptions?: Record<string, boolean>; checks?: boolean;
  /** LockEnv.exactLockTiming; default true here: exact kernel timing (false: fold uncontended lock work) */
  exactLockTiming?: boolean;
}): HammerResult {
  const sim = new Simulation(opts.seed ?? 1);
  const sched = new Scheduler(sim, opts.m ?? machine());
  const env = new LockEnv(sim, sched, { checks: opts.checks ?? true, exactLockTiming: opts.exactLockTiming ?? true });
  const cls = { name: 'test_lock', rank: 1 };
  const lock = opts.kind === 'mutex' ? new Mutex(env, cls, 'L', opts.lockOptions)
    : opts.kind === 'rwsem' ? new RwSem(env, cls, 'L', opts.lockOptions)
    : new SpinLock(env, cls, 'L');
  const rng = sim.rng('hammer');
  let ops = 0;
  const pWrite = opts.kind === 'rwsem' ? (opts.pWrite ?? 0.5) : 1;
  for (let i = 0; i < opts.tasks; i++) {
    sched.spawn(`t${i}`, function* (t) {
      for (let k = 0; k < opts.iters; k++) {
        const mode: LockMode = rng.chance(pWrite) ? 'write' : 'read';
        yield* lock.acquire(t, mode, mode === 'read' ? 'reader_site' : 'writer_site');
        yield* sched.compute(t, rng.exponential(opts.hold ?? 200));
        yield* lock.release(t, mode);
        ops++;
        const think = opts.think ?? 500;
        if (think > 0) yield* sched.compute(t, rng.exponential(think));
      }
    });
  }
  sim.run();
  env.finalCheck();
  return { ops, now: sim.now, env, sim, sched };
}
