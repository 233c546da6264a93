import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The package root (where package.json and data/ live: the nearest folder above this module with a package.json named mmlock), for data, notebooks and benchmarks. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && isOurs(pj)) return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`mmlock: cannot find the package root above ${__dirname}`);
    dir = up;
  }
}

/** whether package.json `pj` is mmlock's (an unreadable or non-JSON one is not) */
function isOurs(pj: string): boolean {
  try {
    return (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'mmlock';
  } catch {
    return false;
  }
}

/** Path of a file under data/. */
export function dataPath(...parts: string[]): string {
  return join(packageRoot(), 'data', ...parts);
}
