import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CacheLine, Machine, loadMachine } from '../../src/hw';
import { toySpec } from './specs';

// Toy machine (specs.ts): 2 sockets × 2 cores × 2 threads, hit 1, sameCore 5, sameSocket 20,
// crossSocket 100, memoryLocal 80, memoryRemote 150 ns.
//   socket 0: cpus 0, 1 (cores 0, 1) and their siblings 4, 5
//   socket 1: cpus 2, 3 (cores 2, 3) and their siblings 6, 7
const toy = () => new Machine(toySpec());

test('the first access fetches the line from the DRAM of its home node', () => {
  const m = toy();
  const a = new CacheLine(m, 'a', 0);
  assert.equal(a.read(0, 0), 80);
  assert.deepEqual(a.snapshot(), { state: 'shared', holders: [0], busyUntil: 80 });
  assert.deepEqual({ ...a.stats }, { accesses: 1, misses: 1, crossSocket: 0, queued: 0 });
  const b = new CacheLine(m, 'b', 0);
  assert.equal(b.read(2, 0), 150); // socket 1 reading node 0's memory
  assert.equal(b.stats.crossSocket, 1);
  const c = new CacheLine(m, 'c', 1);
  assert.equal(c.write(0, 0), 150);
  assert.deepEqual(c.snapshot(), { state: 'modified', holders: [0], busyUntil: 150 });
  assert.equal(c.stats.crossSocket, 1);
});

test('reads come from the nearest holder; a write invalidates every sharer, so their next reads miss', () => {
  const l = new CacheLine(toy());
  assert.equal(l.read(0, 0), 80); // memory
  assert.equal(l.read(1, 100), 20); // core 0 on the same socket holds it
  assert.equal(l.read(2, 200), 100); // nearest holder is on socket 0
  assert.equal(l.read(3, 400), 20); // cpu 2 on its own socket holds it
  assert.equal(l.read(4, 500), 5); // its SMT sibling (cpu 0) holds it
  assert.deepEqual(l.snapshot().holders, [0, 1, 2, 3, 4]);
  assert.equal(l.write(1, 600), 100); // invalidating socket 1's copies is the farthest
  assert.deepEqual(l.snapshot(), { state: 'modified', holders: [1], busyUntil: 700 });
  for (let c = 0; c < 8; c++) assert.equal(l.holds(c), c === 1, `cpu ${c}`);
  // every former sharer now misses, and misses queue one after another
  assert.equal(l.read(0, 800), 20); // from owner cpu 1, same socket → 800..820
  assert.equal(l.read(2, 800), 20 + 100); // waits for cpu 0's miss, then crosses → ..920
  assert.equal(l.read(4, 800), 120 + 5); // sibling of holder cpu 0, after the two → ..925
  assert.equal(l.read(1, 800), 1); // the old owner kept a Shared copy: a hit
  assert.deepEqual({ ...l.stats }, { accesses: 10, misses: 9, crossSocket: 3, queued: 20 + 120 });
});

test('N readers after a write are served one after another: the k-th waits k transfers (ticket-lock collapse)', () => {
  // one socket of 8 cores: every transfer is sameSocket (20 ns)
  const l = new CacheLine(new Machine(toySpec(1, 8, 2)));
  assert.equal(l.write(0, 0), 80); // the lock holder releases (writes) the line
  const t = 100;
  for (let k = 1; k <= 7; k++) assert.equal(l.read(k, t), 20 * k, `reader ${k}`);
  assert.equal(l.stats.queued, 20 * (0 + 1 + 2 + 3 + 4 + 5 + 6));

  // the paper's machine, 14 waiters on the holder's socket: 40 ns each, the last waits 560 ns
  const m = loadMachine('ivybridge-ex-4s');
  const p = new CacheLine(m);
  p.write(0, 0);
  const delays = Array.from({ length: 14 }, (_, i) => p.read(i + 1, 1000));
  assert.deepEqual(delays, Array.from({ length: 14 }, (_, i) => 40 * (i + 1)));

  // across sockets (every socket one hop apart): 100 ns per reader
  const x = new CacheLine(new Machine(toySpec(4, 1, 1)));
  x.write(0, 0);
  assert.deepEqual([1, 2, 3].map((c) => x.read(c, 1000)), [100, 200, 300]);
  assert.equal(x.stats.crossSocket, 3);

  // the hand-off to the next ticket holder grows linearly with the number of waiters
  const handoff = (waiters: number) => {
    const line = new CacheLine(new Machine(toySpec(1, 16, 1)));
    for (let c = 0; c <= waiters; c++) line.read(c, 0); // everyone spins on a Shared copy
    const now = 10_000;
    const release = line.write(0, now); // unlock: invalidate the waiters
    let last = 0;
    for (let c = 1; c <= waiters; c++) last = line.read(c, now + release); // all re-read
    return last; // the next holder may well be the last one served
  };
  assert.deepEqual([1, 2, 4, 8].map(handoff), [20, 40, 80, 160]);
});

