import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMain } from './kernel-cli-helpers';
import fc from 'fast-check';
import { checkSettings, kernelList } from '../../src/cli/scenario';
import { parseParams } from '../../src/cli/run';
import { resolveRunConfig } from '../../src/experiment/config';
import { ConfigError } from '../../src/experiment/errors';
import { UsageError } from '../../src/args';
import { SCENARIOS, SCENARIO_NAMES } from '../../src/workloads/mm_paths';

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
    assert.equal(x.seed, '3');
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
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--seed', ' '], /--seed must be text of 1 to 200 characters, not blank, or an integer from 0 /],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--set', 'bogus=1'], /unknown option "bogus" for truncate; allowed: mappers, /],
    [['scenario', 'truncate', '--kernel', '3.18-rc1', '--set', 'mappers=-1'], /--set mappers: must be an integer from 1 to 1024, got -1 \(scenario truncate\)/],
    [['scenario', 'fork-storm', '--kernel', '3.18-rc1', '--set', 'workers=0'], /--set workers: must be an integer from 1 to 1024, got 0 \(scenario fork-storm\)\n$/],
    [['scenario', 'fork-storm', '--kernel', '3.18-rc1', '--set', 'workers=2.5'], /--set workers: must be an integer from 1 to 1024, got 2\.5 \(scenario fork-storm\)\n$/],
    [['scenario', 'all', '--kernel', '3.18-rc1', '--set', 'filePages=6'], /--set filePages: must be a multiple of 4, got 6; allowed: .* \(scenario nommu\)\n$/],
    [['scenario', 'fork-storm', '--kernel', '3.18-rc1', '--set', 'program=libc.so.6'], /--set program: must be one of .*reaim, got "libc\.so\.6"/],
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

test('scenario --set and run --param take one validation path: a value is refused by both or by neither, with the same words', async () => {
  // the two bad values of the issue, through the CLI: exit 2 from both commands, same problem
  for (const v of ['0', '2.5']) {
    const a = await runMain(['scenario', 'fork-storm', '--kernel', '3.18-rc1', '--set', `workers=${v}`]);
    const b = await runMain(['run', '--workload', 'fork-storm', '--param', `workers=${v}`]);
    assert.equal(a.code, 2);
    assert.equal(b.code, 2);
    assert.equal(a.err.replace(/^mmlock scenario: --set workers: (.*) \(scenario fork-storm\)\n$/, '$1'), b.err.replace(/^mmlock run: --param workers: (.*)\n$/, '$1'));
  }
  // any value of any scenario option, without running anything
  const opts = SCENARIO_NAMES.flatMap((nm) => Object.keys(SCENARIOS[nm]!.params).map((k) => [nm, k] as const));
  const value = fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), fc.double({ min: -1, max: 1e9, noNaN: true }).map(String), fc.constantFrom('x', '', 'reaim', '/bin/sh', '1e3', ' 4 '));
  fc.assert(fc.property(fc.constantFrom(...opts), value, ([nm, k], v) => {
    let viaRun: string | null = null, viaScenario: string | null = null;
    try {
      resolveRunConfig({ workload: nm, params: parseParams([`${k}=${v}`], nm) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      viaRun = e.problem;
    }
    try {
      checkSettings(nm, { [k]: v });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      viaScenario = e.message;
    }
    assert.equal(viaScenario === null, viaRun === null, `${nm} ${k}=${JSON.stringify(v)}: run ${viaRun}, scenario ${viaScenario}`);
    if (viaRun !== null) assert.ok(viaScenario!.includes(viaRun), `${viaScenario} vs ${viaRun}`);
  }), { numRuns: 300 });
});
