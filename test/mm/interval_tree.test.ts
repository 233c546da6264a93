import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalNode, IntervalTree } from '../../src/mm/interval_tree';
import { checkIntervalTree } from './interval_tree_check';

// ---- brute-force model: a list in tree order ----

interface Item { id: number; start: number; last: number }

type Op =
  | { kind: 'insert'; start: number; len: number }
  | { kind: 'insertAfter'; pick: number; extra: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'reinsert'; pick: number; start: number; len: number }
  | { kind: 'query'; start: number; len: number; stopAfter: number };

const opArb = (maxStart: number, maxLen: number): fc.Arbitrary<Op> => fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), start: fc.nat(maxStart), len: fc.nat(maxLen) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insertAfter' as const), pick: fc.nat(), extra: fc.oneof(fc.constant(0), fc.nat(maxLen)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reinsert' as const), pick: fc.nat(), start: fc.nat(maxStart), len: fc.nat(maxLen) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('query' as const), start: fc.nat(maxStart + maxLen), len: fc.nat(maxLen), stopAfter: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 5 })) }) },
);

/** Index after every item with start <= s (insert descends right on ties). */
function upperBound(list: Item[], s: number): number {
  let i = 0;
  while (i < list.length && list[i].start <= s) i++;
  return i;
}

function ids(nodes: Iterable<IntervalNode<Item>>): number[] {
  return [...nodes].map((n) => n.value.id);
}

function checkQuery(tree: IntervalTree<Item>, list: Item[], start: number, last: number, stopAfter: number): void {
  const want = list.filter((it) => it.start <= last && start <= it.last).map((it) => it.id);
  const got: number[] = [];
  const visits = tree.forEachOverlap(start, last, (n) => {
    assert.ok(n.start <= last && start <= n.last, 'reported node does not overlap');
    got.push(n.value.id);
    return got.length < stopAfter;
  });
  const expect = want.slice(0, Math.min(stopAfter, want.length));
  assert.deepEqual(got, expect, `query [${start}, ${last}] stop ${stopAfter}`);
  assert.ok(visits >= got.length, `visits ${visits} < results ${got.length}`);
  if (tree.size > 0) {
    const h = tree.height();
    assert.ok(visits <= h * (2 * got.length + 1), `visits ${visits} > h(2k+1), h=${h} k=${got.length}`);
  } else {
    assert.equal(visits, 0);
  }
  // The kernel-style cursor walks the same nodes with the same cost.
  const c = tree.cursor();
  const got2: number[] = [];
  for (let n = c.first(start, last); n !== null; n = c.next()) {
    got2.push(n.value.id);
    if (got2.length >= stopAfter) break;
  }
  assert.deepEqual(got2, expect);
  assert.equal(c.visits, visits);
}

function runOps(ops: Op[], checkEvery = 1): void {
  const tree = new IntervalTree<Item>();
  const list: Item[] = [];
  const nodes = new Map<number, IntervalNode<Item>>();
  const detached: IntervalNode<Item>[] = [];
  let nextId = 0;
  let step = 0;
  for (const op of ops) {
    switch (op.kind) {
      case 'insert': {
        const it = { id: nextId++, start: op.start, last: op.start + op.len };
        list.splice(upperBound(list, it.start), 0, it);
        const n = tree.insert(it.start, it.last, it);
        assert.equal(n.value, it);
        nodes.set(it.id, n);
        break;
      }
      case 'insertAfter': {
        if (list.length === 0) continue;
        const i = op.pick % list.length;
        const prev = nodes.get(list[i].id)!;
        const it = { id: nextId++, start: prev.start, last: prev.last + op.extra };
        list.splice(i + 1, 0, it);
        const n = new IntervalNode(it.start, it.last, it);
        assert.equal(tree.insertAfter(n, prev), n);
        nodes.set(it.id, n);
        break;
      }
      case 'remove': {
        if (list.length === 0) continue;
        const i = op.pick % list.length;
        const [it] = list.splice(i, 1);
        const n = nodes.get(it.id)!;
        tree.remove(n);
        assert.equal(n.tree, null);
        nodes.delete(it.id);
        detached.push(n);
        break;
      }
      case 'reinsert': {
        if (detached.length === 0) continue;
        const n = detached.splice(op.pick % detached.length, 1)[0];
        const it = n.value;
        it.start = op.start;
        it.last = op.start + op.len;
        list.splice(upperBound(list, it.start), 0, it);
        tree.insertNode(n, it.start, it.last);
        assert.equal(n.start, it.start);
        assert.equal(n.last, it.last);
        nodes.set(it.id, n);
        break;
      }
      case 'query':
        checkQuery(tree, list, op.start, op.start + op.len, op.stopAfter);
        break;
    }
    if (++step % checkEvery === 0) {
      checkIntervalTree(tree);
      assert.equal(tree.size, list.length);
      assert.equal(tree.isEmpty(), list.length === 0);
      assert.deepEqual(ids(tree), list.map((it) => it.id));
    }
  }
  checkIntervalTree(tree);
  assert.deepEqual(tree.toArray().map((n) => n.value.id), list.map((it) => it.id));
  // A final sweep of point and range queries.
  const hi = list.reduce((m, it) => Math.max(m, it.last), 0) + 2;
  const stride = Math.max(1, Math.floor(hi / 40));
  for (let s = 0; s <= hi; s += stride) {
    checkQuery(tree, list, s, s, Infinity);
    checkQuery(tree, list, s, s + stride * 3, Infinity);
    checkQuery(tree, list, s, s, 1);
  }
}

