/**
 * Where a task's kernel time and sleep go, by path (model-only bookkeeping, no kernel
 * counterpart): the kernel CPU time (not user, not spinning: spin is attributed per lock
 * class by lockstat) and the sleep of every task while it is inside fork, exec, exit, a page
 * fault, an mmap-family call, NUMA balancing, compaction, a file-system call, another system
 * call (aim7's `sys` costs: pipes, signals, sockets), wait4 or a timer sleep. Paths nest (a NUMA hinting fault inside a fault, compaction inside fork): the time
 * goes to the innermost. The file system's kernel threads (xfs log push, bdi flusher: fs/
 * service_thread.ts) count their work, not their idle sleep, as `fs`. Time outside every
 * path is the rest of `task_kernel_s`.
 *
 * enter/leave are called by the running task at a path's ends (no generator frame of their
 * own), so its figures are settled: the clock charges the time since the last mark to the
 * path on top of the task's stack.
 */
import type { Scheduler, Task } from '../../sched';

export const KERNEL_PATHS = ['fork', 'exec', 'exit', 'fault', 'mmap', 'numa', 'compaction', 'fs', 'syscall', 'wait', 'sleep'] as const;
export type KernelPath = (typeof KERNEL_PATHS)[number];
const INDEX: Readonly<Record<KernelPath, number>> = Object.freeze(Object.fromEntries(KERNEL_PATHS.map((p, i) => [p, i])) as Record<KernelPath, number>);

/**
 * A task's marks: the paths it is in, innermost last, and its kernel and sleep time at the
 * last mark. Kept on the task (`task.paths`); the clock links the marks of tasks inside a
 * path in the order they entered, as a Map would iterate them (restart charges in that
 * order, so the sums are the same to the last bit).
 */
class TaskMark {
  readonly stack: number[] = [];
  kernel = 0;
  sleep = 0;
  prev: TaskMark | null = null;
  next: TaskMark | null = null;
  constructor(readonly task: Task, readonly clock: KernelPathClock) {}
}

export interface PathTimes {
  /** kernel CPU ns per path, in KERNEL_PATHS order */
  kernel: number[];
  /** sleep ns per path */
  sleep: number[];
}

export class KernelPathClock {
  private readonly kernelNs = new Float64Array(KERNEL_PATHS.length);
  private readonly sleepNs = new Float64Array(KERNEL_PATHS.length);
  /** the marks of the tasks inside a path, oldest entry first */
  private head: TaskMark | null = null;
  private tail: TaskMark | null = null;
  private from: PathTimes = { kernel: new Array(KERNEL_PATHS.length).fill(0), sleep: new Array(KERNEL_PATHS.length).fill(0) };

  constructor(private readonly sched: Scheduler) {}

  /** `task` enters `path` (it is running) */
  enter(task: Task, path: KernelPath): void {
    let m = task.paths as TaskMark | null;
    if (m === null || m.clock !== this) task.paths = m = new TaskMark(task, this);
    if (m.stack.length === 0) {
      m.kernel = this.sched.kernelNsNow(task);
      m.sleep = task.stats.sleep;
      this.link(m);
    } else this.charge(task, m);
    m.stack.push(INDEX[path]);
  }

  /** `task` leaves the path it entered last */
  leave(task: Task): void {
    const m = task.paths as TaskMark | null;
    if (m === null || m.clock !== this || m.stack.length === 0) throw new Error(`kernel paths: ${task.name} leaves a path it did not enter`);
    this.charge(task, m);
    m.stack.pop();
    if (m.stack.length === 0) this.unlink(m);
  }

  private link(m: TaskMark): void {
    m.prev = this.tail;
    m.next = null;
    if (this.tail) this.tail.next = m;
    else this.head = m;
    this.tail = m;
  }

  private unlink(m: TaskMark): void {
    if (m.prev) m.prev.next = m.next;
    else this.head = m.next;
    if (m.next) m.next.prev = m.prev;
    else this.tail = m.prev;
    m.prev = m.next = null;
  }

  private charge(task: Task, m: TaskMark): void {
    const k = this.sched.kernelNsNow(task), s = task.stats.sleep;
    const top = m.stack[m.stack.length - 1];
    if (top !== undefined) {
      this.kernelNs[top] += k - m.kernel;
      this.sleepNs[top] += s - m.sleep;
    }
    m.kernel = k;
    m.sleep = s;
  }

  /** the figures so far (time not yet charged by a task still inside a path is not in them) */
  now(): PathTimes {
    return { kernel: Array.from(this.kernelNs), sleep: Array.from(this.sleepNs) };
  }

  /**
   * A measurement window starts: counters() counts from here. The time every task inside a
   * path has spent since its last mark is charged first, so it falls before the window; a
   * task spinning right now is left for later (its spin is not in its figures until the spin
   * ends), as is a sleep in progress (counted when it ends, as task_sleep_s counts it).
   */
  restart(): void {
    for (let m = this.head; m; m = m.next) if (m.task.state !== 'spinning') this.charge(m.task, m);
    this.from = this.now();
  }

  /** counters since restart() (or the start): `task_kernel_path_<p>_s`, `task_sleep_path_<p>_s` */
  counters(): Record<string, number> {
    const n = this.now(), out: Record<string, number> = {};
    KERNEL_PATHS.forEach((p, i) => { out[`task_kernel_path_${p}_s`] = (n.kernel[i]! - this.from.kernel[i]!) / 1e9; });
    KERNEL_PATHS.forEach((p, i) => { out[`task_sleep_path_${p}_s`] = (n.sleep[i]! - this.from.sleep[i]!) / 1e9; });
    return out;
  }
}
