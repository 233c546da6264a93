import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expandSweep, runSeed, type ExpandedSweep } from '../../src/experiment/spec';
import { ConfigError } from '../../src/experiment/errors';
import { runSweep } from '../../src/experiment/sweep';
import { mergeSweeps } from '../../src/experiment/merge';
import { pairedChange, PAIRED_CHANGE_COLUMNS } from '../../src/experiment/paired';
import { parseCsv } from '../../src/experiment/tables';
import { ci95, mean, reproduce, setupReproduce, type ReproducePreset } from '../../src/experiment/reproduce';
import { gridPreset, type StubGrid } from './reproduce_presets';
import { dataPath } from '../../src/data';
import { runMain } from '../cli/kernel-cli-helpers';
import { STUB } from './reproduce_stub';
import { smallSpec, sweepEveryWay, tmp } from './helpers';
import '../../src/workloads';

const B = '3.18-rc1', P = '3.18-rc1-i_mmap_rwsem';

/** The seed of the run with these column values and rep. */
function seedOf(x: ExpandedSweep, values: Record<string, unknown>, rep: number): string {
  const r = x.runs.find((q) => q.rep === rep && Object.entries(values).every(([k, v]) => x.points[q.point]!.values[k] === v));
  assert.ok(r, `no run ${JSON.stringify(values)} rep ${rep}`);
  return r.seed;
}

test('pairSeeds: two runs share a seed exactly when they differ only on the paired axes (same rep), whatever the grid', () => {
  const sub = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 });
  fc.assert(fc.property(
    sub([B, P]), sub([1, 2, 4, 8]), sub([0, 0.5, 0.9]), sub(['kernel', 'threads', 'readers']), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }),
    (kernel, threads, readers, pair, reps, seed) => {
      const x = expandSweep(smallSpec({ axes: { kernel, threads, readers }, replications: reps, seed, pairSeeds: pair }));
      assert.deepEqual(x.spec.pairSeeds, ['kernel', 'threads', 'readers'].filter((a) => pair.includes(a)));
      const kept = ['kernel', 'threads', 'readers'].filter((a) => !pair.includes(a));
      for (let i = 0; i < x.runs.length; i++) {
        for (let j = i + 1; j < x.runs.length; j++) {
          const a = x.runs[i]!, b = x.runs[j]!;
          const va = x.points[a.point]!.values, vb = x.points[b.point]!.values;
          const pairable = a.rep === b.rep && kept.every((k) => va[k] === vb[k]);
          assert.equal(a.seed === b.seed, pairable, `${JSON.stringify(va)} r${a.rep} vs ${JSON.stringify(vb)} r${b.rep}, pairSeeds ${JSON.stringify(pair)}`);
        }
      }
    },
  ), { numRuns: 40 });
});

test('twin pairing {axis, seedOf}: every run takes the seed of its twin at seedOf, and the twins keep the seeds they have without it', () => {
  const sub = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 });
  fc.assert(fc.property(
    sub([B, P]), sub([1, 2, 4, 8]), sub([0, 0.5, 0.9]), fc.constantFrom('threads', 'readers'), fc.subarray(['kernel']), fc.nat(), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1000 }),
    (kernel, threads, readers, twinAxis, pair, pick, reps, seed) => {
      const axes: Record<string, unknown[]> = { kernel, threads, readers };
      const at = axes[twinAxis]![pick % axes[twinAxis]!.length];
      const spec = { axes, replications: reps, seed };
      const x = expandSweep(smallSpec({ ...spec, pairSeeds: [...pair, { axis: twinAxis, seedOf: at }] }));
      const plain = expandSweep(smallSpec({ ...spec, ...(pair.length ? { pairSeeds: pair } : {}) }));
      assert.deepEqual(x.runs.map((r) => r.configHash), plain.runs.map((r) => r.configHash));
      for (const r of x.runs) {
        const v = x.points[r.point]!.values;
        assert.equal(r.seed, seedOf(plain, { ...v, [twinAxis]: at }, r.rep), `${JSON.stringify(v)} r${r.rep}`);
      }
      // the twins themselves: unchanged
      plain.runs.forEach((r, i) => { if (plain.points[r.point]!.values[twinAxis] === at) assert.equal(x.runs[i]!.seed, r.seed); });
    },
  ), { numRuns: 30 });
});

