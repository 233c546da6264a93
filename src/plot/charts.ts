/**
 * Chart builders: each takes a result table (Arquero or rows) and returns a Vega-Lite v5
 * spec (a plain object, data embedded) — nothing is rendered here. `plot()` in
 * src/notebook displays a spec; `renderSvg()` (render.ts) draws one headlessly.
 *
 * Every builder checks the columns it uses first and throws a ChartError naming the
 * option, the missing field and the columns the table has.
 */
import { ChartError, requireFields, requireOneOf, tableRows, type ChartRow, type TableLike } from './table';

/** A Vega-Lite v5 spec (JSON). */
export type VegaLiteSpec = Record<string, unknown>;

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Options every builder takes. */
export interface ChartOptions {
  title?: string;
  /** plot width and height in px (per facet) */
  width?: number;
  height?: number;
}

function base(o: ChartOptions, rows: ChartRow[]): VegaLiteSpec {
  // legend labels in full (Vega-Lite cuts them at 160 px with "…": "3.18-rc1-i_mmap_rw…"); 0 is no limit
  const s: VegaLiteSpec = { $schema: VEGA_LITE_SCHEMA, data: { values: rows }, config: { legend: { labelLimit: 0 } } };
  if (o.title) s.title = o.title;
  return s;
}

function size(o: ChartOptions, w = 420, h = 260) {
  return { width: o.width ?? w, height: o.height ?? h };
}

/** Wrap a layered/unit spec into a facet over `facet` (columns) when given. */
function faceted(spec: VegaLiteSpec, inner: VegaLiteSpec, facet: string | undefined, facetTitle?: string, independent: 'x' | 'y' | null = 'y', direction: 'column' | 'row' = 'column'): VegaLiteSpec {
  if (!facet) return { ...spec, ...inner };
  return {
    ...spec, facet: { [direction]: { field: facet, type: 'nominal', title: facetTitle ?? facet } }, spec: inner,
    ...(independent ? { resolve: { scale: { [independent]: 'independent' } } } : {}),
  };
}

export interface LineChartOptions extends ChartOptions {
  x: string;
  y: string;
  /** one line per value of this column */
  series?: string;
  /** one panel per value of this column */
  facet?: string;
  /** half-width of an error bar around y (e.g. a 95% CI column) */
  error?: string;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** x is a category, not a number */
  xNominal?: boolean;
}

/** Lines with points: y against x, one line per series, optional error bars and panels. */
export function lineChart(table: TableLike, o: LineChartOptions): VegaLiteSpec {
  const { rows, columns } = tableRows('lineChart', table);
  requireFields('lineChart', columns, { x: o.x, y: o.y, series: o.series, facet: o.facet, error: o.error });
  return faceted(base(o, rows), lineLayers(o, o.error), o.facet);
}

function lineLayers(o: LineChartOptions, error: string | undefined, filter?: string): VegaLiteSpec {
  const x = { field: o.x, type: o.xNominal ? 'ordinal' : 'quantitative', title: o.xTitle ?? o.x, ...(o.logX ? { scale: { type: 'log' } } : {}) };
  const y = { field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, ...(o.logY ? { scale: { type: 'log' } } : { scale: { zero: false } }) };
  const color = o.series ? { field: o.series, type: 'nominal', title: o.seriesTitle ?? o.series } : undefined;
  const enc = { x, y, ...(color ? { color } : {}), tooltip: [o.x, o.y, ...(o.series ? [o.series] : []), ...(o.facet ? [o.facet] : []), ...(error ? [error] : [])].map((f) => ({ field: f })) };
  const layers: VegaLiteSpec[] = [
    { mark: { type: 'line', point: true }, encoding: enc },
  ];
  if (error) {
    layers.push({
      transform: [{ calculate: `datum['${o.y}'] - datum['${error}']`, as: '__lo' }, { calculate: `datum['${o.y}'] + datum['${error}']`, as: '__hi' }],
      mark: { type: 'errorbar', ticks: true },
      encoding: { x, y: { field: '__lo', type: 'quantitative', title: o.yTitle ?? o.y }, y2: { field: '__hi' }, ...(color ? { color } : {}) },
    });
  }
  const inner: VegaLiteSpec = { ...size(o), layer: layers };
  if (filter) inner.transform = [{ filter }];
  return inner;
}

export interface ThroughputChartOptions extends ChartOptions {
  /** load axis (default users) */
  x?: string;
  /** throughput column (default jpm) */
  y?: string;
  /** kernel column (default kernel) */
  series?: string;
  /** panel column, e.g. workload */
  facet?: string;
  /** CI half-width column (optional) */
  ci?: string;
  /** the paper's points: same x, series, facet and y columns, drawn as hollow diamonds */
  paper?: TableLike;
  yTitle?: string;
  xTitle?: string;
}

/**
 * Throughput against load, one line per kernel, with optional CI bars and the paper's
 * points (hollow diamonds, same colours) on top.
 */
