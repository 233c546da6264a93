import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartBundle, tableBundle, detectSink, setDisplaySink, show, plot, formatCell, columnLabel, VEGA_LITE_MIME, type DisplaySink, type MimeBundle } from '../../src/notebook';
import { lineChart, countSvgMarks } from '../../src/plot';

const rows = [{ threads: 1, kernel: 'mutex', mops: 3.3 }, { threads: 8, kernel: 'mutex', mops: 1.25 }, { threads: 1, kernel: 'rwsem', mops: 3.1 }];

function capture(): { sink: DisplaySink; out: { bundle: MimeBundle; opts?: { displayId?: string; update?: boolean } }[] } {
  const out: { bundle: MimeBundle; opts?: { displayId?: string; update?: boolean } }[] = [];
  return { out, sink: { kind: 'custom', publish: (bundle, opts) => out.push({ bundle, opts }) } };
}

test('chartBundle: one bundle with the Vega-Lite spec as an object, a drawn SVG and a text line', async () => {
  const spec = lineChart(rows, { x: 'threads', y: 'mops', series: 'kernel', title: 'T' });
  const b = await chartBundle(spec);
  assert.deepEqual(Object.keys(b).sort(), [VEGA_LITE_MIME, 'image/svg+xml', 'text/plain'].sort());
  assert.equal(VEGA_LITE_MIME, 'application/vnd.vegalite.v5+json');
  assert.equal(typeof b[VEGA_LITE_MIME], 'object');
  assert.deepEqual(b[VEGA_LITE_MIME], JSON.parse(JSON.stringify(spec)));
  assert.ok(countSvgMarks(b['image/svg+xml'] as string) >= 2 + 3);
  assert.equal(b['text/plain'], '<Vega-Lite chart: T, 3 rows>');
  await assert.rejects(chartBundle([] as never), /plot: expected a Vega-Lite spec object, got an array/);
});

test('tableBundle: HTML and aligned text; numbers right-aligned and rounded; limit and columns', () => {
  const b = tableBundle(rows, { caption: 'cap', limit: 2 });
  assert.deepEqual(Object.keys(b), ['text/html', 'text/plain']);
  assert.equal(b['text/plain'], [
    'cap',
    'threads  kernel  mops',
    '-------  ------  ----',
    '      1  mutex   3.30',
    '      8  mutex   1.25',
    '1 more rows; 3 rows × 3 columns',
  ].join('\n'));
  const html = b['text/html'] as string;
  assert.match(html, /class="mmlock-table"/);
  assert.equal((html.match(/<tr>/g) ?? []).length, 3); // header + 2 rows
  assert.match(html, /<td style="text-align:right">3\.30<\/td>/);
  assert.throws(() => tableBundle(rows, { columns: ['threads', 'nope'] }), /show: option columns: no column "nope" in the table; columns: threads, kernel, mops/);
  assert.match(tableBundle([{ s: '<b>' }])['text/html'] as string, /&lt;b&gt;/);
});

test('formatCell: integers exact, others to about 4 significant digits, null empty', () => {
  assert.deepEqual([formatCell(42), formatCell(4025.16), formatCell(159.04), formatCell(3.14159), formatCell(0.012345), formatCell(null), formatCell(10n)],
    ['42', '4025', '159.0', '3.14', '0.0123', '', '10']);
});

test('show and plot publish through the current sink', async () => {
  const c = capture();
  const prev = setDisplaySink(c.sink);
  try {
    show(rows);
    await plot(lineChart(rows, { x: 'threads', y: 'mops' }));
  } finally {
    setDisplaySink(prev);
  }
  assert.equal(c.out.length, 2);
  assert.ok('text/html' in c.out[0]!.bundle);
  assert.ok(VEGA_LITE_MIME in c.out[1]!.bundle);
});

test('detectSink: inside a tslab cell, the whole bundle goes to the kernel writer in one message', () => {
  const calls: { data: unknown; update: boolean }[] = [];
  const kernel = { lastWriteDisplayData: (data: unknown, update: boolean) => calls.push({ data, update }) };
  const sink = detectSink((id) => { if (id === 'tslab/dist/jupyter') return kernel; throw new Error('no'); });
  assert.equal(sink.kind, 'tslab-bundle');
  sink.publish({ 'text/plain': 'x', 'text/html': '<b>x</b>' });
  sink.publish({ 'text/plain': 'y' }, { displayId: 'abc', update: true });
  assert.deepEqual(calls, [
    { data: { data: { 'text/plain': 'x', 'text/html': '<b>x</b>' }, metadata: {}, transient: {} }, update: false },
    { data: { data: { 'text/plain': 'y' }, metadata: {}, transient: { display_id: 'abc' } }, update: true },
  ]);
});

