/**
 * One run: build the simulation, scheduler, lock environment and kernel for a config, hand
 * them to the workload, drive the simulation through warm-up, measured window and drain,
 * and collect the workload's metrics plus the workload-independent figures:
 *
 * - counters over the measured window: CPU time shares (`cpu_busy_share`, `cpu_spin_share`,
 *   `cpu_idle_share` of ncpus × duration), scheduler events (`sched_switches`,
 *   `sched_wakeups`, `sched_migrations`, `sched_preemptions`), where the tasks' time went
 *   (`task_cpu_s` on a CPU, spinning included, `task_spin_s` spinning, `task_sleep_s` asleep, `task_queued_s`
 *   runnable but waiting for a CPU: summed over tasks, counted when a state ends, so a task
 *   still asleep at the end has its last sleep left out), and `sim_events` (whole run),
 *   `stopped_early` (1 if duration.maxEvents cut the run short), `drain_timeout` (1 if events
 *   were still pending a duration (at least 10 ms) after the window: tasks that never exit),
 *   `lock_waiting_at_end` (lock acquisitions still waiting, spinning or asleep, at the end
 *   of the window: lockstat's contentions count only waits that ended in an acquisition),
 *   plus the workload's own counters;
 * - lockstat per lock class and call site over the measured window (a hold that spans the
 *   end of the warm-up is not counted);
 * - with `options.trace`, a time series of CPU shares and lock acquisitions per interval.
 *
 * A run-to-completion workload (`timing: 'completion'`, the mm_paths scenarios) has no
 * warm-up, drain or trace: the simulation runs until no event is left (or maxEvents), and
 * the measured window is the whole run — CPU shares are of ncpus × elapsed time — unless
 * the workload starts a window of its own with `ctx.restartMeasuring()` (aim7: at its start
 * signal, or where its steady-state window opens): then every counter and lockstat run from
 * there to the end, one interval for all.
 *
 * Results depend only on the config (seed included): nothing reads the clock or global state.
 */
import { Simulation } from '../engine';
import { Scheduler } from '../sched';
import { LockEnv, type LockStatRow } from '../locking';
import { kernelLock, type WorkloadContext } from '../workloads';
import { resolveRunConfig, type ResolvedRun, type RunConfig, type RunConfigInput } from './config';
import { provenance, type Provenance } from './provenance';
import { MeasurementWindow, type TracePoint } from './window';

export { timeBreakdown, type TracePoint } from './window';

/** What one run measured. Deterministic given the effective config. */
export interface RunMeasurement {
  /** the workload's metrics (null = undefined for this run, e.g. a mean over no operations) */
  metrics: Record<string, number | null>;
  /** event counts and shares, workload-independent ones first */
  counters: Record<string, number>;
  /** lockstat over the measured window, by class then site */
  lockstat: LockStatRow[];
  /** with options.trace: the time series; else null */
  trace: TracePoint[] | null;
}

export interface RunResult extends RunMeasurement {
  /** the effective config (defaults filled in) */
  config: RunConfig;
  /** hash of the effective config without the seed */
  configHash: string;
  provenance: Provenance & { wallSeconds: number };
}

/** Run one simulation. Throws ConfigError for a bad config (nothing is run). */
export function run(config: RunConfigInput): RunResult {
  const resolved = resolveRunConfig(config);
  const t0 = process.hrtime.bigint();
  const m = measure(resolved);
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { config: resolved.config, configHash: resolved.configHash, ...m, provenance: { ...provenance(), wallSeconds } };
}

/** The measurement of a validated config (what a sweep worker calls). */
export function measure(r: ResolvedRun): RunMeasurement {
  const { config, machine, kernel, workload } = r;
  const sim = new Simulation(config.seed);
  const sched = new Scheduler(sim, machine, config.options.sched);
  const env = new LockEnv(sim, sched, {
    checks: config.options.checks,
    exactLockTiming: config.options.exactLockTiming ?? false,
    exactRmapWalks: config.options.exactRmapWalks ?? false,
  });
  const win = new MeasurementWindow(sim, sched, env, config, workload.timing === 'completion');
  let ran = false;
  const ctx: WorkloadContext = {
    sim, sched, machine, kernel, env,
    seed: config.seed,
    params: Object.freeze({ ...config.params }),
    startNs: win.startNs,
    get endNs() { return win.endNs; },
    get durationNs() { return win.durationNs; },
    measuring: () => sim.now >= win.startNs && sim.now <= win.endNs,
    lockstat: () => win.lockstat(),
    restartMeasuring: () => win.restartAt(sim.now),
    rng: (name) => sim.rng(`workload.${name}`),
    lock: (cls, name) => kernelLock(env, kernel, cls, name),
    run(untilNs?: number) {
      if (ran) throw new Error(`workload ${workload.name}: ctx.run() called twice`);
      ran = true;
      if (untilNs !== undefined && !win.completion) throw new Error(`workload ${workload.name}: ctx.run(untilNs) is for run-to-completion workloads only`);
      win.run(untilNs);
    },
  };

  const out = workload.run(ctx);
  if (!ran) throw new Error(`workload ${workload.name}: run() returned without calling ctx.run()`);
  if (config.options.checks && !win.stoppedEarly && !win.drainTimeout && !win.abandoned) env.finalCheck();

  const counters = win.counters();
  for (const [k, v] of Object.entries(out.counters ?? {})) counters[k in counters ? `workload_${k}` : k] = v;
  const metrics: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(out.metrics)) metrics[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  return { metrics, counters, lockstat: win.lockstat(), trace: win.trace };
}
