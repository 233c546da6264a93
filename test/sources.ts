import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The checkout (this file compiles to build/test-js/test/sources.js). */
export const ROOT = join(__dirname, '..', '..', '..');

/** Every .ts file under `dir`, sorted, recursively. */
export function tsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}
