/**
 * Deterministic serialization: results must be byte-identical whatever the number of
 * workers or shards, so every file goes through these functions.
 *
 * - Numbers print as JavaScript's shortest round-trip form (`String(x)`, the same as
 *   JSON.stringify), `-0` as `0`; NaN and ±Infinity become null.
 * - Canonical JSON (for hashes) sorts object keys; table rows keep their column order.
 */
import { createHash } from 'node:crypto';

/** A number as printed in every result file; null for NaN/±Infinity. */
export function formatNumber(x: number): string | null {
  if (!Number.isFinite(x)) return null;
  return Object.is(x, -0) ? '0' : String(x);
}

/** JSON with object keys sorted at every level; undefined members are dropped. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return formatNumber(v) ?? 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot serialize a ${typeof v}`);
}

/** JSON keeping the objects' own key order, numbers as formatNumber prints them. */
export function stableJson(v: unknown): string {
  if (v === null || v === undefined || typeof v === 'boolean') return String(v ?? null);
  if (typeof v === 'number') return formatNumber(v) ?? 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => stableJson(x)).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  throw new TypeError(`stableJson: cannot serialize a ${typeof v}`);
}

/** Hex SHA-256 of a string, cut to `length` hex digits. */
export function sha256(s: string, length = 64): string {
  return createHash('sha256').update(s).digest('hex').slice(0, length);
}
