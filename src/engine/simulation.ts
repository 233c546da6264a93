import { EventQueue, type FutureEventList } from './queue';
import { CalendarQueue } from './calendar';
import { Process, Interrupt, type ProcessBody, type Waitable } from './process';
import { SimEvent } from './event';
import { Streams, type Rng } from './random';

/** A callback scheduled with `sim.at`; `cancel()` before it fires to drop it. */
export class Timer {
  /** id of its pending queue entry; -1 once cancelled or fired */
  wait = 0;
  /** id of its queue entry, kept after cancel so the entry can free the slot */
  entryId = 0;
  constructor(readonly fn: () => void) {}
  get cancelled(): boolean {
    return this.wait === -1;
  }
  cancel(): void {
    this.wait = -1;
  }
}

type Entry = Process | Timer;

export interface SimulationOptions {
  /**
   * The future-event list: 'calendar' (default, `CalendarQueue`), 'heap' (the reference
   * binary heap `EventQueue`: same order, slower), or an empty instance to use.
   */
  queue?: 'calendar' | 'heap' | FutureEventList;
}

/**
 * The discrete-event core (in the spirit of SimPy): virtual time in nanoseconds, a
 * future-event list ordered by (time, insertion order), and generator processes.
 *
 * Zero-delay work (wake-ups, process starts) goes to a FIFO instead of the heap: every
 * heap entry due now was inserted before it, so draining the heap's "now" entries first
 * and then the FIFO keeps the global (time, seq) order without a heap operation.
 *
 * It knows nothing of kernels: CPUs, tasks and locks are built on top of it.
 */
export class Simulation {
  now = 0;
  /** the process whose body is executing, if any */
  active: Process | null = null;
  readonly streams: Streams;
  private seq = 0;
  private readonly queue: FutureEventList;
  /** handle → process or timer; queue entries carry handles */
  private slots: (Entry | undefined)[] = [undefined];
  private freeSlots: number[] = [];
  private fifoSlots = new Int32Array(1024);
  private fifoIds = new Float64Array(1024);
  private fifoHead = 0;
  private fifoTail = 0;
  private nextPid = 1;
  private stopped = false;
  /** events processed so far (heap pops + FIFO pops, stale ones excluded) */
  eventCount = 0;
  /**
   * A hook run before any entry due at `hookAt` or later is processed (before its stale
   * check, so the hook may re-time that entry's process): what lets a layer apply, at
   * the instant they happen, effects it did not give events of their own (lazy rmap
   * walks, src/mm/rmap_lazy.ts). It gets the entry about to run (null: none, at the end of
   * `run(until)`). The hook sets `hookAt` anew; Infinity = none.
   */
  hookAt = Infinity;
  hook: ((next: Process | Timer | null) => void) | null = null;
  /** waits ended at once by `advanceBy` (counted in eventCount too) */
  advancedCount = 0;
  /** the bounds of the `run()` in progress (`runUntil` -Infinity: none) */
  private runUntil = -Infinity;
  private runMaxEvents = 0;

  /** `seed` seeds every random stream of the run; see `SimulationOptions`. */
  constructor(seed: number | string = 0, options: SimulationOptions = {}) {
    this.streams = new Streams(seed);
    const q = options.queue ?? 'calendar';
    this.queue = q === 'heap' ? new EventQueue() : q === 'calendar' ? new CalendarQueue() : q;
  }

  /** The named random stream of this run (same seed + name → same numbers). */
  rng(name: string): Rng {
    return this.streams.get(name);
  }

  /** Start a process at the current time (after everything already due now). */
  process<R>(body: ProcessBody<R>, name = `p${this.nextPid}`): Process<R> {
    const p = new Process<R>(this, this.nextPid++, name, body);
    p.slot = this.allocSlot(p);
    const id = this.newWaitId();
    p.wait = id;
    this.pushNow(p.slot, id);
    return p;
  }

