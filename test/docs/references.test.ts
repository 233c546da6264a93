/**
 * The repository holds its own sources: every `docs/reference/<file>` cited in src/, data/, test/,
 * scripts/, perf/, notebooks/, docs/ or the README must exist, and so must the section (§N, §N.M,
 * ranges §N–M) and, for §1/§2 of kernel-locking.md, the table row it names. Nothing may point at the reference notes
 * that lived outside the repository (`shared/reference/...`, `shared/STACK.md`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** build/test-js/test/docs → the checkout */
const ROOT = join(__dirname, '..', '..', '..', '..');
const CITING_DIRS = ['src', 'data', 'test', 'scripts', 'perf', 'notebooks', 'docs'];
const CITING_FILES = ['README.md'];
const REFERENCE_DIR = join(ROOT, 'docs', 'reference');
const MAX_BYTES = 2_000_000;
/** this file names the patterns it looks for */
const SELF = 'test/docs/references.test.ts';

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.size <= MAX_BYTES) out.push(p);
  }
  return out;
}

/** every file that may cite: the files under CITING_DIRS, and CITING_FILES */
function citingFiles(): string[] {
  const out: string[] = [];
  for (const d of CITING_DIRS) walk(join(ROOT, d), out);
  for (const f of CITING_FILES) if (existsSync(join(ROOT, f))) out.push(join(ROOT, f));
  return out;
}

interface Citation { from: string; line: number; file: string; section: string | null; row: string | null }

/** `docs/reference/x.md`, then optionally ` §N[.M][–N[.M]]` and ` row K` */
const CITE = /docs\/reference\/([\w.-]+\.md)(?:\s*§\s*(\d+(?:\.\d+)?(?:\s*[–-]\s*\d+(?:\.\d+)?)?)(?:\s+rows?\s+(\d+(?:\/\d+)?))?)?/g;

function citations(): Citation[] {
  const out: Citation[] = [];
  for (const path of citingFiles()) {
    if (path.slice(ROOT.length + 1) === SELF) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes('\u0000')) continue; // binary
    const lines = text.split('\n');
    lines.forEach((l, i) => {
      for (const m of l.matchAll(CITE)) {
        out.push({ from: path.slice(ROOT.length + 1), line: i + 1, file: m[1], section: m[2] ?? null, row: m[3] ?? null });
      }
    });
  }
  return out;
}

/** the section numbers a reference file defines: `## N.` headings and `### N.M` headings */
function sectionsOf(text: string): Set<string> {
  const s = new Set<string>();
  for (const l of text.split('\n')) {
    const h2 = /^##\s+(\d+)\.\s/.exec(l);
    if (h2) s.add(h2[1]);
    const h3 = /^###\s+(\d+\.\d+)\s/.exec(l);
    if (h3) s.add(h3[1]);
  }
  return s;
}

/** the row labels of the first table inside section N (`| label | ...`) */
function rowsOf(text: string, section: string): Set<string> {
  const rows = new Set<string>();
  let inside = false;
  for (const l of text.split('\n')) {
    const h2 = /^##\s+(\d+)\.\s/.exec(l);
    if (h2) inside = h2[1] === section;
    else if (/^##\s/.test(l)) inside = false;
    if (!inside) continue;
    const r = /^\|\s*([\w/]+)\s*\|/.exec(l);
    if (r) rows.add(r[1]);
  }
  return rows;
}

const found = citations();

test('the repository cites its reference notes (at least the call sites, the series and aim7)', () => {
  const files = new Set(found.map((c) => c.file));
  for (const f of ['kernel-locking.md', 'aim7.md', 'hardware.md', 'the-series.md', 'stack.md']) assert.ok(files.has(f), f);
  assert.ok(found.length >= 60, `${found.length} citations`);
});

test('every cited docs/reference file exists', () => {
  const missing = found.filter((c) => !existsSync(join(REFERENCE_DIR, c.file)));
  assert.deepEqual(missing.map((c) => `${c.from}:${c.line} ${c.file}`), []);
});

test('every cited section (§N, §N.M, §N–M) and table row exists', () => {
  const bad: string[] = [];
  const cache = new Map<string, string>();
  for (const c of found) {
    const path = join(REFERENCE_DIR, c.file);
    if (!existsSync(path) || c.section === null) continue;
    if (!cache.has(path)) cache.set(path, readFileSync(path, 'utf8'));
    const text = cache.get(path)!;
    const secs = sectionsOf(text);
    const ends = c.section.split(/\s*[–-]\s*/);
    // "§4–5" names sections 4 and 5; "§7.4-7.6" names 7.4 and 7.6
    for (const e of ends) if (!secs.has(e)) bad.push(`${c.from}:${c.line} ${c.file} §${e}`);
    if (c.row !== null) {
      const rows = rowsOf(text, ends[0]);
      if (!rows.has(c.row)) bad.push(`${c.from}:${c.line} ${c.file} §${ends[0]} row ${c.row}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('nothing points at the reference notes outside the repository', () => {
  const stale: string[] = [];
  for (const path of citingFiles()) {
    const rel = path.slice(ROOT.length + 1);
    if (rel === SELF) continue;
    if (/shared\/reference\/|shared\/STACK\.md|\/work\/shared/.test(readFileSync(path, 'utf8'))) stale.push(rel);
  }
  assert.deepEqual(stale, []);
});

test('the checker itself: sections, sub-sections and rows are found', () => {
  const text = '## 1. A\n\n| row | x |\n|---|---|\n| 01 | a |\n| 11/10 | b |\n\n## 7. B\n\n### 7.4 C\n';
  assert.deepEqual([...sectionsOf(text)].sort(), ['1', '7', '7.4']);
  assert.ok(rowsOf(text, '1').has('01') && rowsOf(text, '1').has('11/10') && !rowsOf(text, '7').has('01'));
  const m = [...'see docs/reference/kernel-locking.md §2 row 16; and docs/reference/aim7.md §4–5.'.matchAll(CITE)];
  assert.deepEqual(m.map((x) => [x[1], x[2], x[3] ?? null]), [['kernel-locking.md', '2', '16'], ['aim7.md', '4–5', null]]);
});
