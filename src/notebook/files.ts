/**
 * Files a notebook reads: paths relative to the project root (wherever the kernel's
 * working directory is), CSV as an Arquero table, JSON with a clear error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../data';
import type { ColumnTable } from 'arquero';

/** A path below the project root. */
export function projectPath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
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
