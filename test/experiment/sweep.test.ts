import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSweep } from '../../src/experiment/sweep';
import { mergeSweeps } from '../../src/experiment/merge';
import { ConfigError } from '../../src/experiment/errors';
import { files, journalIds, resultFiles, sameResultFiles, smallSpec, sweepEveryWay, tmp } from './helpers';

test('1 worker, 2 workers, the main thread and 2 merged shards give byte-identical result files', async () => {
  const dir = tmp();
  const one = await sweepEveryWay(smallSpec(), dir, 2);
  // a shard's own tables hold only its runs
  assert.equal(readFileSync(join(dir, 's0', 'runs.csv'), 'utf8').trim().split('\n').length, 1 + 8);
  // the tidy rows: sorted by runId, ids then params then metrics then counters
  assert.equal(one.rows.length, 16);
  assert.deepEqual(one.rows.map((r) => r.runId), [...one.rows.map((r) => r.runId as string)].sort());
  const cols = one.tables.runs.columns;
  assert.deepEqual(cols.slice(0, 7), ['runId', 'configHash', 'rep', 'seed', 'kernel', 'threads', 'readers']);
  assert.ok(cols.includes('ops_per_s') && cols.includes('cpu_spin_share'));
  // the Arquero table and the Arrow file agree
  assert.equal(one.table.numRows(), 16);
  assert.deepEqual(one.table.columnNames(), cols);
  const { loadSweepTable } = await import('../../src/experiment/sweep');
  const fromArrow = loadSweepTable(join(dir, 'w1'));
  assert.deepEqual(fromArrow.objects(), one.table.objects());
  const prov = JSON.parse(readFileSync(join(dir, 'w1', 'provenance.json'), 'utf8'));
  assert.equal(prov.kind, 'mmlock-sweep');
  assert.equal(prov.package.name, 'mmlock');
  assert.equal(prov.node, process.version);
  assert.equal(typeof prov.host.cpuModel, 'string');
  assert.deepEqual(prov.spec, one.spec);
  assert.deepEqual(prov.runs, { sweep: 16, shard: 16, resumed: 0, ran: 16 });
});

test('rerunning a finished sweep runs nothing and rewrites the same files; in-memory sweeps write nothing', async () => {
  const dir = tmp();
  await runSweep(smallSpec(), { workers: 1, out: dir });
  const before = resultFiles(dir);
  const again = await runSweep(smallSpec(), { workers: 1, out: dir });
  assert.deepEqual(again.provenance.runs, { sweep: 16, shard: 16, resumed: 16, ran: 0 });
  for (const [f, b] of before) assert.ok(b.equals(readFileSync(join(dir, f))), f);
  const mem = await runSweep(smallSpec(), { workers: 1 });
  assert.equal(mem.out, null);
  assert.equal(mem.rows.length, 16);
});

test('a torn last journal line is cut off and its run redone; a corrupt middle line is an error', async () => {
  const ref = tmp();
  await runSweep(smallSpec(), { workers: 1, out: ref });
  const dir = tmp();
  await runSweep(smallSpec(), { workers: 1, out: dir, shard: { index: 0, count: 2 } });
  const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l);
  writeFileSync(join(dir, 'journal.jsonl'), `${lines.slice(0, 5).join('\n')}\n${lines[5]!.slice(0, 40)}`);
  const r = await runSweep(smallSpec(), { workers: 2, out: dir });
  assert.deepEqual(r.provenance.runs, { sweep: 16, shard: 16, resumed: 5, ran: 11 });
  const ids = journalIds(dir);
  assert.equal(ids.length, 16);
  assert.equal(new Set(ids).size, 16);
  sameResultFiles(ref, dir);
  // garbage in the middle is not a crash artefact: refuse
  const text = readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n');
  text[2] = '{"runId": broken';
  writeFileSync(join(dir, 'journal.jsonl'), text.join('\n'));
  await assert.rejects(runSweep(smallSpec(), { workers: 1, out: dir }), /journal\.jsonl:3: not a journal entry/);
});

test('an --out folder holding another spec is refused, nothing written; a live lock is refused', async () => {
  const dir = tmp();
  await runSweep(smallSpec(), { workers: 1, out: dir, shard: { index: 0, count: 4 } });
  const before = files(dir).map((f) => [f, readFileSync(join(dir, f))] as const);
  await assert.rejects(runSweep(smallSpec({ seed: 12 }), { workers: 1, out: dir }), (e: unknown) => e instanceof ConfigError && /holds results of a different sweep spec/.test(e.message));
  assert.deepEqual(files(dir), before.map(([f]) => f));
  for (const [f, b] of before) assert.ok(b.equals(readFileSync(join(dir, f))), f);
  writeFileSync(join(dir, '.lock'), `${process.pid}@${require('node:os').hostname()}\n`);
  await assert.rejects(runSweep(smallSpec(), { workers: 1, out: dir }), /is in use by another sweep/);
  // a lock left by a dead process is stale and taken over
  writeFileSync(join(dir, '.lock'), `999999999@${require('node:os').hostname()}\n`);
  const r = await runSweep(smallSpec(), { workers: 1, out: dir });
  assert.equal(r.provenance.runs.resumed, 4);
  assert.ok(!existsSync(join(dir, '.lock')));
});

