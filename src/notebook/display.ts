/**
 * Rich output in a notebook: `show(table)` and `plot(spec)`.
 *
 * A chart goes out as ONE MIME bundle: `application/vnd.vegalite.v5+json` (the spec as an
 * object, so JupyterLab renders it interactively), `image/svg+xml` (rendered headlessly,
 * so nbconvert's HTML and GitHub show it) and `text/plain`. A table goes out as
 * `text/html` plus `text/plain`.
 *
 * tslab's public `display` sends one MIME type per call. Its kernel module
 * (`tslab/dist/jupyter`) keeps the current cell's writer in `lastWriteDisplayData`, which
 * takes a whole bundle: that is what we call. If tslab's internals change (no such
 * export), we fall back to the public API with the single best type (SVG for a chart,
 * HTML for a table); outside a kernel (plain Node), the text/plain part goes to stdout.
 */
import { randomBytes } from 'node:crypto';
import { renderSvg, type VegaLiteSpec } from '../plot';
import { tableRows, type TableLike } from '../plot/table';

/** A Jupyter MIME bundle: MIME type → content. */
export type MimeBundle = Record<string, unknown>;

/** Where bundles go. `update` replaces the output with the same displayId. */
export interface DisplaySink {
  readonly kind: 'tslab-bundle' | 'tslab-public' | 'console' | 'custom';
  publish(bundle: MimeBundle, opts?: { displayId?: string; update?: boolean }): void;
}

/** MIME types in order of preference when only one can be sent. */
const SINGLE_PREFERENCE = ['image/svg+xml', 'text/html', 'text/markdown', 'text/plain'];

type Loader = (id: string) => unknown;

interface TslabKernelModule { lastWriteDisplayData?: ((data: unknown, update: boolean) => void) | null }
interface TslabDisplay { raw(contentType: string, b: string): unknown }
interface TslabPublic { display?: TslabDisplay; newDisplay?: () => TslabDisplay }

function tryLoad(load: Loader, id: string): unknown {
  try {
    return load(id);
  } catch {
    return undefined;
  }
}

/** Text to stdout: what a bundle looks like outside a kernel. */
export const consoleSink: DisplaySink = {
  kind: 'console',
  publish(bundle) {
    const t = bundle['text/plain'];
    if (typeof t === 'string') process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
  },
};

/**
 * The sink for this process: tslab's bundle writer when running in a tslab kernel cell,
 * tslab's public API if its internals changed, else the console. `load` is `require`
 * (replaceable in tests).
 */
export function detectSink(load: Loader = require): DisplaySink {
  const kernel = tryLoad(load, 'tslab/dist/jupyter') as TslabKernelModule | undefined;
  if (kernel && 'lastWriteDisplayData' in kernel) {
    return {
      kind: 'tslab-bundle',
      publish(bundle, opts = {}) {
        const write = kernel.lastWriteDisplayData;
        // null: tslab is installed but this is not a kernel cell (plain Node)
        if (typeof write !== 'function') return consoleSink.publish(bundle, opts);
        write({ data: bundle, metadata: {}, transient: opts.displayId ? { display_id: opts.displayId } : {} }, Boolean(opts.update));
      },
    };
  }
  const pub = tryLoad(load, 'tslab') as TslabPublic | undefined;
  if (pub && pub.display && typeof pub.display.raw === 'function') {
    const displays = new Map<string, TslabDisplay>();
    return {
      kind: 'tslab-public',
      publish(bundle, opts = {}) {
        const type = SINGLE_PREFERENCE.find((t) => typeof bundle[t] === 'string');
        if (!type) return;
        let d = pub.display!;
        if (opts.displayId && typeof pub.newDisplay === 'function') {
          if (!displays.has(opts.displayId)) displays.set(opts.displayId, pub.newDisplay());
          d = displays.get(opts.displayId)!;
        }
        try {
          d.raw(type, bundle[type] as string);
        } catch {
          consoleSink.publish(bundle, opts); // "Not ready": not in a kernel cell
        }
      },
    };
  }
  return consoleSink;
}