export function throughputChart(table: TableLike, o: ThroughputChartOptions = {}): VegaLiteSpec {
  const b = 'throughputChart';
  const x = o.x ?? 'users', y = o.y ?? 'jpm', series = o.series ?? 'kernel';
  const { rows, columns } = tableRows(b, table);
  requireFields(b, columns, { x, y, series, facet: o.facet, ci: o.ci });
  const data = rows.map((r) => ({ ...r, source: 'simulation' }));
  if (o.paper) {
    const p = tableRows(b, o.paper);
    requireFields(b, p.columns, { x, y, series, facet: o.facet }, 'the paper table');
    for (const r of p.rows) data.push({ ...r, source: 'paper' });
  }
  const xe = { field: x, type: 'quantitative', title: o.xTitle ?? x };
  const ye = { field: y, type: 'quantitative', title: o.yTitle ?? y, scale: { zero: false } };
  const color = { field: series, type: 'nominal', title: series };
  const layers: VegaLiteSpec[] = [{
    transform: [{ filter: "datum.source === 'simulation'" }],
    mark: { type: 'line', point: true },
    encoding: { x: xe, y: ye, color, tooltip: [x, y, series, ...(o.ci ? [o.ci] : [])].map((f) => ({ field: f })) },
  }];
  if (o.ci) {
    layers.push({
      transform: [{ filter: "datum.source === 'simulation'" }, { calculate: `datum['${y}'] - datum['${o.ci}']`, as: '__lo' }, { calculate: `datum['${y}'] + datum['${o.ci}']`, as: '__hi' }],
      mark: { type: 'errorbar', ticks: true },
      encoding: { x: xe, y: { field: '__lo', type: 'quantitative', title: o.yTitle ?? y }, y2: { field: '__hi' }, color },
    });
  }
  if (o.paper) {
    layers.push({
      transform: [{ filter: "datum.source === 'paper'" }],
      mark: { type: 'point', shape: 'diamond', filled: false, size: 70, strokeWidth: 1.5 },
      encoding: { x: xe, y: ye, color, tooltip: [{ field: x }, { field: y }, { field: series }, { field: 'source' }] },
    });
  }
  return faceted(base(o, data), { ...size(o), layer: layers }, o.facet);
}

export interface PctChangeChartOptions extends ChartOptions {
  x?: string;
  /** % change column (default pct_change) */
  y?: string;
  /** e.g. simulation vs paper */
  series?: string;
  facet?: string;
  xTitle?: string;
}

/** % change against load, with a rule at 0. */
export function pctChangeChart(table: TableLike, o: PctChangeChartOptions = {}): VegaLiteSpec {
  const b = 'pctChangeChart';
  const x = o.x ?? 'users', y = o.y ?? 'pct_change';
  const { rows, columns } = tableRows(b, table);
  requireFields(b, columns, { x, y, series: o.series, facet: o.facet });
  const enc: VegaLiteSpec = {
    x: { field: x, type: 'quantitative', title: o.xTitle ?? x },
    y: { field: y, type: 'quantitative', title: '% change' },
    tooltip: [x, y, ...(o.series ? [o.series] : [])].map((f) => ({ field: f })),
    ...(o.series ? { color: { field: o.series, type: 'nominal', title: o.series } } : {}),
  };
  const inner: VegaLiteSpec = {
    ...size(o),
    layer: [
      { mark: { type: 'rule', color: '#888' }, encoding: { y: { datum: 0, type: 'quantitative' } } },
      { mark: { type: 'line', point: true }, encoding: enc },
    ],
  };
  return faceted(base(o, rows), inner, o.facet);
}

export interface BarChartOptions extends ChartOptions {
  /** category column (drawn on the y axis, one bar per value) */
  category: string;
  /** value column */
  value: string;
  /** bars side by side per value of this column */
  series?: string;
  /** one bar per category, in stacked segments per value of this column (e.g. where the time went); not with `series` */
  stack?: string;
  facet?: string;
  valueTitle?: string;
  categoryTitle?: string;
  logValue?: boolean;
  /** sort categories as given (default) or by value */
  sort?: 'data' | 'value';
}

/** Horizontal bars, grouped by series. */
export function barChart(table: TableLike, o: BarChartOptions): VegaLiteSpec {
  const b = 'barChart';
  const { rows, columns } = tableRows(b, table);
  requireFields(b, columns, { category: o.category, value: o.value, series: o.series, stack: o.stack, facet: o.facet });
  if (o.sort !== undefined) requireOneOf(b, 'sort', o.sort, ['data', 'value'] as const);
  if (o.series && o.stack) throw new ChartError(`${b}: options series and stack exclude each other (side-by-side or stacked bars); got series ${JSON.stringify(o.series)} and stack ${JSON.stringify(o.stack)}`);
  return faceted(base(o, rows), barInner(o), o.facet, undefined, 'x');
}

