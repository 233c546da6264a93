#!/usr/bin/env node
// Builds HP's re-aim-7 (osdl-aim-7) from its source, runs it here and measures, per test, what
// the model's data/workloads/aim7/tests.yaml claims each test does: processes created, execs,
// mmap/munmap/mprotect/brk, sync(2), creat/unlink, page faults, and its real wall/user/sys
// time at one user; and samples the smaps of reaim's children. Run by hand (about 15–25 min on
// 2 cores; it runs everything under `nice -n 10`); writes data/measured/reaim/.
//
// usage: node scripts/reaim-measure.js --src <areaim> [--out DIR] [--tests a,b,…] [--mix alltests[,disk]] [--users 1,2]
//   --src   the re-aim source: an unpacked tree (holding osdl-aim-7/, or osdl-aim-7 itself) or
//           a bare git mirror of davidlohr/areaim (its HEAD is extracted); also $REAIM_SRC
//   --out   output directory (default data/measured/reaim)
//   --tests only these tests (default: every test of reaim's alltests and disk workfiles but
//           signal_test, which mmtests excludes)
//   --mix   whole workfiles also run at each of --users (default alltests; '' for none)
// or:    node scripts/reaim-measure.js --rederive DIR   recompute DIR/per-test.json's per-invocation
//           figures from the tools' outputs kept in DIR/raw.json (no run; after a change here)
//
// Method per test T (scripts/reaim-parse.js does the arithmetic): a one-line workfile "1 T",
// reaim -s1 -e1 -i1 -r1 -t, run with -j1 and with -jN (N jobs of T in the one child), each once
// under `perf stat` (page faults, wall/user/sys of the whole tree) and once under `strace -f -c`
// (syscall counts). Per invocation = (N-job run − 1-job run) / (N − 1): the driver's own work
// cancels. N is chosen so that the N-job run lasts about 2 s; the strace runs use min(N, 11).
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const P = require('./reaim-parse');

const root = path.join(__dirname, '..');
const PERF_EVENTS = 'page-faults,minor-faults,major-faults,task-clock,context-switches';
const STRACE_MAX_JOBS = 11;

function die(msg) { console.error(`reaim-measure: ${msg}`); process.exit(2); }

function args(argv) {
  const o = { src: process.env.REAIM_SRC || null, out: path.join(root, 'data', 'measured', 'reaim'), tests: null, mix: ['alltests'], users: [1, 2] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) die(`${a} needs a value`); return argv[++i]; };
    if (a === '--src') o.src = v();
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--tests') o.tests = v().split(',').filter(Boolean);
    else if (a === '--mix') o.mix = v().split(',').filter(Boolean);
    else if (a === '--users') o.users = v().split(',').map(Number);
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 20).join('\n')); process.exit(0); }
    else die(`unknown option ${a}; allowed: --src, --out, --tests, --mix, --users`);
  }
  if (!o.src) die('the re-aim source is required: --src <dir> or REAIM_SRC=<dir> (an unpacked davidlohr/areaim tree, or its bare git mirror)');
  if (!fs.existsSync(o.src)) die(`--src ${o.src}: no such file or directory`);
  for (const m of o.mix) if (!['alltests', 'disk'].includes(m)) die(`--mix: unknown workfile ${JSON.stringify(m)}; allowed: alltests, disk`);
  for (const u of o.users) if (!(Number.isInteger(u) && u >= 1 && u <= 8)) die(`--users: ${u} is not an integer from 1 to 8 (this is a 2-core machine)`);
  return o;
}

