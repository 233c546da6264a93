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
 * the measured window is the whole run — CPU shares are of ncpus × elapsed time.
 *
 * Results depend only on the config (seed included): nothing reads the clock or global state.
 */
import { Simulation } from '../engine';
import { Scheduler, BUSY, SPIN, type Cpu } from '../sched';
import { LockEnv, type LockStatRow } from '../locking';
import { kernelLock, type WorkloadContext } from '../workloads';
import { resolveRunConfig, type ResolvedRun, type RunConfig, type RunConfigInput } from './config';
import { provenance, type Provenance } from './provenance';

/** One sample of a run's trace: figures over the interval that ends at `t_ms`. */
export interface TracePoint {
  t_ms: number;
  cpu_busy_share: number;
  cpu_spin_share: number;
  lock_acquisitions: number;
  lock_contentions: number;
}

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

interface CpuSnap { busy: number; spin: number }

function cpuTimes(cpus: readonly Cpu[], now: number): CpuSnap {
  let busy = 0, spin = 0;
  for (const c of cpus) {
    busy += c.time.busy + (c.activity === BUSY ? now - c.activitySince : 0);
    spin += c.time.spin + (c.activity === SPIN ? now - c.activitySince : 0);
  }
  return { busy, spin };
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
  // a run-to-completion workload (WorkloadDef.timing): the window is [0, end of the run],
  // its end known once the run is over; duration.ms is not used (see registry.ts)
  const completion = workload.timing === 'completion';
  const startNs = completion ? 0 : config.duration.warmupMs * 1e6;
  let durationNs = completion ? Infinity : config.duration.ms * 1e6;
  let endNs = startNs + durationNs;
  const maxEvents = config.duration.maxEvents ?? Infinity;
  const trace: TracePoint[] | null = config.options.trace ? [] : null;
  const traceStep = config.options.trace ? config.options.trace.intervalMs * 1e6 : Infinity;

  let ran = false;
  let stoppedEarly = 0;
  let drainTimeout = 0;
  let abandoned = 0;
  let lockstatAtEnd: LockStatRow[] | null = null;
  let cpuStart: CpuSnap = { busy: 0, spin: 0 };
  let cpuEnd: CpuSnap = { busy: 0, spin: 0 };
  const schedCounts = () => {
    const t = sched.totalStats();
    return { switches: t.switches, wakeups: t.wakeups, migrations: t.migrations, preemptions: t.preemptions, cpu: t.cpu, spin: t.spin, user: t.user, sleep: t.sleep, queued: t.queued };
  };
  let schedStart = schedCounts();
  let schedEnd = schedStart;

  const lockTotals = () => {
    let acq = 0, cont = 0;
    for (const sites of env.stat.classes.values()) {
      for (const s of sites.values()) {
        acq += s.acquisitions.read + s.acquisitions.write;
        cont += s.contentions.read + s.contentions.write;
      }
    }
    return { acq, cont };
  };

  /** run to `until` in steps, honouring maxEvents; false if a stop rule fired */
  const runTo = (until: number): boolean => {
    while (sim.now < until || until === Infinity) {
      if (sim.eventCount >= maxEvents) return false;
      if (sim.pending === 0) return true;
      const step = Math.min(until, sim.now + 1e5);
      sim.run(step);
    }
    return true;
  };

  const ctx: WorkloadContext = {
    sim, sched, machine, kernel, env,
    seed: config.seed,
    params: Object.freeze({ ...config.params }),
    startNs,
    get endNs() { return endNs; },
    get durationNs() { return durationNs; },
    measuring: () => sim.now >= startNs && sim.now <= endNs,
    lockstat: () => lockstatAtEnd ?? env.rows(),
    rng: (name) => sim.rng(`workload.${name}`),
    lock: (cls, name) => kernelLock(env, kernel, cls, name),
    run(untilNs?: number) {
      if (ran) throw new Error(`workload ${workload.name}: ctx.run() called twice`);
      ran = true;
      if (untilNs !== undefined && !completion) throw new Error(`workload ${workload.name}: ctx.run(untilNs) is for run-to-completion workloads only`);
      if (completion) {
        sim.run(untilNs ?? Infinity, maxEvents);
        // events left: maxEvents fired, or the workload ended its run early (untilNs, sim.stop())
        if (sim.pending > 0) {
          if (sim.eventCount >= maxEvents) stoppedEarly = 1;
          else abandoned = 1;
        }
        endNs = durationNs = sim.now;
        cpuEnd = cpuTimes(sched.cpus, sim.now);
        schedEnd = schedCounts();
        lockstatAtEnd = env.rows();
        return;
      }
      let ok = true;
      if (startNs > 0) {
        ok = runTo(startNs);
        env.stat.classes.clear();
        cpuStart = cpuTimes(sched.cpus, startNs);
        schedStart = schedCounts();
      }
      let last = { t: startNs, cpu: cpuStart, lock: lockTotals() };
      for (let t = startNs; ok && t < endNs;) {
        t = Math.min(endNs, t + traceStep);
        ok = runTo(t);
        if (trace) {
          const now = Math.min(sim.now, t);
          const cpu = cpuTimes(sched.cpus, now);
          const lock = lockTotals();
          const span = (now - last.t) * sched.cpus.length;
          trace.push({
            t_ms: now / 1e6,
            cpu_busy_share: span ? (cpu.busy - last.cpu.busy) / span : 0,
            cpu_spin_share: span ? (cpu.spin - last.cpu.spin) / span : 0,
            lock_acquisitions: lock.acq - last.lock.acq,
            lock_contentions: lock.cont - last.lock.cont,
          });
          last = { t: now, cpu, lock };
        }
      }
      cpuEnd = cpuTimes(sched.cpus, Math.min(sim.now, endNs));
      schedEnd = schedCounts();
      lockstatAtEnd = env.rows();
      // drain: let tasks finish the operation they are in and exit
      if (ok) ok = runTo(endNs + Math.max(durationNs, 1e7));
      if (!ok) stoppedEarly = 1;
      else if (sim.pending > 0) drainTimeout = 1;
    },
  };

  const out = workload.run(ctx);
  if (!ran) throw new Error(`workload ${workload.name}: run() returned without calling ctx.run()`);
  if (config.options.checks && !stoppedEarly && !drainTimeout && !abandoned) env.finalCheck();

  const cpuSpan = durationNs * sched.cpus.length;
  const counters: Record<string, number> = {
    cpu_busy_share: cpuSpan ? (cpuEnd.busy - cpuStart.busy) / cpuSpan : 0,
    cpu_spin_share: cpuSpan ? (cpuEnd.spin - cpuStart.spin) / cpuSpan : 0,
    cpu_idle_share: cpuSpan ? 1 - (cpuEnd.busy - cpuStart.busy + cpuEnd.spin - cpuStart.spin) / cpuSpan : 0,
    sched_switches: schedEnd.switches - schedStart.switches,
    sched_wakeups: schedEnd.wakeups - schedStart.wakeups,
    sched_migrations: schedEnd.migrations - schedStart.migrations,
    sched_preemptions: schedEnd.preemptions - schedStart.preemptions,
    task_cpu_s: (schedEnd.cpu - schedStart.cpu) / 1e9,
    task_spin_s: (schedEnd.spin - schedStart.spin) / 1e9,
    task_sleep_s: (schedEnd.sleep - schedStart.sleep) / 1e9,
    task_queued_s: (schedEnd.queued - schedStart.queued) / 1e9,
    ...timeBreakdown(schedEnd.cpu - schedStart.cpu, schedEnd.spin - schedStart.spin, schedEnd.user - schedStart.user,
      schedEnd.sleep - schedStart.sleep, lockstatAtEnd ?? env.rows()),
    lock_waiting_at_end: waitingAtEnd(lockstatAtEnd ?? env.rows()),
    sim_events: sim.eventCount,
    stopped_early: stoppedEarly,
    drain_timeout: drainTimeout,
    abandoned,
  };
  for (const [k, v] of Object.entries(out.counters ?? {})) counters[k in counters ? `workload_${k}` : k] = v;
  const metrics: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(out.metrics)) metrics[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  return { metrics, counters, lockstat: lockstatAtEnd ?? env.rows(), trace };
}

