import { parseArgs } from 'node:util';

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string | boolean;
  /** may be given more than once (the value is then an array) */
  multiple?: boolean;
}

/**
 * Parse `argv` against `options`; unknown flags or missing values become a UsageError
 * naming the flag and listing the allowed ones.
 */
export function parse(
  command: string,
  argv: string[],
  options: Record<string, OptionSpec>,
  allowPositionals = false,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const cfg: Record<string, { type: 'string' | 'boolean'; default?: string | boolean; multiple?: boolean }> = {};
  for (const [k, v] of Object.entries(options)) cfg[k] = { type: v.type, default: v.default, ...(v.multiple ? { multiple: true } : {}) };
  try {
    const r = parseArgs({ args: argv, options: cfg, allowPositionals, strict: true });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    const allowed = Object.keys(options).map((k) => `--${k}`).join(', ') || '(none)';
    throw new UsageError(`mmlock ${command}: ${(e as Error).message}. Allowed options: ${allowed}`);
  }
}

/** Parse a positive integer option, or throw a UsageError naming the flag. */
export function intOption(command: string, name: string, raw: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`mmlock ${command}: --${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
