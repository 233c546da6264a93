/**
 * The xfs log as its forcers see it (fs/xfs/xfs_log.c, xfs_log_cil.c of 3.18). Forces share
 * log writes (group commit): in 3.18 the first forcer pushes the CIL itself (xlog_cil_push_now
 * → xlog_cil_push: every transaction committed so far goes into the iclogs), and forcers that
 * arrive while that push and its iclog write are in flight find their sequence pushed and
 * wait for the iclog's completion (xlog_cil_force_lsn, _xfs_log_force_lsn → xlog_wait on
 * ic_force_wait); the next push covers everything that committed meanwhile. On a ramdisk
 * the log write is CPU (brd copies the bio in the submitter's context), so it is computed.
 */
import type { Proc } from '../engine';
import type { KernelPathClock } from '../mm';
import type { Scheduler, Task } from '../sched';
import { Mutex, type LockdepClass, type LockEnv } from '../locking';
import { ServiceThread } from './service_thread';

/** the log mutex of the what-if without group commit; it nests nothing */
const XFS_LOG_CLASS: LockdepClass = { name: 'xfs_log', rank: 12 };

export class XfsLog {
  readonly stats = { forces: 0, writes: 0 };
  /** the what-if without group commit: a mutex every log force holds across its write; null with group commit */
  private readonly mutex: Mutex | null;
  /** group commit: one log write at a time, covering every force queued before it started */
  private readonly writer: ServiceThread;

  /**
   * `writeNs`: the CPU time of one CIL push and iclog write. `groupCommit` true (xfs):
   * forces that arrive while a log write is in flight share the next one; false (a what-if):
   * every force writes the log itself, serialised on a mutex held across the write.
   */
  constructor(env: LockEnv, private readonly sched: Scheduler, private readonly writeNs: number, groupCommit: boolean, paths: KernelPathClock | null = null) {
    this.mutex = groupCommit ? null : new Mutex(env, XFS_LOG_CLASS, 'xfs.log');
    const self = this;
    // one CIL push + iclog write at a time, covering every force queued before it started;
    // 3.18 runs it in the first forcer's context, here a thread does it (the same CPU work,
    // but the first forcer sleeps like the others instead of pushing)
    this.writer = new ServiceThread(sched, 'xfs-cil-push', true, function* (t) {
      self.stats.writes++;
      yield* sched.compute(t, self.writeNs);
    }, paths);
  }

  /**
   * xfs_log_force(SYNC) / xfs_log_force_lsn: queue for the next CIL push and iclog write
   * and sleep until it completes. The what-if without group commit writes the log in the
   * forcer's context under the mutex (lockstat site `site`).
   */
  *force(task: Task, site: string): Proc {
    if (!this.mutex) yield* this.writer.submit(task);
    else {
      this.stats.writes++;
      yield* this.mutex.lock(task, site);
      yield* this.sched.compute(task, this.writeNs);
      yield* this.mutex.unlock(task);
    }
    this.stats.forces++;
  }
}
