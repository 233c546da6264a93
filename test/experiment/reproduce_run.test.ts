import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STUB } from './reproduce_stub';
import { tmp } from './helpers';
import { runMain } from '../cli/kernel-cli-helpers';
import { niceTicks, reproduce, svgChart, writeFilesAtomic, type ReproducePreset } from '../../src/experiment/reproduce';
import { RunError } from '../../src/experiment/pool';
import { B, gridPreset, P, type StubGrid } from './reproduce_presets';

const STUB_MODULE = join(__dirname, 'reproduce_stub.js');

function stubPreset(over: Partial<StubGrid> = {}): ReproducePreset {
  return gridPreset({
    name: 'stub', workload: STUB, machine: 'ivybridge-ex-2s', users: [10, 100, 1500, 1700], replications: 2, seed: 7,
    params: { warmupTasks: 2, windowTasks: 3 }, ...over,
  });
}

const REPORT_FILES = ['jpm-alltests.svg', 'jpm-disk.svg', 'pct-change.svg', 'points.csv', 'provenance.json', 'report.txt', 'reproduce.json', 'sites.csv', 'summary.json', 'table.csv', 'table.json'];
const WITH_VALIDATION = [...REPORT_FILES, 'validation.csv'].sort();

/**
 * Every file under `dir` except provenance.json (timings), path → bytes; a journal's lines
 * are in completion order, so they are sorted.
 */
function snapshot(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f), r = rel ? `${rel}/${f}` : f;
      if (f === 'provenance.json') continue;
      if (readdirSync(d, { withFileTypes: true }).find((e) => e.name === f)!.isDirectory()) walk(p, r);
      else if (f === 'journal.jsonl') m.set(r, Buffer.from(readFileSync(p, 'utf8').split('\n').sort().join('\n')));
      else m.set(r, readFileSync(p));
    }
  };
  walk(dir, '');
  return m;
}

function sameSnapshots(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [k, v] of a) assert.ok(v.equals(b.get(k)!), `${k} differs`);
}

