/**
 * The paper's figures, for comparison only: the files a preset names in `compare.paper` (the
 * shipped presets: data/paper/aim7-3.18-rc1.csv, jpm per workfile, users and kernel with the
 * letter's % change, and data/paper/numa.json, the letter's increase in NUMA pages migrated).
 * Only the comparison step of `reproduce` reads them, after every run is done; nothing that
 * runs the model does.
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '../tables';

export interface PaperRow {
  workload: string;
  users: number;
  /** jpm on the paper's baseline (the first jpm_<kernel> column: 3.18-rc1) */
  jpmBase: number;
  /** jpm on the paper's patched kernel (the second jpm_<kernel> column: 3.18-rc1-i_mmap_rwsem) */
  jpmPatched: number;
  /** the letter's % column, as printed */
  pctChange: number;
}

export interface PaperNuma {
  /** % change in NUMA pages migrated, patched vs baseline */
  pctChange: number;
  counter: string;
  source: string;
}

/**
 * Parse the paper's CSV: workload,users,jpm_<baseline>,jpm_<patched>,pct_change (e.g.
 * jpm_3.18-rc1,jpm_3.18-rc1-i_mmap_rwsem: the paper's kernels, whatever the simulation compares).
 */
export function parsePaperCsv(text: string, where = 'paper CSV'): PaperRow[] {
  const [head, ...rows] = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '');
  const jpm = (head ?? []).filter((c) => c.startsWith('jpm_'));
  if (jpm.length > 2) throw new Error(`${where}: ${jpm.length} jpm_<kernel> columns (${jpm.join(', ')}); want two, baseline then patched`);
  const want = ['workload', 'users', jpm[0] ?? 'jpm_<baseline>', jpm[1] ?? 'jpm_<patched>', 'pct_change'];
  const idx = want.map((c) => head?.indexOf(c) ?? -1);
  const missing = want.filter((_, i) => idx[i]! < 0);
  if (missing.length) throw new Error(`${where}: missing column(s) ${missing.join(', ')}`);
  return rows.map((r, i) => {
    const num = (k: number) => {
      const v = Number(r[idx[k]!]);
      if (!Number.isFinite(v)) throw new Error(`${where}: line ${i + 2}: ${want[k]} is not a number: ${JSON.stringify(r[idx[k]!])}`);
      return v;
    };
    return { workload: r[idx[0]!]!, users: num(1), jpmBase: num(2), jpmPatched: num(3), pctChange: num(4) };
  });
}

/** The paper's aim7 table (the file a preset's compare.paper.table names). */
export function loadPaperTable(file: string): PaperRow[] {
  return parsePaperCsv(readFileSync(file, 'utf8'), file);
}

/** The paper's NUMA figure (the file a preset's compare.paper.numa names). */
export function loadPaperNuma(file: string): PaperNuma {
  const j = JSON.parse(readFileSync(file, 'utf8')) as { pct_change?: unknown; counter?: unknown; source?: unknown };
  if (typeof j.pct_change !== 'number' || !Number.isFinite(j.pct_change)) throw new Error(`${file}: pct_change must be a number`);
  return { pctChange: j.pct_change, counter: String(j.counter ?? ''), source: String(j.source ?? '') };
}
