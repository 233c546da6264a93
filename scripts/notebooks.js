#!/usr/bin/env node
// Executes every notebook in notebooks/ headlessly with Jupyter and the tslab kernel, as a
// user would: executed .ipynb and .html go to build/notebooks/. A failing cell fails it.
//
//   node scripts/notebooks.js [--update] [--browser-check] [--only 01,03] [--timeout 120]
//
// --update         copy the executed notebooks back over notebooks/*.ipynb (refresh outputs) and
//                  write docs/quickstart-throughput.svg (the chart in docs/experiments.md) from 01-quickstart
// --browser-check  then open each exported HTML in headless Chromium and check that the
//                  charts are drawn (scripts/browser-check.js; screenshots in build/screenshots)
//
// The tslab kernel spec is installed into build/jupyter (no global state): Jupyter runs
// with JUPYTER_PATH, JUPYTER_DATA_DIR, JUPYTER_CONFIG_DIR and JUPYTER_RUNTIME_DIR there and
// node_modules/.bin first on PATH (the kernel spec runs the bare command `tslab`).
// Run `npm run build` first: the notebooks import the compiled package (dist/).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { requireTools } = require('./tools');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const opt = (f, d) => { const i = args.indexOf(f); return i >= 0 ? args[i + 1] : d; };
const update = flag('--update');
const browser = flag('--browser-check');
const only = opt('--only', '').split(',').filter(Boolean);
const timeout = Number(opt('--timeout', '120'));

requireTools({ jupyter: true, chromium: browser });
if (!fs.existsSync(path.join(root, 'dist', 'src', 'index.js'))) {
  console.error('notebooks: dist/src/index.js missing; run `npm run build` first');
  process.exit(1);
}

const nbDir = path.join(root, 'notebooks');
const outDir = path.join(root, 'build', 'notebooks');
const jup = path.join(root, 'build', 'jupyter');
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
for (const d of ['data', 'config', 'runtime', 'ipython']) fs.mkdirSync(path.join(jup, d), { recursive: true });

const env = {
  ...process.env,
  PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
  JUPYTER_PATH: path.join(jup, 'share', 'jupyter'),
  JUPYTER_DATA_DIR: path.join(jup, 'data'),
  JUPYTER_CONFIG_DIR: path.join(jup, 'config'),
  JUPYTER_RUNTIME_DIR: path.join(jup, 'runtime'),
  IPYTHONDIR: path.join(jup, 'ipython'),
  JUPYTER_PLATFORM_DIRS: '1',
  PYDEVD_DISABLE_FILE_VALIDATION: '1',
};

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  return r;
}

// the project-local kernel spec
const inst = run(path.join(root, 'node_modules', '.bin', 'tslab'), ['install', '--python=/usr/bin/python3', `--prefix=${jup}`]);
if (inst.status !== 0 || !fs.existsSync(path.join(jup, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json'))) {
  console.error(`notebooks: tslab install failed:\n${inst.stdout}${inst.stderr}`);
  process.exit(1);
}

const notebooks = fs.readdirSync(nbDir).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
if (notebooks.length === 0) {
  console.error(`notebooks: no notebook in ${nbDir}${only.length ? ` matching ${only.join(', ')}` : ''}`);
  process.exit(1);
}

/** what an executed notebook must show: no error, ≥ 1 table (text/html from show) and ≥ 1 Vega-Lite chart with its SVG */
function checkOutputs(file) {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  const problems = [];
  let tables = 0, charts = 0;
  for (const [i, c] of nb.cells.entries()) {
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'error') problems.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      const d = o.data ?? {};
      const html = Array.isArray(d['text/html']) ? d['text/html'].join('') : d['text/html'];
      if (typeof html === 'string' && html.includes('class="mmlock-table"')) tables++;
      if (d['application/vnd.vegalite.v5+json'] && typeof d['application/vnd.vegalite.v5+json'] === 'object' && d['image/svg+xml']) charts++;
    }
  }
  if (tables === 0) problems.push('no table output (show())');
  if (charts === 0) problems.push('no Vega-Lite chart output (plot())');
  return { problems, tables, charts };
}

/**
 * Number the code cells in order, as running them top to bottom in Jupyter does: tslab
 * leaves execution_count null, so the HTML showed every cell as `In [ ]:`, as if not run.
 * Also the `Out [n]:` of execute_result outputs. Deterministic (no timing in it).
 */
