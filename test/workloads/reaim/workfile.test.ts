import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseWorkfile, loadWorkfile, parseSizeKiB, WorkfileError, KNOWN_TESTS, MMTESTS_EXCLUDE, WORKFILE_NAMES, workfileText,
} from '../../../src/workloads/reaim';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../../tmp';
import { join } from 'node:path';

test('alltests as run in 2014: 61 tests, 990 hits, string_rtns keeps its last count', () => {
  const wf = loadWorkfile('alltests');
  assert.equal(wf.lines.length, 62); // 63 lines, signal_test deleted
  assert.equal(wf.tests.length, 61);
  assert.equal(wf.totalHits, 990);
  assert.deepEqual(wf.excluded.map((e) => e.test), ['signal_test']);
  const sr = wf.tests.find((t) => t.test === 'string_rtns')!;
  assert.equal(sr.hits, 30);
  assert.equal(sr.lines.length, 2);
  assert.ok(!wf.tests.some((t) => t.test === 'signal_test'));
});

test('alltests without exclusion: 62 tests, 1000 hits', () => {
  const wf = loadWorkfile('alltests', []);
  assert.equal(wf.tests.length, 62);
  assert.equal(wf.totalHits, 1000);
  assert.deepEqual(MMTESTS_EXCLUDE, ['signal_test']);
});

test('disk: 20 tests of 20 hits, 400 in all', () => {
  const wf = loadWorkfile('disk');
  assert.equal(wf.tests.length, 20);
  assert.equal(wf.totalHits, 400);
  assert.ok(wf.tests.every((t) => t.hits === 20));
});

test('duplicates: last count wins, total adds every line, first position kept', () => {
  const wf = parseWorkfile('# c\n\n5 sieve\n7 fork_test\n3 sieve\n');
  assert.deepEqual(wf.tests.map((t) => [t.test, t.hits, t.lines]), [['sieve', 3, [3, 5]], ['fork_test', 7, [4]]]);
  assert.equal(wf.totalHits, 15);
});

test('exclusion deletes lines before totals; an excluded unknown name is no error', () => {
  const wf = parseWorkfile('10 sieve\n10 signal_test\n10 bogus\n', { exclude: ['signal_test', 'bogus'] });
  assert.equal(wf.totalHits, 10);
  assert.deepEqual(wf.excluded.map((e) => e.line), [2, 3]);
});

test('FILESIZE / POOLSIZE header lines', () => {
  const wf = parseWorkfile('FILESIZE: 10k\nPOOLSIZE 1m\n10 sieve\n');
  assert.equal(wf.fileSizeKiB, 10);
  assert.equal(wf.poolSizeKiB, 1024);
  assert.equal(parseSizeKiB('2g'), 2 * 1024 * 1024);
  assert.equal(parseSizeKiB('7'), 7);
  assert.throws(() => parseWorkfile('FILESIZE: ten\n10 sieve'), /line 1: FILESIZE: size 'ten'/);
});

test('unknown test: error names the line, the name and the allowed tests', () => {
  const err = (() => {
    try {
      parseWorkfile('10 sieve\n# comment\n20 sieve_typo\n', { source: 'wf' });
    } catch (e) {
      return e as WorkfileError;
    }
    throw new Error('no error');
  })();
  assert.ok(err instanceof WorkfileError);
  assert.equal(err.line, 3);
  assert.match(err.message, /^wf: line 3: unknown test 'sieve_typo'; allowed tests: /);
  for (const t of KNOWN_TESTS) assert.ok(err.message.includes(t), t);
});

test('bad hits and malformed lines name the line and the field', () => {
  assert.throws(() => parseWorkfile('10 sieve\nx sieve\n'), /line 2: hits 'x' is not a non-negative integer/);
  assert.throws(() => parseWorkfile('-3 sieve\n'), /line 1: hits '-3'/);
  assert.throws(() => parseWorkfile('1.5 sieve\n'), /line 1: hits '1.5'/);
  assert.throws(() => parseWorkfile('10\n'), /line 1: expected '<hits> <test>', found 1 field/);
  assert.throws(() => parseWorkfile('10 sieve extra\n'), /line 1: expected '<hits> <test>', found 3 field/);
  assert.throws(() => parseWorkfile('# only comments\n'), /no '<hits> <test>' lines/);
  assert.throws(() => parseWorkfile('0 sieve\n'), /total hits is 0/);
  assert.throws(() => loadWorkfile('nope' as 'disk'), /unknown workfile 'nope'; allowed: one of alltests, disk, compute, .*short, or the path of a workfile/);
  assert.throws(() => loadWorkfile('/no/such/workfile.x'), /cannot read workfile '\/no\/such\/workfile.x': ENOENT; allowed: one of alltests/);
});

test('every bundled workfile parses; tests and totals as reaim ships them (signal_test excluded, as mmtests runs)', () => {
  // [tests, total hits] after exclusion, and total hits of the file itself (where its header states one, they agree)
  const want: Record<string, [number, number, number]> = {
    alltests: [61, 990, 1000], disk: [20, 400, 400], compute: [26, 820, 820], custom: [26, 400, 410], dbase: [23, 550, 550],
    five_sec: [10, 200, 220], fserver: [30, 585, 595], high_systime: [17, 250, 260], long: [18, 180, 180], new_dbase: [25, 570, 570],
    new_fserver: [27, 570, 580], shared: [52, 770, 780], short: [17, 340, 340],
  };
  assert.deepEqual([...WORKFILE_NAMES].sort(), Object.keys(want).sort());
  for (const n of WORKFILE_NAMES) {
    const wf = loadWorkfile(n);
    assert.deepEqual([wf.tests.length, wf.totalHits, loadWorkfile(n, []).totalHits], want[n], n);
    assert.ok(wf.tests.every((t) => (KNOWN_TESTS as readonly string[]).includes(t.test)), n);
  }
  assert.match(workfileText('compute'), /# Total Hits: 820/); // the file's own header
});

test('a workfile path reads like a bundled name; by path the exclusion list applies too', () => {
  const dir = tempDir('mmlock-wf-');
  const f = join(dir, 'workfile.mine');
  writeFileSync(f, workfileText('short'));
  assert.deepEqual(loadWorkfile(f).tests, loadWorkfile('short').tests);
  writeFileSync(f, '10 fork_test\n5 signal_test\n');
  assert.equal(loadWorkfile(f).totalHits, 10);
  writeFileSync(f, '10 fork_test\n5 no_such_test\n');
  assert.throws(() => loadWorkfile(f), (e: unknown) => e instanceof WorkfileError && e.line === 2 && /workfile.mine: line 2: unknown test 'no_such_test'/.test(e.message));
});