test('hits cost `hit` and do not queue behind pending misses', () => {
  const l = new CacheLine(toy());
  assert.equal(l.write(0, 0), 80); // busy until 80
  assert.equal(l.read(1, 10), 70 + 20); // queued behind the write, busy until 100
  assert.equal(l.read(0, 20), 1); // cpu 0 still holds a copy: no queueing
  assert.equal(l.snapshot().busyUntil, 100);
  assert.equal(l.stats.queued, 70);
  assert.equal(l.write(5, 200), 20); // invalidate cpu 0 (core 0) and cpu 1 (sibling): sameSocket
  assert.equal(l.write(5, 300), 1); // owner writes again
  assert.equal(l.read(5, 301), 1); // and reads
  assert.deepEqual({ ...l.stats }, { accesses: 6, misses: 3, crossSocket: 0, queued: 70 });
});

test('cross-socket misses are counted in stats.crossSocket', () => {
  const l = new CacheLine(toy());
  l.write(0, 0); // local memory
  l.read(2, 100); // from socket 0's cache → cross
  l.read(3, 300); // cpu 2 on its own socket → not
  l.read(6, 400); // sibling → not
  assert.equal(l.stats.crossSocket, 1);
  assert.equal(l.write(0, 500), 100); // must invalidate socket 1's copies → cross
  assert.equal(l.write(2, 700), 100); // fetch from cpu 0 → cross
  assert.equal(l.read(2, 900), 1);
  assert.deepEqual({ ...l.stats }, { accesses: 7, misses: 6, crossSocket: 3, queued: 0 });
});

test('sole-sharer upgrade is a silent hit; with other sharers it is a miss', () => {
  const m = toy();
  const a = new CacheLine(m);
  assert.equal(a.read(0, 0), 80);
  assert.equal(a.write(0, 100), 1); // Exclusive → Modified
  assert.deepEqual(a.snapshot().holders, [0]);
  assert.equal(a.snapshot().state, 'modified');
  assert.equal(a.stats.misses, 1);

  const b = new CacheLine(m);
  b.read(0, 0);
  b.read(1, 100);
  assert.equal(b.write(0, 200), 20); // must invalidate core 1's copy

  const c = new CacheLine(m);
  c.read(0, 0);
  c.read(4, 100); // sibling
  assert.equal(c.write(0, 200), 5); // only the sibling to invalidate

  const d = new CacheLine(m);
  d.read(4, 0);
  assert.equal(d.write(0, 100), 5); // a non-holder whose sibling holds the only copy
});

test('8 sockets: reads come from the nearest socket, writes pay for the farthest copy (two hops)', () => {
  const m = loadMachine('westmere-ex-8s');
  const l = m.spec.latency;
  const line = new CacheLine(m);
  assert.equal(line.write(0, 0), l.memoryLocal); // socket 0
  assert.equal(line.read(10, 1000), l.crossSocket); // socket 1, one hop from 0
  assert.equal(m.nodeDistance(2, 0), 25);
  assert.equal(m.nodeDistance(2, 1), 21);
  assert.equal(line.read(20, 2000), l.crossSocket); // socket 2: from socket 1 (one hop), not 0 (two)
  const twoHops = m.transferCost(0, 20);
  assert.ok(twoHops > l.crossSocket);
  assert.equal(line.write(1, 3000), twoHops); // socket 0 invalidates socket 2's copy
  assert.equal(line.stats.crossSocket, 3);
});

test('homeNode must be a node of the machine', () => {
  const m = toy();
  for (const bad of [2, -1, 0.5, Number.NaN]) {
    assert.throws(() => new CacheLine(m, 'x', bad), /CacheLine "x": homeNode must be an integer from 0 to 1/);
  }
  assert.equal(new CacheLine(m, 'x', 1).read(0, 0), 150);
});

// ---------------------------------------------------------------- property: against a reference model

/**
 * Reference model, written from the doc comment rather than the code: a read miss pays the
 * cheapest transfer from any holder (or DRAM), a write pays the dearest transfer among the
 * other holders (or DRAM); a write by the only holder, and any access by a CPU holding a
 * usable copy, is a hit; misses occupy the line one after another.
 */
class RefLine {
  state: 'invalid' | 'shared' | 'modified' = 'invalid';
  holders = new Set<number>();
  busy = 0;
  stats = { accesses: 0, misses: 0, crossSocket: 0, queued: 0 };
  constructor(readonly m: Machine, readonly home: number) {}

