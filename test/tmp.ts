import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder `<prefix>XXXXXX` in the system temp folder, removed when the test that made
 * it ends (node:test's `after`, registered on the running test, or on the file when made at
 * module level or in a callback). Every test's temporary folder comes from here, so `npm test`
 * leaves none behind; scripts/run-tests.js checks that (MMLOCK_TMP_PREFIX below).
 */
export function tempDir(prefix = 'mmlock-test-'): string {
  if (!prefix.startsWith(MMLOCK_TMP_PREFIX)) throw new Error(`tempDir: prefix must start with ${MMLOCK_TMP_PREFIX}, got ${JSON.stringify(prefix)}`);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The prefix of every temporary folder the tests make (and scripts/run-tests.js counts). */
export const MMLOCK_TMP_PREFIX = 'mmlock-';
