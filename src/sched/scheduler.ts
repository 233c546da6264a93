import type { Simulation, ProcessBody, Waitable, Process, Proc } from '../engine';
import type { Machine } from '../hw';
import { Cpu, IDLE, BUSY, SPIN, type Activity } from './cpu';
import { Task, TaskCounters, NO_NOTIFY, type TaskStats } from './task';
import { resolveSchedParams, type SchedParams } from './params';

/** Value a spinning task receives when it must stop spinning because need_resched is set. */
export const RESCHED = Symbol('need_resched');
/** Value a spinner receives when the task it watches (watchOffCpu) leaves its CPU. */
export const OFF_CPU = Symbol('off_cpu');

type TickHook = (cpu: Cpu, task: Task) => void;

/**
 * CPUs run tasks; more tasks than CPUs queue on per-CPU run queues (CFS-like: ordered by
 * vruntime, slices from sched_latency / nr_running, wake-up placement and preemption as
 * in kernel/sched/fair.c, reduced).
 *
 * Task bodies are generators that use the scheduler through `yield*`:
 *   yield* sched.compute(task, ns)      CPU work (kernel mode: not preempted, like a
 *                                       PREEMPT_NONE kernel; user mode: preemptible)
 *   yield* sched.block(task)            sleep until sched.wake(task)
 *   yield* sched.spin(task)             burn the CPU until sched.notify(task, v) or need_resched
 *   yield* sched.condResched(task)      a voluntary preemption point (cond_resched, return to user)
 *
 * Preemption never interrupts kernel work: the tick and wake-up preemption only set
 * `need_resched`, which takes effect at the next preemption point, at once for user work,
 * and makes a spinner give up (as the kernel's spin loops check need_resched()).
 *
 * SMT: a thread runs at `smt.busy` (or `smt.spinning`) of its speed while its sibling
 * works (or spins); work in progress is re-timed whenever a sibling changes activity.
 */
export class Scheduler {
  readonly cpus: Cpu[];
  readonly params: SchedParams;
  /** live tasks (spawned, not yet exited); exited ones are dropped so their memory can go */
  readonly tasks: Task[] = [];
  /** the stats of exited tasks, summed (see totalStats) */
  private readonly retired: TaskStats = new TaskCounters();
  /** tasks spawned so far */
  spawned = 0;
  private nextTid = 1;
  private queued = 0;
  private readonly tickPeriod: number;
  private readonly tickHooks: TickHook[] = [];
  private readonly smtBusy: number;
  private readonly smtSpin: number;
  private idleCount: number;

  constructor(readonly sim: Simulation, readonly machine: Machine, params?: Partial<SchedParams>) {
    this.params = resolveSchedParams(params);
    this.tickPeriod = 1e9 / this.params.hz;
    this.cpus = [];
    for (let c = 0; c < machine.ncpus; c++) this.cpus.push(new Cpu(c, machine.socketOf(c), machine.coreOf(c)));
    for (const cpu of this.cpus) cpu.siblings = machine.siblingsOf(cpu.id).map((s) => this.cpus[s]);
    this.smtBusy = machine.spec.smt.busy;
    this.smtSpin = machine.spec.smt.spinning;
    this.idleCount = this.cpus.length;
  }

  /** Register a function called on every timer tick of a busy CPU (e.g. task_numa_work). */
  onTick(hook: TickHook): void {
    this.tickHooks.push(hook);
  }

  // ---------------------------------------------------------------- task lifecycle

  /**
   * Create a task running `body`. Placed on `opts.cpu`, or like fork balancing
   * (find_idlest_cpu): an idle CPU, else the shortest run queue.
   */
  spawn(name: string, body: (task: Task) => Generator<any, unknown, any>, opts: { cpu?: number; vruntime?: number } = {}): Task {
    const cpu = opts.cpu !== undefined ? this.cpus[opts.cpu] : this.idlestCpu();
    if (!cpu) throw new Error(`spawn ${name}: cpu ${opts.cpu} does not exist (machine has ${this.cpus.length})`);
    const task = new Task(this.nextTid++, name, cpu);
    task.vruntime = opts.vruntime ?? cpu.minVruntime;
    task.stateSince = this.sim.now;
    const proc = this.sim.process(new TaskRun(this, task, body), name);
    this.sim.cancelWait(proc); // starts when first dispatched
    task.proc = proc;
    proc.owner = task;
    task.index = this.tasks.length;
    this.tasks.push(task);
    this.spawned++;
    this.makeRunnable(task, cpu, 0);
    return task;
  }

