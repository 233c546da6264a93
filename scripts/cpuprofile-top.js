#!/usr/bin/env node
// Self time of a V8 .cpuprofile (node --cpu-prof) by function and by file.
// usage: node scripts/cpuprofile-top.js FILE.cpuprofile [N]   (N rows of functions, default 30)
'use strict';
const { readFileSync } = require('node:fs');

const [file, n] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpuprofile-top.js FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(n || 30);
const p = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map(); // node id -> µs
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) || 0) + (p.timeDeltas[i] || 0));
const byFn = new Map(), byFile = new Map();
let total = 0;
for (const node of p.nodes) {
  const t = self.get(node.id) || 0;
  if (!t) continue;
  total += t;
  const cf = node.callFrame;
  const where = (cf.url || '(native)').replace(/^.*\/(dist|node_modules)\//, '$1/');
  const fn = `${cf.functionName || '(anonymous)'}  ${where}:${cf.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) || 0) + t);
  byFile.set(where, (byFile.get(where) || 0) + t);
}
const show = (m, k) => {
  for (const [name, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, k)) {
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1e6).toFixed(2).padStart(7)} s  ${name}`);
  }
};
console.log(`${(total / 1e6).toFixed(2)} s sampled`);
console.log('self time by function:');
show(byFn, top);
console.log('self time by file:');
show(byFile, 15);
