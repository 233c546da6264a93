/**
 * The seed rule, the one place every entry point checks a seed: run configs, sweep specs,
 * reproduce presets, the notebook helpers and every command's --seed (mmlock run, scenario,
 * reproduce, bench).
 *
 * A run's named streams (random.ts) seed seedrandom's alea with the text
 * `${seed}\0${name}`: any text works and an integer n gives the same streams as its digits,
 * so a seed is text. Sweeps derive each run's seed as 16 hex digits (spec.ts runSeed), which
 * may be all digits with leading zeros ("0123…"), and a user must be able to pass such a
 * seed from runs.csv to `mmlock run --seed`: the rule cannot ask text that looks like a
 * number to be a canonical integer. So a seed is
 *   - text of 1 to 200 characters, not blank (the length bounds keep journals and file
 *     names sane; a blank seed is a typing slip), or
 *   - an integer from 0 to 2^53 - 1 in JSON or the API (the same seed as its digits).
 * On the command line every value is text: `--seed 1.5` is the seed "1.5", `--seed=-1` the
 * seed "-1" (a value starting with '-' goes after '=', see src/args.ts).
 */
export const SEED_RULE = 'text of 1 to 200 characters, not blank, or an integer from 0 to 9007199254740991 (the same seed as its digits)';

/** What is wrong with `raw` as a seed, or null when it is one. */
export function seedProblem(raw: unknown): string | null {
  if (typeof raw === 'string') {
    if (raw.length === 0 || raw.length > 200) return `has ${raw.length} characters`;
    if (!/\S/.test(raw)) return 'is blank';
    return null;
  }
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? null : 'is not an integer >= 0';
  return `is a ${raw === null ? 'null' : typeof raw}`;
}

/** A seed as the text the streams use (String(n) for an integer); throws RangeError on a bad seed. */
export function seedText(raw: unknown, field = 'seed'): string {
  const p = seedProblem(raw);
  if (p !== null) throw new RangeError(`${field} must be ${SEED_RULE}, got ${JSON.stringify(raw)}`);
  return String(raw);
}
