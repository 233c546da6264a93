/**
 * The file-system side of the aim7 tests, at the level of its locks and queues
 * (fs/namei.c, fs/sync.c, fs/fs-writeback.c, fs/xfs of 3.18), on xfs over a ramdisk as the
 * 2014 runs used (docs/reference/aim7.md §2):
 *
 * - every child creates, opens and unlinks its temporary files in ONE directory (DISKDIR),
 *   and disk_src works in the shared `fakeh` tree: lookup_open() and vfs_unlink() hold the
 *   directory's `i_mutex` (a mutex in both kernels); getdents of /bin (ls, dir_rtns_1)
 *   holds /bin's i_mutex (iterate_dir);
 * - sync(2) (sys_sync): wakeup_flusher_threads, then per superblock sync_inodes_sb(), which
 *   queues a WB_SYNC_ALL work item to the bdi's ONE flusher thread and waits for it
 *   (bdi_queue_work + wait_for_completion), then wait_sb_inodes(), which walks every inode
 *   of the superblock (sb->s_inodes) under the global `inode_sb_list_lock` spinlock;
 *   then sync_fs → xfs_log_force(SYNC);
 * - an O_SYNC write forces the xfs log once per write (xfs_file_aio_write →
 *   generic_write_sync → xfs_log_force_lsn). Forces share log writes (group commit): in 3.18
 *   the first forcer pushes the CIL itself (xlog_cil_push_now → xlog_cil_push: every
 *   transaction committed so far goes into the iclogs), and forcers that arrive while that
 *   push and its iclog write are in flight find their sequence pushed and wait for the
 *   iclog's completion (xlog_cil_force_lsn, _xfs_log_force_lsn → xlog_wait on
 *   ic_force_wait); the next push covers everything that committed meanwhile.
 * - on a ramdisk the I/O is CPU, not latency: brd_make_request copies every bio's pages
 *   synchronously in the submitter's context (drivers/block/brd.c copy_to_brd), so the
 *   log write and the flusher's writeback are computed, not slept.
 * The flusher writes back every inode dirty when it takes a work item [I: 3.18 writes back
 * those dirtied before the item was queued; later items find little left].
 * Costs: data/workloads/aim7/costs.yaml ([U] estimates; `io` ones scaled by the calibrated ioScale).
 */
import type { Task } from '../../sched';
import { Mutex, SpinLock, type LockdepClass } from '../../locking';
import { LOCKDEP_CLASSES, type MmContext } from '../../mm';
import type { Aim7Costs, CostName, Dir } from './spec';
import type { Proc } from '../../engine';

/** lock classes of the file-system side: i_mutex is the mm layer's (outermost); the rest nest nothing */
const FS_CLASSES: Readonly<Record<string, LockdepClass>> = Object.freeze({
  xfs_log: { name: 'xfs_log', rank: 12 },
  inode_sb_list_lock: { name: 'inode_sb_list_lock', rank: 80 },
});

interface Request { task: Task; done: boolean }

/**
 * A kernel thread serving a queue of requests, started on the first one: a requester
 * queues, wakes the thread and sleeps until its request is done. The thread takes one
 * request at a time (`batch` false: the bdi flusher's work items) or everything queued
 * (`batch` true: a log write covering every force that waited for it), does `serve(n)`,
 * then marks and wakes each requester.
 */
class ServiceThread {
  private readonly queue: Request[] = [];
  private thread: Task | null = null;

  constructor(
    private readonly ctx: MmContext,
    private readonly name: string,
    private readonly batch: boolean,
    private readonly serve: (t: Task, n: number) => Proc,
  ) {}

  *submit(task: Task): Proc {
    const { sched } = this.ctx;
    const req: Request = { task, done: false };
    this.queue.push(req);
    const th = this.start();
    if (sched.wake(th)) yield* sched.compute(task, sched.params.wakeupCost);
    while (!req.done) yield* sched.block(task);
  }

  private start(): Task {
    if (this.thread) return this.thread;
    const { sched } = this.ctx;
    const self = this;
    this.thread = sched.spawn(this.name, function* (t) {
      for (;;) {
        if (self.queue.length === 0) { yield* sched.block(t); continue; }
        const items = self.batch ? self.queue.splice(0) : [self.queue.shift()!];
        yield* self.serve(t, items.length);
        for (const r of items) {
          r.done = true;
          if (sched.wake(r.task)) yield* sched.compute(t, sched.params.wakeupCost);
        }
      }
    });
    return this.thread;
  }
}

export class Aim7Fs {
  readonly dirs: Readonly<Record<Dir, Mutex>>;
  /** the what-if without group commit: a mutex every log force holds across its write; null with group commit */
  private readonly log: Mutex | null;
  readonly inodeSbListLock: SpinLock;
  /** inodes on the superblock created by the children and not yet freed */
  liveInodes = 0;
  /** inode ids with dirty pages */
  readonly dirty = new Set<number>();
  readonly stats = { syncs: 0, writebackItems: 0, writebackInodes: 0, logForces: 0, logWrites: 0 };
  private nextInode = 1;
  /** the bdi flusher thread (bdi_writeback_workfn): one WB_SYNC_ALL work item at a time */
  private readonly flusher: ServiceThread;
  private readonly cost: (name: CostName) => number;
  /** group commit: one log write at a time, covering every force queued before it started */
  private readonly logWriter: ServiceThread;

