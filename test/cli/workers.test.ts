import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import fc from 'fast-check';
import { runMain } from './kernel-cli-helpers';
import { smallSpec } from '../experiment/helpers';

// --workers means the same on every command that runs sweeps: N threads, 0 = the main thread
const COMMANDS: [string, string[]][] = [
  ['sweep', ['sweep', 'spec.json', '--out', 'x']],
  ['reproduce', ['reproduce', '--dry-run', '--quick']],
  ['calibrate', ['calibrate']],
];

test('--workers: sweep, reproduce and calibrate document 0 (the main thread) alike and refuse the same values', async () => {
  for (const [name, argv] of COMMANDS) {
    const h = await runMain([argv[0]!, '--help']);
    assert.match(h.out, /--workers .*0 = no worker threads, every run in the main thread/, name);
  }
  await fc.assert(fc.asyncProperty(
    fc.oneof(fc.integer({ min: 1025, max: 1e7 }).map(String), fc.constantFrom('x', '1.5', '', ' 2', '0x10', '1e2')),
    async (w) => {
      for (const [name, argv] of COMMANDS) {
        const r = await runMain([...argv, `--workers=${w}`]);
        assert.equal(r.code, 2, `${name} --workers=${w}`);
        assert.equal(r.err, `mmlock ${name}: --workers must be an integer from 0 to 1024, got ${JSON.stringify(w)}\n`);
      }
    },
  ), { numRuns: 15 });
});

test('sweep --workers 0 runs in the main thread and says so (not "with 0 workers")', async () => {
  const dir = tempDir('mmlock-workers-');
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(smallSpec({ axes: { threads: [2] }, replications: 1 })));
  const r = await runMain(['sweep', spec, '--out', join(dir, 'out'), '--workers', '0', '--quiet']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^sweep [0-9a-f]+: 1 runs, 1 ran, 0 resumed, [\d.]+ s in the main thread \(--workers 0\)\n/);
  assert.doesNotMatch(r.out, /0 workers/);
  const one = await runMain(['sweep', spec, '--out', join(dir, 'one'), '--workers', '1', '--quiet']);
  assert.match(one.out, / s with 1 worker\n/);
});
