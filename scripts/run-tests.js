#!/usr/bin/env node
// Runs every compiled test file (build/test-js/test/**/*.test.js) with node's test runner.
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern=mutex).
// The tests run with TMPDIR set to a private folder; a `mmlock-*` folder left in it after the
// run is a test that does not clean up (use tempDir() of test/tmp.ts): the run then fails,
// naming the folders. MMLOCK_TEST_ROOT runs the test files under another folder instead.
'use strict';
const { mkdtempSync, readdirSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = process.env.MMLOCK_TEST_ROOT || join(__dirname, '..', 'build', 'test-js', 'test');
function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const files = walk(root, []);
if (files.length === 0) {
  console.error(`run-tests: no test files under ${root}; run \`npm run build:test\` first`);
  process.exit(1);
}
// match against the path below build/test-js/test, so the checkout's own path never matches;
// a leading "test/" (the source path) is dropped, so MMLOCK_TEST_FILTER=test/mm/rmap works too
const filter = process.env.MMLOCK_TEST_FILTER?.replace(/^(\.\/)?test\//, '');
const chosen = filter ? files.filter((f) => f.slice(root.length + 1).includes(filter)) : files;
if (filter && chosen.length === 0) {
  // node --test with no file would run every test it can find: say so instead
  console.error(`run-tests: MMLOCK_TEST_FILTER=${process.env.MMLOCK_TEST_FILTER} matches no test file; allowed: a substring of a path below test/, e.g. mm/rmap or experiment/`);
  process.exit(2);
}
// a private temp folder: leftovers are counted without other processes' folders in /tmp
const tmp = mkdtempSync(join(tmpdir(), 'mmlock-tests-'));
const r = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...chosen], { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp } });
const left = readdirSync(tmp).filter((n) => n.startsWith('mmlock-')).sort();
rmSync(tmp, { recursive: true, force: true });
if (left.length) {
  console.error(`run-tests: the tests left ${left.length} temporary folder(s) behind (make them with tempDir() of test/tmp.ts, which removes them): ${left.join(', ')}`);
  process.exit(r.status || 1);
}
process.exit(r.status ?? 1);
