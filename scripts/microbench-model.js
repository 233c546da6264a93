#!/usr/bin/env node
// The model's side of the will-it-scale comparison, and the lock-primitive table. Run by hand
// after `npm run build` (every run is a simulation in this process; run it under `nice -n 10`).
//
// usage: node scripts/microbench-model.js --vm [--out FILE]
//   runs the shipped microbench files (data/workloads/microbench/) of the tests that
//   scripts/wis-measure.js measures, in processes and threads mode at 1 and 2 tasks, on the
//   machine preset vm-epyc-2c, kernel 3.18-rc1, and writes FILE (default
//   data/measured/will-it-scale/model-vm-epyc-2c.json); when data/measured/will-it-scale/
//   results.json exists it prints the markdown table real vs model (ratio = model / real, per
//   task per CPU-second of the real run); --vm-table prints that table from the files alone.
// or:    node scripts/microbench-model.js --primitives [--threads 1,2,4,…] [--out FILE]
//   each micro-benchmark in threads mode (mmap_shared_file: processes) with mutex, rwsem and
//   spinlock on the lock class it stresses (mmap_sem; i_mmap for mmap_shared_file) on
//   ivybridge-ex-4s; prints a markdown
//   table of iterations/s (default FILE data/measured/microbench-primitives.json).
//
// Windows are short (see WINDOWS) and the page-fault loops use pagesScale so that a window
// holds several whole loops; the figures are per second of simulated time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
function die(msg) { console.error(`microbench-model: ${msg}`); process.exit(2); }
const distIndex = path.join(root, 'dist', 'src', 'index.js');
if (!fs.existsSync(distIndex)) die('dist/src/index.js missing; run `npm run build` first');
const mm = require(distIndex);
const { MODEL_VERSION } = require(path.join(root, 'dist', 'src', 'experiment', 'config.js'));
const P = require('./wis-parse');

/** the simulated window and page scale per bench: [ms, pagesScale] (a page-fault loop is 32768 pages at 1) */
const WINDOWS = {
  vm: { mmap1: [20, 1], mmap2: [20, 1], page_fault1: [120, 1], page_fault2: [120, 1], page_fault3: [120, 1], brk1: [10, 1] },
  primitives: { mmap1: [1, 1], brk1: [0.5, 1], page_fault1: [1, 1 / 128], page_fault2: [1, 1 / 128], page_fault3: [1, 1 / 128], mmap_shared_file: [1, 1] },
};
const LOCK_OF = { mmap1: 'mmap_sem', brk1: 'mmap_sem', page_fault1: 'mmap_sem', page_fault2: 'mmap_sem', page_fault3: 'mmap_sem', mmap_shared_file: 'i_mmap' };
const PRIMITIVES = ['mutex', 'rwsem', 'spinlock'];
/** threads share one mm (mmap_sem); mmap_shared_file runs as processes, as its file says: as threads its
 *  vma_link and unlink_file_vma would run under the one mmap_sem for write and i_mmap would never be contended */
const MODE_OF = { mmap1: 'threads', brk1: 'threads', page_fault1: 'threads', page_fault2: 'threads', page_fault3: 'threads', mmap_shared_file: 'processes' };

function args(argv) {
  const o = { mode: null, out: null, threads: [1, 2, 4, 8, 15, 30, 60, 120] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    if (a === '--vm') o.mode = 'vm';
    else if (a === '--vm-table') o.mode = 'vm-table';
    else if (a === '--primitives') o.mode = 'primitives';
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--threads') o.threads = v().split(',').map(Number);
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 18).join('\n')); process.exit(0); }
    else die(`unknown option ${a}; allowed: --vm, --vm-table, --primitives, --out, --threads`);
  }
  if (!o.mode) die('say --vm (the will-it-scale comparison on vm-epyc-2c) or --primitives (mutex/rwsem/spinlock on ivybridge-ex-4s)');
  for (const t of o.threads) if (!(Number.isInteger(t) && t >= 1 && t <= 120)) die(`--threads: ${t} is not an integer from 1 to 120`);
  return o;
}

function simulate(machine, kernel, file, mode, tasks, [ms, pagesScale]) {
  const r = mm.run({
    machine, kernel, workload: 'microbench', seed: 1,
    params: { file, mode, tasks, pagesScale }, duration: { ms, warmupMs: 1 },
  });
  return { opsPerS: r.metrics.iterations_per_s, wallSeconds: r.provenance.wallSeconds, configHash: r.configHash };
}

