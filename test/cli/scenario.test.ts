import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMain } from './kernel-cli-helpers';
import { kernelList } from '../../src/cli/scenario';
import { SCENARIO_NAMES } from '../../src/workloads/mm_paths';

const small = ['--set', 'mappers=6', '--set', 'accesses=8', '--set', 'truncates=4'];

test('mmlock scenario truncate --json with two kernels: one report per kernel, in order', async () => {
  const r = await runMain(['scenario', 'truncate', '--kernel', '3.18-rc1,3.18-rc1-i_mmap_rwsem', '--seed', '3', '--json', ...small]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const reps = JSON.parse(r.out) as Record<string, unknown>[];
  assert.deepEqual(reps.map((x) => x.kernel), ['3.18-rc1', '3.18-rc1-i_mmap_rwsem']);
  for (const x of reps) {
    assert.deepEqual(Object.keys(x), ['scenario', 'kernel', 'elapsedNs', 'sites', 'figures', 'seed', 'machine']);
    assert.equal(x.scenario, 'truncate');
    assert.equal(x.seed, 3);
    const sites = x.sites as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(sites.unmap_mapping_range!), ['mode', 'acquisitions', 'contentions', 'waitMeanNs', 'waitMaxNs', 'holdMeanNs', 'holdMaxNs', 'overlap']);
    assert.equal(sites.unmap_mapping_range!.acquisitions, 8);
    assert.equal((x.figures as Record<string, number>).mappers, 6);
  }
  // same as --kernel given twice
  const twice = await runMain(['scenario', 'truncate', '--kernel', '3.18-rc1', '--kernel', '3.18-rc1-i_mmap_rwsem', '--seed', '3', '--json', ...small]);
  assert.equal(twice.out, r.out);
});

test('mmlock scenario text form: a site table with a row per kernel and figures side by side', async () => {
  const r = await runMain(['scenario', 'truncate', '--kernel', '3.18-rc1', '--kernel', 'patches:1-7,9,11', ...small]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^scenario truncate: /);
  assert.match(r.out, /\nunmap_mapping_range +3\.18-rc1 +write +8 /);
  assert.match(r.out, /\n +3\.18-rc1\+1-7,9,11 +read +8 /);
  assert.match(r.out, /\nfigure +3\.18-rc1 +3\.18-rc1\+1-7,9,11\n/);
  assert.match(r.out, /\ntruncates +4 +4\n/);
});

test('mmlock scenario --list names every scenario with its options', async () => {
  const r = await runMain(['scenario', '--list', '--json']);
  assert.equal(r.code, 0);
  const rows = JSON.parse(r.out) as { name: string; description: string; params: Record<string, { help: string }> }[];
  assert.deepEqual(rows.map((x) => x.name), [...SCENARIO_NAMES]);
  for (const n of ['fork-storm', 'truncate', 'numa-migration', 'postgres-hugetlb', 'memory-failure', 'uprobe', 'xip', 'nommu']) assert.ok(SCENARIO_NAMES.includes(n), n);
  const text = await runMain(['scenario', '--list']);
  assert.match(text.out, /^fork-storm: .*\n +program +.*; one of .*reaim\n/m);
});

test('mmlock scenario: bad names, kernels and flags exit 2 with the allowed values', async () => {
  const cases: [string[], RegExp][] = [
    [['scenario', 'nosuch', '--kernel', '3.18-rc1'], /unknown scenario "nosuch"; allowed: fork-storm, .*, all/],
    [['scenario', '--kernel', '3.18-rc1'], /expected one scenario name; allowed: fork-storm/],
    [['scenario', 'truncate'], /--kernel is required; allowed: 3\.18-rc1, /],
    [['scenario', 'truncate', '--kernel', '3.18-rc2'], /unknown kernel "3\.18-rc2".*3\.18-rc1-i_mmap_rwsem/],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--seed', 'x'], /--seed must be an integer/],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--set', 'bogus=1'], /unknown option "bogus" for truncate; allowed: mappers, /],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--set', 'mappers=-1'], /--set mappers: must be a number/],
    [['scenario', 'fork-storm', '--kernel', '3.18-rc1', '--set', 'program=libc.so.6'], /program: "libc\.so\.6" is not allowed; allowed: /],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--machine', 'pdp11'], /--machine: unknown preset "pdp11"; allowed: /],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--frobnicate'], /'--frobnicate'.*Allowed options: --kernel, /],
  ];
  for (const [argv, re] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, /^mmlock scenario: /);
    assert.match(r.err, re);
    assert.equal(r.out, '');
  }
});

test('--kernel comma lists split only where a new kernel starts', () => {
  assert.deepEqual(kernelList(['3.18-rc1,3.18-rc1-i_mmap_rwsem']), ['3.18-rc1', '3.18-rc1-i_mmap_rwsem']);
  assert.deepEqual(kernelList(['patches:1-7,9,3.18-rc1']), ['patches:1-7,9', '3.18-rc1']);
  assert.deepEqual(kernelList(['3.18-rc1+3,4', '3.18-rc1-i_mmap_rwsem-merged+11']), ['3.18-rc1+3,4', '3.18-rc1-i_mmap_rwsem-merged+11']);
  assert.deepEqual(kernelList(['{"patches":"1-3,8"}']), ['{"patches":"1-3,8"}']);
});