const sh = (cmd, a, opts) => execFileSync(cmd, a, { encoding: 'utf8', ...opts }).trim();
const shq = (cmd, a) => { try { return sh(cmd, a, { stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return null; } };

/** the source tree's osdl-aim-7 directory and its commit (extracting a bare mirror's HEAD) */
function prepareSource(src, scratch) {
  let tree = src, commit = null;
  const isBare = fs.existsSync(path.join(src, 'HEAD')) && fs.existsSync(path.join(src, 'objects'));
  const bare = isBare ? src : (fs.existsSync(path.join(src, 'repo', 'HEAD')) ? path.join(src, 'repo') : null);
  if (bare) {
    commit = sh('git', ['-C', bare, 'rev-parse', 'HEAD']);
    tree = path.join(scratch, 'src');
    fs.mkdirSync(tree, { recursive: true });
    execFileSync('sh', ['-c', `git -C "$1" archive HEAD | tar -x -C "$2"`, 'sh', bare, tree]);
  } else {
    commit = shq('git', ['-C', src, 'rev-parse', 'HEAD']);
  }
  const aim = fs.existsSync(path.join(tree, 'osdl-aim-7')) ? path.join(tree, 'osdl-aim-7') : tree;
  for (const need of ['src/driver.c', 'src/suite.h', 'src/Makefile.am', 'lib', 'include', 'scripts', 'data/fakeh.tgz', 'data/workfile.alltests', 'data/workfile.disk']) {
    if (!fs.existsSync(path.join(aim, need))) die(`${aim} does not look like osdl-aim-7: ${need} is missing`);
  }
  return { aim, commit };
}

/** docs/reference/reaim-measured.md §2's recipe: non-PIE, -fcommon, -fno-ipa-reference, static libaio */
function build(aim, scratch) {
  const b = path.join(scratch, 'build');
  fs.mkdirSync(b, { recursive: true });
  for (const d of ['src', 'lib', 'include', 'scripts', 'data']) fs.cpSync(path.join(aim, d), path.join(b, d), { recursive: true });
  const suite = path.join(b, 'src', 'suite.h');
  const text = fs.readFileSync(suite, 'utf8');
  if (!/#define SCRIPTLOCATION\s+"[^"]*"/.test(text)) die(`${suite}: no SCRIPTLOCATION define to point at the scripts`);
  fs.writeFileSync(suite, text.replace(/#define SCRIPTLOCATION\s+"[^"]*"/, `#define SCRIPTLOCATION "${path.join(b, 'scripts')}"`));
  for (const s of ['true', 'aim_1.sh', 'aim_2.sh', 'aim_3.sh']) { const f = path.join(b, 'scripts', s); if (fs.existsSync(f)) fs.chmodSync(f, 0o755); }
  const am = fs.readFileSync(path.join(b, 'src', 'Makefile.am'), 'utf8');
  const m = /reaim_SOURCES\s*=([\s\S]*?)\n\s*\n/.exec(am);
  if (!m) die('src/Makefile.am: no reaim_SOURCES list');
  const srcs = m[1].split(/[\s\\]+/).filter((f) => f.endsWith('.c')).map((f) => `src/${f}`);
  const libs = fs.readdirSync(path.join(b, 'lib')).filter((f) => f.endsWith('.c')).map((f) => `lib/${f}`);
  const flags = ['-O3', '-g', '-ffloat-store', '-fcommon', '-fno-ipa-reference', '-fno-pie', '-no-pie', '-D_GNU_SOURCE', '-DSHARED_OFILE', '-Dlinux', '-I.', '-Iinclude'];
  const r = spawnSync('nice', ['-n', '10', 'gcc', ...flags, ...srcs, ...libs, '-lm', '-laio', '-o', 'reaim'], { cwd: b, encoding: 'utf8' });
  if (r.status !== 0) die(`gcc failed (is libaio-dev installed?):\n${r.stderr.split('\n').filter((l) => /error/.test(l)).slice(0, 10).join('\n')}`);
  return { bin: path.join(b, 'reaim'), dir: b, flags: flags.join(' '), sources: srcs.length + libs.length };
}

/** a run directory with reaim.config (mmtests' FILESIZE 10k, POOLSIZE 1m) and DISKDIR inside it */
function runDir(b, scratch) {
  const d = path.join(scratch, 'run');
  fs.mkdirSync(path.join(d, 'data'), { recursive: true });
  fs.copyFileSync(path.join(b.dir, 'data', 'fakeh.tgz'), path.join(d, 'data', 'fakeh.tgz'));
  fs.writeFileSync(path.join(d, 'reaim.config'), `FILESIZE 10k\nPOOLSIZE 1m\nDISKDIR ${path.join(d, 'disk')}\n`);
  return d;
}

function resetDisk(d) {
  fs.rmSync(path.join(d, 'disk'), { recursive: true, force: true });
  fs.mkdirSync(path.join(d, 'disk'));
  for (const f of fs.readdirSync(d)) if (/^reaim\./.test(f) && f !== 'reaim.config' || f === 'multiuser.ss') fs.rmSync(path.join(d, f), { force: true });
}

const reaimArgs = (bin, wf, users, jobs) => [bin, `-s${users}`, `-e${users}`, '-i1', '-r1', '-t', `-j${jobs}`, `-f${wf}`, '-c./reaim.config'];

/** the smaps_rollup and VmPTE of every descendant of `rootPid`, by command name: max and mean */
function smapsSampler(rootPid) {
  const byComm = new Map();
  const FIELDS = ['Rss', 'Pss', 'Anonymous', 'Private_Dirty', 'Shared_Dirty', 'Private_Clean', 'Shared_Clean'];
  const read = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch { return null; } };
  const tick = () => {
    const parent = new Map();
    for (const e of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      const st = read(`/proc/${e}/stat`);
      if (!st) continue;
      const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(e), Number(rest[1]));
    }
    const desc = new Set([rootPid]);
    let grew = true;
    while (grew) { grew = false; for (const [p, pp] of parent) if (!desc.has(p) && desc.has(pp)) { desc.add(p); grew = true; } }
    for (const pid of desc) {
      const comm = (read(`/proc/${pid}/comm`) || '').trim();
      if (!comm || comm === 'perf' || comm === 'nice' || comm === 'strace') continue;
      const sm = read(`/proc/${pid}/smaps_rollup`), status = read(`/proc/${pid}/status`);
      if (!sm || !status) continue;
      const v = { ...pick(P.parseKbFields(sm), FIELDS), VmPTE: P.parseKbFields(status).VmPTE };
      if (v.Rss === undefined || v.VmPTE === undefined) continue;
      let s = byComm.get(comm);
      if (!s) byComm.set(comm, (s = { samples: 0, pids: new Set(), max: {}, sum: {} }));
      s.samples++; s.pids.add(pid);
      for (const [k, x] of Object.entries(v)) { s.max[k] = Math.max(s.max[k] ?? 0, x); s.sum[k] = (s.sum[k] ?? 0) + x; }
    }
  };
  return {
    tick,
    result: () => Object.fromEntries([...byComm].map(([c, s]) => [c, {
      samples: s.samples, processes: s.pids.size, maxKiB: s.max,
      meanKiB: Object.fromEntries(Object.entries(s.sum).map(([k, x]) => [k, Math.round(x / s.samples)])),
    }])),
  };
}
const pick = (o, ks) => Object.fromEntries(ks.filter((k) => k in o).map((k) => [k, o[k]]));

/** reaim under perf stat (and, when asked, the smaps sampler every 20 ms) */
function runPerf(b, d, wf, users, jobs, sample) {
  resetDisk(d);
  const out = path.join(d, 'perf.txt');
  const child = spawn('nice', ['-n', '10', 'perf', 'stat', '-o', out, '-e', PERF_EVENTS, '--', ...reaimArgs(b.bin, wf, users, jobs)], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (x) => (stdout += x));
  child.stderr.on('data', (x) => (stderr += x));
  const sampler = sample ? smapsSampler(child.pid) : null;
  const timer = sampler ? setInterval(sampler.tick, 20) : null;
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      if (code !== 0) return reject(new Error(`reaim (${wf}, -j${jobs}) under perf exited with ${code}:\n${stderr.slice(-2000)}`));
      try {
        const perfText = fs.readFileSync(out, 'utf8').split(scratchOf(d)).join('<scratch>'); // no path of this machine in the results
        resolve({ perf: P.parsePerfStat(perfText), reaim: P.parseReaimResults(stdout)[0], perfText, smaps: sampler ? sampler.result() : null });
      } catch (e) { reject(e); }
    });
  });
}

