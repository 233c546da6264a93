import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMain } from './kernel-cli-helpers';

test('mmlock kernels --json prints the named kernels with descriptions', async () => {
  const r = await runMain(['kernels', '--json']);
  assert.equal(r.code, 0);
  assert.equal(r.err, '');
  const rows = JSON.parse(r.out) as { name: string; description: string; patches: number[] }[];
  assert.deepEqual(rows.map((x) => x.name), ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged', '3.18-rc1-locks-2.6.39', '3.18-rc1-locks-3.0', '3.18-rc1-locks-3.8', '3.18-rc1-locks-3.10']);
  assert.deepEqual(rows.map((x) => x.patches), [[], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 9], [], [], [], []]);
  // historical kernels carry their lock overrides and sources
  const h = rows[3] as unknown as { locks: { i_mmap: { primitive: string } }; sources: string[] };
  assert.equal(h.locks.i_mmap.primitive, 'spinlock');
  assert.ok(h.sources.some((s) => s.includes('3d48ae45e72390ddf8cc5256ac32ed6f7a19cbea')));
  for (const x of rows) assert.ok(x.description.length > 10 && !x.description.includes('\n'));
});

test('mmlock kernels prints one line per kernel, then the spec syntax', async () => {
  const r = await runMain(['kernels']);
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^3\.18-rc1 +Linux 3\.18-rc1: /);
  assert.match(lines[1]!, /^3\.18-rc1-i_mmap_rwsem +3\.18-rc1 \+ all ten v1 patches/);
  assert.match(lines[2]!, /^3\.18-rc1-i_mmap_rwsem-merged +/);
  assert.match(r.out, /patches:<patches>/);
});

test('mmlock kernels rejects unknown flags and positionals with exit 2', async () => {
  const r = await runMain(['kernels', '--jsn']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^mmlock kernels: .*'--jsn'.*Allowed options: --json, --help/);
  const p = await runMain(['kernels', 'extra']);
  assert.equal(p.code, 2);
  assert.match(p.err, /^mmlock kernels: /);
  const h = await runMain(['kernels', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /^usage: mmlock kernels \[--json\]/);
});
