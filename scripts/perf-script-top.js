#!/usr/bin/env node
// CPU-time profile of a run from Linux perf, by function: what `node --cpu-prof` cannot show
// on a loaded machine (it samples wall time) nor at all (time in V8 builtins such as
// generator resumption, Set/Map operations, object migration; the tier a function runs in:
// `*` optimised, `^` baseline, `~` interpreted). Main thread only.
// usage:
//   perf record -g -F 299 -e cpu-clock -o run.data -- node --perf-basic-prof dist/src/cli/main.js run ...
//   perf script -i run.data > run.script
//   node scripts/perf-script-top.js run.script [N]
// Prints: the share of each kind of leaf (JS, generator builtins, other builtins, GC, other),
// then the top N leaves, the top N by "self" (a builtin charged to the JS function calling
// it), and the top N inclusive (every JS function on the stack). A name is perf-map's: JIT code
// freed and its address reused later can be charged to the old name (check odd ones by leaf).
'use strict';
const { readFileSync } = require('node:fs');

const [file, n] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/perf-script-top.js FILE.script [N]');
  process.exit(2);
}
const top = Number(n || 30);
const samples = [];
let cur = null;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) {
    if (cur) samples.push(cur);
    cur = null;
  } else if (!/^\s/.test(line)) {
    cur = { tid: line.trim().split(/\s+/)[1], frames: [] };
  } else if (cur) {
    const m = /^\s*[0-9a-f]+ (.*) \((.*)\)\s*$/.exec(line);
    if (m) cur.frames.push(m[1].replace(/\+0x[0-9a-f]+$/, '').replace(/ \S*\/dist\//, ' dist/'));
  }
}
if (cur) samples.push(cur);
const byTid = new Map();
for (const s of samples) byTid.set(s.tid, (byTid.get(s.tid) || 0) + 1);
const main = [...byTid].sort((a, b) => b[1] - a[1])[0]?.[0];
const ms = samples.filter((s) => s.tid === main && s.frames.length);
const kind = (l) =>
  l.startsWith('JS:') ? 'js' : /Generator|IterResult/.test(l) ? 'generator builtins'
    : /Scaveng|Mark|GC|Heap|Sweep|Evacuat/.test(l) ? 'gc' : l.startsWith('Builtins_') ? 'other builtins' : 'other';
const count = (m, k) => m.set(k, (m.get(k) || 0) + 1);
const kinds = new Map(), leaf = new Map(), self = new Map(), incl = new Map();
for (const { frames } of ms) {
  const l = frames[0];
  count(kinds, kind(l));
  count(leaf, l);
  count(self, l.startsWith('JS:') ? l : frames.find((f) => f.startsWith('JS:')) || '(no JS frame)');
  for (const f of new Set(frames.filter((f) => f.startsWith('JS:')))) count(incl, f);
}
const pct = (v) => `${((100 * v) / ms.length).toFixed(1).padStart(5)}%`;
console.log(`${ms.length} samples of the main thread (${samples.length} in all)`);
console.log([...kinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${pct(v).trim()}`).join(', '));
for (const [title, m] of [['leaf', leaf], ['self (builtins charged to their JS caller)', self], ['inclusive', incl]]) {
  console.log(`\n${title}:`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
}