test('reproduce with the stub: same seed → byte-identical files with 1 or 2 workers (validation on); another seed differs', async () => {
  const dir = tmp('mmlock-rep-');
  const opts = { preset: stubPreset({ validation: { users: [100, 200] } }), modules: [STUB_MODULE] };
  const progress: number[] = [];
  const a = await reproduce({ ...opts, workers: 1, out: join(dir, 'w1'), onProgress: (p) => progress.push(p.done) });
  const b = await reproduce({ ...opts, workers: 2, out: join(dir, 'w2') });
  const m = await reproduce({ ...opts, workers: 0 });
  assert.deepEqual(a.files, WITH_VALIDATION);
  sameSnapshots(snapshot(join(dir, 'w1')), snapshot(join(dir, 'w2')));
  assert.deepEqual(a.json, b.json);
  assert.deepEqual(m.json, a.json);
  assert.equal(m.out, null);
  assert.deepEqual(m.files, []);
  assert.equal(progress[0], 0);
  assert.equal(progress[progress.length - 1], 32 + 16); // main + validation: 2 workfiles × 2 users × 2 estimates × 2 kernels
  assert.equal(readFileSync(join(dir, 'w1', 'reproduce.json'), 'utf8'), `${JSON.stringify(a.json, null, 2)}\n`);
  // the sweeps are where they say, resumable: a rerun runs nothing
  assert.deepEqual(a.sweeps.map((s) => [s.name, s.runs]), [['aim7', 32], ['validation', 16]]);
  assert.ok(a.sweeps[0]!.dir!.startsWith(join(dir, 'w1', 'sweeps', 'aim7-')));
  assert.ok(a.sweeps[1]!.dir!.startsWith(join(dir, 'w1', 'sweeps', 'validation-')));
  assert.ok(existsSync(join(a.sweeps[0]!.dir!, 'journal.jsonl')));
  assert.ok(existsSync(join(a.sweeps[1]!.dir!, 'journal.jsonl')));
  // provenance.json names the sweep folders relative to the output folder, never the machine's paths
  const prov = readFileSync(join(dir, 'w1', 'provenance.json'), 'utf8');
  assert.deepEqual(JSON.parse(prov).sweeps.map((s: { dir: string }) => s.dir), a.sweeps.map((s) => `sweeps/${s.dir!.split(/[\\/]/).pop()}`));
  assert.ok(!prov.includes(dir), 'provenance.json holds the output folder\'s absolute path');
  const again = await reproduce({ ...opts, workers: 1, out: join(dir, 'w1') });
  assert.deepEqual(again.sweeps.map((s) => [s.ran, s.resumed]), [[0, 32], [0, 16]]);
  assert.deepEqual(again.json, a.json);
  // validation: each window run on its full twin's seed, so the stub's window bias (+1 % baseline, +2 % patched) is all the error
  const v = a.validation!;
  assert.deepEqual(a.json.validation, v);
  assert.deepEqual(v.rows.map((r) => [r.workload, r.users, r.kernel, r.n_full, r.n_window]), [
    ['alltests', 100, B, 1, 1], ['alltests', 100, P, 1, 1], ['alltests', 200, B, 1, 1], ['alltests', 200, P, 1, 1],
    ['disk', 100, B, 1, 1], ['disk', 100, P, 1, 1], ['disk', 200, B, 1, 1], ['disk', 200, P, 1, 1],
  ]);
  for (const r of v.rows) assert.ok(Math.abs(r.err_pct! - (r.kernel === B ? 1 : 2)) < 1e-9, `${r.workload}/${r.users}/${r.kernel}: ${r.err_pct}`);
  for (const c of v.changes) assert.ok(Math.abs(c.diff_points! - (100 + c.pct_change_full!) * (1.02 / 1.01 - 1)) < 1e-9, JSON.stringify(c));
  assert.ok(Math.abs(v.mean_abs_err_pct! - 1.5) < 1e-9);
  assert.match(a.text, /\nWindow estimate vs full runs \(validation of the shortcut; mean over 1 replication, each window run on its full run's seed\)\n/);
  assert.match(a.text, /\nwindow-jpm-err +all +1\.50 +reported\n/);
  assert.match(a.text, /\nwindow-pct-change-diff +all +\d+\.\d\d +reported\n/);
  const csv = readFileSync(join(dir, 'w1', 'validation.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'workload,users,kernel,n_full,n_window,jpm_full,jpm_window,err_pct,pct_change_full,pct_change_window,diff_points');
  assert.equal(csv.length, 1 + 8);
  assert.ok(csv[1]!.startsWith(`alltests,100,${B},1,1,`));
  const summary = JSON.parse(readFileSync(join(dir, 'w1', 'summary.json'), 'utf8'));
  assert.equal(summary.reported, 4);
  // without validation: no section, no file, null in the JSON
  const off = await reproduce({ ...opts, validation: false, workers: 1, out: join(dir, 'off') });
  assert.deepEqual(off.files, REPORT_FILES);
  assert.equal(off.json.validation, null);
  assert.deepEqual(off.json.rows, a.json.rows);
  assert.doesNotMatch(off.text, /Window estimate/);
  // rows: every workfile × users × kernel, with 2 replications a CI
  assert.equal(a.json.rows.length, 16);
  assert.deepEqual(a.json.rows.slice(0, 2).map((r) => [r.workload, r.users, r.kernel]), [['alltests', 10, B], ['alltests', 10, P]]);
  for (const r of a.json.rows) {
    assert.ok(r.jpm! > 0);
    assert.ok(typeof r.ci95 === 'number' && r.ci95 >= 0);
  }
  // the table: paper columns blank at 10 users, present at 100
  const t10 = a.table.find((r) => r.workload === 'alltests' && r.users === 10)!;
  assert.equal(t10.paper_jpm_base, null);
  const t100 = a.table.find((r) => r.workload === 'alltests' && r.users === 100)!;
  assert.equal(t100.paper_jpm_base, 17918.72);
  assert.ok(Math.abs(t100.sim_pct_change! - 60) < 10, String(t100.sim_pct_change));
  // NUMA: the sum over every load point of both workfiles of the per-point means
  const perPoint = a.points.filter((p) => p.kernel === B).reduce((s, p) => s + p.numa_pages_migrated!, 0);
  assert.equal(a.json.numa[B]!.numa_pages_migrated, perPoint);
  // lockstat by site: the stub's two call sites, per workfile and kernel
  assert.deepEqual([...new Set(a.sites.map((s) => s.site))].sort(), ['dup_mmap', 'rmap_walk_file']);
  assert.equal(a.sites.length, 2 * 2 * 2);
  assert.ok(a.sites.every((s) => s.holdTotalNs > 0));
  // the summary is in the text report, with the knee measured (1500 and 1700 present)
  assert.match(a.text, /\ndisk-knee-drop +disk +\d+\.\d\d +23\.95 +>= 15 % +(pass|miss)\n/);
  assert.match(a.text, /\nnuma-pages-migrated +all +\d+\.\d\d +67\.50 +67\.5 ± 15 points +(pass|miss|too small)\n/);
  assert.doesNotMatch(a.text, /Also reported/);
  // another seed: other numbers
  const c = await reproduce({ ...opts, seed: 8, workers: 2 });
  assert.notDeepEqual(c.json.rows, a.json.rows);
  // one replication: ci95 null, said in the report
  const one = await reproduce({ ...opts, reps: 1, users: [100], workloads: ['disk'], workers: 1 });
  assert.deepEqual(one.json.rows.map((r) => r.ci95), [null, null]);
  assert.match(one.text, /one replication has no CI: n\/a/);
  assert.match(one.text, / ± n\/a/);
});

test('mmlock reproduce --json prints one object with the exact rows and numa shape; the text form prints the report', async () => {
  const dir = tmp('mmlock-rep-');
  const preset = join(dir, 'stub.json');
  writeFileSync(preset, JSON.stringify(stubPreset({ users: [25, 100], validation: { users: [100], workloads: ['alltests'] }, extras: [{ workload: 'lock-hammer', label: 'hammer', params: { threads: 4 }, metric: 'ops_per_s', duration: { ms: 0.2 } }, { workload: 'lock-hammer', label: 'nometric', metric: 'nope', duration: { ms: 0.1 } }] })));
  const argv = ['reproduce', '--module', STUB_MODULE, '--preset', preset, '--out', join(dir, 'out'), '--workers', '1', '--quiet'];
  const dry = await runMain([...argv, '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /\n  validation \(window estimate vs full runs\): alltests at users 100, 1 replication\(s\)\n/);
  assert.match(dry.out, /\n28 runs; output /);
  assert.match((await runMain([...argv, '--dry-run', '--no-validation'])).out, /\n24 runs; output /);
  const r = await runMain([...argv, '--json', '--no-validation']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.validation, null);
  assert.equal(r.out, readFileSync(join(dir, 'out', 'reproduce.json'), 'utf8'));
  assert.deepEqual(Object.keys(j).slice(0, 2), ['rows', 'numa']);
  assert.equal(j.rows.length, 2 * 2 * 2);
  for (const row of j.rows) {
    assert.deepEqual(Object.keys(row), ['workload', 'users', 'kernel', 'jpm', 'ci95']);
    assert.ok(['alltests', 'disk'].includes(row.workload));
    assert.ok([25, 100].includes(row.users));
    assert.ok([B, P].includes(row.kernel));
    assert.equal(typeof row.jpm, 'number');
    assert.equal(typeof row.ci95, 'number');
  }
  assert.deepEqual(Object.keys(j.numa), [B, P]);
  for (const k of [B, P]) {
    assert.deepEqual(Object.keys(j.numa[k]), ['numa_pages_migrated']);
    assert.equal(typeof j.numa[k].numa_pages_migrated, 'number');
  }
  // extras: each on both kernels; an unknown metric is null, not an error
  assert.deepEqual(j.extras.map((e: { label: string }) => e.label), ['hammer', 'nometric']);
  assert.ok(j.extras[0].kernels[B].value > 0 && j.extras[0].kernels[P].value > 0);
  assert.equal(j.extras[1].kernels[B].value, null);
  // the text form (resumed: nothing reruns)
  const t = await runMain(argv);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /^mmlock reproduce: preset stub, workload model "aim7-stub" on ivybridge-ex-2s; 4 load points × 2 kernels × 2 replications, seed 7\n/);
  assert.match(t.out, /\nworkload +users +sim 3\.18-rc1 +sim 3\.18-rc1-i_mmap_rwsem +sim % +pair % +paper 3\.18-rc1 +paper 3\.18-rc1-i_mmap_rwsem +paper % +base err % +% err pts\n/);
  assert.match(t.out, /\nalltests +25 +\d+ ± \d+ +\d+ ± \d+ +[+-]\d+\.\d\d +[+-]\d+\.\d\d ± \d+\.\d\d\n/); // no paper row: blanks
  assert.match(t.out, /\nalltests +100 +\d+ ± \d+ +\d+ ± \d+ +[+-]\d+\.\d\d +[+-]\d+\.\d\d ± \d+\.\d\d +17919 +28418 +\+58\.59 +[+-]\d+\.\d\d +[+-]\d+\.\d\d\n/);
  assert.match(t.out, /\nAlso reported \(other workloads, mean ± 95% CI\)\nlabel +workload +metric/);
  assert.match(t.out, /\nnometric +lock-hammer +nope +n\/a \(no such metric\)/);
  assert.match(t.out, /\ni_mmap lock time by call site, ms/);
  assert.match(t.out, /\nwall time \d+\.\d s: 28 runs \(4 ran, 24 resumed\) with 1 worker\n/);
  assert.match(t.out, /\nWindow estimate vs full runs /);
  // the report ends with one plain verdict line per workload and for NUMA
  assert.match(t.out, /\nVerdict \(3\.18-rc1-i_mmap_rwsem vs 3\.18-rc1\)\nalltests: predicted [+−]\d+\.\d % .*, the paper measured \+58\.6 %: (reproduced|not reproduced|too small to judge) \(.*\)\ndisk: predicted .*\nNUMA pages migrated: predicted .*\n\nwall time /);
  assert.match(t.out, /validation\.csv/);
  const j2 = JSON.parse(readFileSync(join(dir, 'out', 'reproduce.json'), 'utf8'));
  assert.deepEqual(Object.keys(j2).slice(0, 2), ['rows', 'numa']);
  assert.deepEqual(j2.rows, j.rows);
  assert.deepEqual(j2.numa, j.numa);
  assert.equal(j2.validation.rows.length, 2);
});

test('a failed run leaves no report file and no temporary; a rerun resumes from the journal and matches a clean run', async () => {
  const dir = tmp('mmlock-rep-');
  const opts = { preset: stubPreset({ users: [10, 100, 1500] }), modules: [STUB_MODULE], workers: 1 };
  process.env.MMLOCK_STUB_FAIL_USERS = '1500';
  try {
    await assert.rejects(reproduce({ ...opts, out: join(dir, 'a') }), (e: unknown) => e instanceof RunError && /failed: Error: stub: told to fail at 1500 users/.test(e.message));
    const top = readdirSync(join(dir, 'a'));
    assert.deepEqual(top, ['sweeps']);
    const sweep = readdirSync(join(dir, 'a', 'sweeps'));
    assert.equal(sweep.length, 1);
    const inSweep = readdirSync(join(dir, 'a', 'sweeps', sweep[0]!)).sort();
    assert.deepEqual(inSweep, ['journal.jsonl', 'spec.json']); // no tables, no lock, no temporaries
    const journal = readFileSync(join(dir, 'a', 'sweeps', sweep[0]!, 'journal.jsonl'), 'utf8').trim().split('\n');
    assert.ok(journal.length > 0 && journal.length < 24, String(journal.length));
    // CLI: exit 1, says where the finished runs are, stdout empty
    const preset = join(dir, 'p.json');
    writeFileSync(preset, JSON.stringify(opts.preset));
    const r = await runMain(['reproduce', '--module', STUB_MODULE, '--preset', preset, '--out', join(dir, 'c'), '--workers', '1', '--quiet']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /a run failed; finished runs are kept in the journals under .*sweeps \(rerun to resume\); no report was written/);
  } finally {
    delete process.env.MMLOCK_STUB_FAIL_USERS;
  }
  const resumed = await reproduce({ ...opts, out: join(dir, 'a') });
  assert.ok(resumed.sweeps[0]!.resumed > 0 && resumed.sweeps[0]!.ran > 0);
  assert.equal(resumed.sweeps[0]!.resumed + resumed.sweeps[0]!.ran, 24);
  await reproduce({ ...opts, out: join(dir, 'b'), workers: 2 });
  sameSnapshots(snapshot(join(dir, 'a')), snapshot(join(dir, 'b')));
  // a changed grid in the same --out gets its own sweep folder (no clash), the report is replaced
  const other = await reproduce({ ...opts, users: [100], out: join(dir, 'a') });
  assert.equal(readdirSync(join(dir, 'a', 'sweeps')).length, 2);
  assert.equal(JSON.parse(readFileSync(join(dir, 'a', 'reproduce.json'), 'utf8')).rows.length, other.json.rows.length);
});

test('writeFilesAtomic: all temporaries first, then renames; a failure leaves no temporary and no partial file', () => {
  const dir = tmp('mmlock-rep-');
  writeFilesAtomic(dir, new Map([['a.txt', 'A'], ['b.txt', 'B']]));
  assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.txt']);
  mkdirSync(join(dir, 'c.txt')); // a folder where a file must go: the rename fails
  writeFileSync(join(dir, 'd.txt'), 'old');
  assert.throws(() => writeFilesAtomic(dir, new Map([['d.txt', 'new'], ['c.txt', 'C']])));
  assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.txt', 'c.txt', 'd.txt']);
  const d = readFileSync(join(dir, 'd.txt'), 'utf8');
  assert.ok(d === 'old' || d === 'new'); // whole, never partial
  // a name that cannot be created fails before any rename: nothing changes
  writeFileSync(join(dir, 'e.txt'), 'old');
  assert.throws(() => writeFilesAtomic(dir, new Map([['e.txt', 'new'], ['no/such/dir.txt', 'X']])));
  assert.equal(readFileSync(join(dir, 'e.txt'), 'utf8'), 'old');
  assert.ok(readdirSync(dir).every((f) => !f.includes('.tmp-')));
});

test('svgChart: axes with nice ticks, a legend, escaped text, gaps for missing values, deterministic', () => {
  assert.deepEqual(niceTicks(0, 2000).ticks, [0, 500, 1000, 1500, 2000]);
  assert.deepEqual(niceTicks(10, 2000).ticks, [0, 500, 1000, 1500, 2000]);
  assert.deepEqual(niceTicks(-4.28, 39.9).ticks, [-10, 0, 10, 20, 30, 40]);
  assert.deepEqual(niceTicks(5, 5).ticks.length > 1, true);
  const spec = {
    title: 'jpm <alltests> & more', xLabel: 'users', yLabel: 'jpm',
    series: [
      { name: 'sim "base"', points: [[100, 10], [200, null], [300, 12], [400, 13]] as [number, number | null][], errors: [1, null, 0.5, null] },
      { name: 'paper', points: [[100, 11], [200, 11.5]] as [number, number | null][], dashed: true, marker: 'square' as const },
    ],
  };
  const svg = svgChart(spec);
  assert.equal(svg, svgChart(spec));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="720" height="440"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.ok(svg.includes('jpm &lt;alltests&gt; &amp; more'));
  assert.ok(svg.includes('sim &quot;base&quot;'));
  assert.ok(!svg.includes('NaN'));
  // the gap at 200 splits the first series' line: one polyline of 2 points (300, 400); a lone point has none
  const first = svg.split('<g class="series"')[1]!;
  assert.equal((first.match(/<polyline/g) ?? []).length, 1);
  assert.equal((first.match(/<circle/g) ?? []).length, 3);
  assert.equal((first.match(/<line /g) ?? []).length, 2); // error bars at 100 and 300
  assert.ok(svg.includes('stroke-dasharray="6 4"'));
  for (const tick of ['>100<', '>400<', '>users<', '>jpm<']) assert.ok(svg.includes(tick), tick);
  // balanced tags
  const opens = (svg.match(/<g[ >]/g) ?? []).length, closes = (svg.match(/<\/g>/g) ?? []).length;
  assert.equal(opens, closes);
});