test('pairSeeds: a paired seed does not depend on the grid around it, the order of values or of pairSeeds; it never equals an unpaired seed', () => {
  const a = expandSweep(smallSpec({ axes: { kernel: [B, P], threads: [2, 8] }, pairSeeds: ['kernel'] }));
  const b = expandSweep(smallSpec({ axes: { threads: [1, 2, 8], kernel: { values: [P, B], labels: ['rwsem', 'mutex'] } }, pairSeeds: ['kernel'] }));
  const bRun = (threads: number, rep: number) => seedOf(b, { threads, kernel: 'rwsem' }, rep);
  for (const rep of [0, 1]) {
    assert.equal(seedOf(a, { kernel: P, threads: 8 }, rep), bRun(8, rep));
    assert.equal(seedOf(a, { kernel: B, threads: 8 }, rep), seedOf(a, { kernel: P, threads: 8 }, rep));
    assert.notEqual(seedOf(a, { kernel: B, threads: 2 }, rep), seedOf(a, { kernel: B, threads: 8 }, rep));
  }
  assert.notEqual(seedOf(a, { kernel: B, threads: 8 }, 0), seedOf(a, { kernel: B, threads: 8 }, 1));
  // the order of pairSeeds is normalized to the axes' order: same spec, same seeds
  const c1 = expandSweep(smallSpec({ pairSeeds: ['readers', 'kernel'] }));
  const c2 = expandSweep(smallSpec({ pairSeeds: ['kernel', 'readers'] }));
  assert.deepEqual(c1.spec.pairSeeds, ['kernel', 'readers']);
  assert.equal(c1.specHash, c2.specHash);
  assert.deepEqual(c1.runs, c2.runs);
  // spec.json (the normalized spec) expands to itself
  assert.equal(expandSweep(JSON.parse(JSON.stringify(c1.spec))).specHash, c1.specHash);
  // paired and unpaired seeds of the same sweep seed never coincide
  const u = expandSweep(smallSpec());
  const unpaired = new Set(u.runs.map((r) => r.seed));
  assert.ok(c1.runs.every((r) => !unpaired.has(r.seed)));
  assert.notEqual(c1.specHash, u.specHash);
  // another sweep seed: other paired seeds
  assert.notEqual(expandSweep(smallSpec({ seed: 12, pairSeeds: ['kernel'] })).runs[0]!.seed, a.runs[0]!.seed);
});

test('pairSeeds on a workload or machine axis: the pair shares a seed, the other axes still tell points apart', () => {
  const w = expandSweep(smallSpec({
    base: { machine: 'ivybridge-ex-2s', duration: { ms: 0.2 } },
    axes: {
      workload: { values: [{ name: 'lock-hammer', params: { holdNs: 100 } }, { name: 'lock-hammer', params: { holdNs: 300, readers: 0.5 } }], labels: ['short', 'long'] },
      threads: [2, 8],
    },
    replications: 1,
    pairSeeds: ['workload'],
  }));
  assert.equal(seedOf(w, { workload: 'short', threads: 2 }, 0), seedOf(w, { workload: 'long', threads: 2 }, 0));
  assert.notEqual(seedOf(w, { workload: 'short', threads: 2 }, 0), seedOf(w, { workload: 'short', threads: 8 }, 0));
  const m = expandSweep(smallSpec({ axes: { machine: ['ivybridge-ex-2s', 'ivybridge-ex-4s'], kernel: [B, P] }, replications: 1, pairSeeds: ['machine'] }));
  assert.equal(seedOf(m, { machine: 'ivybridge-ex-2s', kernel: B }, 0), seedOf(m, { machine: 'ivybridge-ex-4s', kernel: B }, 0));
  assert.notEqual(seedOf(m, { machine: 'ivybridge-ex-2s', kernel: B }, 0), seedOf(m, { machine: 'ivybridge-ex-2s', kernel: P }, 0));
});

