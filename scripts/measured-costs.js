#!/usr/bin/env node
// Reads the sweep data/sweeps/aim7-measured-costs.json (compute tests at measured CPU time,
// nothing fitted) beside the paper's baseline column, and prints per load point and band
// corner: the model's jpm, the CPU time per task its machine was working or spinning, the machine time per
// task the paper's baseline rate implies (CPUs × 60,000 / jpm ms), and the difference — the
// time per task the model does not have. The patched column is printed for reference only;
// nothing is fitted to it. usage: node scripts/measured-costs.js [results-dir]
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const dir = process.argv[2] ?? join(root, 'data/results/aim7-measured-costs');
const csv = (file) => {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
};
const runs = csv(join(dir, 'runs.csv'));
const paper = new Map(csv(join(root, 'data/paper/aim7-3.18-rc1.csv')).filter((r) => r.workload === 'alltests').map((r) => [Number(r.users), r]));
const machine = JSON.parse(readFileSync(join(root, 'data/machines/ivybridge-ex-4s.json'), 'utf8'));
const cpus = machine.sockets * machine.coresPerSocket * machine.threadsPerCore;
const BASE = '3.18-rc1', RWSEM = '3.18-rc1-i_mmap_rwsem';

const key = (r) => [r.users, r.cpuSpeedFactor, r.kernelCostScale, r.rep].join('|');
const byKey = new Map();
for (const r of runs) {
  const k = key(r);
  if (!byKey.has(k)) byKey.set(k, {});
  byKey.get(k)[r.kernel] = r;
}
const f = (x, d = 0) => Number(x).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
console.log(`alltests, compute measured, ioScale 1, ${cpus} CPUs (${machine.name}); ms per task = CPUs × 60,000 / jpm × share of CPU time working or spinning`);
console.log('| users | speed × | kernel × | model jpm base | paper jpm base | model/paper | model CPU-ms/task (work + spin) | paper machine ms/task | missing ms/task | CPUs working or spinning | i_mmap spin+sleep s | model % change (paired) | paper % change |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [, pair] of [...byKey].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))) {
  const b = pair[BASE], p = pair[RWSEM];
  if (!b) continue;
  const users = Number(b.users), jpm = Number(b.jpm), pp = paper.get(users);
  const occupied = Number(b.cpu_busy_share) + Number(b.cpu_spin_share); // working or spinning (idle is the rest)
  const busyMs = occupied * cpus * 60000 / jpm;
  const paperMs = pp ? cpus * 60000 / Number(pp['jpm_3.18-rc1']) : NaN;
  const immap = Number(b.task_spin_i_mmap_s ?? 0) + Number(b.task_sleep_i_mmap_s ?? 0);
  const change = p ? (Number(p.jpm) / jpm - 1) * 100 : NaN;
  console.log(`| ${users} | ${b.cpuSpeedFactor} | ${b.kernelCostScale} | ${f(jpm)} | ${pp ? f(pp['jpm_3.18-rc1']) : '–'} | ${pp ? f(jpm / Number(pp['jpm_3.18-rc1']), 2) : '–'} | ${f(busyMs, 1)} | ${f(paperMs, 1)} | ${f(paperMs - busyMs, 1)} | ${f(occupied * 100, 1)}% | ${f(immap, 2)} | ${f(change, 1)}% | ${pp ? f(pp.pct_change, 1) + '%' : '–'} |`);
}
