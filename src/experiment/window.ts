/**
 * The measurement window of one run (what run.ts's measure() drives): warm-up, the
 * measured window with its trace, the drain, and the figures taken at the window's edges
 * (CPU time, scheduler totals, lockstat) from which the workload-independent counters are
 * computed. A fixed-duration workload's window is [warmupMs, warmupMs + ms]; a
 * run-to-completion workload's is [0, end of the run], its end known once the run is over.
 *
 * Lifecycle: construct, hand `startNs`/`endNs`/`durationNs`/`measuring`/`lockstat` to the
 * workload's context, call `run()` once (from ctx.run), then read `counters()`.
 */
import type { Simulation } from '../engine';
import { BUSY, SPIN, type Cpu, type Scheduler } from '../sched';
import type { LockEnv, LockStatRow } from '../locking';
import type { RunConfig } from './config';

/** One sample of a run's trace: figures over the interval that ends at `t_ms`. */
export interface TracePoint {
  t_ms: number;
  cpu_busy_share: number;
  cpu_spin_share: number;
  lock_acquisitions: number;
  lock_contentions: number;
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

interface SchedSnap { switches: number; wakeups: number; migrations: number; preemptions: number; cpu: number; spin: number; user: number; sleep: number; queued: number }

/** A window edge: CPU time and scheduler totals at one instant. */
interface Edge { cpu: CpuSnap; sched: SchedSnap }

export class MeasurementWindow {
  /** start of the window (ns): the end of the warm-up; 0 for a run-to-completion workload */
  readonly startNs: number;
  /** length of the window (ns); for a run-to-completion workload Infinity until the run ends */
  durationNs: number;
  /** end of the window (ns) */
  endNs: number;
  /** with options.trace: the time series; else null */
  readonly trace: TracePoint[] | null;
  /** 1 if duration.maxEvents cut the run short */
  stoppedEarly = 0;
  /** 1 if events were still pending a duration (at least 10 ms) after the window */
  drainTimeout = 0;
  /** 1 if a run-to-completion workload ended its run with events left (untilNs, sim.stop()) */
  abandoned = 0;
  private readonly maxEvents: number;
  private readonly traceStep: number;
  private start: Edge;
  private end: Edge;
  private lockstatAtEnd: LockStatRow[] | null = null;
  /** a run-to-completion workload's own window start (restartAt), 0 if it has none */
  private fromNs = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly sched: Scheduler,
    private readonly env: LockEnv,
    config: RunConfig,
    /** a run-to-completion workload (WorkloadDef.timing); duration.ms is not used (see registry.ts) */
    readonly completion: boolean,
  ) {
    this.startNs = completion ? 0 : config.duration.warmupMs * 1e6;
    this.durationNs = completion ? Infinity : config.duration.ms * 1e6;
    this.endNs = this.startNs + this.durationNs;
    this.maxEvents = config.duration.maxEvents ?? Infinity;
    this.trace = config.options.trace ? [] : null;
    this.traceStep = config.options.trace ? config.options.trace.intervalMs * 1e6 : Infinity;
    this.start = { cpu: { busy: 0, spin: 0 }, sched: this.schedCounts() };
    this.end = this.start;
  }

  /**
   * A run-to-completion workload that measures a window of its own (aim7's steady-state
   * estimate) starts it here: lockstat and the CPU and scheduler figures restart at `now`, so
   * the time breakdown (task time per lock class against all task time) covers one interval.
   * (Was: only lockstat was cleared, so per-lock spin and sleep covered the window while
   * task_spin_s and the CPU shares covered the whole run from 0.)
   */
  restartAt(now: number): void {
    if (!this.completion) throw new Error('restartAt: only a run-to-completion workload chooses its own window');
    this.env.stat.classes.clear();
    this.fromNs = now;
    this.start = this.edge(now);
  }

  /** lockstat over the window: taken at its end once reached, else the current rows */
  lockstat(): LockStatRow[] {
    return this.lockstatAtEnd ?? this.env.rows();
  }

  /** Run the simulation through the window (ctx.run); `untilNs` only for run-to-completion workloads. */
  run(untilNs: number | undefined): void {
    if (this.completion) this.runToCompletion(untilNs);
    else this.runWindow();
  }

  private schedCounts(): SchedSnap {
    const t = this.sched.totalStats();
    return { switches: t.switches, wakeups: t.wakeups, migrations: t.migrations, preemptions: t.preemptions, cpu: t.cpu, spin: t.spin, user: t.user, sleep: t.sleep, queued: t.queued };
  }

  private edge(now: number): Edge {
    return { cpu: cpuTimes(this.sched.cpus, now), sched: this.schedCounts() };
  }