  /**
   * `groupCommit` (default true, as xfs does): log forces that arrive while a log write is
   * in flight share the next one. false (a what-if): every force writes the log itself,
   * serialised on a mutex held across the write.
   */
  constructor(private readonly ctx: MmContext, costs: Aim7Costs, ioScale: number, groupCommit = true) {
    const { env } = ctx;
    this.dirs = {
      diskdir: new Mutex(env, LOCKDEP_CLASSES.i_mutex!, 'DISKDIR.i_mutex'),
      fakeh: new Mutex(env, LOCKDEP_CLASSES.i_mutex!, 'fakeh.i_mutex'),
      '/bin': new Mutex(env, LOCKDEP_CLASSES.i_mutex!, '/bin.i_mutex'),
    };
    this.log = groupCommit ? null : new Mutex(env, FS_CLASSES.xfs_log!, 'xfs.log');
    this.inodeSbListLock = new SpinLock(env, FS_CLASSES.inode_sb_list_lock!, 'inode_sb_list_lock');
    this.cost = (n) => costs[n].value * (costs[n].io ? ioScale : 1);
    const { sched } = ctx;
    const self = this;
    this.flusher = new ServiceThread(ctx, 'flush-xfs', false, function* (t) {
      const n = self.dirty.size;
      yield* sched.compute(t, (self.cost('writebackFixedUs') + n * self.cost('writebackInodeUs')) * 1e3);
      self.dirty.clear();
      self.stats.writebackItems++;
      self.stats.writebackInodes += n;
    });
    // one CIL push + iclog write at a time, covering every force queued before it started;
    // 3.18 runs it in the first forcer's context, here a thread does it (the same CPU work,
    // but the first forcer sleeps like the others instead of pushing)
    this.logWriter = new ServiceThread(ctx, 'xfs-cil-push', true, function* (t) {
      self.stats.logWrites++;
      yield* sched.compute(t, self.cost('logForceUs') * 1e3);
    });
  }

  private us(task: Task, us: number) {
    return this.ctx.sched.compute(task, us * 1e3);
  }

  /** open(O_CREAT) (+ the close that follows): lookup_open under the directory's i_mutex; a new inode unless `existing` */
  *creat(task: Task, dir: Dir, existing: number | null): Proc<number> {
    yield* this.us(task, this.cost('creatOutsideUs'));
    const m = this.dirs[dir];
    yield* m.lock(task, 'lookup_open');
    yield* this.us(task, this.cost('creatHoldUs'));
    yield* m.unlock(task);
    if (existing !== null) { this.dirty.delete(existing); return existing; } // O_TRUNC
    this.liveInodes++;
    return this.nextInode++;
  }

  /** unlink(): vfs_unlink under the directory's i_mutex; the inode is freed (evict: off s_inodes) */
  *unlink(task: Task, dir: Dir, inode: number | null): Proc {
    const m = this.dirs[dir];
    yield* m.lock(task, 'vfs_unlink');
    yield* this.us(task, this.cost('unlinkHoldUs'));
    yield* m.unlock(task);
    if (inode !== null) { this.liveInodes--; this.dirty.delete(inode); }
  }

  /** getdents of a directory: iterate_dir holds its i_mutex */
  *readdir(task: Task, dir: Dir): Proc {
    const m = this.dirs[dir];
    yield* m.lock(task, 'iterate_dir');
    yield* this.us(task, this.cost('readdirHoldUs'));
    yield* m.unlock(task);
  }

  /** shmget + IPC_RMID of a private segment */
  *shmSetup(task: Task): Proc {
    yield* this.us(task, this.cost('shmSetupUs'));
  }

  *lookup(task: Task, n: number): Proc {
    yield* this.us(task, n * this.cost('lookupUs'));
  }

  /** buffered write of `kib` KiB to `inode` (dirty afterwards) */
  *write(task: Task, inode: number | null, kib: number): Proc {
    yield* this.us(task, kib * this.cost('writeUsPerKiB'));
    if (inode !== null) this.dirty.add(inode);
  }

  *read(task: Task, kib: number): Proc {
    yield* this.us(task, kib * this.cost('readUsPerKiB'));
  }

  *dio(task: Task, kib: number): Proc {
    yield* this.us(task, kib * this.cost('dioUsPerKiB'));
  }

  /** `kib` O_SYNC writes of 1 KiB: each a buffered write then a log force */
  *osyncWrite(task: Task, kib: number): Proc {
    for (let i = 0; i < kib; i++) {
      yield* this.us(task, this.cost('writeUsPerKiB'));
      yield* this.logForce(task, 'xfs_file_fsync');
    }
  }

  /**
   * xfs_log_force(SYNC) / xfs_log_force_lsn: queue for the next CIL push and iclog write
   * and sleep until it completes (group commit, see the top of the file). The what-if
   * without group commit writes the log in the forcer's context under a mutex.
   */
  private *logForce(task: Task, site: string): Proc {
    if (!this.log) yield* this.logWriter.submit(task);
    else {
      this.stats.logWrites++;
      yield* this.log.lock(task, site);
      yield* this.us(task, this.cost('logForceUs'));
      yield* this.log.unlock(task);
    }
    this.stats.logForces++;
  }

  /** sys_sync() */
  *sync(task: Task): Proc {
    const { sched } = this.ctx;
    this.stats.syncs++;
    yield* this.us(task, this.cost('syncFixedUs'));
    // sync_inodes_sb: queue WB_SYNC_ALL work to the flusher and wait for its completion
    yield* this.flusher.submit(task);
    // wait_sb_inodes: every inode of the superblock under inode_sb_list_lock
    yield* this.inodeSbListLock.lock(task, 'wait_sb_inodes');
    yield* sched.compute(task, (this.cost('baseInodes') + this.liveInodes) * this.cost('inodeScanNs'));
    yield* this.inodeSbListLock.unlock(task);
    // sync_fs: xfs_fs_sync_fs → xfs_log_force(SYNC)
    yield* this.logForce(task, 'xfs_fs_sync_fs');
  }
}
