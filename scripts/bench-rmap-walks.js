#!/usr/bin/env node
// Eager against lazy rmap walks (docs/rmap-walks.md): runs one workload with each, alternating,
// for every seed, and prints one JSON line per run, then the per-seed ratios.
//   node scripts/bench-rmap-walks.js --workload aim7 --param users=100 --param estimate=full --seeds 1,2,3
// Needs `npm run build`. Run times are this process's CPU seconds (less sensitive than wall
// time to other work on the machine) and wall seconds.
'use strict';
const { join } = require('node:path');
const dist = join(__dirname, '..', 'dist', 'src');
const { run } = require(join(dist, 'experiment', 'run.js'));
const { lazyRmapTotals } = require(join(dist, 'mm', 'rmap_lazy.js'));

const args = process.argv.slice(2);
let workload = 'aim7';
const params = {};
let seeds = ['1'];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--workload') workload = args[++i];
  else if (a === '--param') {
    const [k, v] = args[++i].split('=');
    params[k] = v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
  } else if (a === '--seeds') seeds = args[++i].split(',');
  else {
    console.error(`bench-rmap-walks: unknown argument ${a}; use --workload W --param k=v --seeds 1,2`);
    process.exit(2);
  }
}

function once(seed, exact) {
  const before = lazyRmapTotals();
  const c0 = process.cpuUsage();
  const r = run({ workload, params, seed, options: exact ? { exactRmapWalks: true } : {} });
  const c = process.cpuUsage(c0);
  const after = lazyRmapTotals();
  const lazy = {};
  for (const k of Object.keys(after)) lazy[k] = after[k] - before[k];
  const row = r.lockstat.find((x) => x.lockClass === 'i_mmap' && x.site === 'rmap_walk_file');
  const out = {
    workload, params, seed, walks: exact ? 'eager' : 'lazy',
    jpm: r.metrics.jpm ?? null,
    numa_pages_migrated: r.counters.numa_pages_migrated ?? null,
    rmap_walks: r.counters.rmap_walks ?? null,
    rmap_vmas_visited: r.counters.rmap_vmas_visited ?? null,
    immap_walk_wait_mean_ns: row?.waitMeanNs ?? null,
    immap_walk_hold_mean_ns: row?.holdMeanNs ?? null,
    sim_events: r.counters.sim_events,
    cpu_s: (c.user + c.system) / 1e6,
    wall_s: r.provenance.wallSeconds,
    lazy,
  };
  console.log(JSON.stringify(out));
  return out;
}

for (const seed of seeds) {
  const e = once(seed, true);
  const l = once(seed, false);
  console.log(`seed ${seed}: events ${(l.sim_events / e.sim_events).toFixed(3)}x, cpu ${(e.cpu_s / l.cpu_s).toFixed(2)}x faster, wall ${(e.wall_s / l.wall_s).toFixed(2)}x faster`);
}
