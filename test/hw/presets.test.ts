import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dataPath } from '../../src/data';
import { loadMachine, machinePresets, type MachineSpec } from '../../src/hw';
import { toySpec } from './specs';

const EXPECTED = ['ivybridge-ex-2s', 'ivybridge-ex-4s', 'nehalem-ex-4s', 'sandybridge-ep-2s', 'sapphirerapids-2s', 'vm-epyc-2c', 'westmere-ep-2s', 'westmere-ex-4s', 'westmere-ex-8s'];

test('the presets in data/machines/ load, and are named after their files', () => {
  const names = machinePresets();
  for (const n of EXPECTED) assert.ok(names.includes(n), `missing preset ${n}`);
  for (const n of names) {
    const m = loadMachine(n);
    assert.equal(m.name, n);
    assert.ok(m.spec.description.length > 0, n);
  }
});

test('preset shapes: sockets × cores × threads as documented', () => {
  const shape = (n: string) => {
    const s = loadMachine(n).spec;
    return [s.sockets, s.coresPerSocket, s.threadsPerCore];
  };
  assert.deepEqual(shape('ivybridge-ex-4s'), [4, 15, 2]);
  assert.deepEqual(shape('ivybridge-ex-2s'), [2, 15, 2]);
  assert.deepEqual(shape('westmere-ex-8s'), [8, 10, 2]);
  assert.deepEqual(shape('sandybridge-ep-2s'), [2, 8, 2]);
  assert.deepEqual(shape('sapphirerapids-2s'), [2, 56, 2]);
  assert.deepEqual(shape('vm-epyc-2c'), [1, 2, 1]);
  assert.deepEqual(shape('westmere-ep-2s'), [2, 6, 2]);
  assert.deepEqual(shape('nehalem-ex-4s'), [4, 8, 2]);
  assert.deepEqual(shape('westmere-ex-4s'), [4, 10, 2]);
  // the 4-socket Westmere-EX keeps the 8-socket preset's one-hop latencies (same measurements)
  assert.deepEqual({ ...loadMachine('westmere-ex-4s').spec.latency, hit: 0, sameCore: 0 }, { ...loadMachine('westmere-ex-8s').spec.latency, hit: 0, sameCore: 0 });
  // "what if fewer sockets": the 2-socket IvyBridge-EX keeps every latency of the paper's machine
  assert.deepEqual(loadMachine('ivybridge-ex-2s').spec.latency, loadMachine('ivybridge-ex-4s').spec.latency);
  assert.deepEqual(loadMachine('ivybridge-ex-2s').spec.smt, loadMachine('ivybridge-ex-4s').spec.smt);
});

/** every number-valued field path of a spec (nodeDistance counts as one field) */
function numericFields(s: MachineSpec): string[] {
  const out = ['sockets', 'coresPerSocket', 'threadsPerCore', 'clockGHz'];
  if (s.nodeDistance) out.push('nodeDistance');
  for (const k of Object.keys(s.latency)) out.push(`latency.${k}`);
  for (const k of Object.keys(s.smt)) out.push(`smt.${k}`);
  return out;
}

test('every number in a preset cites a source, and every source names real fields', () => {
  for (const n of machinePresets()) {
    const spec = JSON.parse(readFileSync(dataPath('machines', `${n}.json`), 'utf8')) as MachineSpec;
    const fields = numericFields(spec);
    const cited = new Map<string, string>();
    for (const [key, citation] of Object.entries(spec.sources)) {
      assert.ok(typeof citation === 'string' && citation.trim().length > 10, `${n}: empty citation for ${key}`);
      for (const f of key.split(/,\s*/)) {
        assert.ok(fields.includes(f), `${n}: sources key ${JSON.stringify(key)} names ${JSON.stringify(f)}, not a numeric field`);
        assert.ok(!cited.has(f), `${n}: ${f} cited twice`);
        cited.set(f, citation);
      }
    }
    for (const f of fields) assert.ok(cited.has(f), `${n}: no source for ${f}`);
    // no stray top-level keys (typos of optional fields would silently be ignored)
    for (const k of Object.keys(spec)) {
      assert.ok(['name', 'description', 'sockets', 'coresPerSocket', 'threadsPerCore', 'clockGHz', 'nodeDistance', 'latency', 'smt', 'sources'].includes(k), `${n}: unknown key ${k}`);
    }
  }
});

test('preset SLIT matrices are symmetric', () => {
  for (const n of machinePresets()) {
    const m = loadMachine(n);
    for (let a = 0; a < m.nnodes; a++) for (let b = 0; b < m.nnodes; b++) assert.equal(m.nodeDistance(a, b), m.nodeDistance(b, a), `${n} ${a},${b}`);
  }
});

test('westmere-ex-8s: each socket has 3 one-hop neighbours and 4 at two hops (diameter 2), consistent with the links', () => {
  const m = loadMachine('westmere-ex-8s');
  const link = (a: number, b: number) => m.nodeDistance(a, b) === 21;
  for (let a = 0; a < 8; a++) {
    const one: number[] = [], two: number[] = [];
    for (let b = 0; b < 8; b++) {
      if (a === b) continue;
      const d = m.nodeDistance(a, b);
      assert.ok(d === 21 || d === 25, `distance ${d}`);
      (d === 21 ? one : two).push(b);
    }
    assert.equal(one.length, 3);
    assert.equal(two.length, 4);
    // a 25 entry really is two links away: some neighbour links to it
    for (const b of two) assert.ok(one.some((c) => link(c, b)), `${a}->${b} is not two hops`);
  }
});

test('loadMachine: an unknown name lists every preset; a spec object is accepted and validated', () => {
  assert.throws(
    () => loadMachine('pentium-pro-1s'),
    (e: unknown) => {
      assert.equal((e as object).constructor, Error);
      const msg = (e as Error).message;
      assert.match(msg, /unknown preset "pentium-pro-1s"/);
      for (const n of machinePresets()) assert.ok(msg.includes(n), `${n} not listed in ${msg}`);
      return true;
    },
  );
  assert.equal(loadMachine(toySpec()).ncpus, 8);
  assert.throws(() => loadMachine({ ...toySpec(), sockets: 0 }), /sockets must be an integer from 1 to 64/);
});