test('committed sweep results: specs and spec hashes expand as committed; without pairSeeds, seeds are those of the code before the option', () => {
  const dir = dataPath('results');
  let folders = 0, direct = 0;
  for (const d of readdirSync(dir).sort()) {
    const provFile = join(dir, d, 'provenance.json'), csvFile = join(dir, d, 'runs.csv');
    if (!existsSync(provFile) || !existsSync(csvFile)) continue;
    const prov = JSON.parse(readFileSync(provFile, 'utf8')) as { kind: string; spec: unknown; specHash: string };
    if (prov.kind !== 'mmlock-sweep') continue;
    let x: ExpandedSweep;
    try {
      x = expandSweep(prov.spec);
    } catch (e) {
      if (e instanceof ConfigError && /unknown workload/.test(e.message)) continue; // a workload a notebook registers
      throw e;
    }
    folders++;
    assert.deepEqual(x.spec, prov.spec, d);
    assert.equal(x.specHash, prov.specHash, d);
    const [head, ...lines] = parseCsv(readFileSync(csvFile, 'utf8'));
    const col = (name: string) => head!.indexOf(name);
    const runs = new Map(x.runs.map((r) => [r.runId, r]));
    // a committed paired sweep (aim7-measured-costs): its seeds are today's where the config is unchanged
    const paired = 'pairSeeds' in x.spec;
    for (const l of lines) {
      const r = runs.get(l[col('runId')]!)!;
      assert.ok(r, `${d}: ${l[col('runId')]}`);
      if (paired) {
        if (l[col('configHash')] === r.configHash) assert.equal(r.seed, l[col('seed')], `${d} ${r.runId}`);
        continue;
      }
      // the committed seed follows seed = sha256(sweep seed, config hash, rep) ...
      assert.equal(l[col('seed')], runSeed(x.spec.seed, l[col('configHash')]!, r.rep), `${d} ${r.runId}`);
      // ... as today's does; and where the config hash is unchanged (same MODEL_VERSION) the seed is the same
      assert.equal(r.seed, runSeed(x.spec.seed, r.configHash, r.rep));
      if (l[col('configHash')] === r.configHash) {
        assert.equal(r.seed, l[col('seed')], `${d} ${r.runId}`);
        direct++;
      }
    }
  }
  assert.ok(folders >= 5, `only ${folders} committed sweep folders`);
  // (direct: 0 only between a MODEL_VERSION bump and the regeneration of the committed results)
  assert.ok(direct === 0 || direct >= 100, `${direct} runs compared directly`);
});

test('a paired sweep: 1 worker, 2 workers, the main thread and 3 merged shards give byte-identical files; the pairs share seeds', async () => {
  const spec = smallSpec({ pairSeeds: ['kernel'] });
  const dir = tmp();
  const one = await sweepEveryWay(spec, dir, 3);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'merged', 'spec.json'), 'utf8')).pairSeeds, ['kernel']);
  // in the runs table each seed appears on exactly the two kernels of one point and rep
  const bySeed = new Map<string, string[]>();
  for (const r of one.rows) bySeed.set(r.seed as string, [...(bySeed.get(r.seed as string) ?? []), `${r.threads}/${r.readers}/${r.rep}/${r.kernel}`]);
  assert.equal(bySeed.size, 8);
  for (const ids of bySeed.values()) {
    assert.equal(ids.length, 2);
    assert.equal(ids[0]!.replace(/\/[^/]*$/, ''), ids[1]!.replace(/\/[^/]*$/, ''));
  }
  // the dry run says so
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const dry = await runMain(['sweep', join(dir, 'spec.json'), '--dry-run', '--shard', '1/3']);
  assert.match(dry.out, /^8 points × 2 replications = 16 runs; shard 1\/3: 5; spec [0-9a-f]{16}; seeds paired across kernel\n/);
  // the same spec without pairSeeds is another spec: its shard cannot be merged with these, nor resume here
  await runSweep(smallSpec(), { workers: 1, out: join(dir, 'u0'), shard: { index: 0, count: 3 } });
  assert.throws(() => mergeSweeps([join(dir, 's0'), join(dir, 'u0')], join(dir, 'm2')), /DIR\[1\]: .* holds a different sweep spec/);
  await assert.rejects(runSweep(smallSpec(), { workers: 1, out: join(dir, 'w1') }), /holds results of a different sweep spec/);
  // a rerun resumes everything
  const again = await runSweep(spec, { workers: 2, out: join(dir, 'merged') });
  assert.deepEqual(again.provenance.runs, { sweep: 16, shard: 16, resumed: 16, ran: 0 });
  // the paired % change along the kernel axis, per point: 4 points, 2 pairs each, every pair on one seed
  const pc = pairedChange(one, 'kernel', B, { metric: 'ops_per_s' });
  assert.deepEqual(pc.columns, ['threads', 'readers', 'kernel', ...PAIRED_CHANGE_COLUMNS]);
  assert.deepEqual(pc.rows.map((r) => [r.threads, r.readers, r.kernel, r.pairs, r.same_seed]), [[2, 0, P, 2, true], [2, 0.9, P, 2, true], [8, 0, P, 2, true], [8, 0.9, P, 2, true]]);
  const u = await runSweep(smallSpec(), { workers: 0 });
  assert.ok(pairedChange(u, 'kernel', B, { metric: 'ops_per_s' }).rows.every((r) => r.same_seed === false && r.pairs === 2));
});

