import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Machine, loadMachine, machinePresets, validateMachineSpec, type MachineSpec } from '../../src/hw';
import { clone, toySpec } from './specs';

// ---------------------------------------------------------------- topology

test('ivybridge-ex-4s numbering: cpu c and c + 60 are SMT siblings, sockets of 15 cores', () => {
  const m = loadMachine('ivybridge-ex-4s');
  assert.equal(m.ncpus, 120);
  assert.equal(m.ncores, 60);
  assert.equal(m.nsockets, 4);
  assert.equal(m.nnodes, 4);
  for (let c = 0; c < 60; c++) {
    assert.deepEqual(m.siblingsOf(c), [c + 60]);
    assert.deepEqual(m.siblingsOf(c + 60), [c]);
    assert.equal(m.coreOf(c), c);
    assert.equal(m.coreOf(c + 60), c);
    assert.equal(m.socketOf(c), Math.floor(c / 15));
    assert.equal(m.socketOf(c + 60), Math.floor(c / 15));
    assert.equal(m.nodeOf(c), m.socketOf(c));
  }
  const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
  for (let s = 0; s < 4; s++) {
    assert.deepEqual(m.cpusOfSocket(s), [...range(15 * s, 15), ...range(60 + 15 * s, 15)]);
    assert.equal(m.cpusOfSocketFirst(s), 15 * s);
  }
});

test('topology invariants hold for any shape (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), (S, P, T) => {
      const m = new Machine(toySpec(S, P, T));
      const C = S * P;
      assert.equal(m.ncores, C);
      assert.equal(m.ncpus, C * T);
      const seen = new Set<number>();
      for (let s = 0; s < S; s++) {
        const cpus = m.cpusOfSocket(s);
        assert.equal(cpus.length, P * T);
        assert.equal(cpus[0], m.cpusOfSocketFirst(s));
        for (const c of cpus) {
          assert.equal(m.socketOf(c), s);
          assert.ok(!seen.has(c));
          seen.add(c);
        }
      }
      assert.equal(seen.size, m.ncpus);
      for (let c = 0; c < m.ncpus; c++) {
        const core = c % C;
        assert.equal(m.coreOf(c), core);
        assert.equal(m.socketOf(c), Math.floor(core / P));
        const expected = Array.from({ length: T }, (_, t) => core + t * C).filter((x) => x !== c);
        assert.deepEqual(m.siblingsOf(c), expected);
        for (const sib of m.siblingsOf(c)) assert.equal(m.socketOf(sib), m.socketOf(c));
      }
    }),
  );
});

// ---------------------------------------------------------------- costs

test('transferCost: hit < sameCore < sameSocket < crossSocket on every preset', () => {
  for (const name of machinePresets()) {
    const m = loadMachine(name);
    const l = m.spec.latency;
    const sameSocket = 1; // CPU 1 is on socket 0 (every preset has > 1 CPU per socket)
    assert.equal(m.transferCost(0, 0), l.hit, name);
    assert.equal(m.transferCost(0, sameSocket), l.sameSocket, name);
    if (m.spec.threadsPerCore === 1 && m.nsockets === 1) {
      // vm-epyc-2c: no SMT sibling and no other socket, so only hit and sameSocket are used
      assert.ok(l.hit < l.sameSocket, name);
      assert.equal(m.siblingsOf(0).length, 0, name);
      assert.equal(m.transferCost(0, 1), m.transferCost(1, 0), name);
      continue;
    }
    const sib = m.siblingsOf(0)[0];
    const otherSocket = m.cpusOfSocketFirst(1);
    assert.equal(m.transferCost(0, sib), l.sameCore, name);
    assert.equal(m.transferCost(0, otherSocket), l.crossSocket, name);
    assert.ok(l.hit < l.sameCore && l.sameCore < l.sameSocket && l.sameSocket < l.crossSocket, name);
    assert.ok(m.memoryCost(0, 0) < m.memoryCost(0, 1), name);
    // symmetric
    for (const [a, b] of [[0, sib], [0, sameSocket], [0, otherSocket], [sib, otherSocket]]) {
      assert.equal(m.transferCost(a, b), m.transferCost(b, a), `${name} ${a}<->${b}`);
    }
  }
});

test('westmere-ex-8s: two-hop transfers and DRAM cost more than one-hop, scaled by the SLIT excess', () => {
  const m = loadMachine('westmere-ex-8s');
  const l = m.spec.latency;
  for (let a = 0; a < 8; a++) {
    for (let b = 0; b < 8; b++) {
      if (a === b) continue;
      const d = m.nodeDistance(a, b);
      const cost = m.transferCost(m.cpusOfSocketFirst(a), m.cpusOfSocketFirst(b) + 3);
      if (d === 21) {
        assert.equal(cost, l.crossSocket);
        assert.equal(m.memoryCost(m.cpusOfSocketFirst(a), b), l.memoryRemote);
      } else {
        assert.equal(d, 25);
        assert.ok(cost > l.crossSocket);
        assert.ok(Math.abs(cost - (l.crossSocket * 15) / 11) < 1e-9);
        assert.ok(m.memoryCost(m.cpusOfSocketFirst(a), b) > l.memoryRemote);
      }
    }
  }
});

