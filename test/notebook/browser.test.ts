// The Chromium check that `npm test` runs on every exported notebook (scripts/browser-check.js):
// here on pages made for it, so that we know it tells a drawn chart from an empty one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, renderSvg } from '../../src/plot';

const root = join(__dirname, '..', '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const tools = require(join(root, 'scripts', 'tools.js')) as { missingTools(o: { jupyter: boolean; chromium: boolean }): string[]; APT: string };
const check = require(join(root, 'scripts', 'browser-check.js')) as {
  measureHtml(file: string, o?: { screenshot?: string }): { marks: number; drawn: number; width: number; height: number }[];
  pngSize(file: string): { width: number; height: number };
  SHOT_WIDTH: number;
  checkHtmlFiles(files: string[], o?: { screenshotDir?: string }): boolean;
};

test('browser check: Chromium draws a chart\'s marks, finds none in an empty one, and saves a screenshot', async (t) => {
  const miss = tools.missingTools({ jupyter: false, chromium: true });
  assert.deepEqual(miss, [], `Chromium is needed; install with: ${tools.APT}`);
  const dir = join(root, 'build', 'browser-check-test');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const svg = await renderSvg(lineChart([{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 1 }], { x: 'x', y: 'y' }));
  const good = join(dir, 'good.html');
  writeFileSync(good, `<html><body><h1>ok</h1>${svg}</body></html>`);
  const shot = join(dir, 'good.png');
  const charts = check.measureHtml(good, { screenshot: shot });
  assert.equal(charts.length, 1);
  assert.ok(charts[0]!.drawn >= 4, `drawn marks: ${JSON.stringify(charts)}`); // a line and 3 points
  assert.ok(charts[0]!.width > 100 && charts[0]!.height > 100);
  assert.ok(existsSync(shot));
  // the screenshot is of the whole page, not of a fixed window: a page 5000 px tall gives a 5000+ px tall PNG
  const tall = join(dir, 'tall.html');
  writeFileSync(tall, `<html><body style="margin:0">${svg}<div style="height:5000px"></div><p id="end">end</p></body></html>`);
  const tallShot = join(dir, 'tall.png');
  check.measureHtml(tall, { screenshot: tallShot });
  const size = check.pngSize(tallShot);
  assert.equal(size.width, check.SHOT_WIDTH);
  assert.ok(size.height >= 5000 + 200, `screenshot ${size.width}×${size.height}`);
  assert.ok(check.pngSize(shot).height < 2000, `a short page gives a short screenshot: ${JSON.stringify(check.pngSize(shot))}`);

  // the same chart with its marks emptied (what Debian's nbconvert sanitiser leaves): not drawn
  const emptied = svg.replace(/(<g class="mark-[a-z]+ role-mark[^"]*"[^>]*>)(.*?)(<\/g>)/gs, '$1$3');
  const bad = join(dir, 'bad.html');
  writeFileSync(bad, `<html><body>${emptied}</body></html>`);
  assert.equal(check.measureHtml(bad)[0]!.drawn, 0);
  const none = join(dir, 'none.html');
  writeFileSync(none, '<html><body><p>no chart</p></body></html>');
  assert.deepEqual(check.measureHtml(none), []);
  const log = t.mock.method(console, 'log', () => {});
  assert.equal(check.checkHtmlFiles([good]), true);
  assert.equal(check.checkHtmlFiles([good, bad]), false);
  assert.equal(check.checkHtmlFiles([none]), false);
  log.mock.restore();
});
