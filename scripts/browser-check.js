#!/usr/bin/env node
// Opens exported notebook HTML in headless Chromium (Debian's `chromium`) and checks that
// the charts are drawn: every Vega SVG (an <svg> with a `role-mark` group) must have
// marks with a non-empty bounding box, as laid out by the browser. A script appended to
// a copy of the page measures them (getBBox) and writes the result into the DOM, which
// `--dump-dom` prints, with the page's full height. Also saves a screenshot of each whole page
// (the window as tall as the page, up to MAX_SHOT_HEIGHT px).
//
//   node scripts/browser-check.js FILE.html… [--screenshots DIR]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PROBE = `
<script>
(function () {
  var out = [];
  var svgs = Array.prototype.slice.call(document.querySelectorAll('svg'));
  svgs.forEach(function (svg) {
    var groups = svg.querySelectorAll('g.role-mark');
    if (!groups.length) return;
    var marks = 0, drawn = 0;
    groups.forEach(function (g) {
      Array.prototype.forEach.call(g.children, function (el) {
        marks++;
        try { var b = el.getBBox(); if (b.width > 0 || b.height > 0) drawn++; } catch (e) {}
      });
    });
    var r = svg.getBoundingClientRect();
    out.push({ marks: marks, drawn: drawn, width: Math.round(r.width), height: Math.round(r.height) });
  });
  var pre = document.createElement('pre');
  pre.id = 'mmlock-browser-check';
  var h = Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);
  pre.textContent = JSON.stringify({ charts: out, height: h });
  document.body.appendChild(pre);
})();
</script>`;

/** the tallest screenshot, px (Chromium's limit on a window is far above; this keeps PNGs sane) */
const MAX_SHOT_HEIGHT = 30000;
const SHOT_WIDTH = 1280;

function chromium(argv) {
  const r = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', ...argv],
    { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

/** Measure the charts of one HTML file: [{marks, drawn, width, height}] per Vega SVG. */
function measureHtml(file, opts = {}) {
  const html = fs.readFileSync(file, 'utf8');
  const probeFile = path.join(path.dirname(file), `.${path.basename(file, '.html')}.probe.html`);
  fs.writeFileSync(probeFile, html.includes('</body>') ? html.replace(/<\/body>(?![\s\S]*<\/body>)/, `${PROBE}</body>`) : html + PROBE);
  try {
    const r = chromium(['--virtual-time-budget=10000', `--window-size=${SHOT_WIDTH},2000`, '--dump-dom', `file://${probeFile}`]);
    const m = /<pre id="mmlock-browser-check">([\s\S]*?)<\/pre>/.exec(r.stdout);
    if (!m) throw new Error(`chromium printed no check result for ${file} (status ${r.status}): ${r.stderr.slice(-1500)}`);
    const res = JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    if (opts.screenshot) {
      fs.mkdirSync(path.dirname(opts.screenshot), { recursive: true });
      // the whole page: a window as tall as the page was laid out at this width
      const height = Math.min(MAX_SHOT_HEIGHT, Math.max(200, Math.ceil(res.height)));
      fs.rmSync(opts.screenshot, { force: true });
      const s = chromium(['--virtual-time-budget=10000', `--window-size=${SHOT_WIDTH},${height}`, `--screenshot=${opts.screenshot}`, `file://${path.resolve(file)}`]);
      if (!fs.existsSync(opts.screenshot)) throw new Error(`chromium wrote no screenshot ${opts.screenshot}: ${s.stderr.slice(-1500)}`);
    }
    return res.charts;
  } finally {
    fs.rmSync(probeFile, { force: true });
  }
}

/** A PNG file's size in px, from its IHDR chunk. */
function pngSize(file) {
  const b = fs.readFileSync(file);
  if (b.length < 24 || b.toString('latin1', 1, 4) !== 'PNG') throw new Error(`${file} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Check files; print one line each; false if a page has no chart or a chart with no drawn mark. */
function checkHtmlFiles(files, { screenshotDir } = {}) {
  let ok = true;
  for (const f of files) {
    const shot = screenshotDir ? path.join(screenshotDir, `${path.basename(f, '.html')}.png`) : undefined;
    let charts;
    try {
      charts = measureHtml(f, { screenshot: shot });
    } catch (e) {
      console.error(`browser-check: ${f}: ${e.message}`);
      ok = false;
      continue;
    }
    const empty = charts.filter((c) => c.drawn === 0 || c.width === 0 || c.height === 0);
    const bad = charts.length === 0 || empty.length > 0;
    if (bad) ok = false;
    console.log(`browser-check: ${path.basename(f).padEnd(30)} ${bad ? 'FAILED' : 'ok    '} ${charts.length} charts, ${charts.reduce((s, c) => s + c.drawn, 0)} marks drawn${empty.length ? `, ${empty.length} empty` : ''}${charts.length === 0 ? ', no chart found' : ''}${shot ? `  (${path.relative(process.cwd(), shot)})` : ''}`);
  }
  return ok;
}

module.exports = { pngSize, SHOT_WIDTH, measureHtml, checkHtmlFiles };

if (require.main === module) {
  const { requireTools } = require('./tools');
  requireTools({ jupyter: false, chromium: true });
  const args = process.argv.slice(2);
  const i = args.indexOf('--screenshots');
  const dir = i >= 0 ? args.splice(i, 2)[1] : undefined;
  if (args.length === 0) { console.error('usage: browser-check.js FILE.html… [--screenshots DIR]'); process.exit(2); }
  process.exit(checkHtmlFiles(args, { screenshotDir: dir }) ? 0 : 1);
}
