/**
 * The layering of docs/model.md ("Layers": each layer depends only on the layers above it)
 * is the code's: every top-level folder or file of src/ (and perf/) has a row in that table,
 * and no relative import in src/ or perf/ reaches a layer listed below the importer's.
 * src/index.ts, the package's entry, may import anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ROOT, tsFiles } from '../sources';

/** the layers in the order of docs/model.md's table: `src/engine/` → engine, `src/data.ts` → data.ts, `perf/` → perf */
function documentedOrder(): string[] {
  const md = readFileSync(join(ROOT, 'docs', 'model.md'), 'utf8');
  const section = md.slice(md.indexOf('## Layers'), md.indexOf('\n## ', md.indexOf('## Layers') + 1));
  const out: string[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cell = line.split('|')[1]!;
    for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
      const m = /^src\/([^/]+)\/?/.exec(name!) ?? /^(perf)\/$/.exec(name!);
      if (m && !out.includes(m[1]!)) out.push(m[1]!);
    }
  }
  return out;
}

/** the layer of a path of the checkout (without extension for an import target) */
function layerOf(rel: string): string | null {
  const parts = rel.split(sep);
  if (parts[0] === 'perf') return 'perf';
  if (parts[0] !== 'src' || parts.length < 2) return null;
  if (parts.length === 2) return parts[1]!.endsWith('.ts') ? parts[1]! : `${parts[1]}.ts`;
  return parts[1]!;
}

test('docs/model.md\'s layer table names every top-level folder and file of src/', () => {
  const order = documentedOrder();
  const actual = readdirSync(join(ROOT, 'src')).filter((n) => n !== 'index.ts').sort();
  assert.deepEqual(actual.filter((n) => !order.includes(n)), [], `layers in the table: ${order.join(', ')}`);
});

test('no import in src/ or perf/ reaches a layer listed below the importer\'s in docs/model.md', () => {
  const order = documentedOrder();
  assert.ok(order.indexOf('engine') < order.indexOf('mm') && order.indexOf('mm') < order.indexOf('fs') && order.indexOf('fs') < order.indexOf('workloads'), order.join(', '));
  const bad: string[] = [];
  for (const f of [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'perf'))]) {
    const rel = relative(ROOT, f);
    if (rel === join('src', 'index.ts')) continue;
    const from = layerOf(rel)!;
    for (const [, spec] of readFileSync(f, 'utf8').matchAll(/(?:from|require\()\s*'(\.{1,2}\/[^']*)'/g)) {
      const target = join(dirname(f), spec!);
      const to = layerOf(relative(ROOT, existsSync(target) && statSync(target).isDirectory() ? join(target, 'index.ts') : target));
      if (to === null || to === from) continue;
      if (!order.includes(to) || order.indexOf(to) > order.indexOf(from)) bad.push(`${rel} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(bad, []);
});
