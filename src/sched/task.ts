import type { Process } from '../engine';
import type { Cpu } from './cpu';

/**
 * running: on a CPU doing work; spinning: on a CPU burning cycles waiting for a lock;
 * runnable: queued for a CPU; sleeping: blocked until woken; dead: exited.
 */
/** Task.pendingNotify when no notification is pending. */
export const NO_NOTIFY = Symbol('no_notify');

export type TaskState = 'running' | 'spinning' | 'runnable' | 'sleeping' | 'dead';

export interface TaskStats {
  /** ns on a CPU (running + spinning, including context switches) */
  cpu: number;
  /** ns spinning */
  spin: number;
  /** ns on a CPU in user mode (compute(…, user = true)), part of `cpu` */
  user: number;
  /** ns asleep */
  sleep: number;
  /** ns runnable but waiting for a CPU */
  queued: number;
  switches: number;
  preemptions: number;
  wakeups: number;
  migrations: number;
}

/**
 * A task's TaskStats, zeroed. A class, not an object literal: its time fields start as
 * small integers and later hold fractions, and V8 then deprecates a literal's shape and
 * migrates every new copy of it on first use (one per task); a class's instances take
 * the updated shape.
 */
export class TaskCounters implements TaskStats {
  cpu = 0;
  spin = 0;
  user = 0;
  sleep = 0;
  queued = 0;
  switches = 0;
  preemptions = 0;
  wakeups = 0;
  migrations = 0;
}

/** A schedulable entity: Linux's task_struct, reduced to what locking needs. */
export class Task {
  state: TaskState = 'runnable';
  /** the kernel's `on_cpu`: true while running or spinning on a CPU */
  onCpu = false;
  /** last (or current) CPU */
  cpu: Cpu;
  vruntime = 0;
  /** a wake-up arrived while the task had not yet gone to sleep (see Scheduler.block) */
  woken = false;
  // CPU work in progress (Scheduler.compute); survives preemption
  computing = false;
  userMode = false;
  /** start of the user-mode stint on a CPU in progress (-1: none): user time is counted when it ends (Scheduler) */
  userSince = -1;
  workLeft = 0;
  segStart = 0;
  rate = 1;
  /** wait id of the spin in progress (notify wakes only this one) */
  spinWait = 0;
  /** spinning with preemption enabled (gives up on need_resched) */
  spinPreemptible = true;
  // The scheduler's own bookkeeping of owed CPU time: no other layer reads or writes
  // these three (test/sched/internals.test.ts checks); they use Scheduler.stall, owes,
  // owed, unstallTo and afterDebt (and Lock.settled in src/locking).
  /**
   * CPU time owed (ns): stalls of lock fast paths and folded critical sections
   * (Scheduler.stall), paid by the task's next compute, block, spin or exit.
   */
  debt = 0;
  /** paying its debt just before a spin: a notify() meanwhile is kept for that spin */
  payingDebt = false;
  /** the notification kept while paying debt (NO_NOTIFY if none) */
  pendingNotify: unknown = NO_NOTIFY;
  /** spinners to notify when this task leaves its CPU */
  offCpuWatchers: Task[] | null = null;
  /** when it last got a CPU (for slice accounting) */
  execStart = 0;
  /** vruntime accounted up to this time */
  accountedTo = 0;
  stateSince = 0;
  readonly stats: TaskStats = new TaskCounters();
  proc!: Process;
  /** position in Scheduler.tasks while alive, -1 after exit */
  index = -1;
  /** per-task record of the locking layer (held locks, lockdep) */
  locking: unknown = null;
  /** per-task record of a higher layer's kernel-path clock (src/mm/model/kernel_paths.ts): a field, not a Map entry, on the hot path */
  paths: unknown = null;
  /** the scheduler's reusable iterator for this task's compute() calls */
  computeOp: unknown = null;
  /** free slot for higher layers (mm_struct, workload state) */
  data: unknown = null;

  constructor(readonly id: number, readonly name: string, cpu: Cpu) {
    this.cpu = cpu;
  }
}
