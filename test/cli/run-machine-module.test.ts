/**
 * `mmlock run --module` (as sweep's) and `--machine <file.json>` wherever a preset name is
 * accepted (run, scenario, bench locks, run configs; reproduce and sweeps pass the value to
 * run configs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import { runMain } from './kernel-cli-helpers';
import { dataPath } from '../../src/data';
import { loadMachine, isMachineFile } from '../../src/hw';
import { run } from '../../src/experiment/run';

const dir = tempDir('mmlock-machine-');
const preset = JSON.parse(readFileSync(dataPath('machines', 'ivybridge-ex-2s.json'), 'utf8')) as Record<string, unknown>;
const good = join(dir, 'my-machine.json');
writeFileSync(good, JSON.stringify({ ...preset, name: 'my-machine' }));
const badField = join(dir, 'bad.json');
writeFileSync(badField, JSON.stringify({ ...preset, name: 'bad', latency: { ...(preset.latency as object), hit: -1 } }));
const badJson = join(dir, 'broken.json');
writeFileSync(badJson, '{ "name": ');

test('isMachineFile: .json suffix or a path separator', () => {
  assert.equal(isMachineFile('ivybridge-ex-4s'), false);
  assert.equal(isMachineFile('m.json'), true);
  assert.equal(isMachineFile('./m'), true);
  assert.equal(isMachineFile('a\\b'), true);
});

test('a machine file gives the same results as the same spec by preset name', async () => {
  const argv = ['run', '--workload', 'lock-hammer', '--param', 'threads=4', '--ms', '0.2', '--seed', '2', '--json'];
  const byName = JSON.parse((await runMain([...argv, '--machine', 'ivybridge-ex-2s'])).out);
  const r = await runMain([...argv, '--machine', good]);
  assert.equal(r.code, 0, r.err);
  const byFile = JSON.parse(r.out);
  assert.equal(byFile.config.machine, good);
  assert.deepEqual(byFile.metrics, byName.metrics);
  assert.deepEqual(byFile.lockstat, byName.lockstat);
  assert.equal(loadMachine(good).name, 'my-machine');
  // run configs (what sweeps and reproduce pass on) take the path too
  const c = run({ workload: 'lock-hammer', machine: good, params: { threads: 4 }, duration: { ms: 0.2 }, seed: '2' });
  assert.deepEqual(c.metrics, byName.metrics);
});

test('machine file errors name the file and the field, exit 2', async () => {
  const argv = ['run', '--workload', 'lock-hammer', '--ms', '0.1'];
  const cases: [string, RegExp][] = [
    [badField, /^mmlock run: --machine: machine file .*bad\.json: machine "bad": latency\.hit must be a finite number > 0, got -1\n$/],
    [badJson, /^mmlock run: --machine: machine file .*broken\.json: must be a MachineSpec in JSON; invalid JSON: /],
    [join(dir, 'missing.json'), /^mmlock run: --machine: machine file .*missing\.json: cannot read it \(ENOENT\); allowed: a preset name \(ivybridge-ex-2s, /],
  ];
  for (const [m, re] of cases) {
    const r = await runMain([...argv, '--machine', m]);
    assert.equal(r.code, 2, m);
    assert.equal(r.out, '');
    assert.match(r.err, re);
  }
  const s = await runMain(['scenario', 'truncate', '--kernel', '3.18-rc1', '--machine', badField]);
  assert.equal(s.code, 2);
  assert.match(s.err, /^mmlock scenario: --machine: machine file .*bad\.json: machine "bad": latency\.hit/);
});

test('mmlock scenario --machine <file> runs', async () => {
  const r = await runMain(['scenario', 'truncate', '--kernel', '3.18-rc1', '--machine', good, '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].machine, good);
});

test('mmlock run --module registers a workload the flags then name', async () => {
  const stub = join(__dirname, '..', 'experiment', 'reproduce_stub.js');
  const argv = ['run', '--workload', 'aim7-stub', '--param', 'users=10', '--param', 'estimate=full', '--json'];
  const without = await runMain(argv);
  assert.equal(without.code, 2);
  assert.match(without.err, /unknown workload "aim7-stub"/);
  const r = await runMain([...argv, '--module', stub]);
  assert.equal(r.code, 0, r.err);
  assert.ok(JSON.parse(r.out).metrics.jpm > 0);
  const bad = await runMain([...argv, '--module', join(dir, 'nope.js')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^mmlock run: --module ".*nope\.js": cannot load: /);
});