  // ---------------------------------------------------------------- operations for task bodies

  /**
   * CPU work of `ns` (at full speed; slower while the SMT sibling is busy). Use it as
   * `yield* sched.compute(task, ns)`: it adds the task's debt, yields the work's duration,
   * then, for user work with need_resched set, reschedules. It is the most frequent
   * operation of every model, so it is not a generator: each task reuses one ComputeOp.
   */
  compute(task: Task, ns: number, user = false): Generator<Yieldable2, void, unknown> {
    let op = task.computeOp as ComputeOp | null;
    if (op === null) task.computeOp = op = new ComputeOp(this);
    else if (op.state !== OP_IDLE) op = new ComputeOp(this); // the task's own one is still in use
    op.task = task;
    op.ns = ns;
    op.user = user;
    op.state = OP_FRESH;
    return op;
  }

  /**
   * A short stall of `ns` that needs no event of its own: a cache miss of a lock fast
   * path whose effect is already applied. Owed as CPU time (task.debt) and paid by the
   * task's next compute, or before it blocks, spins or exits, so time is conserved; the
   * fast path's effect becomes visible at the start of its stall instead of the end.
   */
  stall(task: Task, ns: number): void {
    if (ns > 0) task.debt += ns;
  }

  /** does `task` owe CPU time (stall) not yet paid? */
  owes(task: Task): boolean {
    return task.debt > 0;
  }

  /** the CPU time `task` owes (ns) */
  owed(task: Task): number {
    return task.debt;
  }

  /**
   * Take back what `task` came to owe beyond `before` ns (an earlier `owed(task)`), and
   * return it: for a layer that accounts that time itself (a lazy rmap walk times a folded
   * pte-lock section inside its own compute, src/mm/rmap_lazy.ts).
   */
  unstallTo(task: Task, before: number): number {
    const extra = task.debt - before;
    if (extra < 0) throw new Error(`sched.unstallTo: task ${task.name} owes ${task.debt} ns, less than ${before}`);
    task.debt = before;
    return extra;
  }

  /**
   * `body`, started only after `task` has paid what it owes: the rule every lock operation
   * follows (Lock.settled), so that its effect lands after the work that precedes it.
   * Returns `body` itself when nothing is owed or the debt was paid at once (payNow): no
   * allocation on the hot path.
   */
  afterDebt<R>(task: Task, body: Proc<R>): Proc<R> {
    return task.debt > 0 && !this.payNow(task) ? new PayThen(this, task, body) : body;
  }

  /**
   * Pay what `task` owes at once, as `yield* compute(task, 0)` would, when nothing else
   * can happen before the payment ends (Simulation.advanceBy): same time, same state,
   * one event counted, none queued. Returns true if the task owes nothing now; false if
   * the payment needs an event (the debt is still owed): the caller then yields a compute.
   */
  payNow(task: Task): boolean {
    if (task.debt <= 0) return true;
    this.assertOnCpu(task, 'compute');
    task.userMode = false;
    const paid = this.sim.advanceBy(this.startCompute(task, task.debt));
    if (paid) task.debt = 0;
    // paid: the segment ends; not: the segment is dropped, the caller's compute starts it anew
    this.finishCompute(task);
    return paid;
  }

  /**
   * Change the work left in `task`'s compute in progress by `delta` ns (either sign) and
   * re-time its end: for a layer that started one compute for work it learns piecewise
   * (lazy rmap walks, src/mm/rmap_lazy.ts). Returns false if the work left would have been
   * negative (the end already passed; it is set to now).
   */
  adjustCompute(task: Task, delta: number): boolean {
    if (!task.computing) throw new Error(`sched.adjustCompute: task ${task.name} is not computing`);
    const now = this.sim.now;
    if (task.segStart <= now) {
      task.workLeft -= (now - task.segStart) * task.rate;
      task.segStart = now;
    }
    task.workLeft += delta;
    let ok = true;
    if (task.workLeft < 0) {
      ok = task.workLeft > -1e-6;
      task.workLeft = 0;
    }
    this.sim.cancelWait(task.proc);
    this.sim.resumeAfter(task.proc, task.segStart - now + task.workLeft / task.rate);
    return ok;
  }

