import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../tmp';

const RUN_TESTS = join(__dirname, '..', '..', '..', '..', 'scripts', 'run-tests.js');

function runTests(root: string): { code: number | null; err: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, MMLOCK_TEST_ROOT: root };
  delete env.MMLOCK_TEST_FILTER;
  delete env.NODE_TEST_CONTEXT; // else node --test in the child thinks it runs inside this test and skips its files
  const r = spawnSync(process.execPath, [RUN_TESTS], { encoding: 'utf8', env });
  return { code: r.status, err: r.stderr };
}

const LEAK = `const { test } = require('node:test');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
test('leaks', () => { mkdtempSync(join(tmpdir(), 'mmlock-leak-')); });
`;

test('scripts/run-tests.js fails naming the mmlock-* temp folders a test leaves behind, and passes a clean run', () => {
  const leaky = tempDir('mmlock-runtests-');
  writeFileSync(join(leaky, 'leak.test.js'), LEAK);
  const bad = runTests(leaky);
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /run-tests: the tests left 1 temporary folder\(s\) behind \(make them with tempDir\(\) of test\/tmp\.ts, which removes them\): mmlock-leak-\w{6}\n/);

  const clean = tempDir('mmlock-runtests-');
  writeFileSync(join(clean, 'clean.test.js'), LEAK.replace("mkdtempSync(join(tmpdir(), 'mmlock-leak-'))", "require('node:fs').rmSync(mkdtempSync(join(tmpdir(), 'mmlock-leak-')), { recursive: true })"));
  const ok = runTests(clean);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.err, '');
});
