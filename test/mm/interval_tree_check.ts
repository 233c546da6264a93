import { IntervalNode, IntervalTree } from '../../src/mm/interval_tree';

/**
 * Test-only validator for {@link IntervalTree}: checks every structural invariant and
 * throws an Error naming the first violation. O(n). Checks:
 * - links: root has no parent; each child's parent is its node; each node's `tree` is this tree;
 * - red-black: root black, no red node with a red child, equal black height on every path
 *   (hence height ≤ 2·log2(n + 1));
 * - order: in-order starts non-decreasing (ties may sit on either side after rotations);
 * - augmentation: subtreeLast = max(last, children's subtreeLast) (`_compute_subtree_last`);
 * - bookkeeping: node count = size; isEmpty() agrees.
 */
export function checkIntervalTree<T>(tree: IntervalTree<T>): void {
  const root = tree.root;
  if (root !== null) {
    if (root.parent !== null) fail('root has a parent');
    if (root.red) fail('root is red');
  }
  let count = 0;
  let prevStart = -Infinity;
  const fail2 = (n: IntervalNode<T>, what: string): never => fail(`node [${n.start}, ${n.last}]: ${what}`);
  // Returns the black height of the subtree.
  const walk = (n: IntervalNode<T> | null): number => {
    if (n === null) return 1;
    if (n.tree !== tree) fail2(n, 'tree field is not this tree');
    if (!(n.start <= n.last)) fail2(n, 'start > last');
    const l = n.left;
    const r = n.right;
    if (l !== null && l.parent !== n) fail2(n, 'left child has another parent');
    if (r !== null && r.parent !== n) fail2(n, 'right child has another parent');
    if (n.red && ((l !== null && l.red) || (r !== null && r.red))) fail2(n, 'red node with a red child');
    const bl = walk(l);
    count++;
    if (n.start < prevStart) fail2(n, `out of order (after start ${prevStart})`);
    prevStart = n.start;
    const br = walk(r);
    if (bl !== br) fail2(n, `black heights differ (${bl} vs ${br})`);
    let max = n.last;
    if (l !== null && l.subtreeLast > max) max = l.subtreeLast;
    if (r !== null && r.subtreeLast > max) max = r.subtreeLast;
    if (n.subtreeLast !== max) fail2(n, `subtreeLast ${n.subtreeLast}, expected ${max}`);
    return bl + (n.red ? 0 : 1);
  };
  walk(root);
  if (count !== tree.size) fail(`size ${tree.size}, counted ${count}`);
  if (tree.isEmpty() !== (count === 0)) fail('isEmpty() disagrees with the node count');
  const h = tree.height();
  if (h > 2 * Math.log2(count + 1) + 1e-9) fail(`height ${h} exceeds 2·log2(${count} + 1)`);
}

function fail(msg: string): never {
  throw new Error(`interval tree invariant: ${msg}`);
}
