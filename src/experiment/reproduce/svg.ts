/**
 * A small dependency-free SVG chart writer: lines and/or point markers per series, optional
 * vertical error bars, linear axes with "nice" ticks, axis labels, a title and a legend.
 * The output depends only on the input (coordinates rounded to 0.01 px), so the same data
 * gives the same bytes.
 */

export interface ChartSeries {
  name: string;
  /** [x, y]; a null y leaves a gap */
  points: readonly (readonly [number, number | null])[];
  /** CSS colour; default from a fixed palette by series index */
  color?: string;
  /** draw a line through the points (default true) */
  line?: boolean;
  /** point markers (default 'circle') */
  marker?: 'circle' | 'square' | 'none';
  dashed?: boolean;
  /** half-widths of vertical error bars, one per point (null: none) */
  errors?: readonly (number | null)[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
  /** include y = 0 in the y range (default false) */
  yZero?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** Escape text for XML content and attributes. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const r2 = (x: number) => {
  const v = Math.round(x * 100) / 100;
  return Object.is(v, -0) ? '0' : String(v);
};

function niceNum(x: number, round: boolean): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  const nf = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nf * 10 ** e;
}

/** About `count` round tick values covering [min, max] (1, 2 or 5 × 10^k apart). */
export function niceTicks(min: number, max: number, count = 6): { ticks: number[]; lo: number; hi: number; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [0, 1], lo: 0, hi: 1, step: 1 };
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= d;
    max += d;
  }
  const step = niceNum(niceNum(max - min, false) / Math.max(1, count - 1), true);
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
  return { ticks, lo, hi, step };
}

function tickLabel(v: number, step: number): string {
  const d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const s = v.toFixed(Math.min(d, 6));
  return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** The plot area and the data-to-pixel maps of a chart. */
interface Frame {
  W: number; H: number;
  m: { l: number; r: number; t: number; b: number };
  plotW: number; plotH: number;
  xt: ReturnType<typeof niceTicks>; yt: ReturnType<typeof niceTicks>;
  X: (x: number) => number; Y: (y: number) => number;
}

/** The frame: size, margins and axes' ticks over every finite point (error bars and, with yZero, 0 included). */
function frameOf(spec: ChartSpec): Frame {
  const W = spec.width ?? 720, H = spec.height ?? 440;
  const m = { l: 78, r: 20, t: 40, b: 56 };
  const plotW = W - m.l - m.r, plotH = H - m.t - m.b;
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (const s of spec.series) {
    s.points.forEach(([x, y], i) => {
      if (!Number.isFinite(x)) return;
      xmin = Math.min(xmin, x);
      xmax = Math.max(xmax, x);
      if (y === null || !Number.isFinite(y)) return;
      const e = s.errors?.[i] ?? 0;
      ymin = Math.min(ymin, y - (e ?? 0));
      ymax = Math.max(ymax, y + (e ?? 0));
    });
  }
  if (spec.yZero) {
    ymin = Math.min(ymin, 0);
    ymax = Math.max(ymax, 0);
  }
  const xt = niceTicks(xmin, xmax), yt = niceTicks(ymin, ymax);
  const X = (x: number) => m.l + ((x - xt.lo) / (xt.hi - xt.lo)) * plotW;
  const Y = (y: number) => m.t + plotH - ((y - yt.lo) / (yt.hi - yt.lo)) * plotH;
  return { W, H, m, plotW, plotH, xt, yt, X, Y };
}

/** Title, grid, ticks, the zero line and the axes with their labels. */
function drawAxes(o: string[], spec: ChartSpec, f: Frame): void {
  const { W, H, m, plotW, plotH, xt, yt, X, Y } = f;
  o.push(`<text x="${r2(W / 2)}" y="22" text-anchor="middle" font-size="15">${xmlEscape(spec.title)}</text>`);
  // grid and ticks
  for (const v of yt.ticks) {
    const y = r2(Y(v));
    o.push(`<line x1="${m.l}" y1="${y}" x2="${m.l + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    o.push(`<text x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${xmlEscape(tickLabel(v, yt.step))}</text>`);
  }
  for (const v of xt.ticks) {
    const x = r2(X(v));
    o.push(`<line x1="${x}" y1="${m.t}" x2="${x}" y2="${m.t + plotH}" stroke="#f0f0f0"/>`);
    o.push(`<line x1="${x}" y1="${m.t + plotH}" x2="${x}" y2="${m.t + plotH + 5}" stroke="black"/>`);
    o.push(`<text x="${x}" y="${m.t + plotH + 18}" text-anchor="middle">${xmlEscape(tickLabel(v, xt.step))}</text>`);
  }
  if (yt.lo < 0 && yt.hi > 0) o.push(`<line x1="${m.l}" y1="${r2(Y(0))}" x2="${m.l + plotW}" y2="${r2(Y(0))}" stroke="#999"/>`);
  // axes
  o.push(`<line x1="${m.l}" y1="${m.t + plotH}" x2="${m.l + plotW}" y2="${m.t + plotH}" stroke="black"/>`);
  o.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + plotH}" stroke="black"/>`);
  o.push(`<text x="${r2(m.l + plotW / 2)}" y="${H - 14}" text-anchor="middle">${xmlEscape(spec.xLabel)}</text>`);
  o.push(`<text x="16" y="${r2(m.t + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${r2(m.t + plotH / 2)})">${xmlEscape(spec.yLabel)}</text>`);
}

/** One series: its line (broken at gaps), error bars and markers. */
function drawSeries(o: string[], s: ChartSeries, color: string, f: Frame): void {
  const { X, Y } = f;
  const pts = s.points.map(([x, y], i) => ({ x, y, e: s.errors?.[i] ?? null })).filter((p) => Number.isFinite(p.x));
  o.push(`<g class="series" data-name="${xmlEscape(s.name)}">`);
  if (s.line ?? true) {
    // one polyline per run of points without a gap
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) o.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${run.join(' ')}"/>`);
      run = [];
    };
    for (const p of pts) {
      if (p.y === null || !Number.isFinite(p.y)) flush();
      else run.push(`${r2(X(p.x))},${r2(Y(p.y))}`);
    }
    flush();
  }
  for (const p of pts) {
    if (p.y === null || !Number.isFinite(p.y)) continue;
    const cx = r2(X(p.x)), cy = r2(Y(p.y));
    if (p.e !== null && p.e > 0) {
      const y1 = r2(Y(p.y - p.e)), y2 = r2(Y(p.y + p.e));
      o.push(`<line x1="${cx}" y1="${y1}" x2="${cx}" y2="${y2}" stroke="${color}"/>`);
    }
    const mk = s.marker ?? 'circle';
    if (mk === 'circle') o.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
    else if (mk === 'square') o.push(`<rect x="${r2(X(p.x) - 3.5)}" y="${r2(Y(p.y) - 3.5)}" width="7" height="7" fill="none" stroke="${color}" stroke-width="1.5"/>`);
  }
  o.push('</g>');
}

