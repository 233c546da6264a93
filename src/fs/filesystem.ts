/**
 * One mounted file system at the level of its locks and queues (fs/namei.c, fs/readdir.c,
 * fs/sync.c of 3.18, xfs over a ramdisk as the 2014 aim7 runs used, docs/reference/aim7.md §2):
 *
 * - its directories, each with its `i_mutex` (a mutex in both kernels): lookup_open()
 *   (open with O_CREAT) and vfs_unlink() hold the directory's, getdents (iterate_dir) too;
 * - sync(2) (sys_sync): wakeup_flusher_threads, then per superblock sync_inodes_sb(), which
 *   queues a WB_SYNC_ALL work item to the bdi's flusher and waits for it (fs_writeback.ts),
 *   then wait_sb_inodes(), which walks every inode of the superblock (sb->s_inodes) under
 *   the global `inode_sb_list_lock` spinlock; then sync_fs → xfs_log_force(SYNC) (xfs_log.ts);
 * - an O_SYNC write forces the xfs log once per write (xfs_file_aio_write →
 *   generic_write_sync → xfs_log_force_lsn).
 * On a ramdisk the I/O is CPU, not latency: brd_make_request copies every bio's pages
 * synchronously in the submitter's context (drivers/block/brd.c copy_to_brd), so reads,
 * writes, log writes and writeback are computed, not slept. Costs: costs.ts (this folder).
 */
import type { Proc } from '../engine';
import type { Task } from '../sched';
import { Mutex, SpinLock, type LockdepClass } from '../locking';
import { LOCKDEP_CLASSES, type MmContext } from '../mm';
import type { FsCosts } from './costs';
import { BdiWriteback } from './fs_writeback';
import { XfsLog } from './xfs_log';

/** the superblock's inode list lock; it nests nothing */
const INODE_SB_LIST_LOCK_CLASS: LockdepClass = { name: 'inode_sb_list_lock', rank: 80 };

/** A file system whose directories are named by the keys `D`. */
export class FileSystem<D extends string> {
  readonly dirs: Readonly<Record<D, Mutex>>;
  readonly log: XfsLog;
  readonly inodeSbListLock: SpinLock;
  readonly writeback: BdiWriteback;
  /** inodes on the superblock created by the tasks and not yet freed */
  liveInodes = 0;
  readonly stats = { syncs: 0 };
  private nextInode = 1;

  /**
   * `dirs` names each directory's inode (its i_mutex is `<name>.i_mutex` in lockstat).
   * `groupCommit` (default true, as xfs does): see xfs_log.ts; false is a what-if.
   */
  constructor(private readonly ctx: MmContext, dirs: Readonly<Record<D, string>>, private readonly costs: FsCosts, groupCommit = true) {
    const { env, sched } = ctx;
    const mutexes = {} as Record<D, Mutex>;
    for (const d of Object.keys(dirs) as D[]) mutexes[d] = new Mutex(env, LOCKDEP_CLASSES.i_mutex!, `${dirs[d]}.i_mutex`);
    this.dirs = mutexes;
    this.log = new XfsLog(env, sched, costs.logForceUs * 1e3, groupCommit, ctx.paths);
    this.inodeSbListLock = new SpinLock(env, INODE_SB_LIST_LOCK_CLASS, 'inode_sb_list_lock');
    this.writeback = new BdiWriteback(sched, costs.writebackFixedUs, costs.writebackInodeUs, ctx.paths);
  }

  private us(task: Task, us: number) {
    return this.ctx.sched.compute(task, us * 1e3);
  }

  /** open(O_CREAT) (+ the close that follows): lookup_open under the directory's i_mutex; a new inode unless `existing` */
  *creat(task: Task, dir: D, existing: number | null): Proc<number> {
    yield* this.us(task, this.costs.creatOutsideUs);
    const m = this.dirs[dir];
    yield* m.lock(task, 'lookup_open');
    yield* this.us(task, this.costs.creatHoldUs);
    yield* m.unlock(task);
    if (existing !== null) { this.writeback.dirty.delete(existing); return existing; } // O_TRUNC
    this.liveInodes++;
    return this.nextInode++;
  }

  /** unlink(): vfs_unlink under the directory's i_mutex; the inode is freed (evict: off s_inodes) */
  *unlink(task: Task, dir: D, inode: number | null): Proc {
    const m = this.dirs[dir];
    yield* m.lock(task, 'vfs_unlink');
    yield* this.us(task, this.costs.unlinkHoldUs);
    yield* m.unlock(task);
    if (inode !== null) { this.liveInodes--; this.writeback.dirty.delete(inode); }
  }

  /** getdents of a directory: iterate_dir holds its i_mutex */
  *readdir(task: Task, dir: D): Proc {
    const m = this.dirs[dir];
    yield* m.lock(task, 'iterate_dir');
    yield* this.us(task, this.costs.readdirHoldUs);
    yield* m.unlock(task);
  }

  /** `n` path lookups (no lock the model contends) */
  *lookup(task: Task, n: number): Proc {
    yield* this.us(task, n * this.costs.lookupUs);
  }

  /** buffered write of `kib` KiB to `inode` (dirty afterwards) */
  *write(task: Task, inode: number | null, kib: number): Proc {
    yield* this.us(task, kib * this.costs.writeUsPerKiB);
    if (inode !== null) this.writeback.dirty.add(inode);
  }

  *read(task: Task, kib: number): Proc {
    yield* this.us(task, kib * this.costs.readUsPerKiB);
  }

  *dio(task: Task, kib: number): Proc {
    yield* this.us(task, kib * this.costs.dioUsPerKiB);
  }

  /** `kib` O_SYNC writes of 1 KiB: each a buffered write then a log force */
  *osyncWrite(task: Task, kib: number): Proc {
    for (let i = 0; i < kib; i++) {
      yield* this.us(task, this.costs.writeUsPerKiB);
      yield* this.log.force(task, 'xfs_file_fsync');
    }
  }

  /** sys_sync() */
  *sync(task: Task): Proc {
    const { sched } = this.ctx;
    this.stats.syncs++;
    yield* this.us(task, this.costs.syncFixedUs);
    // sync_inodes_sb: queue WB_SYNC_ALL work to the flusher and wait for its completion
    yield* this.writeback.syncInodes(task);
    // wait_sb_inodes: every inode of the superblock under inode_sb_list_lock
    yield* this.inodeSbListLock.lock(task, 'wait_sb_inodes');
    yield* sched.compute(task, (this.costs.baseInodes + this.liveInodes) * this.costs.inodeScanNs);
    yield* this.inodeSbListLock.unlock(task);
    // sync_fs: xfs_fs_sync_fs → xfs_log_force(SYNC)
    yield* this.log.force(task, 'xfs_fs_sync_fs');
  }
}
