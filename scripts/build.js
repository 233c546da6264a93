#!/usr/bin/env node
// `npm run build`: compile src/ to dist/ with tsc, saying so on stderr first (it takes 10-20 s
// and prints nothing when all is well, so `npm run reproduce` would otherwise sit silent).
// Arguments go to tsc (e.g. -p test/tsconfig.json). stdout stays clean for --json commands.
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const args = process.argv.slice(2);
const project = args.includes('-p') ? args[args.indexOf('-p') + 1] : 'tsconfig.json';
const t0 = Date.now();
process.stderr.write(`mmlock: building (tsc -p ${project}) … `);
const tsc = join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, ...(args.includes('-p') ? args : ['-p', project, ...args])], {
  cwd: join(__dirname, '..'),
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
const secs = ((Date.now() - t0) / 1000).toFixed(1);
if (r.status === 0) {
  process.stderr.write(`done in ${secs} s\n`);
} else {
  process.stderr.write(`failed after ${secs} s\n`);
  // tsc prints its diagnostics on stdout
  process.stderr.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (r.error) process.stderr.write(`${r.error.message}\n`);
}
process.exit(r.status ?? 1);