/** The legend (top right, inside the plot). */
function drawLegend(o: string[], spec: ChartSpec, f: Frame): void {
  if (!spec.series.length) return;
  const legendH = 18 * spec.series.length + 8;
  const lw = 12 + 7 * Math.max(...spec.series.map((s) => s.name.length), 4) + 30;
  const lx = f.m.l + f.plotW - lw - 8, ly = f.m.t + 8;
  o.push(`<g class="legend"><rect x="${r2(lx)}" y="${ly}" width="${r2(lw)}" height="${legendH}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
  spec.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length]!;
    const y = ly + 16 + 18 * si;
    if (s.line ?? true) o.push(`<line x1="${r2(lx + 8)}" y1="${y - 4}" x2="${r2(lx + 30)}" y2="${y - 4}" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    const mk = s.marker ?? 'circle';
    if (mk === 'circle') o.push(`<circle cx="${r2(lx + 19)}" cy="${y - 4}" r="3" fill="${color}"/>`);
    else if (mk === 'square') o.push(`<rect x="${r2(lx + 15.5)}" y="${y - 7.5}" width="7" height="7" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    o.push(`<text x="${r2(lx + 36)}" y="${y}">${xmlEscape(s.name)}</text>`);
  });
  o.push('</g>');
}

/** An SVG document of the chart. */
export function svgChart(spec: ChartSpec): string {
  const f = frameOf(spec);
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${f.W}" height="${f.H}" viewBox="0 0 ${f.W} ${f.H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect x="0" y="0" width="${f.W}" height="${f.H}" fill="white"/>`);
  drawAxes(o, spec, f);
  spec.series.forEach((s, si) => drawSeries(o, s, s.color ?? PALETTE[si % PALETTE.length]!, f));
  drawLegend(o, spec, f);
  o.push('</svg>');
  return `${o.join('\n')}\n`;
}