  /**
   * The time at which `task`'s compute in progress, started with `total` ns of work, will
   * have done `offset` ns of it at its current speed (its SMT sibling's activity can
   * change that speed later; speed is never above 1, so `now + work still to do` is a
   * lower bound that stays valid).
   */
  computeTimeAt(task: Task, total: number, offset: number): number {
    return task.segStart + (offset - (total - task.workLeft)) / task.rate;
  }

  /** A preemption point: reschedule if need_resched is set. */
  *condResched(task: Task): Generator<Yieldable2, void, unknown> {
    this.assertOnCpu(task, 'condResched');
    if (task.cpu.needResched) yield* this.preemptSelf(task);
  }

  /**
   * Sleep until `wake(task)`. A wake that arrived since the task last went to sleep
   * (`task.woken`) makes it return at once: the kernel's set_current_state() before
   * the condition check, so no wake-up is lost.
   */
  *block(task: Task): Generator<Yieldable2, void, unknown> {
    this.assertOnCpu(task, 'block');
    // owed CPU time first; a wake-up meanwhile sets task.woken (no wake-up is lost)
    if (task.debt > 0) yield* this.compute(task, 0);
    if (task.woken) {
      task.woken = false;
      return;
    }
    const cpu = task.cpu;
    this.putPrev(task, 'sleeping');
    this.pickNext(cpu);
    yield PARKED;
    this.finishCompute(task);
    task.woken = false;
  }

  /**
   * Sleep `ns` (schedule_timeout / nanosleep): a timer wakes the task; other wake-ups
   * before it do not end the sleep.
   */
  *sleep(task: Task, ns: number): Generator<Yieldable2, void, unknown> {
    let done = false;
    this.sim.at(ns, () => { done = true; this.wake(task); });
    while (!done) yield* this.block(task);
  }

  /**
   * Wake a sleeping task (try_to_wake_up). Returns false if it was not asleep (then
   * `task.woken` is set so its next block() returns at once). The waker should charge
   * itself `params.wakeupCost` of CPU work.
   */
  wake(task: Task): boolean {
    if (task.state !== 'sleeping') {
      if (task.state !== 'dead') task.woken = true;
      return false;
    }
    task.stats.wakeups++;
    task.stats.sleep += this.sim.now - task.stateSince;
    const cpu = this.selectWakeCpu(task);
    // place_entity(): a sleeper gets at most half a latency period of credit
    const floor = cpu.minVruntime - this.params.schedLatency / 2;
    if (task.vruntime < floor) task.vruntime = floor;
    this.makeRunnable(task, cpu, this.params.idleWakeLatency);
    return true;
  }

  /**
   * Spin on the CPU until `notify(task, value)` (returns value) or need_resched
   * (returns RESCHED). The caller registers itself where the notifier will find it.
   */
  *spin(task: Task, preemptible = true): Generator<Yieldable2, unknown, unknown> {
    this.assertOnCpu(task, 'spin');
    if (task.debt > 0) {
      // owed CPU time first; a notify() meanwhile is kept and ends this spin at once
      task.payingDebt = true;
      yield* this.compute(task, 0);
      task.payingDebt = false;
      const v = task.pendingNotify;
      if (v !== NO_NOTIFY) {
        task.pendingNotify = NO_NOTIFY;
        return v;
      }
    }
    const cpu = task.cpu;
    if (preemptible && cpu.needResched) return RESCHED;
    task.spinPreemptible = preemptible;
    task.state = 'spinning';
    const start = this.sim.now;
    this.setActivity(cpu, SPIN);
    const v = yield SPINNING;
    task.stats.spin += this.sim.now - start;
    task.state = 'running';
    this.setActivity(cpu, BUSY);
    return v;
  }

  /** End a spin() with `value`. Returns false if the task was not spinning. */
  notify(task: Task, value: unknown = true): boolean {
    if (task.payingDebt) {
      if (task.pendingNotify !== NO_NOTIFY) return false;
      task.pendingNotify = value;
      return true;
    }
    // a spinner already notified (its wait id moved on) is not woken twice
    if (task.state !== 'spinning' || task.proc.wait !== task.spinWait) return false;
    return this.sim.wake(task.proc, task.spinWait, value);
  }