/** Rows of a synthetic sweep: users × kernel × rep, metric = noise(rep) × effect(kernel, users). */
function syntheticRows(noise: number[], effect: (users: number) => number, users: number[], sameSeed: boolean): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const u of users) {
    for (const k of [B, P]) {
      noise.forEach((n, rep) => rows.push({ runId: `${u}-${k}-${rep}`, rep, seed: sameSeed ? `s${u}-${rep}` : `s${u}-${k}-${rep}`, users: u, kernel: k, jpm: n * (k === P ? effect(u) : 1) }));
    }
  }
  return rows;
}

test('pairedChange: per-pair % change, its Student-t CI and the change of the means match the definitions', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ b: fc.double({ min: 1, max: 1e6, noNaN: true }), p: fc.double({ min: 1, max: 1e6, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
    fc.boolean(),
    (pairs, sameSeed) => {
      const rows = pairs.flatMap(({ b, p }, rep) => [
        { runId: `a${rep}`, rep, seed: `s${rep}`, users: 100, kernel: B, jpm: b },
        { runId: `b${rep}`, rep, seed: sameSeed ? `s${rep}` : `t${rep}`, users: 100, kernel: P, jpm: p },
      ]);
      const t = pairedChange(rows, 'kernel', B, { metric: 'jpm', by: ['users'] });
      assert.equal(t.rows.length, 1);
      const r = t.rows[0]!;
      const pct = pairs.map(({ b, p }) => ((p - b) / b) * 100);
      assert.equal(r.pairs, pairs.length);
      assert.equal(r.same_seed, sameSeed);
      assert.ok(Math.abs((r.pct_change as number) - mean(pct)!) <= 1e-9 * Math.max(1, Math.abs(mean(pct)!)));
      const h = ci95(pct);
      if (h === null) assert.equal(r.ci95, null);
      else assert.ok(Math.abs((r.ci95 as number) - h) <= 1e-9 * Math.max(1, h));
      const mb = mean(pairs.map((x) => x.b))!, mp = mean(pairs.map((x) => x.p))!;
      assert.ok(Math.abs((r.pct_change_of_means as number) - ((mp - mb) / mb) * 100) <= 1e-9 * Math.max(1, Math.abs(((mp - mb) / mb) * 100)));
    },
  ), { numRuns: 200 });
});

