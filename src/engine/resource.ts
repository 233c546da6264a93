import type { Process, Waitable } from './process';
import type { Simulation } from './simulation';

/**
 * A shared resource with `capacity` identical units, served first come first served
 * (SimPy's `Resource`): `yield res.request()` waits for a unit, `res.release()` gives it
 * back. Built only from engine wake-ups: a grant resumes the requester at the current
 * time (zero delay, after everything already due now).
 *
 * A released unit passes straight to the oldest waiter, so a request made at the same
 * instant cannot overtake the queue. A waiter whose wait was abandoned (interrupted) is
 * skipped when its turn comes. An interrupt arriving after the grant but before the
 * process resumed leaves it holding the unit, as in SimPy: release it in the handler.
 */
export class Resource {
  /** units in use */
  private users = 0;
  // FIFO of waiters: parallel arrays from `head` on (compacted when half consumed)
  private procs: Process[] = [];
  private ids: number[] = [];
  private head = 0;
  private readonly req: Waitable<void>;

  constructor(readonly sim: Simulation, readonly capacity = 1) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`Resource: capacity must be an integer >= 1, got ${capacity}`);
    }
    this.req = { subscribe: (p, id) => this.subscribe(p, id) };
  }

  /** A waitable that fires once a unit is granted to the process yielding it. */
  request(): Waitable<void> {
    return this.req;
  }

  /** Give back one unit: to the oldest live waiter, or to the pool. */
  release(): void {
    if (this.users === 0) throw new Error('Resource.release: no unit is in use');
    while (this.head < this.procs.length) {
      const p = this.procs[this.head], id = this.ids[this.head];
      this.head++;
      if (this.sim.wake(p, id)) {
        this.compact();
        return; // the unit changes hands; users unchanged
      }
    }
    this.compact();
    this.users--;
  }

  /** Units in use. */
  get count(): number {
    return this.users;
  }

  /** Processes waiting for a unit (including abandoned waits not yet skipped). */
  get queueLength(): number {
    return this.procs.length - this.head;
  }

  private subscribe(p: Process, id: number): void {
    if (this.users < this.capacity && this.head === this.procs.length) {
      this.users++;
      this.sim.wake(p, id);
    } else {
      this.procs.push(p);
      this.ids.push(id);
    }
  }

  private compact(): void {
    if (this.head === this.procs.length) {
      this.procs.length = this.ids.length = this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.procs.length) {
      this.procs.splice(0, this.head);
      this.ids.splice(0, this.head);
      this.head = 0;
    }
  }
}