  /**
   * Notify `spinner` (with OFF_CPU) when `task` next leaves its CPU — how a spinner
   * polling `owner->on_cpu` notices that the owner went to sleep.
   */
  watchOffCpu(task: Task, spinner: Task): void {
    (task.offCpuWatchers ??= []).push(spinner);
  }

  /** need_resched() for the task's CPU. */
  needResched(task: Task): boolean {
    return task.cpu.needResched;
  }

  // ---------------------------------------------------------------- internals

  /** @internal (ComputeOp) */
  assertOnCpu(task: Task, op: string): void {
    if (!task.onCpu || task.cpu.curr !== task) {
      throw new Error(`sched.${op}: task ${task.name} is not running on a CPU (state ${task.state})`);
    }
  }

  /** @internal (ComputeOp): start `ns` of work; returns its duration at the CPU's rate */
  startCompute(task: Task, ns: number): number {
    if (task.userMode) task.userSince = this.sim.now;
    task.computing = true;
    task.workLeft = ns;
    task.segStart = this.sim.now;
    task.rate = this.rateOf(task.cpu);
    return ns / task.rate;
  }

  /** @internal (ComputeOp, TaskRun) */
  finishCompute(task: Task): void {
    this.endUserStint(task);
    task.computing = false;
    task.workLeft = 0;
  }

  /** user time: a stint of user-mode work on a CPU ends (work done, or the task leaves the CPU) */
  private endUserStint(task: Task): void {
    if (task.userSince < 0) return;
    task.stats.user += this.sim.now - task.userSince;
    task.userSince = -1;
  }

  /** @internal (ComputeOp) */
  *preemptSelf(task: Task): Generator<Yieldable2, void, unknown> {
    const cpu = task.cpu;
    // __schedule(): if the pick is prev itself there is no context switch (`prev != next`
    // fails), it just carries on. This happens when nothing else is queued here any more
    // (e.g. the task that set need_resched was pulled away by an idle CPU; prev being
    // runnable, there is no idle balancing) or prev still has the smallest vruntime. Was:
    // prev was put away and re-dispatched from inside its own generator, whose PARKED
    // yield then superseded that resume: the task hung for good.
    this.updateCurr(cpu);
    const rq = cpu.rq;
    if (rq.length === 0 || rq[0].vruntime > task.vruntime) {
      cpu.needResched = false;
      return;
    }
    task.stats.preemptions++;
    this.putPrev(task, 'runnable');
    cpu.enqueue(task);
    this.queued++;
    this.pickNext(cpu);
    yield PARKED;
    this.finishCompute(task);
  }

  /** Preempt user-mode work in progress right now (tick or wake-up preemption). */
  private preemptCurrent(cpu: Cpu): void {
    const task = cpu.curr!;
    const now = this.sim.now;
    task.workLeft -= (now - task.segStart) * task.rate;
    if (task.workLeft < 0) task.workLeft = 0;
    this.sim.cancelWait(task.proc);
    task.stats.preemptions++;
    this.putPrev(task, 'runnable');
    cpu.enqueue(task);
    this.queued++;
    this.pickNext(cpu);
  }

  /** Take the current task off its CPU (it keeps any unfinished work). */
  private putPrev(task: Task, state: 'runnable' | 'sleeping'): void {
    const cpu = task.cpu;
    this.updateCurr(cpu);
    task.stats.cpu += this.sim.now - task.execStart;
    this.endUserStint(task);
    task.onCpu = false;
    task.state = state;
    task.stateSince = this.sim.now;
    cpu.curr = null;
    cpu.needResched = false;
    const w = task.offCpuWatchers;
    if (w) {
      task.offCpuWatchers = null;
      for (const s of w) this.notify(s, OFF_CPU);
    }
  }

  /** schedule(): run the leftmost queued task, pull one from a busier CPU, or go idle. */
  private pickNext(cpu: Cpu): void {
    let next = cpu.rq.shift();
    if (next) this.queued--;
    else next = this.idleBalance(cpu);
    if (next) this.dispatch(cpu, next, 0);
    else {
      this.setActivity(cpu, IDLE);
      if (cpu.tick) { cpu.tick.cancel(); cpu.tick = null; }
    }
  }

