/**
 * Files a notebook reads: paths relative to the project root (wherever the kernel's
 * working directory is), CSV as an Arquero table, JSON with a clear error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ColumnTable } from 'arquero';

/** The project root: the nearest folder above this module with a package.json named mmlock. */
export function projectRoot(): string {
  let d = __dirname;
  for (;;) {
    const pj = join(d, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'mmlock') return d;
      } catch { /* not ours */ }
    }
    const up = dirname(d);
    if (up === d) throw new Error(`projectRoot: no package.json named mmlock above ${__dirname}`);
    d = up;
  }
}

/** A path below the project root. */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

function need(file: string, how?: string): void {
  if (!existsSync(file)) throw new Error(`${file} does not exist${how ? `; ${how}` : ''}`);
}

/** A CSV file (a header row, numbers parsed) as an Arquero table. `how`: how to make the file, for the error. */
export function readCsvTable(file: string, how?: string): ColumnTable {
  need(file, how);
  const aq = require('arquero') as typeof import('arquero');
  return aq.fromCSV(readFileSync(file, 'utf8'));
}

/** A JSON file, parsed. */
export function readJson<T = unknown>(file: string, how?: string): T {
  need(file, how);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
