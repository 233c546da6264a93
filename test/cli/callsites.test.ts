import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SITE_IDS } from '../../src/kernel/callsites';
import { runMain, spawnMain } from './kernel-cli-helpers';

type Row = { site: string; mode: 'read' | 'write'; patch: number | null };

async function json(kernel: string): Promise<Row[]> {
  const r = await runMain(['callsites', '--kernel', kernel, '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  return JSON.parse(r.out) as Row[];
}

const byId = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.site, r]));

test('--json prints exactly an array of {site, mode, patch}, one per site', async () => {
  for (const k of ['3.18-rc1', '3.18-rc1-i_mmap_rwsem', '3.18-rc1-i_mmap_rwsem-merged', 'patches:1-4']) {
    const rows = await json(k);
    assert.ok(Array.isArray(rows));
    assert.deepEqual(rows.map((r) => r.site), [...SITE_IDS]);
    for (const r of rows) {
      assert.deepEqual(Object.keys(r), ['site', 'mode', 'patch']);
      assert.ok(r.mode === 'read' || r.mode === 'write');
      assert.ok(r.patch === null || Number.isInteger(r.patch));
    }
  }
});

test('--json modes per kernel', async () => {
  const rc1 = await json('3.18-rc1');
  assert.ok(rc1.every((r) => r.mode === 'write' && r.patch === null));
  const v1 = byId(await json('3.18-rc1-i_mmap_rwsem'));
  assert.deepEqual(v1.rmap_walk_file, { site: 'rmap_walk_file', mode: 'read', patch: 4 });
  assert.deepEqual(v1.move_ptes, { site: 'move_ptes', mode: 'read', patch: 8 });
  assert.deepEqual(v1.huge_pmd_share, { site: 'huge_pmd_share', mode: 'read', patch: 10 });
  assert.deepEqual(v1.unmap_mapping_range, { site: 'unmap_mapping_range', mode: 'write', patch: 3 });
  const merged = byId(await json('3.18-rc1-i_mmap_rwsem-merged'));
  assert.deepEqual(merged.move_ptes, { site: 'move_ptes', mode: 'write', patch: 3 });
  assert.deepEqual(merged.huge_pmd_share, { site: 'huge_pmd_share', mode: 'write', patch: 3 });
  assert.deepEqual(merged.rmap_walk_file, { site: 'rmap_walk_file', mode: 'read', patch: 4 });
  const plus11 = byId(await json('3.18-rc1-i_mmap_rwsem-merged+11'));
  assert.deepEqual(plus11.unmap_mapping_range, { site: 'unmap_mapping_range', mode: 'read', patch: 11 });
  assert.deepEqual(await json('patches:1-7,9'), await json('3.18-rc1-i_mmap_rwsem-merged'));
  const jsonSpec = byId(await json('{"patches":"1-3,8"}'));
  assert.equal(jsonSpec.move_ptes!.patch, 8);
});

test('the table form names the kernel, its locks and every site', async () => {
  const r = await runMain(['callsites', '--kernel', '3.18-rc1-i_mmap_rwsem']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^kernel 3\.18-rc1-i_mmap_rwsem: /);
  assert.match(r.out, /\ni_mmap: rwsem \(optimisticSpin, writerSteal\); anon_vma: rwsem/);
  assert.match(r.out, /\nsite +mode +patch +tree op +excl +file\n/);
  assert.match(r.out, /\nmove_ptes +read\* +8 +none +yes +mm\/mremap\.c\n/);
  assert.match(r.out, /\nrmap_walk_file +read +4 +iterate +no +mm\/rmap\.c\n/);
  for (const s of SITE_IDS) assert.ok(r.out.includes(`\n${s} `), s);
  const rc1 = await runMain(['callsites', '--kernel', '3.18-rc1']);
  assert.match(rc1.out, /\nvma_link +write +- +insert +yes +mm\/mmap\.c\n/);
  assert.ok(!rc1.out.includes('*'));
});

test('bad --kernel values exit 2 with a message naming the flag and the allowed values', async () => {
  const cases: [string[], RegExp][] = [
    [['callsites'], /^mmlock callsites: --kernel is required; allowed: 3\.18-rc1, 3\.18-rc1-i_mmap_rwsem, 3\.18-rc1-i_mmap_rwsem-merged, /],
    [['callsites', '--kernel', '3.19'], /^mmlock callsites: --kernel: unknown kernel "3\.19"; allowed: 3\.18-rc1, 3\.18-rc1-i_mmap_rwsem, 3\.18-rc1-i_mmap_rwsem-merged/],
    [['callsites', '--kernel', 'patches:1-12'], /^mmlock callsites: --kernel: unknown patch "12"; allowed: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 \(= "11\/10"\)/],
    [['callsites', '--kernel', 'patches:4'], /^mmlock callsites: --kernel: patch 4 .* needs the rwsem of patch 3/],
    [['callsites', '--kernel', '{"locks":{"i_mmap":{"options":{"spin":true}}}}'], /^mmlock callsites: --kernel: locks\.i_mmap\.options\.spin: unknown option for a mutex; allowed: optimisticSpin/],
    [['callsites', '--kernel', '3.18-rc1', '--format', 'x'], /^mmlock callsites: .*'--format'.*Allowed options: --kernel, --json, --help/],
    [['callsites', '--kernel'], /^mmlock callsites: .*--kernel/],
  ];
  for (const [argv, re] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.match(r.err, re, argv.join(' '));
  }
});

test('the real binary: JSON on stdout, exit 0; bad flag → exit 2 and a one-line message', () => {
  const ok = spawnMain(['callsites', '--kernel', '3.18-rc1-i_mmap_rwsem-merged', '--json']);
  assert.equal(ok.code, 0, ok.err);
  const rows = JSON.parse(ok.out) as Row[];
  assert.equal(rows.length, SITE_IDS.length);
  assert.deepEqual(byId(rows).rmap_walk_file, { site: 'rmap_walk_file', mode: 'read', patch: 4 });
  const bad = spawnMain(['callsites', '--kernel', 'nope']);
  assert.equal(bad.code, 2);
  assert.equal(bad.out, '');
  assert.match(bad.err, /^mmlock callsites: --kernel: unknown kernel "nope"; allowed: .*\n$/);
  assert.equal(spawnMain(['kernels', '--bogus']).code, 2);
});
