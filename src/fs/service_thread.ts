import type { Proc } from '../engine';
import type { Scheduler, Task } from '../sched';
import type { KernelPathClock } from '../mm';

interface Request { task: Task; done: boolean }

/**
 * A kernel thread serving a queue of requests, started on the first one: a requester
 * queues, wakes the thread and sleeps until its request is done. The thread takes one
 * request at a time (`batch` false: the bdi flusher's work items, fs_writeback.ts) or
 * everything queued (`batch` true: a log write covering every force that waited for it,
 * xfs_log.ts), does `serve(n)`, then marks and wakes each requester. With `paths`, the
 * thread's work (not its idle sleep) is file-system kernel time (the `fs` path): in 3.18 the
 * first forcer pushes the log itself, and writeback is the fs's work whoever runs it.
 */
export class ServiceThread {
  private readonly queue: Request[] = [];
  private thread: Task | null = null;

  constructor(
    private readonly sched: Scheduler,
    private readonly name: string,
    private readonly batch: boolean,
    private readonly serve: (t: Task, n: number) => Proc,
    private readonly paths: KernelPathClock | null = null,
  ) {}

  *submit(task: Task): Proc {
    const { sched } = this;
    const req: Request = { task, done: false };
    this.queue.push(req);
    const th = this.start();
    if (sched.wake(th)) yield* sched.compute(task, sched.params.wakeupCost);
    while (!req.done) yield* sched.block(task);
  }

  private start(): Task {
    if (this.thread) return this.thread;
    const { sched } = this;
    const self = this;
    this.thread = sched.spawn(this.name, function* (t) {
      for (;;) {
        if (self.queue.length === 0) { yield* sched.block(t); continue; }
        const items = self.batch ? self.queue.splice(0) : [self.queue.shift()!];
        self.paths?.enter(t, 'fs');
        yield* self.serve(t, items.length);
        self.paths?.leave(t);
        for (const r of items) {
          r.done = true;
          if (sched.wake(r.task)) yield* sched.compute(t, sched.params.wakeupCost);
        }
      }
    });
    return this.thread;
  }
}
