/**
 * The one error the kernel-as-data layer throws for bad input (unknown kernel name, unknown
 * patch, patch applied out of order, unknown lock option, ...). The message always starts with
 * the offending field (e.g. `patches[2]`, `locks.i_mmap.options.spin`) and, when the set of
 * valid values is finite, ends with `; allowed: a, b, c`. The CLI turns it into a UsageError.
 */
export class KernelConfigError extends Error {
  constructor(
    /** Path of the offending field, e.g. `kernel`, `patches[1]`, `locks.anon_vma.primitive`. */
    readonly field: string,
    /** What is wrong, without the field name. */
    readonly problem: string,
    /** The valid values, when there is a finite list of them. */
    readonly allowed: readonly string[] = [],
  ) {
    super(`${field}: ${problem}${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}`);
    this.name = 'KernelConfigError';
  }
}

/** A short, never-throwing rendering of a user-supplied value for error messages. */
export function show(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  return `a value of type ${typeof x}`;
}