let sink: DisplaySink | null = null;

/** The sink in use (detected on first use). */
export function displaySink(): DisplaySink {
  return (sink ??= detectSink());
}

/** Use `s` for every later show/plot/progress (null: detect again). Returns the previous one. */
export function setDisplaySink(s: DisplaySink | null): DisplaySink | null {
  const prev = sink;
  sink = s;
  return prev;
}

/** A fresh display id (for outputs updated in place). */
export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}

/** Send a bundle to the current sink. */
export function display(bundle: MimeBundle, opts?: { displayId?: string; update?: boolean }): void {
  displaySink().publish(bundle, opts);
}

// ---- tables --------------------------------------------------------------------------

export interface ShowOptions {
  /** rows shown (default 20) */
  limit?: number;
  /** a caption above the table */
  caption?: string;
  /** columns, in order (default: all) */
  columns?: string[];
  /**
   * column headings: true (default) puts a field name in words with its unit (columnLabel:
   * `scanPeriodMs` → "scan period (ms)", `spinNs` → "spin (ms)" with the values in ms); an
   * object names some columns itself (the rest as with true); false shows the raw names
   */
  labels?: boolean | Record<string, string>;
}

/** Field names with a wording of their own (the rest: columnLabel's rules). */
const KNOWN_LABELS: Readonly<Record<string, string>> = {
  mops_per_s: 'M ops / s',
  acqRead: 'acquisitions (read)', acqWrite: 'acquisitions (write)',
  contRead: 'contentions (read)', contWrite: 'contentions (write)',
  jpm: 'jobs / min',
};

/** A time unit: its label and how many ns one of it is. */
const NS_UNITS = [['s', 1e9], ['ms', 1e6], ['µs', 1e3], ['ns', 1]] as const;

/**
 * A field name as a column heading, in words with its unit, and the factor its values are
 * multiplied by: camelCase and snake_case split into words; a unit suffix becomes the unit
 * in brackets (`Ms`/`_ms` ms, `Us`/`_us` µs, `_s` s, `Pct`/`_pct` %); durations in ns
 * (`Ns`/`_ns`) are shown in the largest of s, ms, µs, ns that keeps the column's largest
 * value at 1 or more (`maxAbs`). A name that is not an identifier (a kernel name, '1-3') stays.
 */
export function columnLabel(name: string, maxAbs = 0): { label: string; scale: number } {
  if (KNOWN_LABELS[name]) return { label: KNOWN_LABELS[name]!, scale: 1 };
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return { label: name, scale: 1 };
  const m = /^(.*?)(?:_?(ns|Ns)|_(ms)|(Ms)|_(us)|(Us)|_(s)|_?(pct|Pct))$/.exec(name);
  let stem = name, unit = '', scale = 1;
  if (m && m[1]) {
    stem = m[1];
    const u = (m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? m[7] ?? m[8])!.toLowerCase();
    if (u === 'ns') {
      const [label, ns] = NS_UNITS.find(([, f]) => maxAbs >= f) ?? NS_UNITS[NS_UNITS.length - 1]!;
      unit = label;
      scale = 1 / ns;
    } else unit = u === 'us' ? 'µs' : u === 'pct' ? '%' : u;
  }
  const words = stem.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/\s+/g, ' ').trim()
    .split(' ').map((w) => (/^[A-Z][a-z]/.test(w) ? w.toLowerCase() : w)).join(' ');
  return { label: unit ? `${words} (${unit})` : words, scale };
}

/** A number as a table shows it: integers exact, others to about 4 significant digits. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a >= 1000) return v.toFixed(0);
    if (a >= 100) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return Number(v.toPrecision(3)).toString();
  }
  return String(v);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The bundle `show` sends: text/html (a styled table) and text/plain (aligned columns). */