  access(kind: 'read' | 'write', cpu: number, now: number): number {
    const m = this.m, hit = m.spec.latency.hit;
    this.stats.accesses++;
    const others = [...this.holders].filter((h) => h !== cpu);
    const own = m.socketOf(cpu);
    let cost: number, cross: boolean;
    if (kind === 'read') {
      if (this.holders.has(cpu)) return hit;
      if (this.state === 'invalid') {
        cost = m.memoryCost(cpu, this.home);
        cross = this.home !== own;
      } else {
        cost = Math.min(...others.map((h) => m.transferCost(h, cpu)));
        cross = !others.some((h) => m.socketOf(h) === own);
      }
      this.state = 'shared';
      this.holders.add(cpu);
    } else {
      if (this.holders.has(cpu) && others.length === 0) {
        this.state = 'modified';
        return hit;
      }
      if (this.state === 'invalid') {
        cost = m.memoryCost(cpu, this.home);
        cross = this.home !== own;
      } else {
        cost = Math.max(...others.map((h) => m.transferCost(h, cpu)));
        cross = others.some((h) => m.socketOf(h) !== own);
      }
      this.state = 'modified';
      this.holders = new Set([cpu]);
    }
    const wait = Math.max(0, this.busy - now);
    this.busy = now + wait + cost;
    this.stats.misses++;
    this.stats.queued += wait;
    if (cross) this.stats.crossSocket++;
    return wait + cost;
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

test('random access sequences: invariants hold and costs match the reference model (property)', () => {
  const machines = [
    toy(),
    new Machine(toySpec(1, 3, 2)),
    new Machine(toySpec(4, 2, 2, [[10, 21, 31, 21], [21, 10, 21, 31], [31, 21, 10, 21], [21, 31, 21, 10]])),
    loadMachine('westmere-ex-8s'),
  ];
  const op = fc.record({ kind: fc.constantFrom('read' as const, 'write' as const), cpu: fc.nat(), dt: fc.oneof(fc.constant(0), fc.nat(300)) });
  fc.assert(
    fc.property(fc.nat(machines.length - 1), fc.nat(7), fc.array(op, { minLength: 1, maxLength: 60 }), (mi, homeSeed, ops) => {
      const m = machines[mi];
      const home = homeSeed % m.nnodes;
      // draw CPUs from a small pool so that lines are shared and re-used
      const pool = [0, m.siblingsOf(0)[0] ?? 0, 1 % m.ncpus, m.cpusOfSocketFirst(m.nsockets - 1), m.ncpus - 1, m.cpusOfSocketFirst(m.nsockets >> 1) + 1];
      const line = new CacheLine(m, 'p', home);
      const ref = new RefLine(m, home);
      const l = m.spec.latency;
      let now = 0;
      for (const { kind, cpu: c, dt } of ops) {
        now += dt;
        const cpu = pool[c % pool.length];
        const before = line.snapshot();
        const held = line.holds(cpu);
        const delay = kind === 'read' ? line.read(cpu, now) : line.write(cpu, now);
        const expected = ref.access(kind, cpu, now);
        const after = line.snapshot();
        assert.ok(close(delay, expected), `${kind} by ${cpu} at ${now}: ${delay}, reference ${expected}`);
        // invariants
        assert.ok(delay >= l.hit);
        if (delay === l.hit) {
          assert.equal(after.busyUntil, before.busyUntil, 'a hit does not occupy the line');
        } else {
          assert.ok(delay >= Math.max(0, before.busyUntil - now) + l.sameCore - 1e-9, 'a miss waits for the line, then transfers');
          assert.ok(close(after.busyUntil, now + delay));
        }
        if (kind === 'read' && held) assert.equal(delay, l.hit, 'holds() ⇒ the read hits');
        if (kind === 'read' && !held) assert.ok(delay > l.hit, '!holds() ⇒ the read misses');
        if (after.state === 'modified') assert.equal(after.holders.length, 1, 'at most one Modified owner');
        if (after.state === 'invalid') assert.equal(after.holders.length, 0);
        if (after.state === 'shared') assert.ok(after.holders.length >= 1);
        if (kind === 'write') assert.deepEqual(after, { ...after, state: 'modified', holders: [cpu] });
        else assert.ok(line.holds(cpu));
        for (let x = 0; x < m.ncpus; x++) assert.equal(line.holds(x), after.holders.includes(x));
        assert.deepEqual(after.holders, [...ref.holders].sort((a, b) => a - b));
        assert.equal(after.state, ref.state);
        assert.equal(line.stats.accesses, ref.stats.accesses);
        assert.equal(line.stats.misses, ref.stats.misses);
        assert.equal(line.stats.crossSocket, ref.stats.crossSocket);
        assert.ok(close(line.stats.queued, ref.stats.queued));
        assert.ok(line.stats.crossSocket <= line.stats.misses);
      }
    }),
    { numRuns: 400 },
  );
});
