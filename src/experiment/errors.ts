/**
 * The one error the experiment layer throws for a bad run config or sweep spec. Its message
 * names the field (a path such as `params.threads`, `axes.threads.values[2]`), the offending
 * value and, where there is one, what is allowed:
 *
 *   params.threads: must be an integer from 1 to 4096, got 0
 *   kernel: unknown kernel "3.19"; allowed: 3.18-rc1, ...
 *
 * The CLI turns it into a UsageError (exit 2).
 */
export class ConfigError extends Error {
  constructor(
    /** path of the offending field; '' for the whole document */
    readonly field: string,
    /** what is wrong, without the field name (includes the value) */
    readonly problem: string,
    /** the valid values or range, when there is a finite description of them */
    readonly allowed: string = '',
  ) {
    super(`${field ? `${field}: ` : ''}${problem}${allowed ? `; allowed: ${allowed}` : ''}`);
    this.name = 'ConfigError';
  }

  /** The same error with `prefix` put in front of its field path. */
  under(prefix: string): ConfigError {
    if (!prefix) return this;
    const field = !this.field ? prefix : this.field.startsWith('[') ? `${prefix}${this.field}` : `${prefix}.${this.field}`;
    return new ConfigError(field, this.problem, this.allowed);
  }
}

/** A short, never-throwing rendering of a user-supplied value for error messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return `a ${typeof v}`;
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return `a value of type ${typeof v}`;
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Array.isArray(v) ? 'an array' : 'an object';
  }
}

/** Append a key or index to a field path. */
export function fieldPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const k = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  if (!base) return k;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${base}.${k}` : `${base}[${k}]`;
}
