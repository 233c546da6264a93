import type { Task } from '../sched';
import type { MmContext } from './model/context';
import type { Vma } from './vma';
import type { AnonVma } from './anon_vma';
import type { Proc } from '../engine';

/**
 * The anon_vma half of mm/rmap.c: attaching VMAs to anon_vmas and detaching them. Every
 * anon_vma of a process family shares its root's rwsem (`anon_vma_lock_write` locks
 * `anon_vma->root->rwsem`), so fork, split and exit of any family member take one lock.
 * Modelled: which lock, in which mode, how often. Not modelled: the anon_vma_chain list
 * itself (a VMA points at one anon_vma; a forked VMA's chain = its parent's plus its own)
 * and find_mergeable_anon_vma's reuse of a neighbour's anon_vma.
 */

/**
 * anon_vma_interval_tree insert/remove under the root lock: one visit per level of a
 * tree of about `n` chains [I: the root's degree stands in for its tree size].
 */
function avcTreeCost(ctx: MmContext, n: number): number {
  return ctx.costs.treeVisit * Math.max(1, Math.ceil(1.5 * Math.log2(n + 1)));
}

/**
 * anon_vma_prepare() (mm/rmap.c), from the first anonymous or COW fault of a VMA (caller
 * holds mmap_sem for read): allocate an anon_vma, then under its rwsem (W) and
 * mm->page_table_lock attach it, unless a racing fault of another thread did so first.
 */
export function* anonVmaPrepare(ctx: MmContext, task: Task, vma: Vma): Proc {
  if (vma.anonVma) return;
  const av = ctx.newAnonVma(null, `${vma.mm.name}.av${vma.start}`);
  yield* av.rwsem.acquire(task, 'write', 'anon_vma_prepare');
  yield* vma.mm.pageTableLock.acquire(task, 'write', 'anon_vma_prepare');
  if (!vma.anonVma) {
    vma.anonVma = av;
    av.degree++;
  }
  yield* vma.mm.pageTableLock.unlock(task);
  yield* av.rwsem.release(task, 'write');
  if (av.degree === 0) av.rwsem.dispose(); // lost the race: this anon_vma is freed unused
}

/**
 * anon_vma_clone() (mm/rmap.c): `dst` joins every anon_vma of `src`'s chain, under the
 * root rwsem (W, one acquisition: lock_anon_vma_root keeps it across the chain). From
 * __split_vma, copy_vma, anon_vma_fork, and vma_adjust when an expanding VMA imports
 * anonymous pages.
 */
export function* anonVmaClone(ctx: MmContext, task: Task, dst: Vma, src: Vma): Proc {
  const av = src.anonVma;
  if (!av) return;
  yield* av.rwsem.acquire(task, 'write', 'anon_vma_clone');
  dst.anonVma = av;
  av.degree++;
  yield* ctx.compute(task, avcTreeCost(ctx, av.root.degree));
  yield* av.rwsem.release(task, 'write');
}

/**
 * anon_vma_fork() (mm/rmap.c), from dup_mmap for a parent VMA with an anon_vma: clone the
 * parent's chain (root W), allocate the child's own anon_vma — chained to the parent's,
 * same root — and link it under the root rwsem (W) again. Two acquisitions per VMA.
 */
export function* anonVmaFork(ctx: MmContext, task: Task, child: Vma, parent: Vma): Proc {
  const pav = parent.anonVma;
  if (!pav) return;
  child.anonVma = null;
  yield* anonVmaClone(ctx, task, child, parent);
  pav.degree--; // the clone's reference is replaced by the child's own anon_vma below
  const av = ctx.newAnonVma(pav, `${child.mm.name}.av${child.start}`);
  av.parent = pav; // for the parent's degree when this one is freed
  pav.degree++; // the new anon_vma points at its parent
  yield* av.rwsem.acquire(task, 'write', 'anon_vma_fork');
  child.anonVma = av;
  av.degree++;
  yield* ctx.compute(task, avcTreeCost(ctx, av.root.degree));
  yield* av.rwsem.release(task, 'write');
}

/**
 * unlink_anon_vmas() (mm/rmap.c), from free_pgtables (munmap, exit) and anon_vma_merge:
 * remove the VMA from every anon_vma of its chain under the root rwsem (W, once).
 */
export function* unlinkAnonVmas(ctx: MmContext, task: Task, vma: Vma): Proc {
  const av = vma.anonVma;
  if (!av) return;
  yield* av.rwsem.acquire(task, 'write', 'unlink_anon_vmas');
  av.degree--;
  vma.anonVma = null;
  // put_anon_vma of an anon_vma nothing points at any more: its parent loses a child
  const parent = av.degree === 0 ? av.parent : null;
  if (parent) {
    parent.degree--;
    av.parent = null;
  }
  yield* ctx.compute(task, avcTreeCost(ctx, av.root.degree));
  yield* av.rwsem.release(task, 'write');
  // nothing points into the family any more (a VMA or child anon_vma would count in the
  // root's degree), so nobody can take its lock again: the lock environment forgets it,
  // as an exited mm's locks, so that the family can be freed
  if (av.root.degree === 0) av.rwsem.dispose();
}
