import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMain } from '../cli/kernel-cli-helpers';
import { files, smallSpec, tmp } from './helpers';
import { dataPath } from '../../src/data';

test('mmlock run --json prints the run result; the text form names the workload, metrics and lockstat', async () => {
  const argv = ['run', '--workload', 'lock-hammer', '--machine', 'ivybridge-ex-2s', '--kernel', '3.18-rc1-i_mmap_rwsem', '--param', 'threads=4', '--param', 'readers=0.5', '--ms', '0.2', '--seed', '9'];
  const r = await runMain([...argv, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j), ['config', 'configHash', 'metrics', 'counters', 'lockstat', 'trace', 'provenance']);
  assert.equal(j.config.params.threads, 4);
  assert.equal(j.config.seed, '9');
  assert.ok(j.metrics.ops_per_s > 0);
  const t = await runMain(argv);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /^lock-hammer on ivybridge-ex-2s, kernel 3\.18-rc1-i_mmap_rwsem, 0\.2 ms measured, seed 9\n/);
  assert.match(t.out, /\nmetrics:\n {2}ops_per_s +\d+/);
  assert.match(t.out, /\n {2}i_mmap +lock_hammer_read +\d+/);
});

test('mmlock run --exact-lock-timing: the option is in the config and hash, and every stall becomes an event', async () => {
  const argv = ['run', '--workload', 'lock-hammer', '--param', 'threads=8', '--ms', '0.5', '--seed', '3', '--json'];
  const folded = JSON.parse((await runMain(argv)).out);
  const exact = JSON.parse((await runMain([...argv, '--exact-lock-timing'])).out);
  assert.equal(folded.config.options.exactLockTiming, undefined);
  assert.equal(exact.config.options.exactLockTiming, true);
  assert.notEqual(exact.configHash, folded.configHash);
  assert.ok(exact.counters.sim_events > folded.counters.sim_events, `exact ${exact.counters.sim_events} vs folded ${folded.counters.sim_events} events`);
});

test('mmlock run: bad flags exit 2 naming the flag, the value and what is allowed', async () => {
  const cases: [string[], RegExp][] = [
    [['run'], /^mmlock run: --workload is required; allowed: aim7, aim7-whatif, fork-storm, iozone-mmap, lock-hammer, memcached, memory-failure, microbench, nommu, numa-migration, postgres-hugetlb, truncate, uprobe, xip\n$/],
    [['run', '--workload', 'aim8'], /^mmlock run: --workload: unknown workload "aim8"; allowed: aim7, aim7-whatif, fork-storm, iozone-mmap, lock-hammer, memcached, memory-failure, microbench, nommu, numa-migration, postgres-hugetlb, truncate, uprobe, xip\n$/],
    [['run', '--workload', 'lock-hammer', '--param', 'treads=4'], /^mmlock run: --param treads: unknown parameter of workload "lock-hammer", got 4; allowed: threads, readers, holdNs, thinkNs, think\n$/],
    [['run', '--workload', 'lock-hammer', '--param', 'threads=many'], /^mmlock run: --param threads: must be an integer from 1 to 4096, got "many"\n$/],
    [['run', '--workload', 'lock-hammer', '--param', 'threads'], /^mmlock run: --param must be name=value, got "threads"; allowed names: threads, /],
    [['run', '--workload', 'lock-hammer', '--kernel', '3.19'], /^mmlock run: --kernel: unknown kernel "3\.19"; allowed: 3\.18-rc1, /],
    [['run', '--workload', 'lock-hammer', '--machine', 'vax'], /^mmlock run: --machine: unknown machine preset "vax"; allowed: ivybridge-ex-2s, /],
    [['run', '--workload', 'lock-hammer', '--ms', '0'], /^mmlock run: --ms: must be a number of simulated ms > 0 and <= 1000000, got 0\n$/],
    [['run', '--workload', 'lock-hammer', '--frobnicate'], /^mmlock run: .*'--frobnicate'.*Allowed options: --config, --machine, --kernel, --workload, --param, /],
  ];
  for (const [argv, re] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.match(r.err, re, argv.join(' '));
  }
});