  private idleBalance(cpu: Cpu): Task | undefined {
    if (this.queued === 0) return undefined;
    let best: Cpu | null = null;
    for (const c of this.cpus) {
      if (c.rq.length === 0) continue;
      if (!best || (c.socket === cpu.socket && best.socket !== cpu.socket) ||
          ((c.socket === cpu.socket) === (best.socket === cpu.socket) && c.rq.length > best.rq.length)) best = c;
    }
    if (!best) return undefined;
    const t = best.rq.pop()!;
    this.queued--;
    t.stats.migrations++;
    t.vruntime += cpu.minVruntime - best.minVruntime;
    return t;
  }

  private makeRunnable(task: Task, cpu: Cpu, idleLatency: number): void {
    if (cpu.curr !== null) {
      // an idle CPU elsewhere takes the newcomer at once (stand-in for periodic balancing)
      const idle = this.findIdle(cpu);
      if (idle) {
        this.dispatch(idle, task, idleLatency);
        return;
      }
      task.state = 'runnable';
      task.stateSince = this.sim.now;
      task.cpu = cpu;
      cpu.enqueue(task);
      this.queued++;
      // check_preempt_wakeup()
      this.updateCurr(cpu);
      if (cpu.curr.vruntime - task.vruntime > this.params.wakeupGranularity) this.resched(cpu);
      return;
    }
    this.dispatch(cpu, task, idleLatency);
  }

  private dispatch(cpu: Cpu, task: Task, extraDelay: number): void {
    const now = this.sim.now;
    if (task.state === 'runnable') task.stats.queued += now - task.stateSince;
    if (task.cpu !== cpu) task.stats.migrations++;
    task.cpu = cpu;
    task.state = 'running';
    task.onCpu = true;
    task.stateSince = now;
    task.stats.switches++;
    cpu.curr = task;
    cpu.needResched = false;
    task.execStart = task.accountedTo = now;
    this.setActivity(cpu, BUSY);
    // the context switch is CPU work; unfinished work (preempted) continues after it
    const work = this.params.contextSwitch + (task.computing ? task.workLeft : 0);
    if (task.computing && task.userMode) task.userSince = now; // preempted user work goes on
    task.computing = true;
    task.workLeft = work;
    task.segStart = now + extraDelay;
    task.rate = this.rateOf(cpu);
    this.sim.cancelWait(task.proc);
    this.sim.resumeAfter(task.proc, extraDelay + work / task.rate);
    if (!cpu.tick) this.armTick(cpu);
  }

  /** set need_resched and act on it where the kernel would at once */
  private resched(cpu: Cpu): void {
    cpu.needResched = true;
    const t = cpu.curr;
    if (!t) return;
    if (t.state === 'spinning') {
      if (t.spinPreemptible) this.notify(t, RESCHED);
    }
    else if (t.computing && t.userMode && t.segStart <= this.sim.now) this.preemptCurrent(cpu);
  }

  private armTick(cpu: Cpu): void {
    const tick = () => {
      const t = cpu.curr;
      if (!t) { cpu.tick = null; return; }
      cpu.tick = this.sim.at(this.tickPeriod, tick);
      this.updateCurr(cpu);
      for (const h of this.tickHooks) h(cpu, t);
      if (cpu.rq.length > 0 && !cpu.needResched) {
        const nr = cpu.rq.length + 1;
        const slice = nr <= 8 ? this.params.schedLatency / nr : this.params.minGranularity;
        if (this.sim.now - t.execStart >= slice) this.resched(cpu);
      }
    };
    // ticks of different CPUs are not aligned: first one at a seeded random phase
    cpu.tick = this.sim.at(this.sim.rng(`sched.tick.${cpu.id}`).uniform(0, this.tickPeriod), tick);
  }

  /** update_curr(): charge the running task's vruntime, advance min_vruntime */
  private updateCurr(cpu: Cpu): void {
    const t = cpu.curr;
    if (!t) return;
    const now = this.sim.now;
    t.vruntime += now - t.accountedTo;
    t.accountedTo = now;
    let m = t.vruntime;
    if (cpu.rq.length > 0 && cpu.rq[0].vruntime < m) m = cpu.rq[0].vruntime;
    if (m > cpu.minVruntime) cpu.minVruntime = m;
  }

