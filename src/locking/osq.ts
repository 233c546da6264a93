import { RESCHED, type Task } from '../sched';
import type { Lock } from './lock';
import type { LockOp } from './env';
import type { Proc } from '../engine';

/**
 * The optimistic-spin queue (kernel/locking/mcs_spinlock.c, osq_lock/osq_unlock in
 * 3.18): an MCS queue of would-be spinners. Only its head polls the lock word; the
 * others spin on their own per-CPU node (no shared-line traffic) until the head passes
 * it on. A queued spinner that must reschedule unqueues and gives up.
 */
export class Osq {
  readonly queue: Task[] = [];

  constructor(readonly lock: Lock) {}

  /** osq_lock(): true once `task` heads the queue, false if it had to give up */
  *enter(task: Task, op: LockOp): Proc<boolean> {
    const sched = this.lock.env.sched;
    yield this.lock.rmw(task, op); // xchg(&lock->osq.tail, node)
    this.queue.push(task);
    if (this.queue.length === 1) return true;
    const prev = this.queue[this.queue.length - 2];
    yield this.lock.env.machine.transferCost(prev.cpu.id, task.cpu.id); // prev->next = node
    for (;;) {
      if (this.queue[0] === task) return true;
      const v = yield* this.lock.spin(task, op, true);
      if (this.queue[0] === task) return true;
      if (v === RESCHED || sched.needResched(task)) {
        // unqueue: unlink from the predecessor (a remote write)
        const i = this.queue.indexOf(task);
        const before = this.queue[i - 1];
        this.queue.splice(i, 1);
        yield this.lock.env.machine.transferCost(before.cpu.id, task.cpu.id);
        return false;
      }
    }
  }

  /** osq_unlock(): pass the head to the next spinner, or empty the queue */
  *exit(task: Task): Proc {
    if (this.queue[0] !== task) throw new Error(`osq ${this.lock.name}: ${task.name} leaves but is not the head`);
    if (this.lock.poller === task) this.lock.poller = null;
    if (this.queue.length === 1) {
      yield this.lock.rmw(task, null); // cmpxchg(tail, node, NULL)
      this.queue.shift();
      // the cmpxchg failed if a spinner queued meanwhile: osq_wait_next() hands it the head
      if (this.queue.length) this.lock.env.sched.notify(this.queue[0], this);
      return;
    }
    yield this.lock.env.machine.transferCost(task.cpu.id, this.queue[1].cpu.id); // next->locked = 1
    this.queue.shift();
    if (this.queue.length) this.lock.env.sched.notify(this.queue[0], this);
  }
}

/**
 * mutex_spin_on_owner() / rwsem_spin_on_owner(): spin while the lock has this owner and
 * the owner runs (owner->on_cpu), giving up on need_resched. Returns true if the lock
 * was released (owner became NULL), false if the owner changed, slept, or we must
 * reschedule — a sign of heavy contention.
 */
export function* spinOnOwner(lock: Lock & { owner: Task | null }, task: Task, owner: Task, op: LockOp): Proc<boolean> {
  const sched = lock.env.sched;
  while (lock.owner === owner && owner.onCpu) {
    if (sched.needResched(task)) break;
    sched.watchOffCpu(owner, task);
    lock.poller = task;
    yield* lock.spin(task, op, true);
    yield lock.pollLine(task, op); // observe what changed (the load issued at the change)
  }
  return lock.owner === null;
}
