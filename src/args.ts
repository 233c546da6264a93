/**
 * Command-line options: parsing with errors that name the flag and list the allowed ones, and
 * the shared --seed and --workers rules. Used by the CLI (src/cli/) and the benchmarks
 * (perf/); it sits below both, so that `mmlock bench` (src/cli/bench.ts → perf/) makes no cycle.
 */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { SEED_RULE, seedProblem } from './engine/seed';

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string | boolean;
  /** may be given more than once (the value is then an array) */
  multiple?: boolean;
  /**
   * the value is text that may start with '-' (e.g. a seed): `--seed -1` is then explained
   * as needing `--seed=-1`, not as a number that must be >= 0
   */
  text?: boolean;
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
    throw new UsageError(`mmlock ${command}: ${parseProblem(e as Error & { code?: string }, argv, options)}`);
  }
}

/**
 * Node's parseArgs error in plain words: the flag, the value, what is allowed. A negative
 * number after a space (`--ms -5`) reads to Node as an option: say the value must be >= 0
 * (or, for a text option such as --seed, how to give a value starting with '-').
 */
function parseProblem(e: Error & { code?: string }, argv: string[], options: Record<string, OptionSpec>): string {
  const allowed = Object.keys(options).map((k) => `--${k}`).join(', ') || '(none)';
  const flag = /Option '(-[^ ']+)/.exec(e.message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '');
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const opt = /option '([^']+)'/i.exec(e.message)?.[1] ?? e.message;
      return `unknown option '${opt}'. Allowed options: ${allowed}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /argument '([^']*)'/.exec(e.message)?.[1] ?? '';
      return `unexpected argument '${arg}': this command takes options only. Allowed options: ${allowed}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (/does not take an argument/.test(e.message)) return `${flag} is a switch and takes no value (give ${flag} alone)`;
      if (/argument missing/.test(e.message)) return `${flag} needs a value: ${flag} <value>`;
      if (/ambiguous/.test(e.message)) {
        const i = argv.indexOf(flag);
        const value = i >= 0 ? argv[i + 1] ?? '' : '';
        if (options[name]?.text) return `${flag} ${value}: a value starting with '-' must be joined to its option with '=': ${flag}=${value}`;
        if (/^-(\d|\.\d)/.test(value)) return `${flag} must be >= 0, got ${value}`;
        return `${flag} needs a value, got the option ${JSON.stringify(value)}; a value starting with '-' is written ${flag}=${value}`;
      }
      break;
    }
  }
  return `${e.message.replace(/\.\s*$/, '').replace(/\n/g, ' ')}. Allowed options: ${allowed}`;
}

/** Parse a positive integer option, or throw a UsageError naming the flag. */
export function intOption(command: string, name: string, raw: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`mmlock ${command}: --${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * A --seed value, checked by the one seed rule (src/engine/seed.ts) for every command:
 * the seed text, or a UsageError naming the flag.
 */
export function seedOption(command: string, raw: unknown): string {
  if (seedProblem(raw) !== null) throw new UsageError(`mmlock ${command}: --seed must be ${SEED_RULE}, got ${JSON.stringify(raw)}`);
  return String(raw);
}

/**
 * `--workers`, one meaning for sweep, reproduce and calibrate: N worker threads; 0 runs
 * every simulation in the main thread, one after another (no worker threads: for debugging,
 * profiling, or a machine where threads are not wanted). Results are the same either way.
 */
export const WORKERS_HELP = `worker threads (default ${availableParallelism()} here, the available parallelism); 0 = no worker threads, every run in the main thread, one after another (same results)`;

/** Parse --workers (0 to 1024; see WORKERS_HELP), default the available parallelism. */
export function workersOption(command: string, raw: unknown): number {
  return raw === undefined ? availableParallelism() : intOption(command, 'workers', raw, 0, 1024);
}

/** "with 2 workers", "with 1 worker", or "in the main thread" for 0. */
export function workersPhrase(n: number): string {
  return n === 0 ? 'in the main thread (--workers 0)' : `with ${n} worker${n === 1 ? '' : 's'}`;
}
