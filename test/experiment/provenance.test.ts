import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from '../../src/data';

/** Every string in a JSON value, with the key path that holds it. */
function strings(v: unknown, at: string, out: [string, string][]): [string, string][] {
  if (typeof v === 'string') out.push([at, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${at}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, at ? `${at}.${k}` : k, out);
  return out;
}

/** An absolute path of some machine: `/abs…` (a whole value or a word in a text) or `C:\…`. */
const ABSOLUTE = /(^|[\s"'=(])(\/(?:work|tmp|home|root|Users|var|mnt|opt|srv)\/|[A-Za-z]:\\)/;

test('committed provenance files name no absolute path of the machine that wrote them', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f === 'provenance.json') files.push(p);
    }
  };
  walk(dataPath('results'));
  assert.ok(files.length >= 5, `only ${files.length} provenance files under data/results`);
  for (const f of files) {
    const bad = strings(JSON.parse(readFileSync(f, 'utf8')), '', []).filter(([, s]) => ABSOLUTE.test(s));
    assert.deepEqual(bad, [], `${f}: ${bad.map(([k, s]) => `${k} = ${s}`).join('; ')}`);
  }
});

test('the absolute-path check can fail', () => {
  assert.match('/work/repro-full-v3/sweeps/aim7-0dbd', ABSOLUTE);
  assert.match('run it with --out /tmp/x', ABSOLUTE);
  assert.doesNotMatch('sweeps/aim7-0dbd578a01c7b292', ABSOLUTE);
  assert.doesNotMatch('--out results/reproduce-quick', ABSOLUTE);
});