/** acquisitions still waiting in lockstat rows taken at the end of the window */
function waitingAtEnd(rows: readonly LockStatRow[]): number {
  let n = 0;
  for (const r of rows) n += r.waitingRead + r.waitingWrite;
  return n;
}

/**
 * Where the tasks' time went (ns in, seconds out): CPU time split into user, kernel (not
 * spinning) and spinning per lock class; sleep per lock class (lockstat's sleep of
 * acquisitions that completed in the window) and the rest (`task_sleep_other_s`: I/O,
 * wait4, sleep(), migration-entry waits, …). User time includes stalls owed by folded lock
 * fast paths that a user-mode compute paid.
 */
export function timeBreakdown(cpu: number, spin: number, user: number, sleep: number, lockstat: readonly LockStatRow[]): Record<string, number> {
  const spinBy = new Map<string, number>(), sleepBy = new Map<string, number>();
  for (const r of lockstat) {
    spinBy.set(r.lockClass, (spinBy.get(r.lockClass) ?? 0) + r.spinNs);
    sleepBy.set(r.lockClass, (sleepBy.get(r.lockClass) ?? 0) + r.sleepNs);
  }
  const out: Record<string, number> = { task_user_s: user / 1e9, task_kernel_s: (cpu - spin - user) / 1e9 };
  for (const c of [...spinBy.keys()].sort()) out[`task_spin_${c}_s`] = spinBy.get(c)! / 1e9;
  let lockSleep = 0;
  for (const c of [...sleepBy.keys()].sort()) {
    out[`task_sleep_${c}_s`] = sleepBy.get(c)! / 1e9;
    lockSleep += sleepBy.get(c)!;
  }
  out.task_sleep_other_s = Math.max(0, sleep - lockSleep) / 1e9;
  return out;
}