test('merge: mismatched specs are refused; missing runs are reported; a rerun into the merged folder completes it', async () => {
  const dir = tmp();
  await runSweep(smallSpec(), { workers: 1, out: join(dir, 'a'), shard: { index: 0, count: 2 } });
  await runSweep(smallSpec({ seed: 99 }), { workers: 1, out: join(dir, 'b'), shard: { index: 1, count: 2 } });
  assert.throws(() => mergeSweeps([join(dir, 'a'), join(dir, 'b')], join(dir, 'm')), /DIR\[1\]: .* holds a different sweep spec/);
  assert.ok(!existsSync(join(dir, 'm')));
  const part = mergeSweeps([join(dir, 'a')], join(dir, 'm'));
  assert.equal(part.missing.length, 8);
  const done = await runSweep(smallSpec(), { workers: 2, out: join(dir, 'm') });
  assert.deepEqual(done.provenance.runs, { sweep: 16, shard: 16, resumed: 8, ran: 8 });
  const full = tmp();
  await runSweep(smallSpec(), { workers: 1, out: full });
  sameResultFiles(full, join(dir, 'm'));
});

test('a sweep killed mid-run leaves whole files; the rerun completes with no lost or duplicated rows', async () => {
  const dir = tmp();
  const spec = join(dir, 'spec.yaml');
  // YAML on purpose: spec files may be YAML
  writeFileSync(spec, [
    'name: kill-test',
    'base: { workload: lock-hammer, machine: ivybridge-ex-2s, params: { holdNs: 100, thinkNs: 400 }, duration: { ms: 1 } }',
    'axes:',
    '  threads: [2, 4, 8, 16]',
    '  readers: [0, 0.5, 0.9]',
    'replications: 2',
    'seed: 5',
    '',
  ].join('\n'));
  const out = join(dir, 'out');
  const main = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'sweep', spec, '--out', out, '--workers', '1', '--quiet'], { stdio: 'ignore' });
  const journal = join(out, 'journal.jsonl');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (existsSync(journal) && readFileSync(journal, 'utf8').split('\n').filter((l) => l).length >= 3) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const lines = readFileSync(journal, 'utf8').split('\n').filter((l) => l);
  assert.ok(lines.length >= 3 && lines.length < 24, `killed after ${lines.length} runs`);
  for (const l of lines) JSON.parse(l); // every line whole
  assert.ok(!existsSync(join(out, 'runs.csv')), 'no result tables before the sweep is done');
  assert.ok(files(out).every((f) => !f.includes('.tmp-')), 'no temporary files left');
  // rerun in-process
  appendFileSync(journal, ''); // (unchanged)
  const { loadSweepSpec } = await import('../../src/experiment/spec');
  const r = await runSweep(loadSweepSpec(spec), { workers: 2, out });
  assert.equal(r.provenance.runs.resumed, lines.length);
  const ids = journalIds(out);
  assert.equal(ids.length, 24);
  assert.equal(new Set(ids).size, 24);
  const clean = tmp();
  await runSweep(loadSweepSpec(spec), { workers: 1, out: clean });
  sameResultFiles(clean, out);
});

test('workloads registered by a module run on workers (modules option); a failing run names its runId', async () => {
  const dir = tmp();
  const mod = join(dir, 'count-workload.js');
  const registry = join(__dirname, '..', '..', 'src', 'workloads');
  writeFileSync(mod, `
const { registerWorkload, getWorkload } = require(${JSON.stringify(registry)});
if (!getWorkload('test-count')) registerWorkload({
  name: 'test-count',
  description: 'n tasks compute in steps; fails when n = 3',
  params: { n: { type: 'int', default: 1, min: 1, max: 8, help: 'tasks' } },
  run(ctx) {
    if (ctx.params.n === 3) throw new Error('n = 3 is unlucky');
    let steps = 0;
    for (let i = 0; i < ctx.params.n; i++) ctx.sched.spawn('c' + i, function* (t) {
      while (ctx.sim.now < ctx.endNs) { yield* ctx.sched.compute(t, 1000 + ctx.rng('c' + i).int(1000)); if (ctx.measuring()) steps++; }
    });
    ctx.run();
    return { metrics: { steps }, counters: { numa_pages_migrated: 0 } };
  },
});
`);
  require(mod);
  const spec = { base: { workload: 'test-count', machine: 'ivybridge-ex-2s', duration: { ms: 0.1 }, options: { trace: { intervalMs: 0.05 } } }, axes: { n: [1, 2, 4] }, seed: 1 };
  const a = await runSweep(spec, { workers: 2, out: join(dir, 'a'), modules: [mod] });
  const b = await runSweep(spec, { workers: 0, out: join(dir, 'b') });
  sameResultFiles(join(dir, 'a'), join(dir, 'b'));
  assert.deepEqual(a.tables.runs.columns.slice(4, 6), ['n', 'steps']);
  assert.ok(a.tables.runs.columns.includes('numa_pages_migrated'));
  assert.equal(a.tables.trace!.rows.length, 6);
  assert.ok(existsSync(join(dir, 'a', 'trace.arrow')));
  const bad = { ...spec, axes: { n: [1, 3] } };
  await assert.rejects(runSweep(bad, { workers: 1, out: join(dir, 'c'), modules: [mod] }), /run p0001-r00 \(n=3, seed [0-9a-f]{16}\) failed: Error: n = 3 is unlucky/);
  assert.deepEqual(journalIds(join(dir, 'c')), ['p0000-r00']);
  await assert.rejects(runSweep(bad, { workers: 0 }), /run p0001-r00 \(n=3, seed [0-9a-f]{16}\) failed: Error: n = 3 is unlucky/);
});
