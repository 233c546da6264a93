/**
 * The paper's figures, for comparison only: data/paper/aim7-3.18-rc1.csv (jpm per workfile,
 * users and kernel, with the letter's % change) and data/paper/numa.json (the letter's increase in
 * NUMA pages migrated). Only the comparison step of `reproduce` reads them, after every
 * run is done; nothing that runs the model does.
 */
import { readFileSync } from 'node:fs';
import { dataPath } from '../../data';
import { parseCsv } from '../tables';

export interface PaperRow {
  workload: string;
  users: number;
  /** jpm on the paper's baseline (3.18-rc1) */
  jpmBase: number;
  /** jpm on the paper's patched kernel (3.18-rc1-i_mmap_rwsem) */
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

export const PAPER_CSV = ['paper', 'aim7-3.18-rc1.csv'];
export const PAPER_NUMA = ['paper', 'numa.json'];
export const PAPER_KERNELS = ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'] as const;

/** Parse the paper's CSV (workload,users,jpm_3.18-rc1,jpm_3.18-rc1-i_mmap_rwsem,pct_change). */
export function parsePaperCsv(text: string, where = 'paper CSV'): PaperRow[] {
  const [head, ...rows] = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '');
  const want = ['workload', 'users', `jpm_${PAPER_KERNELS[0]}`, `jpm_${PAPER_KERNELS[1]}`, 'pct_change'];
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

/** The paper's aim7 table. */
export function loadPaperTable(file = dataPath(...PAPER_CSV)): PaperRow[] {
  return parsePaperCsv(readFileSync(file, 'utf8'), file);
}

/** The paper's NUMA figure. */
export function loadPaperNuma(file = dataPath(...PAPER_NUMA)): PaperNuma {
  const j = JSON.parse(readFileSync(file, 'utf8')) as { pct_change?: unknown; counter?: unknown; source?: unknown };
  if (typeof j.pct_change !== 'number' || !Number.isFinite(j.pct_change)) throw new Error(`${file}: pct_change must be a number`);
  return { pctChange: j.pct_change, counter: String(j.counter ?? ''), source: String(j.source ?? '') };
}