test('pairedChange: noise the two kernels share cancels in each pair: the per-pair CI is 0', () => {
  fc.assert(fc.property(
    fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 3, maxLength: 6 }).filter((n) => new Set(n).size > 1),
    fc.double({ min: 0.5, max: 2, noNaN: true }),
    (noise, effect) => {
      const t = pairedChange(syntheticRows(noise, () => effect, [100, 500], true), 'kernel', B, { metric: 'jpm', by: ['users'] });
      assert.deepEqual(t.rows.map((r) => [r.users, r.kernel, r.pairs, r.same_seed]), [[100, P, noise.length, true], [500, P, noise.length, true]]);
      for (const r of t.rows) {
        assert.ok(Math.abs((r.pct_change as number) - (effect - 1) * 100) < 1e-9, String(r.pct_change));
        assert.ok((r.ci95 as number) < 1e-9, String(r.ci95));
        assert.ok(Math.abs((r.pct_change_of_means as number) - (effect - 1) * 100) < 1e-9);
      }
    },
  ), { numRuns: 100 });
});

test('pairedChange: clear errors for a missing by, column or baseline value, and for pairs that are not pairs', () => {
  const rows = syntheticRows([1, 1.1], () => 1.5, [100, 500], true);
  assert.throws(() => pairedChange(rows, 'kernel', B, { metric: 'jpm' }), /give opts\.by/);
  assert.throws(() => pairedChange(rows, 'kernel', B, { metric: 'ops', by: ['users'] }), /no metric column "ops"; columns: runId, rep, seed, users, kernel, jpm/);
  assert.throws(() => pairedChange(rows, 'kernal', B, { metric: 'jpm', by: ['users'] }), /no axis column "kernal"/);
  assert.throws(() => pairedChange(rows, 'kernel', '3.19', { metric: 'jpm', by: ['users'] }), /no run has kernel = "3\.19"; values: "3\.18-rc1", "3\.18-rc1-i_mmap_rwsem"/);
  assert.throws(() => pairedChange(rows, 'kernel', B, { metric: 'jpm', by: [] }), /runs 100-3\.18-rc1-0 and 500-3\.18-rc1-0 have the same kernel, rep: a varied column is missing from by/);
  assert.throws(() => pairedChange(rows, 'kernel', B, { metric: 'jpm', by: ['users', 'kernel'] }), /cannot also be a by column/);
  // a table works as rows do; a missing side or metric drops the pair
  const holes = rows.map((r) => (r.runId === '100-3.18-rc1-i_mmap_rwsem-1' ? { ...r, jpm: null } : r));
  const t = pairedChange({ columns: ['runId', 'rep', 'seed', 'users', 'kernel', 'jpm'], rows: holes as never }, 'kernel', B, { metric: 'jpm', by: ['users'] });
  assert.deepEqual(t.rows.map((r) => [r.users, r.pairs, r.ci95 === null]), [[100, 1, true], [500, 2, false]]);
  assert.deepEqual(pairedChange([], 'kernel', B, { metric: 'jpm', by: ['users'] }).rows, []);
});

const STUB_MODULE = join(__dirname, 'reproduce_stub.js');

function stubPreset(over: Partial<StubGrid> = {}): ReproducePreset {
  return gridPreset({ name: 'stub', workload: STUB, machine: 'ivybridge-ex-2s', users: [25, 100], workloads: ['alltests'], replications: 3, seed: 7, ...over });
}

/** The table sweep of a preset (with overrides), expanded. */
function tableSweep(preset: ReproducePreset, pairSeeds?: boolean): ExpandedSweep {
  return setupReproduce({ preset, ...(pairSeeds === undefined ? {} : { pairSeeds }) }).sweeps.find((s) => s.role === 'table')!.x;
}

