// scripts/build.js (npm run build): says on stderr that it builds, keeps stdout clean, and fails loudly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

test('npm run build: "building (tsc …) …" on stderr, nothing on stdout; a failing tsc fails it with tsc\'s message', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.js'), '-p', 'no-such-tsconfig.json'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^mmlock: building \(tsc -p no-such-tsconfig\.json\) … failed after \d+\.\d s\n/);
  assert.match(r.stderr, /no-such-tsconfig\.json/);
  assert.match(r.stderr.split('\n').slice(1).join('\n'), /error TS\d+/);
});
