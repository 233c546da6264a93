/**
 * The address_space interval tree (`mapping->i_mmap`) of Linux 3.18: an augmented
 * red-black tree of closed intervals [start, last] in page offsets, keyed by `start`,
 * each node caching the largest `last` in its subtree.
 *
 * Mirrors, function by function:
 * - include/linux/interval_tree_generic.h (`INTERVAL_TREE_DEFINE`): `_insert`, `_remove`,
 *   `_iter_first`, `_iter_next`, `subtree_search`, `compute_subtree_last`, and the
 *   `RB_DECLARE_CALLBACKS` augment callbacks (propagate / copy / rotate);
 * - mm/interval_tree.c: `vma_interval_tree_insert_after` (fork puts the child VMA
 *   right after the parent's) and the `vma_interval_tree_foreach` loop;
 * - lib/rbtree.c + include/linux/rbtree_augmented.h: `__rb_insert`,
 *   `__rb_erase_augmented`, `____rb_erase_color`, `__rb_rotate_set_parents`,
 *   `__rb_change_child`, `rb_first`, `rb_next`.
 *
 * Order: in-order = ascending `start`; equal starts keep insertion position (`insert`
 * descends right on ties, exactly as the kernel's `start < ITSTART(parent)` test does;
 * `insertAfter` places a node immediately after its `prev`). Rotations and erase keep
 * the in-order sequence, so iteration order is a deterministic function of the
 * operation sequence. No randomness anywhere.
 *
 * Costs: insert/remove O(log n); an overlap query O(log n + k) (more precisely
 * O(min(n, (k+1) log n))). Queries allocate nothing: `forEachOverlap` runs one inline
 * loop, and `OverlapCursor` (kernel-style first/next, for walkers that must yield between
 * VMAs) is allocated once by its owner and reused.
 *
 * "Visits" — the cost a simulator charges for a walk — count the steps of the kernel's
 * search: the root, every descent to a child in `subtree_search`, and every climb to a
 * parent in `iter_next`. A node may be counted twice (descended through, later climbed
 * back to), as the kernel touches it twice. Every reported node was reached by a step,
 * so visits ≥ results; an empty tree costs 0.
 *
 * The tree must not be modified while a walk over it is in progress: `forEachOverlap`
 * and `OverlapCursor.next` throw if it was (the kernel excludes this with i_mmap_rwsem).
 */

/** A node of an {@link IntervalTree}: one VMA's entry in `mapping->i_mmap`. */
export class IntervalNode<T> {
  /** First page offset covered (vm_pgoff). Do not change while the node is in a tree. */
  readonly start: number;
  /** Last page offset covered, inclusive (vm_pgoff + pages - 1). */
  readonly last: number;
  /** The payload (the VMA). */
  value: T;
  /** Largest `last` in this node's subtree (`shared.linear.rb_subtree_last`). Internal. */
  subtreeLast: number;
  /** Tree links (internal; exposed read-only for the validator). */
  left: IntervalNode<T> | null = null;
  right: IntervalNode<T> | null = null;
  parent: IntervalNode<T> | null = null;
  /** Colour: true = red (`RB_RED`), false = black. */
  red = false;
  /** The tree holding this node, or null when detached. */
  tree: IntervalTree<T> | null = null;

  constructor(start: number, last: number, value: T) {
    checkInterval(start, last);
    this.start = start;
    this.last = last;
    this.subtreeLast = last;
    this.value = value;
  }
}

function checkInterval(start: number, last: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(last) || start > last) {
    throw new RangeError(`interval tree: bad interval [${start}, ${last}] (need safe integers, start <= last)`);
  }
}

function badQuery(start: number, last: number): never {
  throw new RangeError(`interval tree: bad query [${start}, ${last}] (need numbers, start <= last)`);
}

function modified(): never {
  throw new Error('interval tree: modified during an overlap walk');
}

/** `ITPREFIX ## _compute_subtree_last`. */
function computeSubtreeLast<T>(node: IntervalNode<T>): number {
  let max = node.last;
  const l = node.left;
  if (l !== null && max < l.subtreeLast) max = l.subtreeLast;
  const r = node.right;
  if (r !== null && max < r.subtreeLast) max = r.subtreeLast;
  return max;
}