test('without nodeDistance every socket is one hop (crossSocket) away', () => {
  const m = new Machine(toySpec(4, 2, 1));
  assert.equal(m.nodeDistance(0, 3), 20);
  for (let s = 1; s < 4; s++) assert.equal(m.transferCost(0, m.cpusOfSocketFirst(s)), 100);
  assert.equal(m.memoryCost(0, 2), 150);
});

// ---------------------------------------------------------------- validation

function throwsNaming(spec: unknown, ...needles: string[]): void {
  let err: unknown;
  try {
    validateMachineSpec(spec as MachineSpec);
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected an error naming ${needles.join(', ')}`);
  assert.equal((err as object).constructor, Error, `not a plain Error: ${String(err)}`);
  for (const n of needles) assert.ok((err as Error).message.includes(n), `message ${JSON.stringify((err as Error).message)} lacks ${JSON.stringify(n)}`);
}

test('validateMachineSpec names the field and the allowed range', () => {
  const base = toySpec();
  const with_ = (f: (s: MachineSpec & Record<string, unknown>) => void) => {
    const s = clone(base) as MachineSpec & Record<string, unknown>;
    f(s);
    return s;
  };
  throwsNaming(with_((s) => { s.sockets = 0; }), 'sockets', '1 to 64', 'got 0');
  throwsNaming(with_((s) => { s.coresPerSocket = 2.5; }), 'coresPerSocket', '1 to 1024');
  throwsNaming(with_((s) => { s.threadsPerCore = 9; }), 'threadsPerCore', '1 to 8');
  throwsNaming(with_((s) => { s.clockGHz = -1; }), 'clockGHz', '> 0');
  throwsNaming(with_((s) => { s.latency.hit = Number.NaN; }), 'latency.hit', '> 0', 'NaN');
  throwsNaming(with_((s) => { s.latency.memoryRemote = Infinity; }), 'latency.memoryRemote', 'finite');
  throwsNaming(with_((s) => { s.latency.sameSocket = 2; }), 'latency.sameSocket', '>= latency.sameCore');
  throwsNaming(with_((s) => { s.latency.memoryRemote = 50; }), 'latency.memoryRemote', '>= latency.memoryLocal');
  throwsNaming(with_((s) => { s.smt.busy = 1.5; }), 'smt.busy', '(0, 1]');
  throwsNaming(with_((s) => { s.smt = null as never; }), 'smt', '{busy, spinning}');
  throwsNaming(with_((s) => { s.nodeDistance = [[10, 20]]; }), 'nodeDistance', '2×2');
  throwsNaming(with_((s) => { s.nodeDistance = [[10, 20], [Number.NaN, 10]]; }), 'nodeDistance[1][0]', '> 10');
  throwsNaming(with_((s) => { s.nodeDistance = [[10, Infinity], [20, 10]]; }), 'nodeDistance[0][1]', 'finite');
  throwsNaming(with_((s) => { s.nodeDistance = [[11, 20], [20, 10]]; }), 'nodeDistance[0][0]', '10 (local)');
  // eslint-disable-next-line no-sparse-arrays
  throwsNaming(with_((s) => { s.nodeDistance = [[10, 20], [, 10]] as never; }), 'nodeDistance[1][0]', 'got undefined');
  throwsNaming(with_((s) => { s.nodeDistance = new Array(2) as never; }), 'nodeDistance', '2×2');
  throwsNaming(with_((s) => { s.name = ''; }), 'name', 'non-empty string');
  throwsNaming(with_((s) => { s.description = 7 as never; }), 'description', 'string');
  throwsNaming(with_((s) => { s.sources = { x: 1 } as never; }), 'sources["x"]', 'string');
  throwsNaming(with_((s) => { s.sockets = 10n as never; }), 'sockets', '10n');
  throwsNaming(null, 'expected an object');
  throwsNaming('ivybridge-ex-4s', 'expected an object');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  throwsNaming(with_((s) => { s.latency = cyclic as never; }), 'latency.hit');
  throwsNaming(with_((s) => { s.smt.spinning = cyclic as never; }), 'smt.spinning', 'an object');
  throwsNaming(with_((s) => { s.smt.spinning = Object.create(null) as never; }), 'smt.spinning');
});

const notObject = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 3 }), fc.bigInt());
const notNumber = fc.oneof(fc.constant(null), fc.constant(undefined), fc.string(), fc.boolean(), fc.bigInt(), fc.object(), fc.array(fc.double(), { maxLength: 2 }));
const badPositive = fc.oneof(fc.double({ max: 0 }), fc.constantFrom(Number.NaN, Infinity, -Infinity), notNumber);
const badInt = (max: number) =>
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: max + 1 }), fc.double({ noInteger: true }), fc.constantFrom(Number.NaN, Infinity), notNumber);
const badFraction = fc.oneof(fc.double({ max: 0 }), fc.double({ min: 1, minExcluded: true }), fc.constant(Number.NaN), notNumber);

/** a corruption: the path to change, the field name the error must mention, and the bad value */
type Corruption = { path: (string | number)[]; field: string; value: unknown };

function corruptions(spec: MachineSpec): fc.Arbitrary<Corruption> {
  const n = spec.sockets;
  const at = (path: (string | number)[], field: string, arb: fc.Arbitrary<unknown>) => arb.map((value) => ({ path, field, value }));
  const latencyKeys = ['hit', 'sameCore', 'sameSocket', 'crossSocket', 'memoryLocal', 'memoryRemote'];
  return fc.oneof(
    at(['name'], 'name', fc.oneof(fc.constant(''), notObject.filter((v) => typeof v !== 'string'))),
    at(['description'], 'description', notObject.filter((v) => typeof v !== 'string' && v !== undefined)),
    at(['sockets'], 'sockets', badInt(64)),
    at(['coresPerSocket'], 'coresPerSocket', badInt(1024)),
    at(['threadsPerCore'], 'threadsPerCore', badInt(8)),
    at(['clockGHz'], 'clockGHz', badPositive),
    at(['latency'], 'latency', notObject),
    fc.constantFrom(...latencyKeys).chain((k) => at(['latency', k], `latency.${k}`, badPositive)),
    at(['smt'], 'smt', notObject),
    fc.constantFrom('busy', 'spinning').chain((k) => at(['smt', k], `smt.${k}`, badFraction)),
    at(['nodeDistance'], 'nodeDistance', fc.oneof(fc.constant(null), fc.integer(), fc.constant([]), fc.constant(Array(n + 1).fill(Array(n + 1).fill(20))))),
    fc.tuple(fc.nat(n - 1), fc.nat(n - 1)).chain(([i, j]) =>
      at(['nodeDistance', i, j], `nodeDistance[${i}][${j}]`,
        i === j
          ? fc.oneof(fc.double().filter((v) => v !== 10), notNumber)
          : fc.oneof(fc.double({ max: 10 }), fc.constantFrom(Infinity, Number.NaN), notNumber)),
    ),
    at(['sources'], 'sources', fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.string(), { maxLength: 2 }))),
    fc.constantFrom(...Object.keys(spec.sources)).chain((k) => at(['sources', k], `sources[${JSON.stringify(k)}]`, notNumber.filter((v) => typeof v !== 'string' && v !== undefined))),
  );
}

function apply(spec: MachineSpec, c: { path: (string | number)[]; value: unknown }): MachineSpec {
  const s = clone(spec) as unknown as Record<string | number, unknown>;
  let o = s;
  for (const k of c.path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[c.path[c.path.length - 1]] = c.value;
  return s as unknown as MachineSpec;
}

test('any corruption of a valid preset → an Error naming the corrupted field (property)', () => {
  const presets = machinePresets().map((p) => loadMachine(p).spec);
  fc.assert(
    fc.property(
      fc.constantFrom(...presets).chain((spec) => corruptions(spec).map((c) => ({ spec, c }))),
      ({ spec, c }) => {
        validateMachineSpec(spec); // the original is valid
        throwsNaming(apply(spec, c), c.field);
      },
    ),
    { numRuns: 500 },
  );
});

test('replacing any field with any value → valid, or a plain Error (never a TypeError) (property)', () => {
  const spec = loadMachine('westmere-ex-8s').spec;
  const paths: (string | number)[][] = [
    ['name'], ['description'], ['sockets'], ['coresPerSocket'], ['threadsPerCore'], ['clockGHz'], ['latency'], ['smt'], ['sources'],
    ['nodeDistance'], ['nodeDistance', 3], ['nodeDistance', 2, 5], ['nodeDistance', 4, 4], ['smt', 'busy'], ['smt', 'spinning'],
    ...['hit', 'sameCore', 'sameSocket', 'crossSocket', 'memoryLocal', 'memoryRemote'].map((k) => ['latency', k]),
  ];
  const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true });
  fc.assert(
    fc.property(fc.constantFrom(...paths), anything, (path, value) => {
      try {
        validateMachineSpec(apply(spec, { path, value }));
      } catch (e) {
        assert.equal((e as object).constructor, Error, `not a plain Error: ${String(e)}`);
        assert.match((e as Error).message, /^machine/);
      }
    }),
    { numRuns: 1000 },
  );
});
