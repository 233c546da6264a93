// The pure parts of scripts/wis-measure.js (scripts/wis-parse.js), on a will-it-scale output
// committed in test/scripts/fixtures/ (mmap1_processes -t 1 -s 2, commit 75f66e4, taken on the
// project's VM) and on generated outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

const root = join(__dirname, '..', '..', '..', '..');
interface Sample { min: number; max: number; total: number }
interface Parsed { description: string; warmup: Sample[]; measured: Sample[]; average: number | null }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const P = require(join(root, 'scripts', 'wis-parse.js')) as {
  WIS_TESTS: string[]; WIS_MODES: string[];
  parseWisOutput(t: string): Parsed;
  wisRate(p: Parsed, tasks: number): { opsPerS: number; perTask: number; perTaskMin: number | null; perTaskMax: number | null; samples: number };
  wisBinary(test: string, mode: string): string;
  parseTimes(t: string): { userS: number; sysS: number };
  perCpuSecond(p: Parsed, cpuS: number): number;
};

test('wis-parse: a real will-it-scale output: description, 6 warm-up and 2 measured samples, main.c\'s average', () => {
  const p = P.parseWisOutput(readFileSync(join(root, 'test', 'scripts', 'fixtures', 'wis-mmap1-processes.txt'), 'utf8'));
  assert.equal(p.description, 'Anonymous memory mmap/munmap of 128MB');
  assert.equal(p.warmup.length, 6);
  assert.deepEqual(p.measured, [{ min: 90433, max: 90433, total: 90433 }, { min: 80998, max: 80998, total: 80998 }]);
  assert.equal(p.average, 85715);
  const r = P.wisRate(p, 1);
  assert.equal(r.opsPerS, 85715);
  assert.equal(r.samples, 2);
  assert.equal(r.perTaskMin, (90433 + 80998) / 2);
});

test('wis-parse: without the average line the rate is the mean of the measured totals; per task divides by tasks', () => {
  fc.assert(fc.property(fc.array(fc.record({ min: fc.nat(1e6), d: fc.nat(1e6) }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), (xs, tasks) => {
    const lines = ['testcase:x', 'warmup', 'min:1 max:2 total:3', 'measurement', ...xs.map((x) => `min:${x.min} max:${x.min + x.d} total:${x.min * tasks + x.d}`)];
    const p = P.parseWisOutput(lines.join('\n'));
    assert.equal(p.average, null);
    assert.equal(p.measured.length, xs.length);
    const r = P.wisRate(p, tasks);
    const want = xs.reduce((a, x) => a + x.min * tasks + x.d, 0) / xs.length;
    assert.ok(Math.abs(r.opsPerS - want) <= 1e-9 * Math.max(1, want));
    assert.ok(Math.abs(r.perTask * tasks - r.opsPerS) <= 1e-9 * Math.max(1, want));
  }));
});

test('wis-parse: bad outputs are errors that say what is wrong', () => {
  assert.throws(() => P.parseWisOutput('warmup\nmin:1 max:1 total:1\n'), /no "testcase:" line/);
  assert.throws(() => P.parseWisOutput('testcase:x\nwarmup\nmin:1 max:x total:1\n'), /malformed sample line "min:1 max:x total:1"/);
  assert.throws(() => P.parseWisOutput('testcase:x\nmin:1 max:1 total:1\n'), /before "warmup"/);
  assert.throws(() => P.wisRate(P.parseWisOutput('testcase:x\nwarmup\nmin:1 max:1 total:1\n'), 1), /no measured sample/);
  assert.equal(P.wisBinary('page_fault1', 'threads'), 'page_fault1_threads');
  assert.throws(() => P.wisBinary('mmap1', 'fibers'), /one of processes, threads/);
  assert.throws(() => P.wisBinary('../x', 'threads'), /test name/);
  assert.deepEqual(P.WIS_TESTS, ['mmap1', 'mmap2', 'page_fault1', 'page_fault2', 'page_fault3', 'brk1']);
});

test('wis-parse: sh `times` (dash prints 6 decimals) gives the children\'s CPU time; per CPU-second counts every sample', () => {
  assert.deepEqual(P.parseTimes('0m0.000000s 0m0.000000s\n0m0.480000s 0m3.890000s\n'), { userS: 0.48, sysS: 3.89 });
  assert.deepEqual(P.parseTimes('0m0.01s 0m0.00s\n1m2.50s 0m1.00s'), { userS: 62.5, sysS: 1 });
  assert.throws(() => P.parseTimes('0m0.48s 0m3.89s'), /two lines/);
  assert.throws(() => P.parseTimes(''), /two lines/);
  const p = P.parseWisOutput(readFileSync(join(root, 'test', 'scripts', 'fixtures', 'wis-mmap1-processes.txt'), 'utf8'));
  const all = [...p.warmup, ...p.measured].reduce((a, x) => a + x.total, 0);
  assert.equal(all, 79897 + 84381 + 70022 + 69374 + 70207 + 70295 + 90433 + 80998);
  assert.equal(P.perCpuSecond(p, 4), all / 4);
  assert.throws(() => P.perCpuSecond(p, 0), /CPU time must be > 0/);
});
