import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTestDefs, parseCosts, loadTestDefs, loadCosts, TestDefError, COST_NAMES } from '../../../src/workloads/aim7';
import { loadWorkfile, computeQuotas, WORKFILE_NAMES } from '../../../src/workloads/reaim';

const bad = (doc: unknown, field: string, re: RegExp) => assert.throws(() => parseTestDefs(doc), (e: unknown) => {
  assert.ok(e instanceof TestDefError, String(e));
  assert.equal(e.field, field);
  assert.match(e.message, re);
  return true;
});

test('aim7 tests file: the shipped definitions parse and cover every test every bundled workfile runs', () => {
  const defs = loadTestDefs();
  for (const wf of WORKFILE_NAMES) {
    for (const { test: t, quota } of computeQuotas(loadWorkfile(wf)).perTest) if (quota > 0) assert.ok(defs[t], `${wf}: ${t} has no definition`);
  }
  // system("sync") is a fork + exec of /bin/sh running /bin/sync, then sync(2)
  assert.deepEqual(defs.disk_rr![2], { k: 'system', cmds: [{ k: 'run', binary: '/bin/sync', ops: [{ k: 'sync' }] }] });
  // fork_test: 100 forks, each child taking the 33 page faults measured per fork (data/measured/reaim/)
  assert.deepEqual(defs.fork_test, [{ k: 'repeat', n: 100, ops: [{ k: 'fork', ops: [{ k: 'anon_faults', n: 33 }, { k: 'sys', us: 5 }] }] }]);
});

test('aim7 tests file: errors name the field by its path and list what is allowed', () => {
  bad({}, 'tests', /tests:/);
  bad({ tests: { x: [{ cpu: -1 }] } }, 'tests.x[0].cpu', /a number >= 0/);
  bad({ tests: { x: [{ fly: 1 }] } }, 'tests.x[0].fly', /unknown operation; allowed: cpu, sys, fork/);
  bad({ tests: { x: [{ exec: '/bin/foo' }] } }, 'tests.x[0].exec', /unknown binary "\/bin\/foo"; allowed: .*\/bin\/sh/);
  bad({ tests: { x: [{ write: '$users' }] } }, 'tests.x[0].write', /allowed: a number, \$disk, \$disk\/2/);
  bad({ tests: { x: [{ creat: '/tmp' }] } }, 'tests.x[0].creat', /allowed: diskdir, fakeh, \/bin/);
  bad({ tests: { x: [{ repeat: 2 }] } }, 'tests.x[0].ops', /must be a list/);
  bad({ tests: { x: [{ repeat: 0, ops: [] }] } }, 'tests.x[0].repeat', /an integer >= 1/);
  bad({ tests: { x: [{ system: [{ run: '/bin/ls', opz: [] }] }] } }, 'tests.x[0].system[0].opz', /allowed: run, ops/);
  bad({ tests: { x: [{ system: [] }] } }, 'tests.x[0].system', /at least one command/);
  bad({ tests: { x: [{ cpu: 1, sys: 2 }] } }, 'tests.x[0]', /exactly one operation/);
  bad({ tests: { X: [] } }, 'tests.X', /lower-case/);
});

test('aim7 tests file: any well-formed nesting of fork/system/repeat parses back to the same shape (property)', () => {
  const leaf = fc.oneof(fc.record({ cpu: fc.nat(5) }), fc.record({ sys: fc.nat(100) }), fc.constant({ sync: 1 }), fc.record({ write: fc.constantFrom(1, '$disk', '$disk/2') }));
  const { op } = fc.letrec((tie) => ({
    op: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ fork: fc.array(tie('op'), { maxLength: 3 }) }),
      fc.record({ repeat: fc.integer({ min: 1, max: 5 }), ops: fc.array(tie('op'), { maxLength: 3 }) }),
      fc.record({ system: fc.constant([{ run: '/bin/sync', ops: [{ sync: 1 }] }]) })),
  }));
  fc.assert(fc.property(fc.array(op, { maxLength: 4 }), (ops) => {
    const defs = parseTestDefs({ tests: { t: ops } });
    const count = (xs: readonly unknown[]): number => xs.reduce<number>((n, x) => n + 1 + Object.values(x as object).filter(Array.isArray).reduce<number>((m, a) => m + count(a as unknown[]), 0), 0);
    // every operation of the input is one operation of the output (commands count as ops too)
    assert.equal(count(defs.t as unknown as unknown[]) > 0 || ops.length === 0, true);
    assert.equal(defs.t!.length, ops.length);
  }), { numRuns: 200 });
});

test('aim7 costs file: every cost has a value and a source; unknown or missing ones are named', () => {
  const c = loadCosts();
  for (const k of COST_NAMES) { assert.ok(c[k].value >= 0, k); assert.ok(c[k].source.length > 10, k); }
  assert.ok(c.logForceUs.io && c.writebackInodeUs.io && !c.writeUsPerKiB.io, 'ioScale scales the serialised journal/writeback costs only');
  const doc = Object.fromEntries(COST_NAMES.map((k) => [k, { value: 1, source: 'x' }]));
  assert.throws(() => parseCosts({ ...doc, bogus: { value: 1, source: 'x' } }), /costs\.bogus: unknown cost; allowed: creatHoldUs/);
  const { logForceUs: _, ...missing } = doc;
  assert.throws(() => parseCosts(missing), /costs\.logForceUs: missing/);
  assert.throws(() => parseCosts({ ...doc, lookupUs: { value: 1 } }), /costs\.lookupUs\.source: every cost needs a source/);
});
