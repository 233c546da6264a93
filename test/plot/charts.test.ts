import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  throughputChart, pctChangeChart, lockSitesChart, lockTimelineChart, lineChart, barChart, renderSvg, compileVegaLite, countSvgMarks, ChartError,
} from '../../src/plot';
import { toArquero } from '../../src/experiment';

const sim = [100, 200, 300].flatMap((users) => [
  { workload: 'alltests', users, kernel: '3.18-rc1', jpm: 16000 + users, ci95: 200 },
  { workload: 'alltests', users, kernel: '3.18-rc1-i_mmap_rwsem', jpm: 26000 - users, ci95: 300 },
]);
const paper = sim.map((r) => ({ ...r, jpm: r.jpm * 1.05 }));

test('throughputChart: simulation lines, CI bars and the paper as hollow diamonds; every layer is drawn', async () => {
  const spec = throughputChart(sim, { ci: 'ci95', paper, facet: 'workload' });
  const values = (spec.data as { values: Record<string, unknown>[] }).values;
  assert.equal(values.filter((v) => v.source === 'simulation').length, 6);
  assert.equal(values.filter((v) => v.source === 'paper').length, 6);
  const layers = (spec.spec as { layer: { mark: { type: string; shape?: string; filled?: boolean } }[] }).layer;
  assert.deepEqual(layers.map((l) => l.mark.type), ['line', 'errorbar', 'point']);
  assert.equal(layers[2]!.mark.shape, 'diamond');
  assert.equal(layers[2]!.mark.filled, false);
  const svg = await renderSvg(spec);
  // 2 lines + 6 points, 6 error bars (rule + 2 ticks each), 6 diamonds
  assert.ok(countSvgMarks(svg) >= 2 + 6 + 6 + 6, `marks: ${countSvgMarks(svg)}`);
  assert.match(svg, /^<svg/);
});

test('chart builders accept Arquero tables as well as rows, and embed JSON-safe values', () => {
  const t = toArquero({ columns: ['users', 'kernel', 'jpm'], rows: [{ users: 1, kernel: 'a', jpm: Number.NaN }, { users: 2, kernel: 'a', jpm: 3 }] });
  const spec = throughputChart(t);
  const values = (spec.data as { values: Record<string, unknown>[] }).values;
  assert.deepEqual(values.map((v) => v.jpm), [null, 3]);
  assert.doesNotThrow(() => JSON.stringify(spec));
});

test('a missing column is a ChartError naming the builder, the option, the field and the columns there are', () => {
  assert.throws(() => throughputChart(sim, { y: 'ops_per_s' }), (e: Error) => {
    assert.ok(e instanceof ChartError);
    assert.equal(e.message, 'throughputChart: option y: no column "ops_per_s" in the table; columns: workload, users, kernel, jpm, ci95');
    return true;
  });
  assert.throws(() => throughputChart(sim, { paper: [{ users: 1, jpm: 2 }] }), /throughputChart: option series: no column "kernel" in the paper table; columns: users, jpm/);
  assert.throws(() => lockSitesChart([{ site: 'a', waitMeanNs: 1 }], { metric: 'both' }), /lockSitesChart: option hold: no column "holdMeanNs" in the table; columns: site, waitMeanNs/);
  assert.throws(() => lockSitesChart([{ site: 'a' }], { metric: 'mean' as never }), /lockSitesChart: option metric must be one of wait, hold, both, got "mean"/);
  assert.throws(() => lineChart([], { x: 'a', y: 'b' }), /lineChart: option x: no column "a" in the table; columns: \(none: the table is empty\)/);
  assert.throws(() => barChart({} as never, { category: 'a', value: 'b' }), /barChart: expected an Arquero table or an array of row objects, got object/);
  assert.throws(() => lockTimelineChart([{ task: 't', startNs: 0, endNs: 1, state: 'waiting' }]), /lockTimelineChart: column state: state must be one of hold write, hold read, spin, sleep, got "waiting"/);
});

test('lockSitesChart: one bar per site and kernel, wait and hold in µs in two panels', async () => {
  const rows = [
    { site: 'rmap_walk_file', kernel: 'mutex', waitMeanNs: 5000, holdMeanNs: 2000 },
    { site: 'rmap_walk_file', kernel: 'rwsem', waitMeanNs: 1000, holdMeanNs: 2000 },
    { site: 'dup_mmap', kernel: 'mutex', waitMeanNs: 3000, holdMeanNs: 1000 },
  ];
  const spec = lockSitesChart(rows, { series: 'kernel' });
  const values = (spec.data as { values: { what: string; us: number }[] }).values;
  assert.equal(values.length, 6);
  assert.deepEqual(values.filter((v) => v.what === 'mean wait').map((v) => v.us), [5, 1, 3]);
  const svg = await renderSvg(spec);
  assert.equal((svg.match(/<g class="mark-rect role-mark/g) ?? []).length, 2, 'two panels of bars');
  assert.equal(countSvgMarks(svg), 6);
  const waitOnly = lockSitesChart(rows, { metric: 'wait', series: 'kernel' });
  assert.equal((waitOnly.data as { values: unknown[] }).values.length, 3);
  assert.equal(waitOnly.facet, undefined);
});

test('pctChangeChart and lockTimelineChart render their marks', async () => {
  const pct = pctChangeChart([{ users: 1, pct_change: 10, source: 'paper' }, { users: 2, pct_change: -5, source: 'paper' }], { series: 'source' });
  assert.ok(countSvgMarks(await renderSvg(pct)) >= 3);
  const tl = lockTimelineChart([
    { task: 't0', startNs: 0, endNs: 2000, state: 'hold write' },
    { task: 't1', startNs: 100, endNs: 2000, state: 'spin' },
    { task: 't1', startNs: 2000, endNs: 4000, state: 'hold write' },
    { task: 't2', startNs: 100, endNs: 4000, state: 'sleep' },
  ]);
  assert.equal(countSvgMarks(await renderSvg(tl)), 4);
  const enc = (tl as { encoding: { color: { scale: { domain: string[] } } } }).encoding;
  assert.deepEqual(enc.color.scale.domain, ['hold write', 'hold read', 'spin', 'sleep']);
});

test('compileVegaLite: an invalid spec is a ChartError; a valid one compiles to Vega', () => {
  assert.throws(() => compileVegaLite({ data: { values: [] }, mark: 'nosuchmark', encoding: {} }), (e: Error) => e instanceof ChartError && /^vega-lite could not compile the spec: /.test(e.message));
  const v = compileVegaLite(lineChart([{ a: 1, b: 2 }], { x: 'a', y: 'b' }));
  assert.match(String(v.$schema), /vega\/v5/);
});

test('barChart stack: one bar per category in segments coloured by the stack column; not with series', () => {
  const rows = [
    { point: 'a', part: 'user', pct: 40 }, { point: 'a', part: 'spin', pct: 10 },
    { point: 'b', part: 'user', pct: 30 }, { point: 'b', part: 'spin', pct: 30 },
  ];
  const spec = barChart(rows, { category: 'point', value: 'pct', stack: 'part' }) as { encoding: Record<string, { field?: string }> };
  assert.equal(spec.encoding.color!.field, 'part');
  assert.equal(spec.encoding.yOffset, undefined, 'stacked, not side by side');
  assert.throws(() => barChart(rows, { category: 'point', value: 'pct', stack: 'nope' }), /barChart: .*nope/);
  assert.throws(() => barChart(rows, { category: 'point', value: 'pct', stack: 'part', series: 'part' }), /series and stack exclude each other/);
});
