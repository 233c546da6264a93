// The pure parts of scripts/reaim-measure.js (scripts/reaim-parse.js), on sample outputs of
// the tools committed in test/scripts/fixtures/ (strace 6.1 -f -c, perf 6.1 stat, reaim's
// standard output, /proc/self/smaps_rollup of kernel 6.18), taken on the project's VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

const root = join(__dirname, '..', '..', '..', '..');
const fixture = (f: string) => readFileSync(join(root, 'test', 'scripts', 'fixtures', f), 'utf8');
interface Sys { calls: number; errors: number; seconds: number }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const P = require(join(root, 'scripts', 'reaim-parse.js')) as {
  parseStraceSummary(t: string): { syscalls: Record<string, Sys>; total: Sys };
  straceCounts(s: { syscalls: Record<string, Sys>; total: Sys }): Record<string, number>;
  parsePerfStat(t: string): { events: Record<string, number | null>; elapsedS: number; userS: number; sysS: number };
  parseReaimResults(t: string): { users: number; parentS: number; childSysS: number; childUserS: number; jpm: number }[];
  parseKbFields(t: string): Record<string, number>;
  perInvocation(one: Record<string, unknown>, many: Record<string, unknown>, n: number): Record<string, number>;
  jobsFor(oneJobS: number, o?: { targetS?: number; min?: number; max?: number }): number;
};

test('strace -f -c: every row, errors column blank or not, and the total', () => {
  const s = P.parseStraceSummary(fixture('strace-f-c.txt'));
  assert.deepEqual(s.syscalls.wait4, { calls: 227, errors: 109, seconds: 0.166781 });
  assert.deepEqual(s.syscalls.mmap, { calls: 285, errors: 0, seconds: 0.002573 });
  assert.deepEqual(s.total, { calls: 5421, errors: 327, seconds: 0.225 });
  assert.equal(Object.keys(s.syscalls).length, 64);
  const c = P.straceCounts(s);
  // clone 102 + clone3 7 + vfork 9; execve 26 calls of which 8 failed
  assert.equal(c.processes, 118);
  assert.equal(c.vfork, 16);
  assert.equal(c.execve, 18);
  assert.equal(c.execve_failed, 8);
  assert.equal(c.mmap, 285);
  assert.equal(c.munmap, 25);
  assert.equal(c.mprotect, 58);
  assert.equal(c.brk, 54);
  assert.equal(c.sync, 6);
  assert.equal(c.unlink, 347);
  assert.equal(c.creat, 1);
  assert.equal(c.getdents, 74);
  assert.equal(c.fsync, 0);
  assert.equal(c.syscalls, 5421);
});

test('strace -c: text without a table, a garbled row or a wrong total is an error naming what is wrong', () => {
  assert.throws(() => P.parseStraceSummary('strace: Process 12 attached\n'), /no summary header/);
  const text = fixture('strace-f-c.txt');
  assert.throws(() => P.parseStraceSummary(text.replace(/^.*total\s*$/m, '')), /no "total" line/);
  assert.throws(() => P.parseStraceSummary(text.replace(' 285 ', ' 28x ')), /line \d+ is not/);
  assert.throws(() => P.parseStraceSummary(text.replace('5421', '5422')), /add up to 5421 calls but the total line says 5422/);
  assert.throws(() => P.parseStraceSummary(text.replace('           mmap', ' a b c mmap')), /has 8 fields, expected 5 or 6/);
});

test('strace -c: a generated table round-trips (any mix of rows with and without errors)', () => {
  const row = fc.record({ calls: fc.integer({ min: 1, max: 1e6 }), errors: fc.integer({ min: 0, max: 1e6 }), us: fc.integer({ min: 0, max: 999999 }) });
  fc.assert(fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{1,12}$/).filter((n) => n !== 'total'), row, { minKeys: 1, maxKeys: 20 }), (rows) => {
    const lines = ['% time     seconds  usecs/call     calls    errors syscall', '------ ----------- ----------- --------- --------- ----------------'];
    let total = 0, errs = 0;
    for (const [name, r] of Object.entries(rows)) {
      const e = Math.min(r.errors, r.calls);
      total += r.calls; errs += e;
      lines.push(`  1.00    0.${String(r.us).padStart(6, '0')}          1 ${String(r.calls).padStart(9)} ${e ? String(e).padStart(9) : ' '.repeat(9)} ${name}`);
    }
    lines.push('------ ----------- ----------- --------- --------- ----------------', `100.00    1.000000           1 ${String(total).padStart(9)} ${String(errs).padStart(9)} total`);
    const s = P.parseStraceSummary(lines.join('\n'));
    for (const [name, r] of Object.entries(rows)) {
      assert.equal(s.syscalls[name].calls, r.calls);
      assert.equal(s.syscalls[name].errors, Math.min(r.errors, r.calls));
      assert.equal(s.syscalls[name].seconds, r.us / 1e6);
    }
    assert.equal(s.total.calls, total);
  }), { numRuns: 100 });
});