/** the scratch directory of a run directory (its parent) */
const scratchOf = (d) => path.dirname(d);

function runStrace(b, d, wf, users, jobs) {
  resetDisk(d);
  const out = path.join(d, 'strace.txt');
  const r = spawnSync('nice', ['-n', '10', 'strace', '-f', '-c', '-o', out, ...reaimArgs(b.bin, wf, users, jobs)], { cwd: d, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`reaim (${wf}, -j${jobs}) under strace exited with ${r.status}:\n${(r.stderr || '').slice(-2000)}`);
  const text = fs.readFileSync(out, 'utf8');
  return { counts: P.straceCounts(P.parseStraceSummary(text)), reaim: P.parseReaimResults(r.stdout)[0], text };
}

/** the test names of a reaim workfile (lines "<hits> <name>") */
function workfileTests(file) {
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => /^\s*\d+\s+(\w+)/.exec(l)).filter(Boolean).map((m) => m[1]);
}

function machine(d) {
  const lscpu = shq('lscpu', []) || '';
  const field = (k) => { const m = new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(lscpu); return m ? m[1].trim() : null; };
  const ver = (c, a) => (shq(c, a) || '').split('\n')[0] || null;
  return {
    kernel: sh('uname', ['-r']), cpu: field('Model name'), cpuFamily: field('CPU family'), cpuModel: field('Model'),
    cpus: os.cpus().length, threadsPerCore: field('Thread\\(s\\) per core'), sockets: field('Socket\\(s\\)'),
    hypervisor: field('Hypervisor vendor'), l2: field('L2 cache'), l3: field('L3 cache'), memTotalMiB: Math.round(os.totalmem() / 2 ** 20),
    gcc: ver('gcc', ['--version']), glibc: ver('ldd', ['--version']), dash: shq('dpkg-query', ['-W', '-f=${Version}', 'dash']),
    strace: ver('strace', ['--version']), perf: ver('perf', ['--version']), os: (shq('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']) || null),
    diskdirFs: shq('stat', ['-f', '-c', '%T', d]), loadavgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** the per-invocation figures of one test from its four raw tool outputs */
function derive(r, n, ns) {
  const perfFields = (p) => ({ page_faults: p.events['page-faults'], wall_s: p.elapsedS, user_s: p.userS, sys_s: p.sysS, task_clock_ms: p.events['task-clock'], context_switches: p.events['context-switches'] });
  const c = (t) => P.straceCounts(P.parseStraceSummary(t));
  return {
    counts: round(P.perInvocation(c(r.strace1), c(r.straceN), ns)),
    perf: round(P.perInvocation(perfFields(P.parsePerfStat(r.perf1)), perfFields(P.parsePerfStat(r.perfN)), n)),
  };
}

function rederive(dir) {
  const file = path.join(dir, 'per-test.json');
  const j = JSON.parse(fs.readFileSync(file, 'utf8')), raw = JSON.parse(fs.readFileSync(path.join(dir, 'raw.json'), 'utf8'));
  for (const [t, x] of Object.entries(j.tests)) if (!x.error) Object.assign(x, derive(raw[t], x.jobs.perf, x.jobs.strace));
  fs.writeFileSync(file, JSON.stringify(j, null, 1) + '\n');
  console.log(`reaim-measure: re-derived ${Object.keys(j.tests).length} tests in ${file}`);
}

async function main() {
  const ri = process.argv.indexOf('--rederive');
  if (ri >= 0) { if (!process.argv[ri + 1]) die('--rederive needs a directory'); return rederive(process.argv[ri + 1]); }
  const o = args(process.argv.slice(2));
  for (const [t, a] of [['perf', ['--version']], ['strace', ['--version']], ['gcc', ['--version']]]) {
    if (spawnSync(t, a).status !== 0) die(`${t} is needed (apt-get install linux-perf strace gcc libaio-dev)`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mmlock-reaim-'));
  process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true })); // also after die()
  const { aim, commit } = prepareSource(o.src, scratch);
  console.log(`reaim-measure: source ${aim} (commit ${commit || 'unknown'}), scratch ${scratch}`);
  const b = build(aim, scratch);
  const d = runDir(b, scratch);
  const wfAll = workfileTests(path.join(aim, 'data', 'workfile.alltests')), wfDisk = workfileTests(path.join(aim, 'data', 'workfile.disk'));
  const all = [...new Set([...wfAll, ...wfDisk])].filter((t) => t !== 'signal_test');
  const tests = o.tests || all;
  for (const t of tests) if (!all.includes(t)) die(`--tests: unknown test ${JSON.stringify(t)}; allowed: ${all.join(', ')}`);
  const started = new Date();
  const mach = machine(d);
  const perTest = {}, raw = {}, mix = {};
  fs.mkdirSync(o.out, { recursive: true });
  const meta = {
    tool: 'scripts/reaim-measure.js', started: started.toISOString(), finished: null,
    reaim: { repository: 'github.com/davidlohr/areaim (osdl-aim-7)', commit, build: `gcc ${b.flags} <${b.sources} sources> -lm -laio`, config: 'FILESIZE 10k, POOLSIZE 1m, DISKDIR in the scratch directory', options: '-s<users> -e<users> -i1 -r1 -t -j<N> -f<workfile>' },
    machine: mach, method: { perfEvents: PERF_EVENTS, straceMaxJobs: STRACE_MAX_JOBS, perInvocation: '(N-job run - 1-job run) / (N - 1)', nice: 10 },
  };
  // written after every test, so an interrupted run keeps what it measured
  const save = () => {
    fs.writeFileSync(path.join(o.out, 'per-test.json'), JSON.stringify({ meta, tests: perTest, mix }, null, 1) + '\n');
    fs.writeFileSync(path.join(o.out, 'raw.json'), JSON.stringify(raw) + '\n');
  };
  for (const t of tests) {
    const wf = path.join(d, `wf.${t}`);
    fs.writeFileSync(wf, `1 ${t}\n`);
    const t0 = Date.now();
    try {
      const p1 = await runPerf(b, d, wf, 1, 1, false);
      const n = P.jobsFor(p1.reaim.parentS);
      const pn = await runPerf(b, d, wf, 1, n, true);
      const ns = Math.min(n, STRACE_MAX_JOBS);
      const s1 = runStrace(b, d, wf, 1, 1), sn = runStrace(b, d, wf, 1, ns);
      perTest[t] = {
        jobs: { perf: n, strace: ns },
        ...derive({ perf1: p1.perfText, perfN: pn.perfText, strace1: s1.text, straceN: sn.text }, n, ns),
        reaim: round({ parent_s: pn.reaim.parentS / n, child_user_s: pn.reaim.childUserS / n, child_sys_s: pn.reaim.childSysS / n }),
        smaps: pn.smaps,
      };
      raw[t] = { perf1: p1.perfText, perfN: pn.perfText, strace1: s1.text, straceN: sn.text };
      console.log(`${t.padEnd(18)} N=${String(n).padStart(3)} ${((Date.now() - t0) / 1e3).toFixed(1).padStart(5)} s  ${JSON.stringify(perTest[t].counts)} pf=${perTest[t].perf.page_faults} wall=${perTest[t].reaim.parent_s}`);
    } catch (e) {
      // one test failing (reaim crashed, a tool's output unreadable) does not lose the others
      perTest[t] = { error: e.message.slice(0, 500) };
      console.log(`${t.padEnd(18)} FAILED: ${e.message.split('\n')[0]}`);
    }
    save();
  }
  for (const w of o.mix) {
    const wf = path.join(d, `wf.mix.${w}`);
    fs.writeFileSync(wf, fs.readFileSync(path.join(aim, 'data', `workfile.${w}`), 'utf8').split('\n').filter((l) => !/^\s*\d+\s+signal_test\b/.test(l)).join('\n'));
    for (const u of o.users) {
      try {
        const p = await runPerf(b, d, wf, u, 100, true);
        const s = runStrace(b, d, wf, u, 100);
        mix[`${w}@${u}`] = { users: u, jobs: 100, counts: s.counts, perf: { page_faults: p.perf.events['page-faults'], wall_s: p.perf.elapsedS, user_s: p.perf.userS, sys_s: p.perf.sysS }, reaim: p.reaim, smaps: p.smaps };
        raw[`mix:${w}@${u}`] = { perf: p.perfText, strace: s.text };
        console.log(`mix ${w} users=${u}: ${JSON.stringify(s.counts)} round=${p.reaim.parentS}s`);
      } catch (e) {
        mix[`${w}@${u}`] = { error: e.message.slice(0, 500) };
        console.log(`mix ${w} users=${u} FAILED: ${e.message.split('\n')[0]}`);
      }
      save();
    }
  }
  meta.finished = new Date().toISOString();
  save();
  console.log(`reaim-measure: wrote ${path.relative(process.cwd(), path.join(o.out, 'per-test.json'))} and raw.json`);
}

/** numbers to 3 decimals (per-invocation means of integer counts) */
function round(o) { return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1000) / 1000 : v])); }

main().catch((e) => { console.error(`reaim-measure: ${e.message}`); process.exit(1); });