function numberCells(file) {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  let n = 0;
  for (const c of nb.cells) {
    if (c.cell_type !== 'code') continue;
    n++;
    if (c.execution_count === null || c.execution_count === undefined) c.execution_count = n;
    for (const o of c.outputs ?? []) if (o.output_type === 'execute_result' && (o.execution_count === null || o.execution_count === undefined)) o.execution_count = c.execution_count;
  }
  fs.writeFileSync(file, `${JSON.stringify(nb, null, 1)}\n`);
}

/** drop per-run noise (timings) before committing outputs */
function clean(file) {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const c of nb.cells) if (c.metadata) delete c.metadata.execution;
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** the chart in docs/experiments.md: the last chart of the quickstart notebook, as SVG */
const DOCS_CHART = { notebook: '01-quickstart.ipynb', file: path.join(root, 'docs', 'quickstart-throughput.svg') };
function writeDocsChart(executed) {
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8'));
  const svgs = nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => o.data?.['image/svg+xml']).filter(Boolean));
  if (svgs.length === 0) throw new Error(`${DOCS_CHART.notebook}: no SVG output for ${DOCS_CHART.file}`);
  const svg = [].concat(svgs[svgs.length - 1]).join('');
  fs.mkdirSync(path.dirname(DOCS_CHART.file), { recursive: true });
  fs.writeFileSync(DOCS_CHART.file, `${svg}\n`); // vega draws a white background, so it reads on GitHub's dark theme too
}

const results = [];
let failed = false;
const t00 = performance.now();
for (const f of notebooks) {
  const name = f.replace(/\.ipynb$/, '');
  const t0 = performance.now();
  const ex = run('jupyter', ['nbconvert', '--to', 'notebook', '--execute', path.join(nbDir, f), '--output-dir', outDir, '--output', f,
    `--ExecutePreprocessor.timeout=${timeout}`, '--ExecutePreprocessor.kernel_name=tslab']);
  const secs = (performance.now() - t0) / 1000;
  const executed = path.join(outDir, f);
  if (ex.status !== 0 || !fs.existsSync(executed)) {
    console.error(`notebooks: ${f} FAILED after ${secs.toFixed(1)} s\n${ex.stderr.split('\n').filter((l) => !/MissingIDFieldWarning|validate\(nb\)/.test(l)).slice(-40).join('\n')}`);
    failed = true;
    results.push({ name, secs, ok: false });
    continue;
  }
  numberCells(executed);
  const chk = checkOutputs(executed);
  // our template: the lab one with SVG outputs inlined (see scripts/nbconvert/mmlock-lab)
  const html = run('jupyter', ['nbconvert', '--to', 'html', executed, '--output-dir', outDir,
    `--TemplateExporter.extra_template_basedirs=${path.join(__dirname, 'nbconvert')}`, '--template', 'mmlock-lab']);
  if (html.status !== 0) chk.problems.push(`HTML export failed: ${html.stderr.slice(-2000)}`);
  if (chk.problems.length) {
    console.error(`notebooks: ${f}: ${chk.problems.join('; ')}`);
    failed = true;
  } else if (update) {
    fs.writeFileSync(path.join(nbDir, f), clean(executed));
    if (f === DOCS_CHART.notebook) writeDocsChart(executed);
  }
  results.push({ name, secs, ok: chk.problems.length === 0, tables: chk.tables, charts: chk.charts });
  console.log(`notebooks: ${f.padEnd(28)} ${chk.problems.length ? 'FAILED' : 'ok    '} ${secs.toFixed(1).padStart(6)} s  ${chk.tables} tables, ${chk.charts} charts`);
}
console.log(`notebooks: ${results.filter((r) => r.ok).length}/${results.length} ok in ${((performance.now() - t00) / 1000).toFixed(1)} s; executed notebooks and HTML in ${path.relative(root, outDir)}/${update && !failed ? '; outputs written back to notebooks/' : ''}`);
if (failed) process.exit(1);

if (browser) {
  const { checkHtmlFiles } = require('./browser-check');
  const files = notebooks.map((f) => path.join(outDir, f.replace(/\.ipynb$/, '.html')));
  const ok = checkHtmlFiles(files, { screenshotDir: path.join(root, 'build', 'screenshots') });
  if (!ok) process.exit(1);
}
