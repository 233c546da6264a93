/**
 * Parameter tables with defaults (scheduler, mm costs, NUMA, compaction): the defaults
 * with a caller's overrides on top, every key checked against the defaults' keys, and each
 * value handed to the table's own check. One place for the merge and the unknown-key error.
 */
export function withOverrides<T extends object>(
  defaults: Readonly<T>,
  overrides: Partial<T> | undefined,
  where: string,
  noun: string,
  check: (key: keyof T & string, value: unknown) => string | undefined,
): T {
  const out = { ...defaults, ...(overrides ?? {}) } as T;
  for (const [k, v] of Object.entries(out)) {
    if (!(k in defaults)) throw new Error(`${where}.${k}: unknown ${noun}; allowed: ${Object.keys(defaults).join(', ')}`);
    const problem = check(k as keyof T & string, v);
    if (problem) throw new Error(`${where}.${k}: ${problem}, got ${JSON.stringify(v)}`);
  }
  return out;
}
