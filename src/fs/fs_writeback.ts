/**
 * Writeback of dirty inodes by the bdi's ONE flusher thread (fs/fs-writeback.c of 3.18,
 * bdi_writeback_workfn): sync_inodes_sb queues a WB_SYNC_ALL work item (bdi_queue_work) and
 * waits for its completion; the flusher takes one item at a time. It writes back every inode
 * dirty when it takes an item [I: 3.18 writes back those dirtied before the item was queued;
 * later items find little left]. On a ramdisk writeback is CPU (brd copies every bio's pages
 * in the submitter's context, drivers/block/brd.c copy_to_brd), so it is computed.
 */
import type { Proc } from '../engine';
import type { KernelPathClock } from '../mm';
import type { Scheduler, Task } from '../sched';
import { ServiceThread } from './service_thread';

export class BdiWriteback {
  /** inode ids with dirty pages */
  readonly dirty = new Set<number>();
  readonly stats = { items: 0, inodes: 0 };
  private readonly flusher: ServiceThread;

  /** `fixedUs` per work item plus `perInodeUs` per inode written back */
  constructor(sched: Scheduler, fixedUs: number, perInodeUs: number, paths: KernelPathClock | null = null) {
    const self = this;
    this.flusher = new ServiceThread(sched, 'flush-xfs', false, function* (t) {
      const n = self.dirty.size;
      yield* sched.compute(t, (fixedUs + n * perInodeUs) * 1e3);
      self.dirty.clear();
      self.stats.items++;
      self.stats.inodes += n;
    }, paths);
  }

  /** sync_inodes_sb's WB_SYNC_ALL work: queue it to the flusher and wait for its completion */
  *syncInodes(task: Task): Proc {
    yield* this.flusher.submit(task);
  }
}