test('reproduce pairs the kernels by default: one seed per load point and replication, the per-pair % change and its CI in the table, JSON and report', async () => {
  const paired = await reproduce({ preset: stubPreset({ extras: [{ workload: 'lock-hammer', label: 'hammer', params: { threads: 4 }, metric: 'ops_per_s', duration: { ms: 0.2 } }] }), modules: [STUB_MODULE], workers: 0 });
  assert.equal(paired.plan.pairSeeds, true);
  const x = tableSweep(stubPreset());
  assert.deepEqual(x.spec.pairSeeds, ['kernel']);
  for (const u of [25, 100]) for (const rep of [0, 1, 2]) assert.equal(seedOf(x, { users: u, kernel: B }, rep), seedOf(x, { users: u, kernel: P }, rep));
  // the stub's noise depends on the seed only: paired, every pair has the same % change, so the CI is 0
  const at = (t: typeof paired.table, u: number) => t.find((r) => r.users === u)!;
  const t100 = at(paired.table, 100);
  assert.equal(t100.pairs, 3);
  assert.ok(Math.abs(t100.sim_pct_change_paired! - (1.6 * 1.02 / 1.01 - 1) * 100) < 1e-9, String(t100.sim_pct_change_paired));
  assert.ok(t100.sim_pct_change_paired_ci95! < 1e-9);
  assert.ok(t100.sim_ci95_base! > 0, 'each kernel alone still has the noise');
  assert.deepEqual(paired.json.table, paired.table);
  assert.match(paired.text, /\nsim %: the % change of the means; pair %: the mean of each replication's % change ± its 95% CI \(Student t over the pairs\), both kernels of a replication on one seed \(paired seeds\)\n/);
  assert.match(paired.text, /\nalltests +100 +\d+ ± \d+ +\d+ ± \d+ +\+61\.58 +\+61\.58 ± 0\.00 +17919 /);
  assert.ok(paired.extras[0]!.pct_change_paired !== null && paired.extras[0]!.pct_change_paired_ci95 !== null);
  assert.match(paired.text, /\nlabel +workload +metric .* +% +pair %\nhammer +lock-hammer +ops_per_s /);
  // unpaired (--unpaired, or "pairSeeds": false in the preset): the kernels' noise no longer cancels
  const unpaired = await reproduce({ preset: stubPreset(), pairSeeds: false, modules: [STUB_MODULE], workers: 0 });
  assert.equal(unpaired.plan.pairSeeds, false);
  assert.equal(tableSweep(stubPreset(), false).spec.pairSeeds, undefined);
  assert.ok(at(unpaired.table, 100).sim_pct_change_paired_ci95! > 0.1, String(at(unpaired.table, 100).sim_pct_change_paired_ci95));
  assert.match(unpaired.text, /the kernels on independent seeds \(unpaired\)\n/);
  const fromPreset = await reproduce({ preset: stubPreset({ pairSeeds: false }), modules: [STUB_MODULE], workers: 0 });
  assert.deepEqual(fromPreset.json.table, unpaired.json.table);
  // the CLI flag and the dry run say which
  const dir = tmp('mmlock-rep-');
  const presetFile = join(dir, 'p.json');
  writeFileSync(presetFile, JSON.stringify(stubPreset()));
  const argv = ['reproduce', '--module', STUB_MODULE, '--preset', presetFile, '--dry-run'];
  assert.match((await runMain(argv)).out, /seed 7, kernels paired \(one seed per replication\)\n/);
  assert.match((await runMain([...argv, '--unpaired'])).out, /seed 7, kernels unpaired \(a seed per run\)\n/);
  const csv = await runMain(['reproduce', '--module', STUB_MODULE, '--preset', presetFile, '--out', join(dir, 'out'), '--workers', '1', '--quiet']);
  assert.equal(csv.code, 0, csv.err);
  const [head] = parseCsv(readFileSync(join(dir, 'out', 'table.csv'), 'utf8'));
  assert.deepEqual(head!.slice(6, 10), ['sim_pct_change', 'pairs', 'sim_pct_change_paired', 'sim_pct_change_paired_ci95']);
  // a bad value in a preset names the field
  const bad = await runMain(['reproduce', '--module', STUB_MODULE, '--preset', presetFile.replace('p.json', 'q.json'), '--dry-run']);
  assert.equal(bad.code, 2);
  const q = stubPreset() as unknown as { sweeps: { spec: Record<string, unknown> }[] };
  q.sweeps[0]!.spec.pairSeeds = 'yes';
  writeFileSync(presetFile.replace('p.json', 'q.json'), JSON.stringify(q));
  const bad2 = await runMain(['reproduce', '--module', STUB_MODULE, '--preset', presetFile.replace('p.json', 'q.json'), '--dry-run']);
  assert.equal(bad2.code, 2);
  assert.match(bad2.err, /q\.json: sweeps\[0\]\.spec\.pairSeeds: must be a non-empty array of axis names \(keys of axes\) or \{axis, seedOf\}, got "yes"/);
});
