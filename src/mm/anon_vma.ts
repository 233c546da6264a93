import type { SleepLock } from '../locking';
import type { MmContext } from './model/context';
import type { Vma } from './vma';
import { IntervalTree } from './interval_tree';

/**
 * `struct anon_vma`: forked children chain to their parent's, and every anon_vma of a
 * family shares the root's rwsem (anon_vma_lock_write/read lock `anon_vma->root->rwsem`),
 * so all descendants of one process contend on one lock at fork and exit.
 */
export class AnonVma {
  readonly root: AnonVma;
  /** only the root's lock is used */
  readonly lock: SleepLock | null;
  /** number of VMAs and child anon_vmas pointing here */
  degree = 0;
  /** anon_vma->rb_root: the VMAs chained to this anon_vma (anon_vma_chain), by page offset; walked by rmap_walk_anon */
  readonly rb_root = new IntervalTree<Vma>();
  /**
   * anon_vma->parent while this anon_vma counts in its parent's degree (a forked one, from
   * anon_vma_fork, until put_anon_vma drops it: rmap_anon.ts); null otherwise
   */
  parent: AnonVma | null = null;

  constructor(ctx: MmContext, parent: AnonVma | null, readonly name: string) {
    this.root = parent ? parent.root : this;
    this.lock = parent ? null : ctx.newLock('anon_vma', `${name}.anon_vma`);
  }

  /** the lock that anon_vma_lock_write/read take */
  get rwsem(): SleepLock {
    return this.root.lock!;
  }
}
