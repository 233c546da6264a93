/**
 * Merge sweep folders (typically shards, `--shard i/N`) into one: their spec.json must be
 * the same spec; the journals are united (a run found in several folders must have the same
 * result in each); the merged folder gets spec.json, the united journal (sorted by runId),
 * the tidy tables and a provenance file listing the inputs'. The output folder may be one
 * of the inputs or a folder holding an earlier merge of the same spec.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, show } from './errors';
import { provenance, type Provenance } from './provenance';
import { buildTables, journalLine, type JournalEntry, type SweepTables } from './results';
import { expandSweep, specKey, type ExpandedSweep } from './spec';
import { checkEntries, JOURNAL, PROVENANCE_FILE, readJournal, SPEC_FILE, SweepStore, writeAtomic, writeTables } from './store';

export interface MergeProvenance extends Provenance {
  kind: 'mmlock-merge';
  specHash: string;
  spec: unknown;
  inputs: { dir: string; runs: number; provenance: unknown }[];
  runs: { sweep: number; merged: number; missing: number };
  mergedAt: string;
}

export interface MergeResult {
  expanded: ExpandedSweep;
  tables: SweepTables;
  /** runIds of the sweep that no input had */
  missing: string[];
  provenance: MergeProvenance;
}

function readSpec(dir: string, field: string): unknown {
  const file = join(dir, SPEC_FILE);
  if (!existsSync(file)) throw new ConfigError(field, `${show(dir)} has no ${SPEC_FILE}`, 'folders written by mmlock sweep --out');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(field, `${show(file)} is not valid JSON`);
  }
}

/** Merge `dirs` into `out`. Throws ConfigError (nothing written) for mismatched inputs. */
export function mergeSweeps(dirs: readonly string[], out: string): MergeResult {
  if (dirs.length === 0) throw new ConfigError('DIR', 'give at least one sweep folder to merge');
  const specs = dirs.map((d, i) => readSpec(d, `DIR[${i}]`));
  const ref = specKey(specs[0]);
  specs.forEach((s, i) => {
    if (specKey(s) !== ref) throw new ConfigError(`DIR[${i}]`, `${show(dirs[i])} holds a different sweep spec than ${show(dirs[0])}`, 'shards of one spec');
  });
  let x: ExpandedSweep;
  try {
    x = expandSweep(specs[0]);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError('DIR[0]', `${join(dirs[0]!, SPEC_FILE)}: ${e.message}`);
    throw e;
  }
  const all = new Map<string, JournalEntry>();
  const from = new Map<string, string>();
  const inputs: MergeProvenance['inputs'] = [];
  const sources = [...dirs];
  if (existsSync(join(out, JOURNAL)) && !dirs.some((d) => resolve(d) === resolve(out))) sources.push(out);
  sources.forEach((d, i) => {
    const field = i < dirs.length ? `DIR[${i}]` : '--out';
    if (i >= dirs.length && specKey(readSpec(d, field)) !== ref) {
      throw new ConfigError('--out', `${show(out)} holds results of a different sweep spec`, 'a new folder, or one holding the same spec');
    }
    const j = readJournal(join(d, JOURNAL));
    checkEntries(x, j.entries, field);
    for (const [id, e] of j.entries) {
      const prev = all.get(id);
      if (prev && journalLine(prev) !== journalLine(e)) {
        throw new ConfigError(field, `run ${id} differs between ${show(from.get(id))} and ${show(d)} (different code or a nondeterministic workload)`);
      }
      if (!prev) { all.set(id, e); from.set(id, d); }
    }
    const pf = join(d, PROVENANCE_FILE);
    let prov: unknown = null;
    try {
      prov = existsSync(pf) ? JSON.parse(readFileSync(pf, 'utf8')) : null;
    } catch { /* provenance is informative only */ }
    inputs.push({ dir: d, runs: j.entries.size, provenance: prov });
  });
  const tables = buildTables(x, all.values());
  const missing = x.runs.filter((r) => !all.has(r.runId)).map((r) => r.runId);
  const prov: MergeProvenance = {
    kind: 'mmlock-merge',
    ...provenance(),
    specHash: x.specHash,
    spec: x.spec,
    inputs,
    runs: { sweep: x.runs.length, merged: all.size, missing: missing.length },
    mergedAt: new Date().toISOString(),
  };
  SweepStore.check(out, x);
  mkdirSync(out, { recursive: true });
  const store = new SweepStore(out);
  // take the folder's lock while writing, as a sweep would
  store.open(x);
  try {
    const sorted = [...all.values()].sort((a, b) => (a.runId < b.runId ? -1 : 1));
    writeAtomic(join(out, JOURNAL), sorted.map((e) => `${journalLine(e)}\n`).join(''));
    writeTables(out, tables);
    writeAtomic(join(out, PROVENANCE_FILE), `${JSON.stringify(prov, null, 2)}\n`);
  } finally {
    store.close();
  }
  return { expanded: x, tables, missing, provenance: prov };
}