/** Augment callback `propagate` (RB_DECLARE_CALLBACKS): fix subtreeLast from `node` up to `stop`. */
function augmentPropagate<T>(node: IntervalNode<T> | null, stop: IntervalNode<T> | null): void {
  while (node !== stop && node !== null) {
    const sl = computeSubtreeLast(node);
    if (node.subtreeLast === sl) break;
    node.subtreeLast = sl;
    node = node.parent;
  }
}

/** Augment callback `rotate`: `nw` took `old`'s place as subtree root. */
function augmentRotate<T>(old: IntervalNode<T>, nw: IntervalNode<T>): void {
  nw.subtreeLast = old.subtreeLast;
  old.subtreeLast = computeSubtreeLast(old);
}

/** Kernel-style overlap iterator (`vma_interval_tree_foreach` split into first/next). */
export class OverlapCursor<T> {
  /** Nodes visited (see the module comment) since the last `first()`. */
  visits = 0;
  /** The current match, or null when the walk is over. */
  node: IntervalNode<T> | null = null;
  private start = 0;
  private last = -1;
  private gen = 0;

  constructor(readonly tree: IntervalTree<T>) {}

  /** `_iter_first`: the leftmost node overlapping [start, last], or null. */
  first(start: number, last: number): IntervalNode<T> | null {
    if (!(start <= last)) badQuery(start, last);
    this.start = start;
    this.last = last;
    this.gen = this.tree.generation;
    this.visits = 0;
    const root = this.tree.root;
    if (root === null) return (this.node = null);
    this.visits = 1;
    if (root.subtreeLast < start) return (this.node = null);
    return (this.node = this.subtreeSearch(root));
  }

  /** `_iter_next`: the next overlapping node in order after the current one, or null. */
  next(): IntervalNode<T> | null {
    let node = this.node;
    if (node === null) return null;
    if (this.gen !== this.tree.generation) modified();
    const start = this.start;
    const last = this.last;
    let visits = this.visits;
    for (;;) {
      // Loop invariant (kernel): node.start <= last. First, search the right subtree.
      const r = node.right;
      if (r !== null && start <= r.subtreeLast) {
        this.visits = visits + 1;
        return (this.node = this.subtreeSearch(r));
      }
      // Move up the tree until we come from a node's left child.
      let prev: IntervalNode<T>;
      do {
        prev = node;
        const p: IntervalNode<T> | null = node.parent;
        if (p === null) {
          this.visits = visits;
          return (this.node = null);
        }
        node = p;
        visits++;
      } while (node.right === prev);
      if (last < node.start) break; // !Cond1
      if (start <= node.last) { // Cond2
        this.visits = visits;
        return (this.node = node);
      }
    }
    this.visits = visits;
    return (this.node = null);
  }

  /** `subtree_search`: leftmost match under `node`, given start <= node.subtreeLast. */
  private subtreeSearch(node: IntervalNode<T>): IntervalNode<T> | null {
    const start = this.start;
    const last = this.last;
    let visits = this.visits;
    let found: IntervalNode<T> | null = null;
    for (;;) {
      const l = node.left;
      if (l !== null && start <= l.subtreeLast) {
        node = l;
        visits++;
        continue;
      }
      if (node.start <= last) { // Cond1
        if (start <= node.last) { // Cond2
          found = node;
          break;
        }
        const r = node.right;
        if (r !== null && start <= r.subtreeLast) {
          node = r;
          visits++;
          continue;
        }
      }
      break;
    }
    this.visits = visits;
    return found;
  }
}

/**
 * An augmented red-black interval tree (`struct rb_root` + `vma_interval_tree_*`).
 * Deterministic; see the module comment for ordering and cost rules.
 */