const sig = (x) => (x === null || x === undefined ? '—' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(2));

function vm(o) {
  const out = o.out || path.join(root, 'data', 'measured', 'will-it-scale', 'model-vm-epyc-2c.json');
  const runs = [];
  for (const test of P.WIS_TESTS) {
    for (const mode of P.WIS_MODES) {
      for (const tasks of [1, 2]) {
        const r = simulate('vm-epyc-2c', '3.18-rc1', test, mode, tasks, WINDOWS.vm[test]);
        console.error(`${test} ${mode} ${tasks}: ${sig(r.opsPerS)} /s (${r.wallSeconds.toFixed(1)} s)`);
        runs.push({ test, mode, tasks, ms: WINDOWS.vm[test][0], pagesScale: WINDOWS.vm[test][1], ...r });
      }
    }
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ machine: 'vm-epyc-2c', kernel: '3.18-rc1', seed: 1, modelVersion: MODEL_VERSION, date: new Date().toISOString().slice(0, 10), runs }, null, 1) + '\n');
  console.error(`wrote ${path.relative(root, out)}`);
  vmTable(out);
}

/** the markdown table real vs model (ratio = model / real, per task per CPU-second) */
function vmTable(modelFile) {
  const realFile = path.join(root, 'data', 'measured', 'will-it-scale', 'results.json');
  if (!fs.existsSync(realFile)) { console.error(`no ${path.relative(root, realFile)}: run scripts/wis-measure.js for the real side`); return; }
  if (!fs.existsSync(modelFile)) die(`no ${path.relative(root, modelFile)}: run --vm first`);
  const real = JSON.parse(fs.readFileSync(realFile, 'utf8')).runs;
  const runs = JSON.parse(fs.readFileSync(modelFile, 'utf8')).runs;
  console.log('| test | mode | tasks | real ops/s (wall, all tasks) | real per task per CPU-s | model per task | model / real |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const m = real.find((x) => x.test === r.test && x.mode === r.mode && x.tasks === r.tasks);
    const perTask = r.opsPerS === null ? null : r.opsPerS / r.tasks;
    const cpu = m && m.opsPerCpuS;
    console.log(`| ${r.test} | ${r.mode} | ${r.tasks} | ${sig(m && m.opsPerS)} | ${sig(cpu)} | ${sig(perTask)} | ${cpu && perTask ? sig(perTask / cpu) : '—'} |`);
  }
}

function primitives(o) {
  const out = o.out || path.join(root, 'data', 'measured', 'microbench-primitives.json');
  const runs = [];
  for (const test of Object.keys(LOCK_OF)) {
    for (const primitive of PRIMITIVES) {
      const kernel = { base: '3.18-rc1', locks: { [LOCK_OF[test]]: { primitive } } };
      for (const tasks of o.threads) {
        const r = simulate('ivybridge-ex-4s', kernel, test, MODE_OF[test], tasks, WINDOWS.primitives[test]);
        console.error(`${test} ${primitive} ${tasks}: ${sig(r.opsPerS)} /s (${r.wallSeconds.toFixed(1)} s)`);
        runs.push({ test, lock: LOCK_OF[test], mode: MODE_OF[test], primitive, tasks, ms: WINDOWS.primitives[test][0], pagesScale: WINDOWS.primitives[test][1], ...r });
      }
    }
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ machine: 'ivybridge-ex-4s', base: '3.18-rc1', seed: 1, date: new Date().toISOString().slice(0, 10), runs }, null, 1) + '\n');
  console.error(`wrote ${path.relative(root, out)}`);
  console.log(`| test (lock) | primitive | ${o.threads.join(' | ')} |`);
  console.log(`|---|---|${o.threads.map(() => '---').join('|')}|`);
  for (const test of Object.keys(LOCK_OF)) {
    for (const primitive of PRIMITIVES) {
      const row = o.threads.map((t) => runs.find((r) => r.test === test && r.primitive === primitive && r.tasks === t).opsPerS);
      console.log(`| ${test} (${LOCK_OF[test]}) | ${primitive} | ${row.map((x) => sig(x === null ? null : x / 1e6)).join(' | ')} |`);
    }
  }
  console.log('\n(M iterations / s, all threads)');
}

if (require.main === module) {
  const o = args(process.argv.slice(2));
  if (o.mode === 'vm') vm(o);
  else if (o.mode === 'vm-table') vmTable(o.out || path.join(root, 'data', 'measured', 'will-it-scale', 'model-vm-epyc-2c.json'));
  else primitives(o);
}