test('property: random ops vs brute-force list, small keys (many ties)', () => {
  fc.assert(fc.property(fc.array(opArb(20, 6), { maxLength: 200, size: 'max' }), (ops) => runOps(ops)), { numRuns: 300, seed: 1 });
});

test('property: random ops vs brute-force list, wide keys and long intervals', () => {
  fc.assert(fc.property(fc.array(opArb(100_000, 5_000), { maxLength: 300, size: 'max' }), (ops) => runOps(ops)), { numRuns: 150, seed: 2 });
});

test('property: large trees stay balanced and correct (invariants checked every 25 ops)', () => {
  fc.assert(fc.property(
    fc.array(opArb(1_000, 50), { minLength: 1000, maxLength: 3000, size: 'max' }),
    (ops) => runOps(ops, 25),
  ), { numRuns: 10, seed: 3 });
});

test('empty tree', () => {
  const t = new IntervalTree<string>();
  assert.equal(t.size, 0);
  assert.ok(t.isEmpty());
  assert.equal(t.height(), 0);
  assert.deepEqual(t.toArray(), []);
  assert.deepEqual([...t], []);
  assert.equal(t.first(), null);
  let calls = 0;
  assert.equal(t.forEachOverlap(0, 100, () => { calls++; }), 0);
  assert.equal(calls, 0);
  const c = t.cursor();
  assert.equal(c.first(0, 100), null);
  assert.equal(c.next(), null);
  assert.equal(c.visits, 0);
  checkIntervalTree(t);
});

test('single point interval', () => {
  const t = new IntervalTree<string>();
  const n = t.insert(5, 5, 'p');
  checkIntervalTree(t);
  const hits = (s: number, l: number): string[] => {
    const out: string[] = [];
    t.forEachOverlap(s, l, (x) => { out.push(x.value); });
    return out;
  };
  assert.deepEqual(hits(5, 5), ['p']);
  assert.deepEqual(hits(4, 4), []);
  assert.deepEqual(hits(6, 6), []);
  assert.deepEqual(hits(0, 5), ['p']);
  assert.deepEqual(hits(5, 9), ['p']);
  assert.deepEqual(hits(0, 4), []);
  assert.equal(t.forEachOverlap(6, 9, () => {}), 1); // root only: pruned by subtreeLast
  t.remove(n);
  assert.ok(t.isEmpty());
  checkIntervalTree(t);
});

test('many identical intervals keep insertion order; insertAfter lands right after prev', () => {
  const t = new IntervalTree<number>();
  const nodes: IntervalNode<number>[] = [];
  for (let i = 0; i < 1000; i++) nodes.push(t.insert(10, 20, i));
  checkIntervalTree(t);
  assert.deepEqual(t.toArray().map((n) => n.value), [...Array(1000).keys()]);
  // fork: child VMA right after the parent's
  t.insertAfter(new IntervalNode(10, 20, 1000), nodes[500]);
  t.insertAfter(new IntervalNode(10, 20, 1001), nodes[999]);
  t.insertAfter(new IntervalNode(10, 20, 1002), nodes[0]);
  checkIntervalTree(t);
  const order = t.toArray().map((n) => n.value);
  assert.deepEqual(order.slice(0, 3), [0, 1002, 1]);
  assert.deepEqual(order.slice(order.indexOf(500), order.indexOf(500) + 3), [500, 1000, 501]);
  assert.deepEqual(order.slice(-2), [999, 1001]);
  // every query inside [10, 20] sees all of them, in order
  const seen: number[] = [];
  const visits = t.forEachOverlap(15, 15, (n) => { seen.push(n.value); });
  assert.deepEqual(seen, order);
  assert.ok(visits >= 1003);
  // outside sees nothing, cheaply
  assert.equal(t.forEachOverlap(21, 30, () => assert.fail('no overlap expected')), 1);
  let cheap = 0;
  cheap = t.forEachOverlap(0, 9, () => assert.fail('no overlap expected'));
  assert.ok(cheap <= t.height(), `visits ${cheap} for a miss left of everything`);
  // remove every other one: order of the rest unchanged
  for (let i = 0; i < 1000; i += 2) t.remove(nodes[i]);
  checkIntervalTree(t);
  assert.deepEqual(t.toArray().map((n) => n.value), order.filter((v) => v >= 1000 || v % 2 === 1));
});

