import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The package root (where package.json and data/ live), found from this file upward. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'mmlock') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`mmlock: cannot find the package root above ${__dirname}`);
    dir = up;
  }
}

/** Path of a file under data/. */
export function dataPath(...parts: string[]): string {
  return join(packageRoot(), 'data', ...parts);
}
