import { Simulation, type Proc } from '../../src/engine';
import { loadMachine } from '../../src/hw';
import { Scheduler, type Task } from '../../src/sched';
import { LockEnv } from '../../src/locking';
import { resolveKernel } from '../../src/kernel';
import { MmContext } from '../../src/mm';

/** A small simulated kernel for mm tests: checking mode on (invariants + lock order). */
export function kernelSim(kernel = '3.18-rc1', opts: { seed?: number; machine?: string; checks?: boolean } = {}) {
  const sim = new Simulation(opts.seed ?? 1);
  const sched = new Scheduler(sim, loadMachine(opts.machine ?? 'ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched, { checks: opts.checks ?? true });
  const ctx = new MmContext(sim, sched, env, resolveKernel(kernel));
  /** run `body` as a task and the simulation to the end; returns what body returned */
  function runTask<R>(body: (t: Task) => Proc<R>, name = 'task'): R {
    let out: R | undefined;
    sched.spawn(name, function* (t) { out = yield* body(t); });
    sim.run();
    env.finalCheck();
    return out as R;
  }
  return { sim, sched, env, ctx, runTask };
}

/** lockstat acquisitions of class/site as "mode" list, for asserting which locks an op took */
export function siteAcquisitions(env: LockEnv, cls: string): Record<string, { read: number; write: number }> {
  const out: Record<string, { read: number; write: number }> = {};
  for (const [site, s] of env.stat.classes.get(cls) ?? []) out[site] = { ...s.acquisitions };
  return out;
}