test('perf stat: counts, task-clock in ms, elapsed, user and sys seconds', () => {
  const p = P.parsePerfStat(fixture('perf-stat.txt'));
  assert.equal(p.events['page-faults'], 4802);
  assert.equal(p.events['minor-faults'], 4802);
  assert.equal(p.events['major-faults'], 0);
  assert.equal(p.events['task-clock'], 83.19);
  assert.equal(p.events['context-switches'], 227);
  assert.equal(p.elapsedS, 2.481630956);
  assert.equal(p.userS, 0.056446);
  assert.equal(p.sysS, 0.041788);
  // thousands separators (perf's default with a locale), <not counted>
  const q = P.parsePerfStat('  1,234,567      page-faults\n  <not counted>      major-faults\n 1.5 seconds time elapsed\n 0.1 seconds user\n 0.2 seconds sys\n');
  assert.equal(q.events['page-faults'], 1234567);
  assert.equal(q.events['major-faults'], null);
  assert.throws(() => P.parsePerfStat('4802,,page-faults,,\n'), /no "seconds time elapsed" line/);
  assert.throws(() => P.parsePerfStat(' 1.5 seconds time elapsed\n'), /no "seconds user"/);
});

test('reaim output: the result line after the header; "inf" jobs per minute when the round was too short to time', () => {
  const r = P.parseReaimResults(fixture('reaim-stdout.txt'));
  assert.deepEqual(r, [{ users: 1, parentS: 0.01, childSysS: 0, childUserS: 0, jpm: 6000 }]);
  const inf = fixture('reaim-stdout.txt').replace('1       0.01     0.00    0.00    6000.00    6000.00', '1       0.00     0.00    0.00    inf    inf');
  assert.equal(P.parseReaimResults(inf)[0].jpm, Infinity);
  assert.throws(() => P.parseReaimResults('REAIM Workload\nno such test\n'), /no result header/);
  assert.throws(() => P.parseReaimResults(fixture('reaim-stdout.txt').replace(/^1 .*$/m, '')), /no result line/);
});

test('smaps_rollup and status: "Key: n kB" lines', () => {
  const s = P.parseKbFields(fixture('smaps_rollup.txt'));
  assert.equal(s.Rss, 1596);
  assert.equal(s.Pss, 219);
  for (const k of ['Anonymous', 'Private_Dirty', 'Shared_Dirty', 'Shared_Clean', 'Private_Clean']) assert.ok(Number.isInteger(s[k]), k);
  assert.deepEqual(P.parseKbFields('VmPTE:\t      40 kB\nThreads:\t1\n'), { VmPTE: 40 });
});

test('per invocation: (N-job − 1-job) / (N − 1) recovers a per-job count under any fixed overhead', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e4 }), fc.integer({ min: 2, max: 200 }), (base, per, n) => {
    const r = P.perInvocation({ x: base + per, label: 'a' }, { x: base + n * per, label: 'b' }, n);
    assert.deepEqual(r, { x: per });
  }));
  assert.throws(() => P.perInvocation({}, {}, 1), /n must be an integer >= 2/);
});

test('jobs for the timed run: about targetS seconds, within bounds', () => {
  assert.equal(P.jobsFor(0.01), 200);
  assert.equal(P.jobsFor(0), 200);
  assert.equal(P.jobsFor(0.1), 20);
  assert.equal(P.jobsFor(5), 3);
  fc.assert(fc.property(fc.double({ min: 0, max: 100, noNaN: true }), (t) => {
    const n = P.jobsFor(t);
    assert.ok(Number.isInteger(n) && n >= 3 && n <= 200);
  }));
});