export function tableBundle(table: TableLike, o: ShowOptions = {}): MimeBundle {
  const { rows, columns: all } = tableRows('show', table);
  const columns = o.columns ?? all;
  for (const c of columns) {
    if (!all.includes(c)) throw new Error(`show: option columns: no column ${JSON.stringify(c)} in the table; columns: ${all.join(', ')}`);
  }
  const limit = o.limit ?? 20;
  const shown = rows.slice(0, limit);
  const numeric = columns.map((c) => shown.length > 0 && shown.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number' || typeof r[c] === 'bigint'));
  const more = rows.length > shown.length ? `${rows.length - shown.length} more rows; ` : '';
  const footer = `${more}${rows.length} rows × ${columns.length} columns`;
  const labels = o.labels ?? true;
  const heads = columns.map((c, i) => {
    if (labels === false) return { label: c, scale: 1 };
    if (typeof labels === 'object' && labels[c] !== undefined) return { label: labels[c]!, scale: 1 };
    const maxAbs = numeric[i] ? Math.max(0, ...shown.map((r) => Math.abs(Number(r[c] ?? 0)))) : 0;
    const h = columnLabel(c, maxAbs);
    return numeric[i] || h.scale === 1 ? h : { label: c, scale: 1 };
  });
  const value = (v: unknown, i: number) => (heads[i]!.scale !== 1 && typeof v === 'number' ? v * heads[i]!.scale : v);

  const cells = shown.map((r) => columns.map((c, i) => formatCell(value(r[c], i))));
  const widths = columns.map((_, i) => Math.max(heads[i]!.label.length, ...cells.map((row) => row[i]!.length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const text = [
    ...(o.caption ? [o.caption] : []),
    heads.map((h, i) => pad(h.label, i)).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((row) => row.map((s, i) => pad(s, i)).join('  ')),
    footer,
  ].join('\n');

  const align = (i: number) => (numeric[i] ? 'right' : 'left');
  const html = [
    '<div class="mmlock-table">',
    ...(o.caption ? [`<p><b>${escapeHtml(o.caption)}</b></p>`] : []),
    '<table>',
    `<thead><tr>${heads.map((h, i) => `<th style="text-align:${align(i)}">${escapeHtml(h.label)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...cells.map((row) => `<tr>${row.map((s, i) => `<td style="text-align:${align(i)}">${escapeHtml(s)}</td>`).join('')}</tr>`),
    '</tbody></table>',
    `<p style="color:#666;font-size:smaller">${escapeHtml(footer)}</p>`,
    '</div>',
  ].join('\n');
  return { 'text/html': html, 'text/plain': text };
}

/** Display a table (Arquero or rows) as HTML plus text. */
export function show(table: TableLike, o: ShowOptions = {}): void {
  display(tableBundle(table, o));
}

// ---- charts --------------------------------------------------------------------------

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** The bundle `plot` sends: the Vega-Lite spec (object), its SVG, and a text line. */
export async function chartBundle(spec: VegaLiteSpec): Promise<MimeBundle> {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new Error(`plot: expected a Vega-Lite spec object, got ${Array.isArray(spec) ? 'an array' : typeof spec}`);
  const svg = await renderSvg(spec);
  const data = spec.data as { values?: unknown[] } | undefined;
  const title = typeof spec.title === 'string' ? spec.title : 'chart';
  const n = data && Array.isArray(data.values) ? `, ${data.values.length} rows` : '';
  return {
    [VEGA_LITE_MIME]: JSON.parse(JSON.stringify(spec)) as unknown,
    'image/svg+xml': svg,
    'text/plain': `<Vega-Lite chart: ${title}${n}>`,
  };
}

/** Display a Vega-Lite spec (interactive in JupyterLab, SVG elsewhere). */
export async function plot(spec: VegaLiteSpec): Promise<void> {
  display(await chartBundle(spec));
}