  private setActivity(cpu: Cpu, a: Activity): void {
    if (cpu.activity === a) return;
    const now = this.sim.now;
    const dt = now - cpu.activitySince;
    if (cpu.activity === BUSY) cpu.time.busy += dt;
    else if (cpu.activity === SPIN) cpu.time.spin += dt;
    else { cpu.time.idle += dt; this.idleCount--; }
    if (a === IDLE) this.idleCount++;
    cpu.activity = a;
    cpu.activitySince = now;
    for (const s of cpu.siblings) this.retime(s);
  }

  private rateOf(cpu: Cpu): number {
    let r = 1;
    for (const s of cpu.siblings) {
      const f = s.activity === BUSY ? this.smtBusy : s.activity === SPIN ? this.smtSpin : 1;
      if (f < r) r = f;
    }
    return r;
  }

  /** re-time the work in progress on `cpu` after its speed changed */
  private retime(cpu: Cpu): void {
    const t = cpu.curr;
    if (!t || !t.computing) return;
    const now = this.sim.now;
    const rate = this.rateOf(cpu);
    if (rate === t.rate) return;
    if (t.segStart > now) {
      // still waking up: only the speed of the coming work changes
      const delay = t.segStart - now + t.workLeft / rate;
      t.rate = rate;
      this.sim.cancelWait(t.proc);
      this.sim.resumeAfter(t.proc, delay);
      return;
    }
    t.workLeft -= (now - t.segStart) * t.rate;
    if (t.workLeft < 0) t.workLeft = 0;
    t.segStart = now;
    t.rate = rate;
    this.sim.cancelWait(t.proc);
    this.sim.resumeAfter(t.proc, t.workLeft / rate);
  }

  /**
   * `task`'s CPU time so far that was neither user mode nor spinning (its kernel work), the
   * stint in progress included: what a clock around a kernel path subtracts.
   */
  kernelNsNow(task: Task): number {
    const now = this.sim.now;
    const s = task.stats;
    let k = s.cpu - s.spin - s.user;
    if (task.onCpu) k += now - task.execStart;
    if (task.userSince >= 0) k -= now - task.userSince;
    return k;
  }

  /** every task's stats summed, exited ones included */
  totalStats(): TaskStats {
    const s = { ...this.retired };
    const now = this.sim.now;
    for (const t of this.tasks) {
      addStats(s, t.stats);
      // the stint in progress, so that CPU and user time are taken at the same instant
      if (t.onCpu) s.cpu += now - t.execStart;
      if (t.userSince >= 0) s.user += now - t.userSince;
    }
    return s;
  }

  /** @internal (TaskRun) */
  exit(task: Task): void {
    const cpu = task.cpu;
    this.putPrev(task, 'sleeping');
    task.state = 'dead';
    addStats(this.retired, task.stats);
    // swap-remove from the live list
    const last = this.tasks.pop()!;
    if (last !== task) {
      this.tasks[task.index] = last;
      last.index = task.index;
    }
    task.index = -1;
    this.pickNext(cpu);
  }

  /** select_task_rq_fair() reduced: previous CPU if idle, else an idle CPU of its socket, else previous */
  private selectWakeCpu(task: Task): Cpu {
    const prev = task.cpu;
    if (prev.curr === null) return prev;
    return this.findIdle(prev) ?? prev;
  }

  /** an idle CPU, preferring `near`'s socket, then the lowest id; null if none */
  private findIdle(near: Cpu): Cpu | null {
    if (this.idleCount === 0) return null;
    let other: Cpu | null = null;
    for (const c of this.cpus) {
      if (c.curr !== null) continue;
      if (c.socket === near.socket) return c;
      if (!other) other = c;
    }
    return other;
  }

  /** fork placement: an idle CPU (sockets with the most idle CPUs first), else the shortest queue */
  private idlestCpu(): Cpu {
    if (this.idleCount === 0) {
      let best = this.cpus[0];
      for (const c of this.cpus) if (c.rq.length < best.rq.length) best = c;
      return best;
    }
    const idlePerSocket = new Array(this.machine.nsockets).fill(0);
    for (const c of this.cpus) if (c.curr === null) idlePerSocket[c.socket]++;
    let bestSocket = -1;
    for (let s = 0; s < idlePerSocket.length; s++) if (idlePerSocket[s] > 0 && (bestSocket < 0 || idlePerSocket[s] > idlePerSocket[bestSocket])) bestSocket = s;
    let best = this.cpus[0];
    for (const c of this.cpus) {
      if (bestSocket >= 0) {
        if (c.curr === null && c.socket === bestSocket) return c;
      } else if (c.nrRunning < best.nrRunning) best = c;
    }
    return best;
  }
}

