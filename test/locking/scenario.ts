/**
 * Small deterministic lock scenarios: a few tasks pinned to chosen CPUs of a small
 * machine (no SMT unless asked, so work runs at full speed), checking mode on, and a
 * log of what happened when.
 *
 * Timing facts the hand-worked scenarios rely on (defaults of SchedParams):
 * - a task spawned on an idle CPU starts its body after one context switch (2000 ns);
 * - a sleeping task woken onto an idle CPU runs again idleWakeLatency + contextSwitch
 *   (5000 + 2000 ns) later;
 * - lock-word accesses cost what CacheLine charges (memory 135 ns the first time, 40 ns
 *   from another core of the socket, 130 ns from another socket, 1.5 ns on a hit).
 */
import { Simulation, type Proc } from '../../src/engine';
import type { Machine } from '../../src/hw';
import { Scheduler, type Task, type SchedParams } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { machine } from './harness';

export interface Rig {
  sim: Simulation;
  sched: Scheduler;
  env: LockEnv;
  m: Machine;
  /** [time, text] in the order things happened */
  events: [number, string][];
  /** append `text` at the current time */
  log(text: string): void;
  /** the texts only */
  order(): string[];
  /** time of the first event whose text is `text` (throws if none) */
  when(text: string): number;
  /** spawn a task pinned to `cpu` */
  task(name: string, cpu: number, body: (t: Task) => Proc<unknown>): Task;
  /** compute `ns` of kernel work */
  work(t: Task, ns: number): Proc;
}

export function rig(opts: {
  sockets?: number; cores?: number; threads?: number; m?: Machine; seed?: number;
  checks?: boolean; sched?: Partial<SchedParams>;
  /** LockEnv.exactLockTiming; default true here: exact kernel timing (false: fold uncontended lock work) */
  exactLockTiming?: boolean;
} = {}): Rig {
  const sim = new Simulation(opts.seed ?? 1);
  const m = opts.m ?? machine(opts.sockets ?? 1, opts.cores ?? 4, opts.threads ?? 1);
  const sched = new Scheduler(sim, m, opts.sched);
  const env = new LockEnv(sim, sched, { checks: opts.checks ?? true, exactLockTiming: opts.exactLockTiming ?? true });
  const events: [number, string][] = [];
  const r: Rig = {
    sim, sched, env, m, events,
    log: (text) => { events.push([sim.now, text]); },
    order: () => events.map((e) => e[1]),
    when: (text) => {
      const e = events.find((x) => x[1] === text);
      if (!e) throw new Error(`no event ${JSON.stringify(text)} in ${JSON.stringify(events)}`);
      return e[0];
    },
    task: (name, cpu, body) => sched.spawn(name, body, { cpu }),
    work: (t, ns) => sched.compute(t, ns),
  };
  return r;
}

/** |a − b| <= tol */
export function near(a: number, b: number, tol = 1e-6): boolean {
  return Math.abs(a - b) <= tol;
}
