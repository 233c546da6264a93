#!/usr/bin/env node
// Regenerates the heavy grids the notebooks load (data/results/<name>/) from their sweep
// specs (notebooks/sweeps/<name>.json) with the mmlock CLI:
//
//   node dist/src/cli/main.js sweep notebooks/sweeps/<name>.json \
//        --module ./dist/src/notebook/register.js --workers 2 --out data/results/<name>
//
// (--module registers the notebooks' workloads in the main thread, which validates the
// spec, and in each worker.) The old folder is removed first. journal.jsonl and the JSON
// tables are dropped afterwards: the notebooks read runs.arrow / lockstat.arrow, and
// runs.csv / lockstat.csv stay for reading by eye.
//
//   node scripts/notebook-results.js [name…] [--workers N]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const wi = args.indexOf('--workers');
const workers = wi >= 0 ? args.splice(wi, 2)[1] : '2';
const specs = fs.readdirSync(path.join(root, 'notebooks', 'sweeps')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))
  .filter((n) => args.length === 0 || args.includes(n));
const reg = path.join(root, 'dist', 'src', 'notebook', 'register.js'); // absolute: workers resolve it from their own folder
for (const name of specs) {
  const out = path.join('data', 'results', name);
  fs.rmSync(path.join(root, out), { recursive: true, force: true });
  const argv = ['dist/src/cli/main.js', 'sweep', `notebooks/sweeps/${name}.json`, '--module', reg, '--workers', workers, '--out', out];
  console.log(`$ node ${argv.map((a) => a.replace(root + path.sep, '')).join(' ')}`);
  const r = spawnSync(process.execPath, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  for (const f of ['journal.jsonl', 'runs.json', 'lockstat.json', 'trace.json']) fs.rmSync(path.join(root, out, f), { force: true });
}