function addStats(into: TaskStats, s: TaskStats): void {
  into.cpu += s.cpu;
  into.spin += s.spin;
  into.user += s.user;
  into.sleep += s.sleep;
  into.queued += s.queued;
  into.switches += s.switches;
  into.preemptions += s.preemptions;
  into.wakeups += s.wakeups;
  into.migrations += s.migrations;
}

/** ComputeOp states */
const OP_IDLE = 0, OP_FRESH = 1, OP_WORKING = 2, OP_PREEMPTED = 3;
const DONE: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true as const });

/**
 * One `Scheduler.compute` as a hand-written iterator: the steps of the generator it
 * replaces, without a generator object and frame per call. The first next() adds the
 * task's debt and yields the work's duration (or ends at once if there is none); the
 * second ends the work and, for user work with need_resched set, delegates to
 * preemptSelf. throw() and return() behave as they would on that generator. Each task
 * keeps one (Task.computeOp) and reuses it once it is idle again.
 */
class ComputeOp implements Generator<Yieldable2, void, unknown> {
  state = OP_IDLE;
  task!: Task;
  ns = 0;
  user = false;
  private sub: Generator<Yieldable2, void, unknown> | null = null;
  /** the one result object it yields (its consumers, yield* and Process.step, read it at once) */
  private readonly yielded: IteratorYieldResult<Yieldable2> = { value: 0, done: false };

  constructor(private readonly sched: Scheduler) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(v?: unknown): IteratorResult<Yieldable2, void> {
    switch (this.state) {
      case OP_FRESH: {
        const task = this.task;
        let ns = this.ns;
        this.state = OP_IDLE; // ended, unless it yields below
        if (task.debt > 0) {
          ns += task.debt;
          task.debt = 0;
        }
        if (ns <= 0) return DONE;
        this.sched.assertOnCpu(task, 'compute');
        task.userMode = this.user;
        const d = this.sched.startCompute(task, ns);
        this.state = OP_WORKING;
        // nothing else can happen before the work ends: end it now, without an event
        if (this.sched.sim.advanceBy(d)) return this.next();
        this.yielded.value = d;
        return this.yielded;
      }
      case OP_WORKING: {
        const task = this.task;
        this.state = OP_IDLE;
        this.sched.finishCompute(task);
        if (!this.user || !task.cpu.needResched) return DONE;
        this.sub = this.sched.preemptSelf(task);
        this.state = OP_PREEMPTED;
        return this.forward(this.sub.next());
      }
      case OP_PREEMPTED:
        return this.forward(this.sub!.next(v));
      default:
        return DONE;
    }
  }

  throw(e: unknown): IteratorResult<Yieldable2, void> {
    if (this.state === OP_PREEMPTED) return this.forward(this.sub!.throw(e));
    this.state = OP_IDLE;
    throw e;
  }

  return(value: void): IteratorResult<Yieldable2, void> {
    if (this.state === OP_PREEMPTED) {
      const r = this.sub!.return(value);
      if (!r.done) return r;
    }
    this.sub = null;
    this.state = OP_IDLE;
    return { value, done: true };
  }

  private forward(r: IteratorResult<Yieldable2, void>): IteratorResult<Yieldable2, void> {
    if (!r.done) return r;
    this.sub = null;
    this.state = OP_IDLE;
    return DONE;
  }
}

/** PayThen phases */
const PAY_START = 0, PAY_DEBT = 1, PAY_BODY = 2, PAY_ENDED = 3;

/**
 * `yield* sched.compute(task, 0); return yield* body;` (Scheduler.afterDebt) as a
 * hand-written iterator: every event of the lock operation it wraps resumes through it,
 * so it forwards results as they are instead of through a generator frame of its own.
 * The compute starts at the first next(), as the generator's would; throw() and return()
 * are forwarded as yield* would.
 */
class PayThen<R> implements Generator<unknown, R, unknown> {
  private phase = PAY_START;
  private cur: Generator<unknown, unknown, unknown> | null = null;