function barInner(o: BarChartOptions): VegaLiteSpec {
  return {
    width: o.width ?? 360,
    ...(o.height ? { height: o.height } : {}),
    mark: 'bar',
    encoding: {
      y: { field: o.category, type: 'nominal', title: o.categoryTitle ?? o.category, sort: o.sort === 'value' ? '-x' : null },
      x: { field: o.value, type: 'quantitative', title: o.valueTitle ?? o.value, ...(o.logValue ? { scale: { type: 'symlog' } } : {}) },
      ...(o.series ? { color: { field: o.series, type: 'nominal', title: o.series }, yOffset: { field: o.series, type: 'nominal' } } : {}),
      ...(o.stack ? { color: { field: o.stack, type: 'nominal', title: o.stack, sort: null } } : {}),
      tooltip: [o.category, o.value, ...(o.series ? [o.series] : []), ...(o.stack ? [o.stack] : [])].map((f) => ({ field: f })),
    },
  };
}

export const LOCK_METRICS = ['wait', 'hold', 'both'] as const;
export type LockMetric = (typeof LOCK_METRICS)[number];

export interface LockSitesChartOptions extends ChartOptions {
  /** wait, hold or both (two panels); default both */
  metric?: LockMetric;
  /** call-site column (default site) */
  site?: string;
  /** e.g. kernel (default: none) */
  series?: string;
  /** mean wait column (default waitMeanNs) */
  wait?: string;
  /** mean hold column (default holdMeanNs) */
  hold?: string;
}

/**
 * Mean lock wait and/or hold time per call site (a lockstat table: `mmlock run --json`'s
 * lockstat, a sweep's lockstat table), bars grouped by series (e.g. kernel). Times in µs.
 */
export function lockSitesChart(table: TableLike, o: LockSitesChartOptions = {}): VegaLiteSpec {
  const b = 'lockSitesChart';
  const metric = requireOneOf(b, 'metric', o.metric ?? 'both', LOCK_METRICS);
  const site = o.site ?? 'site', wait = o.wait ?? 'waitMeanNs', hold = o.hold ?? 'holdMeanNs';
  const { rows, columns } = tableRows(b, table);
  requireFields(b, columns, { site, series: o.series, ...(metric !== 'hold' ? { wait } : {}), ...(metric !== 'wait' ? { hold } : {}) });
  const long: ChartRow[] = [];
  for (const r of rows) {
    if (metric !== 'hold') long.push({ [site]: r[site], ...(o.series ? { [o.series]: r[o.series] } : {}), what: 'mean wait', us: num(r[wait]) / 1000 });
    if (metric !== 'wait') long.push({ [site]: r[site], ...(o.series ? { [o.series]: r[o.series] } : {}), what: 'mean hold', us: num(r[hold]) / 1000 });
  }
  const inner = barInner({ category: site, value: 'us', series: o.series, valueTitle: 'µs', categoryTitle: 'call site', width: o.width ?? 300, height: o.height });
  return faceted(base(o, long), inner, metric === 'both' ? 'what' : undefined, ' ', 'x');
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Lock states in a timeline, in legend order. */
export const TIMELINE_STATES = ['hold write', 'hold read', 'spin', 'sleep'] as const;
const TIMELINE_COLORS = ['#d62728', '#2ca02c', '#ff7f0e', '#1f77b4'];

export interface LockTimelineChartOptions extends ChartOptions {
  /** task column (default task) */
  task?: string;
  /** interval start and end columns, ns (default startNs, endNs) */
  start?: string;
  end?: string;
  /** state column: hold write, hold read, spin or sleep (default state) */
  state?: string;
  /** one panel per value of this column, stacked (e.g. the lock design); same time axis */
  facet?: string;
}

/**
 * Who held, spun and slept on a lock over time: one row per task, a bar per interval,
 * coloured by state. Times are shown in µs.
 */
export function lockTimelineChart(table: TableLike, o: LockTimelineChartOptions = {}): VegaLiteSpec {
  const b = 'lockTimelineChart';
  const task = o.task ?? 'task', start = o.start ?? 'startNs', end = o.end ?? 'endNs', state = o.state ?? 'state';
  const { rows, columns } = tableRows(b, table);
  requireFields(b, columns, { task, start, end, state, facet: o.facet });
  for (const r of rows) {
    if (!(TIMELINE_STATES as readonly string[]).includes(String(r[state]))) {
      throw new ChartError(`${b}: column ${state}: state must be one of ${TIMELINE_STATES.join(', ')}, got ${JSON.stringify(r[state])}`);
    }
  }
  const data = rows.map((r) => ({ ...r, __t0: num(r[start]) / 1000, __t1: num(r[end]) / 1000 }));
  const inner: VegaLiteSpec = {
    width: o.width ?? 560,
    ...(o.height ? { height: o.height } : {}),
    mark: { type: 'bar', height: { band: 0.8 } },
    encoding: {
      y: { field: task, type: 'nominal', title: 'task', sort: null },
      x: { field: '__t0', type: 'quantitative', title: 'time (µs)' },
      x2: { field: '__t1' },
      color: { field: state, type: 'nominal', title: 'state', scale: { domain: [...TIMELINE_STATES], range: TIMELINE_COLORS } },
      tooltip: [{ field: task }, { field: state }, { field: '__t0', title: 'from µs', format: '.2f' }, { field: '__t1', title: 'to µs', format: '.2f' }],
    },
  };
  return faceted(base(o, data), inner, o.facet, undefined, null, 'row');
}
