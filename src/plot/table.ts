/**
 * Rows for chart data: chart builders accept an Arquero table or an array of row objects,
 * check that the columns they use exist (a clear error naming the field, the option and
 * the columns there are) and embed the rows as JSON-safe values.
 */
import type { ColumnTable } from 'arquero';

/** A row of chart data. */
export type ChartRow = Record<string, unknown>;
/** What chart builders take: an Arquero table or an array of rows. */
export type TableLike = ColumnTable | readonly ChartRow[];

/** A chart builder was given data or options it cannot use. */
export class ChartError extends Error {
  override name = 'ChartError';
}

function isColumnTable(t: unknown): t is ColumnTable {
  return typeof t === 'object' && t !== null && typeof (t as ColumnTable).objects === 'function' && typeof (t as ColumnTable).columnNames === 'function';
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v instanceof Date) return v.toISOString();
  return v;
}

/** The rows of `t` (JSON-safe: BigInt → number, NaN/±Infinity → null) and its column names. */
export function tableRows(builder: string, t: TableLike): { rows: ChartRow[]; columns: string[] } {
  if (isColumnTable(t)) {
    const rows = (t.objects() as ChartRow[]).map((r) => mapRow(r));
    return { rows, columns: t.columnNames() };
  }
  if (!Array.isArray(t)) {
    throw new ChartError(`${builder}: expected an Arquero table or an array of row objects, got ${t === null ? 'null' : typeof t}`);
  }
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of t as readonly ChartRow[]) {
    if (typeof r !== 'object' || r === null) throw new ChartError(`${builder}: every row must be an object, got ${r === null ? 'null' : typeof r}`);
    for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); columns.push(k); }
  }
  return { rows: (t as readonly ChartRow[]).map((r) => mapRow(r)), columns };
}

function mapRow(r: ChartRow): ChartRow {
  const o: ChartRow = {};
  for (const [k, v] of Object.entries(r)) o[k] = jsonSafe(v);
  return o;
}

/**
 * Check that each `option → field` names a column. Throws ChartError:
 * `throughputChart: option y: no column "jpm" in the table; columns: users, kernel, ops_per_s`.
 */
export function requireFields(builder: string, columns: readonly string[], fields: Record<string, string | undefined>, what = 'the table'): void {
  for (const [option, field] of Object.entries(fields)) {
    if (field === undefined) continue;
    if (typeof field !== 'string' || field === '') throw new ChartError(`${builder}: option ${option} must be a column name, got ${JSON.stringify(field)}`);
    if (!columns.includes(field)) {
      throw new ChartError(`${builder}: option ${option}: no column ${JSON.stringify(field)} in ${what}; columns: ${columns.length ? columns.join(', ') : '(none: the table is empty)'}`);
    }
  }
}

/** Check that `value` is one of `allowed` (for enumerated options). */
export function requireOneOf<T extends string>(builder: string, option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ChartError(`${builder}: option ${option} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}
