import type { Process, Waitable } from './process';
import type { Simulation } from './simulation';

/**
 * A one-shot event (SimPy's `Event`): processes that yield it sleep until `succeed`
 * is called; yielding an event that already fired resumes at once (zero delay).
 * Waiters resume in the order they subscribed.
 */
export class SimEvent<V = unknown> implements Waitable<V> {
  triggered = false;
  value: V | undefined = undefined;
  private procs: Process[] = [];
  private ids: number[] = [];

  constructor(readonly sim: Simulation) {}

  subscribe(proc: Process, waitId: number): void {
    if (this.triggered) {
      this.sim.wake(proc, waitId, this.value);
      return;
    }
    this.procs.push(proc);
    this.ids.push(waitId);
  }

  succeed(value?: V): this {
    if (this.triggered) throw new Error('SimEvent.succeed: event already triggered');
    this.triggered = true;
    this.value = value;
    const procs = this.procs, ids = this.ids;
    this.procs = [];
    this.ids = [];
    for (let i = 0; i < procs.length; i++) this.sim.wake(procs[i], ids[i], value);
    return this;
  }

  get waiting(): number {
    return this.procs.length;
  }
}

/**
 * A reusable wait point for exactly one process at a time: the building block the
 * scheduler and the locks use to park a task and wake it later. Cheaper than a
 * SimEvent per wait: no allocation, and a stale `signal` is ignored by id.
 */
export class Parking implements Waitable {
  proc: Process | null = null;
  waitId = 0;
  constructor(readonly sim: Simulation) {}
  subscribe(proc: Process, waitId: number): void {
    this.proc = proc;
    this.waitId = waitId;
  }
  /** Is a process parked here and not yet signalled? */
  get occupied(): boolean {
    return this.proc !== null && this.proc.wait === this.waitId;
  }
  /** Resume the parked process (zero delay) with `value`. No-op if nobody is parked. */
  signal(value?: unknown): boolean {
    const p = this.proc;
    if (p === null) return false;
    this.proc = null;
    return this.sim.wake(p, this.waitId, value);
  }
}
