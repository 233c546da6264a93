#!/usr/bin/env node
// Builds will-it-scale's mm tests from their source, runs them here natively and writes
// data/measured/will-it-scale/ (results.json and README.md with the provenance). Run by hand
// (about 10 s per run: main.c warms up 5 s, then -s seconds; every run under `nice -n 10`).
//
// usage: node scripts/wis-measure.js --src <will-it-scale> [--out DIR] [--tests a,b] [--modes processes,threads] [--tasks 1,2] [--seconds 3]
//   --src      an unpacked github.com/antonblanchard/will-it-scale tree, or its bare git
//              mirror (HEAD is extracted); also $WIS_SRC
//   --out      output directory (default data/measured/will-it-scale)
//   --tests    default mmap1,mmap2,page_fault1,page_fault2,page_fault3,brk1 (the ones in
//              data/workloads/microbench/)
//   --tasks    task counts (default 1,2: this VM has 2 vCPUs)
//   --seconds  measured seconds per run (will-it-scale -s; default 3)
//
// Needs gcc and the hwloc headers (Debian: libhwloc-dev). The build is will-it-scale's
// Makefile rule done by hand: cc -O2 main.c tests/T.c -lhwloc (-DTHREADS -pthread for _threads).
// scripts/wis-parse.js parses the output; scripts/microbench-model.js runs the model's side.
'use strict';
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const P = require('./wis-parse');

const root = path.join(__dirname, '..');
function die(msg) { console.error(`wis-measure: ${msg}`); process.exit(2); }

function args(argv) {
  const o = { src: process.env.WIS_SRC || null, out: path.join(root, 'data', 'measured', 'will-it-scale'), tests: P.WIS_TESTS, modes: P.WIS_MODES, tasks: [1, 2], seconds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    if (a === '--src') o.src = v();
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--tests') o.tests = v().split(',').filter(Boolean);
    else if (a === '--modes') o.modes = v().split(',').filter(Boolean);
    else if (a === '--tasks') o.tasks = v().split(',').map(Number);
    else if (a === '--seconds') o.seconds = Number(v());
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 17).join('\n')); process.exit(0); }
    else die(`unknown option ${a}; allowed: --src, --out, --tests, --modes, --tasks, --seconds`);
  }
  if (!o.src) die('the will-it-scale source is required: --src <dir> or WIS_SRC=<dir> (an unpacked antonblanchard/will-it-scale tree, or its bare git mirror)');
  if (!fs.existsSync(o.src)) die(`--src ${o.src}: no such file or directory`);
  for (const m of o.modes) if (!P.WIS_MODES.includes(m)) die(`--modes: unknown mode ${JSON.stringify(m)}; allowed: ${P.WIS_MODES.join(', ')}`);
  for (const t of o.tasks) if (!(Number.isInteger(t) && t >= 1 && t <= 8)) die(`--tasks: ${t} is not an integer from 1 to 8 (this is a 2-core machine)`);
  if (!(Number.isInteger(o.seconds) && o.seconds >= 1 && o.seconds <= 60)) die(`--seconds: ${o.seconds} is not an integer from 1 to 60`);
  return o;
}

const shq = (cmd, a, opts) => { try { return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...opts }).trim(); } catch { return null; } };

/** the source tree and its commit (extracting a bare mirror's HEAD into scratch) */
function prepareSource(src, scratch) {
  const isBare = fs.existsSync(path.join(src, 'HEAD')) && fs.existsSync(path.join(src, 'objects'));
  if (isBare) {
    const tree = path.join(scratch, 'src');
    fs.mkdirSync(tree);
    const tar = spawnSync('sh', ['-c', `git -C "${src}" archive HEAD | tar -x -C "${tree}"`], { stdio: 'inherit' });
    if (tar.status !== 0) die(`cannot extract HEAD of the git mirror ${src}`);
    return { tree, commit: shq('git', ['-C', src, 'rev-parse', 'HEAD']), commitDate: shq('git', ['-C', src, 'log', '-1', '--format=%cs']) };
  }
  if (!fs.existsSync(path.join(src, 'main.c')) || !fs.existsSync(path.join(src, 'tests'))) die(`--src ${src}: not a will-it-scale tree (no main.c and tests/) nor a bare git mirror`);
  return { tree: src, commit: shq('git', ['-C', src, 'rev-parse', 'HEAD']), commitDate: shq('git', ['-C', src, 'log', '-1', '--format=%cs']) };
}

function build(tree, bin, test, mode) {
  const c = path.join(tree, 'tests', `${test}.c`);
  if (!fs.existsSync(c)) die(`no tests/${test}.c in the will-it-scale source`);
  const out = path.join(bin, P.wisBinary(test, mode));
  const a = ['-Wall', '-O2', ...(mode === 'threads' ? ['-DTHREADS'] : []), path.join(tree, 'main.c'), c, ...(mode === 'threads' ? ['-pthread'] : []), '-lhwloc', '-o', out];
  const r = spawnSync('gcc', a, { encoding: 'utf8' });
  if (r.error) die(`gcc: ${r.error.message} (install gcc)`);
  if (r.status !== 0) die(`building ${test}_${mode} failed${/hwloc\.h/.test(r.stderr) ? ' (the hwloc headers are missing: apt-get install libhwloc-dev)' : ''}:\n${r.stderr}`);
  return out;
}

