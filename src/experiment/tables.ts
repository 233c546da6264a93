/**
 * Tidy tables and their deterministic files: CSV, JSON (an array of row objects, one per
 * line) and Arrow IPC (file format). The same rows give the same bytes, always: columns in
 * a fixed order, numbers printed by formatNumber, no timestamps.
 *
 * Arrow is written with @uwdata/flechette rather than apache-arrow: arquero 8 (our table
 * API) already depends on it, so it costs no extra install (apache-arrow is ~7 MB more),
 * it loads from CommonJS without require(esm) (it ships a .cjs build), and it lets us give
 * each column an explicit type, so the bytes do not depend on value-based type guessing.
 */
import { bool, float64, tableFromArrays, tableToIPC, utf8, type DataType } from '@uwdata/flechette';
import { canonicalJson, formatNumber, stableJson } from './canonical';

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export interface Table {
  columns: string[];
  rows: Row[];
}

/** Column types: number (float64), boolean, string (utf8; objects as canonical JSON). */
export type ColumnType = 'number' | 'boolean' | 'string';

export function columnTypes(t: Table): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const c of t.columns) {
    let type: ColumnType | null = null;
    for (const r of t.rows) {
      const v = r[c];
      if (v === null || v === undefined) continue;
      const k: ColumnType = typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
      if (type === null) type = k;
      else if (type !== k) { type = 'string'; break; }
    }
    out[c] = type ?? 'string';
  }
  return out;
}

function asString(v: Cell | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

function csvCell(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v) ?? '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v === '' || /[",\r\n]/.test(v) || v.trim() !== v ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 CSV with a header line, `\n` line ends; null = empty cell, "" = quoted empty. */
export function toCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvCell(c)).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** A JSON array of row objects (every column, in order), one row per line. */
export function toJson(t: Table): string {
  if (!t.rows.length) return '[]\n';
  const rows = t.rows.map((r) => {
    const o: Record<string, Cell> = {};
    for (const c of t.columns) o[c] = r[c] ?? null;
    return `  ${stableJson(o)}`;
  });
  return `[\n${rows.join(',\n')}\n]\n`;
}

/** Arrow IPC file bytes, each column typed by columnTypes(). */
export function toArrow(t: Table): Uint8Array {
  const types = columnTypes(t);
  const data: Record<string, unknown[]> = {};
  const dtypes: Record<string, DataType> = {};
  for (const c of t.columns) {
    const ty = types[c]!;
    dtypes[c] = ty === 'number' ? float64() : ty === 'boolean' ? bool() : utf8();
    data[c] = t.rows.map((r) => {
      const v = r[c];
      if (v === null || v === undefined) return null;
      if (ty === 'number') return Number.isFinite(v as number) ? (v === 0 ? 0 : v) : null;
      if (ty === 'boolean') return v;
      return asString(v);
    });
  }
  return tableToIPC(tableFromArrays(data, { types: dtypes }), { format: 'file' }) as Uint8Array;
}

/** A value for a table cell: scalars as they are, anything else as canonical JSON. */
export function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return canonicalJson(v);
}

/** Parse CSV written by toCsv (numbers/booleans come back as strings). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cur += '"'; i++; }
        else quoted = false;
      } else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cur); cur = ''; }
    else if (ch === '\n') { row.push(cur); rows.push(row); row = []; cur = ''; }
    else if (ch !== '\r') cur += ch;
  }
  if (cur !== '' || row.length) { row.push(cur); rows.push(row); }
  return rows;
}
