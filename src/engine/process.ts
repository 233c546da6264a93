import type { Simulation } from './simulation';

/**
 * Something a process can `yield` to wait on (SimPy's events). `subscribe` is called
 * with the process and the id of its current wait; the waitable later calls
 * `sim.wake(process, waitId, value)`. A wake for an id that is no longer current (the
 * wait was cancelled or already woken) is ignored, so waitables need no unsubscribe.
 */
export interface Waitable<V = unknown> {
  subscribe(proc: Process, waitId: number): void;
  /** phantom: the value a process receives when woken */
  readonly __value?: V;
}

/** What a process body may yield: a delay in virtual ns, or a waitable. */
export type Yieldable = number | Waitable;

/** A process body: a generator, as in SimPy. `yield 10` waits 10 ns. */
export type ProcessBody<R = unknown> = Generator<Yieldable, R, any>;

/**
 * A step of a simulated activity written as a generator and run with `yield*` from a
 * process body (a lock operation, a page fault, a syscall): it yields what the engine and
 * scheduler wait on and returns `R`. The model's layers are made of these.
 */
export type Proc<R = void> = Generator<unknown, R, unknown>;

/** Thrown into a process body by `sim.interrupt`. */
export class Interrupt extends Error {
  constructor(override readonly cause: unknown) {
    super('interrupted');
  }
}

/** A running generator. Created by `sim.process()`. */
export class Process<R = unknown> {
  /** id of the wait in progress (0 while running or done). */
  wait = 0;
  /** handle of this process in the simulation's event queue */
  slot = 0;
  /** value passed to the body when the current wait ends. */
  resumeValue: unknown = undefined;
  /** pending error to throw into the body instead (interrupt). */
  resumeError: unknown = undefined;
  done = false;
  result: R | undefined = undefined;
  private joiners: number[] | null = null;
  private joinProcs: Process[] | null = null;
  /** free slot for the layer that owns this process (e.g. the scheduler's task). */
  owner: unknown = undefined;

  constructor(
    readonly sim: Simulation,
    readonly id: number,
    readonly name: string,
    private readonly body: ProcessBody<R>,
  ) {}

  /** Run the body until its next yield. Called by the simulation only. */
  step(): void {
    const sim = this.sim;
    let r: IteratorResult<Yieldable, R>;
    const value = this.resumeValue;
    this.resumeValue = undefined;
    const prev = sim.active;
    sim.active = this;
    try {
      if (this.resumeError !== undefined) {
        const e = this.resumeError;
        this.resumeError = undefined;
        r = this.body.throw(e);
      } else {
        r = this.body.next(value);
      }
    } catch (e) {
      sim.active = prev;
      this.done = true;
      throw this.annotate(e);
    }
    sim.active = prev;
    if (r.done) {
      this.finish(r.value);
      return;
    }
    const y = r.value;
    if (typeof y === 'number') {
      sim.sleep(this, y);
    } else if (y !== null && typeof y === 'object' && typeof y.subscribe === 'function') {
      const id = sim.newWaitId();
      this.wait = id;
      y.subscribe(this, id);
    } else {
      throw new TypeError(
        `process ${this.name} yielded ${String(y)}: yield a delay in ns (number >= 0) or a Waitable`,
      );
    }
  }

  /** Name the process and the time in an error escaping the body (once). */
  private annotate(e: unknown): unknown {
    if (e instanceof Error && !(e as { simProcess?: string }).simProcess) {
      (e as { simProcess?: string }).simProcess = this.name;
      e.message = `${e.message} (in process ${this.name} at t=${this.sim.now} ns)`;
    }
    return e;
  }

  private finish(value: R): void {
    this.done = true;
    this.result = value;
    if (this.joinProcs) {
      const ps = this.joinProcs, ids = this.joiners!;
      this.joinProcs = this.joiners = null;
      for (let i = 0; i < ps.length; i++) this.sim.wake(ps[i], ids[i], value);
    }
  }

  /** A waitable that fires with the body's return value when the process ends. */
  get finished(): Waitable<R> {
    return {
      subscribe: (p: Process, id: number) => {
        if (this.done) this.sim.wake(p, id, this.result);
        else {
          (this.joinProcs ??= []).push(p);
          (this.joiners ??= []).push(id);
        }
      },
    };
  }
}