  /** A fresh one-shot event. */
  event<V = unknown>(): SimEvent<V> {
    return new SimEvent<V>(this);
  }

  /** A waitable that fires after `delay` ns (`yield sim.timeout(d)` ≡ `yield d`). */
  timeout(delay: number): Waitable {
    return { subscribe: (p: Process) => this.sleep(p, delay) };
  }

  /** Call `fn` after `delay` ns. */
  at(delay: number, fn: () => void): Timer {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`sim.at: delay ${delay} must be a finite number >= 0`);
    }
    const t = new Timer(fn);
    const id = ++this.seq;
    t.wait = t.entryId = id;
    this.schedule(this.allocSlot(t), delay, id);
    return t;
  }

  newWaitId(): number {
    return ++this.seq;
  }

  /** Put `proc` to sleep for `delay` ns (its current wait). Used for `yield delay`. */
  sleep(proc: Process, delay: number): void {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`process ${proc.name} yielded delay ${delay}: must be a finite number >= 0`);
    }
    const id = ++this.seq;
    proc.wait = id;
    this.schedule(proc.slot, delay, id);
  }

  /**
   * End `proc`'s current wait with `value`, resuming it after everything already due
   * now. Returns false (and does nothing) if `waitId` is not its current wait.
   */
  wake(proc: Process, waitId: number, value?: unknown): boolean {
    if (proc.wait !== waitId || waitId === 0) return false;
    const id = ++this.seq;
    proc.wait = id;
    proc.resumeValue = value;
    this.pushNow(proc.slot, id);
    return true;
  }

  /** Cancel `proc`'s current wait (timed or not); it stays suspended until resumed. */
  cancelWait(proc: Process): void {
    proc.wait = -1;
  }

  /** Resume a suspended process (after `cancelWait`) after `delay` ns with `value`. */
  resumeAfter(proc: Process, delay: number, value?: unknown): void {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`resumeAfter(${proc.name}): delay ${delay} must be a finite number >= 0`);
    }
    const id = ++this.seq;
    proc.wait = id;
    proc.resumeValue = value;
    this.schedule(proc.slot, delay, id);
  }

  /** Throw an `Interrupt(cause)` into a waiting process, abandoning its wait. */
  interrupt(proc: Process, cause?: unknown): void {
    if (proc.done) throw new Error(`interrupt: process ${proc.name} has finished`);
    if (proc === this.active) throw new Error(`interrupt: process ${proc.name} cannot interrupt itself`);
    const id = ++this.seq;
    proc.wait = id;
    proc.resumeError = new Interrupt(cause);
    this.pushNow(proc.slot, id);
  }

  /**
   * End a wait of `delay` ns of the active process at once, without a queue entry, when
   * nothing else can happen before it: nothing due now (FIFO or list), the list's next
   * entry strictly later than `now + delay` (an entry at that very time would go first:
   * it was queued earlier), no hook due by then, and the `run()` in progress neither
   * stopped nor at its `until` or `maxEvents`. Then time moves to `now + delay` and the
   * wait counts as an event, exactly as if it had been queued and popped next; the order
   * of everything else is unchanged. Returns false, changing nothing, when it cannot (the
   * caller then yields the delay). The next-event shortcut of sequential simulators.
   */
  advanceBy(delay: number): boolean {
    if (!(delay > 0) || this.stopped || this.active === null || this.fifoHead !== this.fifoTail) return false;
    const t = this.now + delay;
    if (t > this.runUntil || t >= this.hookAt || this.eventCount >= this.runMaxEvents) return false;
    const q = this.queue;
    if (q.size > 0 && !(q.peekTime() > t)) return false;
    this.seq++; // the wait id `sleep` would have taken
    this.now = t;
    this.eventCount++;
    this.advancedCount++;
    return true;
  }

  /** Stop `run()` after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Run until no event is left, `stop()` is called, virtual time would pass `until`, or
   * `eventCount` reaches `maxEvents`. At the end time moves to a finite `until` (also when
   * the events ran out before it), except when `stop()` or `maxEvents` ended the run.
   */
  run(until = Infinity, maxEvents = Infinity): void {
    this.stopped = false;
    const outer = this.runUntil, outerMax = this.runMaxEvents;
    this.runUntil = until;
    this.runMaxEvents = maxEvents;
    try {
      this.loop(until, maxEvents);
    } finally {
      this.runUntil = outer;
      this.runMaxEvents = outerMax;
    }
    if (until !== Infinity && !this.stopped && this.now < until) this.now = until;
    // what is due by `until` is done when run(until) returns (a caller may read state then)
    if (until !== Infinity && !this.stopped && this.now >= this.hookAt) this.hook!(null);
  }

  private loop(until: number, maxEvents: number): void {
    const q = this.queue;
    const slots = this.slots;
    while (!this.stopped) {
      if (this.eventCount >= maxEvents) return;
      let slot: number;
      let id: number;
      // one peek per event: heap entries due now, then the FIFO, then advance time
      const t = q.size > 0 ? q.peekTime() : Infinity;
      if (t <= this.now) {
        slot = q.pop();
        id = q.poppedSeq;
      } else if (this.fifoHead !== this.fifoTail) {
        const h = this.fifoHead;
        slot = this.fifoSlots[h];
        id = this.fifoIds[h];
        this.fifoHead = (h + 1) & (this.fifoSlots.length - 1);
      } else if (q.size === 0 || t > until) {
        break;
      } else {
        slot = q.pop();
        id = q.poppedSeq;
        const it = slots[slot];
        // time advances only for live entries: a cancelled wait does not move the clock
        if (it !== undefined && it.wait === id) this.now = t;
      }
      if (this.now >= this.hookAt) this.hook!(slots[slot] ?? null);
      const item = slots[slot];
      if (item === undefined || item.wait !== id) {
        // stale: a cancelled timer, a superseded wait, or a process that has finished
        if (item instanceof Timer && item.entryId === id) this.freeSlot(slot);
        continue;
      }
      item.wait = 0;
      this.eventCount++;
      if (item instanceof Process) {
        item.step();
        if (item.done) this.freeSlot(slot);
      } else {
        item.wait = -1;
        this.freeSlot(slot);
        item.fn();
      }
    }
  }

  /** Number of entries still pending (including stale ones not yet popped). */
  get pending(): number {
    return this.queue.size + ((this.fifoTail - this.fifoHead) & (this.fifoSlots.length - 1));
  }

  private schedule(slot: number, delay: number, id: number): void {
    const t = this.now + delay;
    if (t === this.now) this.pushNow(slot, id);
    else this.queue.push(t, id, slot);
  }

  private pushNow(slot: number, id: number): void {
    const cap = this.fifoSlots.length;
    this.fifoSlots[this.fifoTail] = slot;
    this.fifoIds[this.fifoTail] = id;
    this.fifoTail = (this.fifoTail + 1) & (cap - 1);
    if (this.fifoTail === this.fifoHead) this.growFifo();
  }

  private growFifo(): void {
    // full ring: unroll it into arrays twice the size, oldest first
    const cap = this.fifoSlots.length;
    const slots = new Int32Array(cap * 2), ids = new Float64Array(cap * 2);
    for (let i = 0; i < cap; i++) {
      const j = (this.fifoHead + i) & (cap - 1);
      slots[i] = this.fifoSlots[j];
      ids[i] = this.fifoIds[j];
    }
    this.fifoSlots = slots;
    this.fifoIds = ids;
    this.fifoHead = 0;
    this.fifoTail = cap;
  }

  private allocSlot(e: Entry): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) {
      this.slots[s] = e;
      return s;
    }
    this.slots.push(e);
    return this.slots.length - 1;
  }

  private freeSlot(slot: number): void {
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
  }
}
