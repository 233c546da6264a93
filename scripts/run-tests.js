#!/usr/bin/env node
// Runs every compiled test file (build/test-js/test/**/*.test.js) with node's test runner.
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern=mutex).
'use strict';
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..', 'build', 'test-js', 'test');
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
const filter = process.env.MMLOCK_TEST_FILTER;
// match against the path below build/test-js/test, so the checkout's own path never matches
const chosen = filter ? files.filter((f) => f.slice(root.length + 1).includes(filter)) : files;
const r = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...chosen], { stdio: 'inherit' });
process.exit(r.status ?? 1);