  constructor(
    private readonly sched: Scheduler,
    private readonly task: Task,
    private readonly body: Proc<R>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(v?: unknown): IteratorResult<unknown, R> {
    try {
      switch (this.phase) {
        case PAY_DEBT:
        case PAY_BODY:
          return this.after(this.cur!.next(v));
        case PAY_START:
          this.phase = PAY_DEBT;
          this.cur = this.sched.compute(this.task, 0);
          return this.after(this.cur.next());
        default:
          return { value: undefined as R, done: true };
      }
    } catch (e) {
      this.end(); // an exception ends a generator
      throw e;
    }
  }

  throw(e: unknown): IteratorResult<unknown, R> {
    if (this.phase === PAY_DEBT || this.phase === PAY_BODY) {
      try {
        return this.after(this.cur!.throw(e));
      } catch (e2) {
        this.end();
        throw e2;
      }
    }
    this.end();
    throw e;
  }

  return(value: R): IteratorResult<unknown, R> {
    if (this.phase === PAY_DEBT || this.phase === PAY_BODY) {
      const r = this.cur!.return(value as never);
      if (!r.done) return r as IteratorResult<unknown, R>;
      value = r.value as R;
    }
    this.end();
    return { value, done: true };
  }

  private end(): void {
    this.phase = PAY_ENDED;
    this.cur = null;
  }

  /** pass a yield through; once the debt is paid start the body; its end is ours */
  private after(r: IteratorResult<unknown, unknown>): IteratorResult<unknown, R> {
    if (!r.done) return r;
    if (this.phase === PAY_DEBT) {
      this.phase = PAY_BODY;
      this.cur = this.body;
      return this.after(this.body.next());
    }
    this.end();
    return r as IteratorReturnResult<R>;
  }
}

/** TaskRun phases */
const RUN_START = 0, RUN_BODY = 1, RUN_DEBT = 2, RUN_ENDED = 3;

/**
 * What a spawned task's process runs: the switch-in that started it (finishCompute), the
 * body, the CPU time still owed, the exit. A hand-written iterator rather than a wrapping
 * generator, because every event of the task resumes through it: it forwards the body's
 * results as they are. throw() and return() are forwarded as yield* would.
 */
class TaskRun implements Generator<any, void, unknown> {
  private phase = RUN_START;
  private cur: Generator<any, unknown, any> | null = null;

  constructor(
    private readonly sched: Scheduler,
    private readonly task: Task,
    private readonly body: (task: Task) => Generator<any, unknown, any>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(v?: unknown): IteratorResult<any, void> {
    switch (this.phase) {
      case RUN_BODY:
      case RUN_DEBT:
        return this.after(this.cur!.next(v));
      case RUN_START:
        this.phase = RUN_ENDED; // until the body is running
        this.sched.finishCompute(this.task); // the switch-in that started it
        this.cur = this.body(this.task);
        this.phase = RUN_BODY;
        return this.after(this.cur.next());
      default:
        return DONE;
    }
  }

  throw(e: unknown): IteratorResult<any, void> {
    if (this.phase === RUN_BODY || this.phase === RUN_DEBT) return this.after(this.cur!.throw(e));
    this.phase = RUN_ENDED;
    throw e;
  }

  return(value: void): IteratorResult<any, void> {
    if (this.phase === RUN_BODY || this.phase === RUN_DEBT) {
      const r = this.cur!.return(value);
      if (!r.done) return r;
    }
    this.phase = RUN_ENDED;
    this.cur = null;
    return { value, done: true };
  }

  /** pass a yield through; at the end of the body pay the debt, then exit */
  private after(r: IteratorResult<any, unknown>): IteratorResult<any, void> {
    if (!r.done) return r;
    const task = this.task;
    if (this.phase === RUN_BODY && task.debt > 0) {
      this.phase = RUN_DEBT;
      this.cur = this.sched.compute(task, 0);
      return this.after(this.cur.next());
    }
    this.phase = RUN_ENDED;
    this.cur = null;
    this.sched.exit(task);
    return DONE;
  }
}

/** A task parked off-CPU waits on this; dispatch() resumes it. */
const PARKED: Waitable = { subscribe() { /* resumed by dispatch() */ } };
/** A spinning task waits on this; notify() resumes it (once per spin). */
const SPINNING: Waitable = {
  subscribe(proc: Process, waitId: number) {
    (proc.owner as Task).spinWait = waitId;
  },
};

/** what scheduler generators yield */
export type Yieldable2 = number | Waitable;
export type { Process };