test('mmlock sweep / merge: bad specs and flags exit 2 with the field named, and write nothing', async () => {
  const dir = tmp();
  const write = (name: string, spec: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, typeof spec === 'string' ? spec : JSON.stringify(spec));
    return f;
  };
  const out = join(dir, 'out');
  const cases: [string[], RegExp][] = [
    [['sweep', write('empty-out.json', smallSpec({})), '--out', ''], /^mmlock sweep: --out must be a folder name, got ""\n?/],
    [['sweep', write('a.json', smallSpec({ axes: { treads: [1] } })), '--out', out], /^mmlock sweep: .*a\.json: axes\.treads: unknown parameter "treads" of workload "lock-hammer"; allowed: /],
    [['sweep', write('b.json', smallSpec({ axes: { threads: [1, -3] } })), '--out', out], /^mmlock sweep: .*b\.json: axes\.threads\[1\]: must be an integer from 1 to 4096, got -3\n$/],
    [['sweep', write('c.json', smallSpec({ axes: { kernel: ['2.6.32'] } })), '--out', out], /^mmlock sweep: .*c\.json: axes\.kernel\[0\]: unknown kernel "2\.6\.32"; allowed: /],
    [['sweep', write('d.json', smallSpec({ base: { workload: 'aim8' }, axes: {} })), '--out', out], /^mmlock sweep: .*d\.json: base\.workload: unknown workload "aim8"; allowed: aim7, aim7-whatif, fork-storm, iozone-mmap, lock-hammer, memcached, memory-failure, microbench, nommu, numa-migration, postgres-hugetlb, truncate, uprobe, xip\n$/],
    [['sweep', write('e.json', '{"base": '), '--out', out], /^mmlock sweep: .*cannot parse .*e\.json" as JSON: /],
    [['sweep', write('f.yaml', 'base: [unclosed'), '--out', out], /^mmlock sweep: .*cannot parse .*f\.yaml" as YAML: /],
    [['sweep', join(dir, 'missing.json'), '--out', out], /^mmlock sweep: .*cannot read spec file .*missing\.json": ENOENT\n$/],
    [['sweep', write('g.json', smallSpec()), '--out', out, '--shard', '2/2'], /^mmlock sweep: --shard must be i\/N with integers 0 <= i < N/],
    [['sweep', write('h.json', smallSpec()), '--out', out, '--workers', 'two'], /^mmlock sweep: --workers must be an integer from 0 to 1024, got "two"\n$/],
    [['sweep', write('i.json', smallSpec())], /^mmlock sweep: --out <dir> is required/],
    [['sweep', '--out', out], /^mmlock sweep: give exactly one spec file \(JSON or YAML\), got none\n$/],
    [['merge', '--out', out], /^mmlock merge: give the sweep folders to merge/],
    [['merge', dir, '--out', out], /^mmlock merge: .*: .* has no spec\.json; allowed: folders written by mmlock sweep --out\n$/],
  ];
  for (const [argv, re] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
    assert.match(r.err, re, argv.join(' '));
    assert.ok(!existsSync(out), `${argv.join(' ')} wrote ${out}`);
  }
});

test('mmlock sweep --dry-run lists the runs; sweep + shards + merge through the CLI', async () => {
  const dir = tmp();
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(smallSpec({ axes: { threads: [2, 4] }, replications: 2 })));
  const dry = await runMain(['sweep', spec, '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /^2 points × 2 replications = 4 runs; spec [0-9a-f]{16}\np0000-r00 +[0-9a-f]{16} +seed [0-9a-f]{16} +threads=2\n/);
  const s0 = await runMain(['sweep', spec, '--out', join(dir, 's0'), '--shard', '0/2', '--workers', '1', '--quiet']);
  assert.equal(s0.code, 0, s0.err);
  assert.match(s0.out, /2 runs \(shard 0\/2 of 4\), 2 ran, 0 resumed/);
  const partial = await runMain(['merge', join(dir, 's0'), '--out', join(dir, 'm')]);
  assert.equal(partial.code, 1);
  assert.match(partial.err, /2 of 4 runs missing \(first: p0000-r01, p0001-r01\)/);
  const s1 = await runMain(['sweep', spec, '--out', join(dir, 's1'), '--shard', '1/2', '--workers', '1', '--quiet']);
  assert.equal(s1.code, 0, s1.err);
  const m = await runMain(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'm')]);
  assert.equal(m.code, 0, m.err);
  assert.match(m.out, /4 of 4 runs/);
  const all = await runMain(['sweep', spec, '--out', join(dir, 'all'), '--workers', '2', '--quiet']);
  assert.equal(all.code, 0, all.err);
  for (const f of ['runs.csv', 'runs.json', 'runs.arrow', 'lockstat.csv']) {
    assert.ok(readFileSync(join(dir, 'all', f)).equals(readFileSync(join(dir, 'm', f))), f);
  }
  assert.deepEqual(files(join(dir, 'm')), ['journal.jsonl', 'lockstat.arrow', 'lockstat.csv', 'lockstat.json', 'provenance.json', 'runs.arrow', 'runs.csv', 'runs.json', 'spec.json']);
});

test('the example sweep spec is valid: 16 points', async () => {
  const r = await runMain(['sweep', dataPath('sweeps', 'example.json'), '--dry-run']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^16 points × 1 replications = 16 runs/);
});

// last in this file: it registers aim7-stub in this process, which changes the allowed-workload lists
test('mmlock sweep --module: a spec naming a workload that the module registers is accepted and run', async () => {
  const dir = tmp();
  const spec = join(dir, 'stub.json');
  writeFileSync(spec, JSON.stringify({
    name: 'stub', base: { workload: 'aim7-stub', params: { workfile: 'alltests', estimate: 'full' } },
    axes: { users: [10, 20] }, replications: 1, seed: 1,
  }));
  const stub = join(__dirname, 'reproduce_stub.js');
  const without = await runMain(['sweep', spec, '--out', join(dir, 'a'), '--workers', '0', '--quiet']);
  assert.equal(without.code, 2, 'without the module the spec names an unknown workload');
  assert.match(without.err, /aim7-stub/);
  const r = await runMain(['sweep', spec, '--module', stub, '--out', join(dir, 'b'), '--workers', '1', '--quiet']);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(dir, 'b', 'runs.csv')));
  assert.equal(readFileSync(join(dir, 'b', 'runs.csv'), 'utf8').trim().split('\n').length, 3);
});