function runOne(exe, tasks, seconds, cwd) {
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  // sh's `times` after the test: the CPU time of the test and its tasks (on stderr, apart from the test's output)
  const r = spawnSync('sh', ['-c', 'nice -n 10 "$0" -t "$1" -s "$2"; times >&2', exe, String(tasks), String(seconds)], { cwd, encoding: 'utf8', timeout: (seconds + 20) * 1000, killSignal: 'SIGKILL' });
  if (r.error && r.error.code !== 'ETIMEDOUT') die(`${exe}: ${r.error.message}`);
  return { stdout: r.stdout || '', times: r.stderr || '', status: r.status, loadavgBefore: load };
}

function main() {
  const o = args(process.argv.slice(2));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wis-'));
  const src = prepareSource(o.src, scratch);
  const bin = path.join(scratch, 'bin');
  fs.mkdirSync(bin);
  const runs = [];
  for (const test of o.tests) {
    for (const mode of o.modes) {
      const exe = build(src.tree, bin, test, mode);
      for (const tasks of o.tasks) {
        const r = runOne(exe, tasks, o.seconds, scratch);
        let parsed, rate;
        try {
          parsed = P.parseWisOutput(r.stdout);
          rate = P.wisRate(parsed, tasks);
          const cpu = P.parseTimes(r.times);
          rate.cpuS = cpu.userS + cpu.sysS;
          rate.opsPerCpuS = P.perCpuSecond(parsed, rate.cpuS);
        } catch (e) {
          die(`${test}_${mode} -t ${tasks}: ${e.message}; its output was:\n${r.stdout}${r.times}`);
        }
        console.log(`${test}_${mode} -t ${tasks}: ${Math.round(rate.opsPerS)} ops/s, ${Math.round(rate.opsPerCpuS)} per CPU-s (load before ${r.loadavgBefore.join(' ')})`);
        runs.push({ test, mode, tasks, ...rate, loadavgBefore: r.loadavgBefore, description: parsed.description, output: r.stdout.trim().split('\n') });
      }
    }
  }
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || null;
  const provenance = {
    date: new Date().toISOString(),
    source: 'github.com/antonblanchard/will-it-scale',
    commit: src.commit,
    commitDate: src.commitDate,
    kernel: os.release(),
    cpu,
    cpus: os.cpus().length,
    hypervisor: shq('systemd-detect-virt', []) || null,
    gcc: (shq('gcc', ['--version']) || '').split('\n')[0] || null,
    hwloc: shq('dpkg-query', ['-W', '-f=${Version}', 'libhwloc-dev']),
    seconds: o.seconds,
    command: `node scripts/wis-measure.js --src <will-it-scale> --tests ${o.tests.join(',')} --modes ${o.modes.join(',')} --tasks ${o.tasks.join(',')} --seconds ${o.seconds}`,
  };
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'results.json'), JSON.stringify({ provenance, runs }, null, 1) + '\n');
  fs.writeFileSync(path.join(o.out, 'README.md'), readme(provenance, runs));
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(`wrote ${path.relative(process.cwd(), o.out)}/results.json and README.md`);
}

function readme(p, runs) {
  const fmt = (x) => (x === null ? '—' : Math.round(x).toLocaleString('en-US'));
  const rows = runs.map((r) => `| ${r.test} | ${r.mode} | ${r.tasks} | ${fmt(r.opsPerS)} | ${fmt(r.perTaskMin)} | ${fmt(r.perTaskMax)} | ${fmt(r.opsPerCpuS)} | ${r.cpuS.toFixed(1)} | ${r.loadavgBefore[0]} |`);
  return `# will-it-scale measured on the project's VM

Written by \`scripts/wis-measure.js\` (run by hand; see its header). The model's side and the
comparison: [docs/fidelity/microbench-real-vs-model.md](../../../docs/fidelity/microbench-real-vs-model.md).

| | |
|---|---|
| date | ${p.date} |
| source | ${p.source}, commit ${p.commit ?? 'unknown'} (${p.commitDate ?? '?'}) |
| kernel | Linux ${p.kernel} (a 2026 kernel, not 3.18) |
| CPU | ${p.cpu}, ${p.cpus} vCPUs of a KVM guest${p.hypervisor ? ` (systemd-detect-virt: ${p.hypervisor})` : ''} (machine preset \`vm-epyc-2c\`) |
| compiler | ${p.gcc}; hwloc ${p.hwloc ?? '?'} |
| method | \`nice -n 10 <test>_<mode> -t <tasks> -s ${p.seconds}\`: main.c binds task i to core i, warms up 5 s, then sums the tasks' iterations each second; ops/s is main.c's \`average\` over the ${p.seconds} s |

The VM was shared with other jobs while these ran (the 1-minute load average before each run
is in the last column; the tests ran at nice 10), so the wall-clock rates (ops/s) are lower
bounds: a task did not have its CPU all the time. \`ops per CPU-s\` is every sample's total
(warm-up included) over the CPU time (user + system) the test's processes used (sh's \`times\`):
the rate with a CPU of its own, per task (for 2 tasks: per task-CPU-second). /tmp (where
page_fault2/3 and mmap2 create their 128 MiB files) is ext4.

| test | mode | tasks | ops/s (all tasks) | per task min | per task max | ops per CPU-s | CPU s | load before |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

\`results.json\` holds every run's full output; \`model-vm-epyc-2c.json\` beside it is the model's side
(\`node scripts/microbench-model.js --vm\`, written separately).
`;
}

if (require.main === module) main();