  private lockTotals(): { acq: number; cont: number } {
    let acq = 0, cont = 0;
    for (const sites of this.env.stat.classes.values()) {
      for (const s of sites.values()) {
        acq += s.acquisitions.read + s.acquisitions.write;
        cont += s.contentions.read + s.contentions.write;
      }
    }
    return { acq, cont };
  }

  /** run to `until` in steps, honouring maxEvents; false if a stop rule fired */
  private runTo(until: number): boolean {
    const sim = this.sim;
    while (sim.now < until || until === Infinity) {
      if (sim.eventCount >= this.maxEvents) return false;
      if (sim.pending === 0) return true;
      const step = Math.min(until, sim.now + 1e5);
      sim.run(step);
    }
    return true;
  }

  private runToCompletion(untilNs: number | undefined): void {
    const sim = this.sim;
    sim.run(untilNs ?? Infinity, this.maxEvents);
    // events left: maxEvents fired, or the workload ended its run early (untilNs, sim.stop())
    if (sim.pending > 0) {
      if (sim.eventCount >= this.maxEvents) this.stoppedEarly = 1;
      else this.abandoned = 1;
    }
    this.endNs = sim.now;
    this.durationNs = sim.now - this.fromNs;
    this.end = this.edge(sim.now);
    this.lockstatAtEnd = this.env.rows();
  }

  private runWindow(): void {
    const { sim, startNs, endNs } = this;
    let ok = true;
    if (startNs > 0) {
      ok = this.runTo(startNs);
      this.env.stat.classes.clear();
      this.start = this.edge(startNs);
    }
    let last = { t: startNs, cpu: this.start.cpu, lock: this.lockTotals() };
    for (let t = startNs; ok && t < endNs;) {
      t = Math.min(endNs, t + this.traceStep);
      ok = this.runTo(t);
      if (this.trace) last = this.tracePoint(t, last);
    }
    this.end = this.edge(Math.min(sim.now, endNs));
    this.lockstatAtEnd = this.env.rows();
    // drain: let tasks finish the operation they are in and exit
    if (ok) ok = this.runTo(endNs + Math.max(this.durationNs, 1e7));
    if (!ok) this.stoppedEarly = 1;
    else if (sim.pending > 0) this.drainTimeout = 1;
  }

  /** push the trace sample of the interval that ends at `t` (or now, if the run stopped first) */
  private tracePoint(t: number, last: { t: number; cpu: CpuSnap; lock: { acq: number; cont: number } }): typeof last {
    const now = Math.min(this.sim.now, t);
    const cpu = cpuTimes(this.sched.cpus, now);
    const lock = this.lockTotals();
    const span = (now - last.t) * this.sched.cpus.length;
    this.trace!.push({
      t_ms: now / 1e6,
      cpu_busy_share: span ? (cpu.busy - last.cpu.busy) / span : 0,
      cpu_spin_share: span ? (cpu.spin - last.cpu.spin) / span : 0,
      lock_acquisitions: lock.acq - last.lock.acq,
      lock_contentions: lock.cont - last.lock.cont,
    });
    return { t: now, cpu, lock };
  }

  /** The workload-independent counters over the window (see run.ts), in their order. */
  counters(): Record<string, number> {
    const { start: { cpu: c0, sched: s0 }, end: { cpu: c1, sched: s1 } } = this;
    const cpuSpan = this.durationNs * this.sched.cpus.length;
    const lockstat = this.lockstat();
    return {
      cpu_busy_share: cpuSpan ? (c1.busy - c0.busy) / cpuSpan : 0,
      cpu_spin_share: cpuSpan ? (c1.spin - c0.spin) / cpuSpan : 0,
      cpu_idle_share: cpuSpan ? 1 - (c1.busy - c0.busy + c1.spin - c0.spin) / cpuSpan : 0,
      sched_switches: s1.switches - s0.switches,
      sched_wakeups: s1.wakeups - s0.wakeups,
      sched_migrations: s1.migrations - s0.migrations,
      sched_preemptions: s1.preemptions - s0.preemptions,
      task_cpu_s: (s1.cpu - s0.cpu) / 1e9,
      task_spin_s: (s1.spin - s0.spin) / 1e9,
      task_sleep_s: (s1.sleep - s0.sleep) / 1e9,
      task_queued_s: (s1.queued - s0.queued) / 1e9,
      ...timeBreakdown(s1.cpu - s0.cpu, s1.spin - s0.spin, s1.user - s0.user, s1.sleep - s0.sleep, lockstat),
      lock_waiting_at_end: waitingAtEnd(lockstat),
      sim_events: this.sim.eventCount,
      stopped_early: this.stoppedEarly,
      drain_timeout: this.drainTimeout,
      abandoned: this.abandoned,
    };
  }
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