test('early stop: fn returning false ends the walk; visits reflect the partial walk', () => {
  const t = new IntervalTree<number>();
  for (let i = 0; i < 5000; i++) t.insert(i, i + 100, i);
  let k = 0;
  const partial = t.forEachOverlap(0, 10_000, () => ++k < 3);
  assert.equal(k, 3);
  const full = t.forEachOverlap(0, 10_000, () => {});
  assert.ok(partial < 3 * 2 * t.height() + t.height(), `partial walk visits ${partial}`);
  assert.ok(full >= 5000);
  // returning undefined or true continues
  let m = 0;
  t.forEachOverlap(50, 50, () => { m++; return true; });
  assert.equal(m, 51);
});

test('query cost is O(log n + k) on a 10,000-node tree', () => {
  const t = new IntervalTree<number>();
  let x = 12345;
  const rand = (n: number): number => { x = (x * 1103515245 + 12345) % 2 ** 31; return x % n; };
  for (let i = 0; i < 10_000; i++) { const s = rand(1_000_000); t.insert(s, s + rand(64), i); }
  checkIntervalTree(t);
  const h = t.height();
  assert.ok(h <= 2 * Math.log2(10_001));
  for (let q = 0; q < 2000; q++) {
    const s = rand(1_000_000);
    let k = 0;
    const v = t.forEachOverlap(s, s, () => { k++; });
    assert.ok(v <= h * (2 * k + 1), `visits ${v}, k ${k}, h ${h}`);
  }
});

test('errors: bad intervals, foreign or detached nodes, modification during a walk', () => {
  const t = new IntervalTree<number>();
  assert.throws(() => t.insert(5, 4, 0), RangeError);
  assert.throws(() => t.insert(NaN, 4, 0), RangeError);
  assert.throws(() => t.insert(0.5, 4, 0), RangeError);
  assert.throws(() => t.forEachOverlap(5, 4, () => {}), RangeError);
  assert.throws(() => t.cursor().first(5, 4), RangeError);
  const a = t.insert(1, 10, 1);
  const b = t.insert(2, 10, 2);
  assert.throws(() => t.insertAfter(new IntervalNode(2, 10, 3), a), RangeError);
  assert.throws(() => t.insertAfter(b, a), /still in a tree/);
  assert.throws(() => t.insertNode(a), /still in a tree/);
  const other = new IntervalTree<number>();
  assert.throws(() => other.remove(a), /not in this tree/);
  assert.throws(() => other.insertAfter(new IntervalNode(1, 10, 4), a), /not in this tree/);
  t.remove(a);
  assert.throws(() => t.remove(a), /not in this tree/);
  t.insertNode(a);
  assert.throws(() => t.forEachOverlap(0, 20, () => { t.insert(3, 3, 9); }), /modified/);
  const c = t.cursor();
  c.first(0, 20);
  t.remove(b);
  assert.throws(() => c.next(), /modified/);
  checkIntervalTree(t);
});

test('clear detaches everything', () => {
  const t = new IntervalTree<number>();
  const ns = [t.insert(1, 2, 1), t.insert(3, 4, 2), t.insert(0, 9, 3)];
  t.clear();
  assert.ok(t.isEmpty());
  assert.equal(t.size, 0);
  for (const n of ns) assert.equal(n.tree, null);
  t.insertNode(ns[1]);
  checkIntervalTree(t);
  assert.equal(t.size, 1);
});

test('deterministic: the same operations build the same shape', () => {
  const build = (): string => {
    const t = new IntervalTree<number>();
    const ns: IntervalNode<number>[] = [];
    let x = 7;
    for (let i = 0; i < 3000; i++) {
      x = (x * 48271) % 2147483647;
      if (ns.length > 0 && x % 3 === 0) t.remove(ns.splice(x % ns.length, 1)[0]);
      else ns.push(t.insert(x % 500, (x % 500) + (x % 17), i));
    }
    const shape = (n: IntervalNode<number> | null): string =>
      n === null ? '.' : `(${n.value}${n.red ? 'r' : 'b'} ${shape(n.left)} ${shape(n.right)})`;
    return shape(t.root);
  };
  assert.equal(build(), build());
});

test('bench interval-tree runs small and ends with queries_per_s=<n>', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { intervalTree } = require('../../perf/interval_tree') as typeof import('../../perf/interval_tree');
  const lines: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    assert.equal(intervalTree.run(['--nodes', '200', '--queries', '1000', '--churn', '1000', '--processes', '10']), 0);
  } finally {
    console.log = orig;
  }
  assert.match(lines[lines.length - 1], /^queries_per_s=\d+$/);
  assert.equal(typeof intervalTree.summary, 'string');
});