test('detectSink: if tslab\'s internals change, falls back to its public display with the single best type', () => {
  const sent: [string, string, string][] = [];
  const mk = (name: string) => ({ raw: (t: string, s: string) => sent.push([name, t, s]) });
  let n = 0;
  const pub = { display: mk('display'), newDisplay: () => mk(`new${n++}`) };
  const sink = detectSink((id) => { if (id === 'tslab') return pub; if (id === 'tslab/dist/jupyter') return {}; throw new Error('no'); });
  assert.equal(sink.kind, 'tslab-public');
  sink.publish({ [VEGA_LITE_MIME]: {}, 'image/svg+xml': '<svg/>', 'text/plain': 't' });
  sink.publish({ 'text/html': '<p>', 'text/plain': 't' });
  sink.publish({ 'text/html': '<p>1</p>', 'text/plain': '1' }, { displayId: 'p' });
  sink.publish({ 'text/html': '<p>2</p>', 'text/plain': '2' }, { displayId: 'p', update: true });
  assert.deepEqual(sent, [
    ['display', 'image/svg+xml', '<svg/>'],
    ['display', 'text/html', '<p>'],
    ['new0', 'text/html', '<p>1</p>'],
    ['new0', 'text/html', '<p>2</p>'],
  ]);
});

test('detectSink: outside a kernel (tslab loaded, no cell running) text goes to stdout', () => {
  const sink = detectSink(require);
  assert.equal(sink.kind, 'tslab-bundle'); // tslab 1.0.22's internals are what we expect
  const write = process.stdout.write;
  let printed = '';
  process.stdout.write = ((s: string) => { printed += s; return true; }) as typeof process.stdout.write;
  try {
    sink.publish({ 'text/plain': 'hello', 'text/html': '<b>hello</b>' });
  } finally {
    process.stdout.write = write;
  }
  assert.equal(printed, 'hello\n');
  assert.equal(detectSink(() => { throw new Error('not installed'); }).kind, 'console');
});

test('columnLabel: field names in words with units; ns durations in the unit that fits the column', () => {
  assert.deepEqual(columnLabel('scanPeriodMs'), { label: 'scan period (ms)', scale: 1 });
  assert.deepEqual(columnLabel('spinNs', 255685410), { label: 'spin (ms)', scale: 1e-6 });
  assert.deepEqual(columnLabel('waitMeanNs', 4500), { label: 'wait mean (µs)', scale: 1e-3 });
  assert.deepEqual(columnLabel('elapsed_ns', 3e9), { label: 'elapsed (s)', scale: 1e-9 });
  assert.deepEqual(columnLabel('holdNs', 12), { label: 'hold (ns)', scale: 1 });
  assert.deepEqual(columnLabel('wait_us'), { label: 'wait (µs)', scale: 1 });
  assert.deepEqual(columnLabel('sleep_other_locks_s'), { label: 'sleep other locks (s)', scale: 1 });
  assert.deepEqual(columnLabel('spin_immap_pct'), { label: 'spin immap (%)', scale: 1 });
  assert.deepEqual(columnLabel('numa_pages_migrated'), { label: 'numa pages migrated', scale: 1 });
  assert.deepEqual(columnLabel('mops_per_s'), { label: 'M ops / s', scale: 1 });
  assert.deepEqual(columnLabel('acqRead'), { label: 'acquisitions (read)', scale: 1 });
  // not identifiers (pivoted kernel names, patch ranges) stay as they are
  for (const n of ['3.18-rc1', '1-3', 'merged (3.19)', 'kernel', 'threads']) assert.deepEqual(columnLabel(n), { label: n, scale: 1 });
});

test('tableBundle labels the columns and converts ns; labels: false keeps the field names; an object names some', () => {
  const t = [{ scanPeriodMs: 4, spinNs: 255685410, kernel: 'mutex' }, { scanPeriodMs: 8, spinNs: 1500000, kernel: 'rwsem' }];
  const b = tableBundle(t);
  assert.match(b['text/plain'] as string, /^scan period \(ms\)  spin \(ms\)  kernel\n/);
  assert.match(b['text/plain'] as string, /\n +4 +255\.7  mutex *\n +8 +1\.50  rwsem *\n/);
  assert.match(b['text/html'] as string, /<th style="text-align:right">scan period \(ms\)<\/th><th style="text-align:right">spin \(ms\)<\/th>/);
  assert.match(b['text/html'] as string, /<td style="text-align:right">255\.7<\/td>/);
  assert.match(tableBundle(t, { labels: false })['text/plain'] as string, /^scanPeriodMs +spinNs +kernel\n[- ]+\n +4 +255685410  mutex *\n/);
  assert.match(tableBundle(t, { labels: { spinNs: 'spinning, ns' } })['text/plain'] as string, /^scan period \(ms\)  spinning, ns  kernel\n[- ]+\n +4 +255685410  mutex *\n/);
});
