#!/usr/bin/env node
// Where a run's events come from (docs/benchmarks.md, "Speed work of 8 Dec 2026"): runs one
// `mmlock run …` in this process with the scheduler and the lock primitives wrapped, and prints
//  - by mm path: a stack sampled at every Kth CPU segment, block, sleep and spin a task starts
//    (the generator frames of the path are on the stack there), inclusive by function;
//  - what each task did just before each CPU segment: another segment, a lock operation,
//    a block/sleep or a spin;
//  - lock operations by class and primitive: how many were called owing CPU time (paid by a
//    CPU segment first, at once if nothing else was due: Scheduler.payNow) and how many
//    folded at once (no generator returned).
// Model-only instrumentation: the run's results are unchanged (the wrappers only count).
// usage: npm run build && node scripts/event-census.js [--every K] -- run --workload aim7 --param users=300 …
'use strict';
const { join } = require('node:path');

const args = process.argv.slice(2);
const sep = args.indexOf('--');
if (sep < 0 || args[sep + 1] !== 'run') {
  console.error('usage: node scripts/event-census.js [--every K] -- run --workload W [--param k=v …]');
  process.exit(2);
}
const opts = args.slice(0, sep);
const every = opts[0] === '--every' ? Number(opts[1]) : 53;
if (!(Number.isInteger(every) && every >= 1)) {
  console.error(`event-census: --every must be an integer >= 1, got ${JSON.stringify(opts[1])}`);
  process.exit(2);
}
const dist = join(__dirname, '..', 'dist', 'src');
const { Scheduler } = require(join(dist, 'sched'));
const { Mutex, RwSem, SpinLock } = require(join(dist, 'locking'));
const { NOTHING_LEFT } = require(join(dist, 'locking', 'lock.js'));
const { main } = require(join(dist, 'cli', 'main.js'));

Error.stackTraceLimit = 80;
// frames that say nothing about the mm path: the engine, the scheduler's own, iterator plumbing
const NOISE = /^(Simulation|Generator|Object|Process|TaskRun|ComputeOp|PayThen|new|Array|MeasurementWindow|measure|main|run|Module|Timer|Function|node|process|<anonymous>|\?)|\.next$|^(Scheduler|Mutex|RwSem|SpinLock|Lock|Osq)\./;
const stacks = new Map();
let samples = 0, starts = 0;
function sample(kind) {
  if (++starts % every !== 0) return;
  samples++;
  const frames = new Error().stack.split('\n').slice(3)
    .map((l) => (/at (?:Generator\.next \()?([\w$.<>]+)/.exec(l) || [])[1] || '?')
    .filter((n) => !NOISE.test(n));
  const key = `${kind}\t${[...new Set(frames)].join(' < ')}`;
  stacks.set(key, (stacks.get(key) || 0) + 1);
}

const before = new Map(); // what a task did last before a CPU segment
const last = new WeakMap();
function did(task, what) { last.set(task, what); }

const S = Scheduler.prototype;
const startCompute = S.startCompute;
S.startCompute = function (task, ns) {
  const b = last.get(task) || 'start';
  before.set(b, (before.get(b) || 0) + 1);
  sample('compute');
  const r = startCompute.call(this, task, ns);
  did(task, 'compute');
  return r;
};
// a debt paid at once before a lock operation (Scheduler.payNow) is a CPU segment too, one
// that never goes through startCompute (not paid at once, it is a compute, counted there)
const payNow = S.payNow;
S.payNow = function (task) {
  const owed = task.debt > 0;
  const r = payNow.call(this, task);
  if (owed && r) {
    const b = last.get(task) || 'start';
    before.set(b, (before.get(b) || 0) + 1);
    sample('compute');
    did(task, 'compute');
  }
  return r;
};
for (const m of ['block', 'sleep', 'spin']) {
  const orig = S[m];
  S[m] = function (task, ...rest) { sample(m); did(task, m === 'spin' ? 'spin' : 'block/sleep'); return orig.call(this, task, ...rest); };
}

const ops = new Map(); // "class primitive.op" → [calls, folded]
function wrap(proto, prim, names) {
  for (const m of names) {
    const orig = proto[m];
    proto[m] = function (task, ...rest) {
      const owing = this.env.sched.owes(task);
      const r = orig.call(this, task, ...rest);
      const key = `${this.cls.name}\t${prim}.${m}`;
      const e = ops.get(key) || ops.set(key, [0, 0, 0]).get(key);
      e[0]++;
      if (r === NOTHING_LEFT) e[1]++;
      if (owing) e[2]++;
      did(task, 'lock op');
      return r;
    };
  }
}
wrap(Mutex.prototype, 'mutex', ['lock', 'unlock', 'trylock']);
wrap(RwSem.prototype, 'rwsem', ['downRead', 'upRead', 'downWrite', 'upWrite']);
wrap(SpinLock.prototype, 'spinlock', ['lock', 'unlock', 'critical', 'criticalPair']);

const pct = (a, b) => (b ? ((100 * a) / b).toFixed(1) : '0.0').padStart(5) + '%';

function report() {
  console.error(`\nevent census (every ${every}th of ${starts} CPU segments, blocks, sleeps and spins: ${samples} stacks)`);
  const incl = new Map();
  for (const [k, v] of stacks) for (const f of new Set(k.split('\t')[1].split(' < '))) if (f) incl.set(f, (incl.get(f) || 0) + v);
  console.error('\nby function on the stack (inclusive):');
  for (const [f, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.error(`${pct(v, samples)}  ${f}`);
  console.error('\ninnermost frames (top 20):');
  for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    const [kind, path] = k.split('\t');
    console.error(`${pct(v, samples)}  ${kind}: ${path.split(' < ').slice(0, 5).join(' < ')}`);
  }
  const nb = [...before.values()].reduce((a, b) => a + b, 0);
  console.error(`\nwhat the task did just before each of ${nb} CPU segments:`);
  for (const [k, v] of [...before].sort((a, b) => b[1] - a[1])) console.error(`${pct(v, nb)}  ${k}`);
  console.error('\nlock operations: calls; owing: the task owed CPU time (a CPU segment pays it first, then the');
  console.error('operation runs, folded or not); folded at once: ended with no generator (owing, after paying at once):');
  for (const [k, [n, f, o]] of [...ops].sort((a, b) => b[1][0] - a[1][0])) console.error(`${String(n).padStart(10)}  ${pct(o, n)} owing  ${pct(f, n)} folded at once  ${k.replace('\t', '  ')}`);
}

main(args.slice(sep + 1)).then((code) => { report(); process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