export class IntervalTree<T> {
  /** The root (`rb_root.rb_node`). Internal; read-only outside this module. */
  root: IntervalNode<T> | null = null;
  /** Bumped by every modification; walks check it. */
  generation = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.root === null;
  }

  /** `vma_interval_tree_insert`: a new node for [start, last] after all equal starts. */
  insert(start: number, last: number, value: T): IntervalNode<T> {
    const node = new IntervalNode(start, last, value);
    this.link(node);
    return node;
  }

  /**
   * (Re)insert a detached node, optionally with new bounds — as `vma_adjust` removes a
   * VMA, changes vm_start/vm_pgoff, and inserts it again.
   */
  insertNode(node: IntervalNode<T>, start: number = node.start, last: number = node.last): IntervalNode<T> {
    if (node.tree !== null) throw new Error('interval tree: insertNode of a node that is still in a tree');
    checkInterval(start, last);
    (node as { start: number }).start = start;
    (node as { last: number }).last = last;
    this.link(node);
    return node;
  }

  /**
   * `vma_interval_tree_insert_after` (mm/interval_tree.c): insert detached `node`
   * immediately after `prev` in order (fork: the child's VMA right after the parent's).
   * Like the kernel, `node.start` must equal `prev.start`. The kernel relies on equal
   * `last` too (it does not update `prev` and its ancestors); here a larger `last` is
   * also propagated up from `prev`, so any `last` is allowed.
   */
  insertAfter(node: IntervalNode<T>, prev: IntervalNode<T>): IntervalNode<T> {
    if (prev.tree !== this) throw new Error('interval tree: insertAfter: prev is not in this tree');
    if (node.tree !== null) throw new Error('interval tree: insertAfter of a node that is still in a tree');
    if (node.start !== prev.start) {
      throw new RangeError(`interval tree: insertAfter needs equal starts (node ${node.start}, prev ${prev.start})`);
    }
    const last = node.last;
    let parent: IntervalNode<T>;
    let asLeft: boolean;
    if (prev.right === null) {
      parent = prev;
      asLeft = false;
    } else {
      parent = prev.right;
      if (parent.subtreeLast < last) parent.subtreeLast = last;
      while (parent.left !== null) {
        parent = parent.left;
        if (parent.subtreeLast < last) parent.subtreeLast = last;
      }
      asLeft = true;
    }
    // Not in the kernel (equal lasts make it a no-op): prev and its ancestors.
    for (let a: IntervalNode<T> | null = prev; a !== null && a.subtreeLast < last; a = a.parent) a.subtreeLast = last;
    node.subtreeLast = last;
    this.linkAt(node, parent, asLeft);
    return node;
  }

  /** `vma_interval_tree_remove` (`rb_erase_augmented`). The node becomes detached. */
  remove(node: IntervalNode<T>): void {
    if (node.tree !== this) throw new Error('interval tree: remove of a node not in this tree');
    const rebalance = this.eraseAugmented(node);
    if (rebalance !== null) this.eraseColor(rebalance);
    node.left = node.right = node.parent = null;
    node.red = false;
    node.subtreeLast = node.last;
    node.tree = null;
    this.count--;
    this.generation++;
  }

  /** Detach every node. O(n). */
  clear(): void {
    for (let n = this.first(); n !== null;) {
      const nx = this.next(n);
      n.left = n.right = n.parent = null;
      n.red = false;
      n.subtreeLast = n.last;
      n.tree = null;
      n = nx;
    }
    this.root = null;
    this.count = 0;
    this.generation++;
  }

  /**
   * `vma_interval_tree_foreach(node, root, start, last)`: call `fn` on each node whose
   * interval overlaps [start, last] (node.start <= last && start <= node.last), in
   * order; `fn` returning `false` stops the walk. Returns the nodes visited (the walk's
   * cost, see the module comment). Allocation-free; `fn` must not modify the tree.
   */
  forEachOverlap(start: number, last: number, fn: (node: IntervalNode<T>) => boolean | void): number {
    if (!(start <= last)) badQuery(start, last);
    let node = this.root;
    if (node === null) return 0;
    let visits = 1;
    if (node.subtreeLast < start) return visits; // _iter_first
    const gen = this.generation;
    search: for (;;) {
      // subtree_search(node): invariant start <= node.subtreeLast.
      for (;;) {
        const l: IntervalNode<T> | null = node.left;
        if (l !== null && start <= l.subtreeLast) {
          node = l;
          visits++;
          continue;
        }
        if (node.start <= last) { // Cond1
          if (start <= node.last) break; // Cond2: node is the leftmost match
          const r: IntervalNode<T> | null = node.right;
          if (r !== null && start <= r.subtreeLast) {
            node = r;
            visits++;
            continue;
          }
        }
        return visits; // no match
      }
      report: for (;;) {
        if (fn(node) === false) return visits;
        if (this.generation !== gen) modified();
        // _iter_next(node)
        for (;;) {
          const r: IntervalNode<T> | null = node.right;
          if (r !== null && start <= r.subtreeLast) {
            node = r;
            visits++;
            continue search;
          }
          let prev: IntervalNode<T>;
          do {
            prev = node;
            const p: IntervalNode<T> | null = node.parent;
            if (p === null) return visits;
            node = p;
            visits++;
          } while (node.right === prev);
          if (last < node.start) return visits; // !Cond1
          if (start <= node.last) continue report; // Cond2
        }
      }
    }
  }

  /** A reusable kernel-style first/next iterator over this tree. */
  cursor(): OverlapCursor<T> {
    return new OverlapCursor(this);
  }

  /** `rb_first`: the leftmost node, or null. */
  first(): IntervalNode<T> | null {
    let n = this.root;
    if (n === null) return null;
    while (n.left !== null) n = n.left;
    return n;
  }

  /** `rb_next`: the in-order successor of `node`, or null. */
  next(node: IntervalNode<T>): IntervalNode<T> | null {
    let n = node.right;
    if (n !== null) {
      while (n.left !== null) n = n.left;
      return n;
    }
    let c = node;
    let p = node.parent;
    while (p !== null && p.right === c) {
      c = p;
      p = p.parent;
    }
    return p;
  }

  /** In-order iteration (allocates; for tests and reports, not hot paths). */
  *[Symbol.iterator](): IterableIterator<IntervalNode<T>> {
    for (let n = this.first(); n !== null; n = this.next(n)) yield n;
  }

  toArray(): IntervalNode<T>[] {
    const out: IntervalNode<T>[] = [];
    for (let n = this.first(); n !== null; n = this.next(n)) out.push(n);
    return out;
  }

  /** Height in nodes (0 when empty); ≤ 2·log2(n + 1) for a red-black tree. O(n). */
  height(): number {
    return heightOf(this.root);
  }

  // ---- internals ----

  /** `ITPREFIX ## _insert`: descend by start (ties right), raising subtreeLast on the way. */
  private link(node: IntervalNode<T>): void {
    const start = node.start;
    const last = node.last;
    let parent: IntervalNode<T> | null = null;
    let asLeft = false;
    let cur = this.root;
    while (cur !== null) {
      parent = cur;
      if (cur.subtreeLast < last) cur.subtreeLast = last;
      if (start < cur.start) {
        asLeft = true;
        cur = cur.left;
      } else {
        asLeft = false;
        cur = cur.right;
      }
    }
    node.subtreeLast = last;
    this.linkAt(node, parent, asLeft);
  }

  /** `rb_link_node` + `rb_insert_augmented`. */
  private linkAt(node: IntervalNode<T>, parent: IntervalNode<T> | null, asLeft: boolean): void {
    node.parent = parent;
    node.left = node.right = null;
    node.red = true;
    node.tree = this;
    if (parent === null) this.root = node;
    else if (asLeft) parent.left = node;
    else parent.right = node;
    this.insertColor(node);
    this.count++;
    this.generation++;
  }

  /** `__rb_change_child`. */
  private changeChild(old: IntervalNode<T>, nw: IntervalNode<T> | null, parent: IntervalNode<T> | null): void {
    if (parent !== null) {
      if (parent.left === old) parent.left = nw;
      else parent.right = nw;
    } else {
      this.root = nw;
    }
  }

  /** `__rb_rotate_set_parents`: `nw` takes `old`'s parent and colour; `old` gets `red`. */
  private rotateSetParents(old: IntervalNode<T>, nw: IntervalNode<T>, red: boolean): void {
    const parent = old.parent;
    nw.parent = parent;
    nw.red = old.red;
    old.parent = nw;
    old.red = red;
    this.changeChild(old, nw, parent);
  }

  /** `__rb_insert` (lib/rbtree.c) with the augment rotate callback. */
  // long: mirrors lib/rbtree.c's __rb_insert case by case; its cases share the loop's node/parent/gparent, and split up they would no longer read against the kernel's
  private insertColor(node: IntervalNode<T>): void {
    let parent = node.parent;
    for (;;) {
      // Loop invariant: node is red.
      if (parent === null) {
        node.red = false;
        break;
      }
      if (!parent.red) break;
      const gparent = parent.parent!; // a red parent is never the root
      let tmp = gparent.right;
      if (parent !== tmp) { // parent == gparent.left
        if (tmp !== null && tmp.red) {
          // Case 1 - colour flips
          tmp.red = false;
          parent.red = false;
          node = gparent;
          parent = node.parent;
          node.red = true;
          continue;
        }
        tmp = parent.right;
        if (node === tmp) {
          // Case 2 - left rotate at parent
          tmp = node.left;
          parent.right = tmp;
          node.left = parent;
          if (tmp !== null) {
            tmp.parent = parent;
            tmp.red = false;
          }
          parent.parent = node;
          parent.red = true;
          augmentRotate(parent, node);
          parent = node;
          tmp = node.right;
        }
        // Case 3 - right rotate at gparent
        gparent.left = tmp;
        parent.right = gparent;
        if (tmp !== null) {
          tmp.parent = gparent;
          tmp.red = false;
        }
        this.rotateSetParents(gparent, parent, true);
        augmentRotate(gparent, parent);
        break;
      } else {
        tmp = gparent.left;
        if (tmp !== null && tmp.red) {
          // Case 1 - colour flips
          tmp.red = false;
          parent.red = false;
          node = gparent;
          parent = node.parent;
          node.red = true;
          continue;
        }
        tmp = parent.left;
        if (node === tmp) {
          // Case 2 - right rotate at parent
          tmp = node.right;
          parent.left = tmp;
          node.right = parent;
          if (tmp !== null) {
            tmp.parent = parent;
            tmp.red = false;
          }
          parent.parent = node;
          parent.red = true;
          augmentRotate(parent, node);
          parent = node;
          tmp = node.left;
        }
        // Case 3 - left rotate at gparent
        gparent.right = tmp;
        parent.left = gparent;
        if (tmp !== null) {
          tmp.parent = gparent;
          tmp.red = false;
        }
        this.rotateSetParents(gparent, parent, true);
        augmentRotate(gparent, parent);
        break;
      }
    }
  }

  /**
   * `__rb_erase_augmented` (include/linux/rbtree_augmented.h): unlink `node`, returning
   * the node to start `____rb_erase_color` from, or null if no rebalance is needed.
   */
  private eraseAugmented(node: IntervalNode<T>): IntervalNode<T> | null {
    const child = node.right;
    let tmp = node.left;
    let parent: IntervalNode<T> | null;
    let rebalance: IntervalNode<T> | null;
    let fixFrom: IntervalNode<T> | null;
    if (tmp === null) {
      // Case 1: at most one child (the right one).
      parent = node.parent;
      this.changeChild(node, child, parent);
      if (child !== null) {
        child.parent = parent;
        child.red = node.red;
        rebalance = null;
      } else {
        rebalance = node.red ? null : parent;
      }
      fixFrom = parent;
    } else if (child === null) {
      // Still case 1, but the child is node.left.
      parent = node.parent;
      tmp.parent = parent;
      tmp.red = node.red;
      this.changeChild(node, tmp, parent);
      rebalance = null;
      fixFrom = parent;
    } else {
      let successor = child;
      let child2: IntervalNode<T> | null;
      tmp = child.left;
      if (tmp === null) {
        // Case 2: node's successor is its right child.
        parent = successor;
        child2 = successor.right;
        successor.subtreeLast = node.subtreeLast; // augment copy
      } else {
        // Case 3: successor is the leftmost node of node's right subtree.
        do {
          parent = successor;
          successor = tmp;
          tmp = tmp.left;
        } while (tmp !== null);
        child2 = successor.right;
        parent.left = child2;
        successor.right = child;
        child.parent = successor;
        successor.subtreeLast = node.subtreeLast; // augment copy
        augmentPropagate(parent, successor);
      }
      const nl = node.left!; // non-null in this branch
      successor.left = nl;
      nl.parent = successor;
      const np = node.parent;
      this.changeChild(node, successor, np);
      const successorWasRed = successor.red;
      successor.parent = np;
      successor.red = node.red;
      if (child2 !== null) {
        child2.parent = parent;
        child2.red = false;
        rebalance = null;
      } else {
        rebalance = successorWasRed ? null : parent;
      }
      fixFrom = successor;
    }
    augmentPropagate(fixFrom, null);
    return rebalance;
  }

  /** `____rb_erase_color` (lib/rbtree.c) with the augment rotate callback. */
  // long: mirrors lib/rbtree.c's ____rb_erase_color case by case (both sides of the tree, four cases each), as insertColor does __rb_insert
  private eraseColor(parentIn: IntervalNode<T>): void {
    let parent: IntervalNode<T> = parentIn;
    let node: IntervalNode<T> | null = null;
    for (;;) {
      // Invariants: node is black (or null first time), parent non-null, and paths
      // through node are one black short.
      let sibling = parent.right;
      if (node !== sibling) { // node == parent.left
        let s = sibling!; // black-height: a short side has a non-null sibling
        if (s.red) {
          // Case 1 - left rotate at parent
          const tmp1 = s.left!;
          parent.right = tmp1;
          s.left = parent;
          tmp1.parent = parent;
          tmp1.red = false;
          this.rotateSetParents(parent, s, true);
          augmentRotate(parent, s);
          s = tmp1;
        }
        let tmp1 = s.right;
        if (tmp1 === null || !tmp1.red) {
          const tmp2 = s.left;
          if (tmp2 === null || !tmp2.red) {
            // Case 2 - sibling colour flip
            s.parent = parent;
            s.red = true;
            if (parent.red) {
              parent.red = false;
            } else {
              node = parent;
              const p = node.parent;
              if (p !== null) {
                parent = p;
                continue;
              }
            }
            break;
          }
          // Case 3 - right rotate at sibling
          tmp1 = tmp2.right;
          s.left = tmp1;
          tmp2.right = s;
          parent.right = tmp2;
          if (tmp1 !== null) {
            tmp1.parent = s;
            tmp1.red = false;
          }
          augmentRotate(s, tmp2);
          tmp1 = s;
          s = tmp2;
        }
        // Case 4 - left rotate at parent + colour flips
        const tmp2 = s.left;
        parent.right = tmp2;
        s.left = parent;
        tmp1.parent = s;
        tmp1.red = false;
        if (tmp2 !== null) tmp2.parent = parent;
        this.rotateSetParents(parent, s, false);
        augmentRotate(parent, s);
        break;
      } else {
        sibling = parent.left;
        let s = sibling!;
        if (s.red) {
          // Case 1 - right rotate at parent
          const tmp1 = s.right!;
          parent.left = tmp1;
          s.right = parent;
          tmp1.parent = parent;
          tmp1.red = false;
          this.rotateSetParents(parent, s, true);
          augmentRotate(parent, s);
          s = tmp1;
        }
        let tmp1 = s.left;
        if (tmp1 === null || !tmp1.red) {
          const tmp2 = s.right;
          if (tmp2 === null || !tmp2.red) {
            // Case 2 - sibling colour flip
            s.parent = parent;
            s.red = true;
            if (parent.red) {
              parent.red = false;
            } else {
              node = parent;
              const p = node.parent;
              if (p !== null) {
                parent = p;
                continue;
              }
            }
            break;
          }
          // Case 3 - left rotate at sibling
          tmp1 = tmp2.left;
          s.right = tmp1;
          tmp2.left = s;
          parent.left = tmp2;
          if (tmp1 !== null) {
            tmp1.parent = s;
            tmp1.red = false;
          }
          augmentRotate(s, tmp2);
          tmp1 = s;
          s = tmp2;
        }
        // Case 4 - right rotate at parent + colour flips
        const tmp2 = s.right;
        parent.left = tmp2;
        s.right = parent;
        tmp1.parent = s;
        tmp1.red = false;
        if (tmp2 !== null) tmp2.parent = parent;
        this.rotateSetParents(parent, s, false);
        augmentRotate(parent, s);
        break;
      }
    }
  }
}

function heightOf<T>(n: IntervalNode<T> | null): number {
  if (n === null) return 0;
  const l = heightOf(n.left);
  const r = heightOf(n.right);
  return 1 + (l > r ? l : r);
}
