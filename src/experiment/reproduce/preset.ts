/**
 * Reproduce presets (data/reproduce/*.json): a list of sweep specs and a comparison block.
 *
 *   {
 *     "name": "quick",
 *     "description": "...",
 *     "compare": {
 *       "kernels": ["3.18-rc1", "3.18-rc1-i_mmap_rwsem"],      baseline, patched
 *       "paper": {"table": "../paper/aim7-3.18-rc1.csv", "numa": "../paper/numa.json"},
 *       "goals": "goals.json"                                   or an object over goals.json's values
 *     },
 *     "sweeps": [
 *       {"role": "table", "spec": {...a sweep spec, as in data/sweeps/...}},
 *       {"role": "validation", "spec": {...}},
 *       {"role": "extra", "label": "iozone-B", "metric": "mb_per_s", "spec": {...}}
 *     ]
 *   }
 *
 * This file reads the comparison block (the kernels compared, the paper's files, the goals of
 * the summary checks) and puts the plan together; sweeps.ts reads the sweeps (roles, what
 * each needs, the CLI overrides). File names are relative to the preset's folder (for a preset
 * given as an object: data/reproduce/, where the shipped presets live). Only the comparison
 * step reads the paper's files, after every run (paper.ts); the plan checks that they exist.
 *
 * The plan (ReproducePlan, `plan` in reproduce.json) is what the report shows of the grid:
 * the table sweeps' workfiles, users, replications, seed and pairing, the validation's
 * points, the extras; its shape is the one it had when a preset was a grid of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { ConfigError, show } from '../errors';
import { zodError } from '../zod_errors';
import { dataPath, packageRoot } from '../../data';
import { extraOf, planSweeps, tableGrid, validationGrid, type PlanExtra, type PlannedSweep, type ReproduceOverrides, type TableGrid } from './sweeps';

/** The thresholds of the summary checks; a preset's `goals` overrides any of them. */
export interface ReproduceGoals {
  /** |% error| of the simulated baseline jpm vs the paper at EVERY row (per workload): at most this */
  baselineMaxErrPct: number;
  /** mean |% error| of the baseline jpm, per workload: at most this; null: reported only */
  baselineMapePct: number | null;
  /**
   * mean absolute error of the simulated % change, in points: at most this, one number for
   * every workload or one per workload (a workload without one: reported only)
   */
  pctChangeMaePoints: number | Record<string, number>;
  /** the disk knee: baseline jpm drops by at least `minDropPct` % from `fromUsers` to `toUsers` */
  diskKnee: { workload: string; fromUsers: number; toUsers: number; minDropPct: number };
  /** the disk gap: the % change (patched vs baseline) at EVERY load point in [fromUsers, toUsers] at least `minPoints` */
  diskGap: { workload: string; fromUsers: number; toUsers: number; minPoints: number };
  /** below `belowUsers` users, |% change| at most `maxAbsPct` (every workload, every point) */
  lowUsers: { belowUsers: number; maxAbsPct: number };
  /** NUMA pages migrated: % change within the paper's ± `tolerancePoints` */
  numa: { tolerancePoints: number };
  /**
   * A goal over fewer load points than this (that have the paper's value, or below lowUsers'
   * bound) is "too small to judge", whatever the numbers say: one or two points of a
   * 20-point curve do not show whether a curve is reproduced. A convention of the report,
   * not a fact about the model.
   */
  minLoadPoints: number;
}



/** A preset's comparison block. */
export interface ComparisonSpec {
  /** [baseline, patched]: the kernel axis of every sweep lists them in this order */
  kernels: [string, string];
  /** the paper's aim7 table (CSV, paper.ts parsePaperCsv) and NUMA figure (JSON), relative to the preset's folder */
  paper: { table: string; numa: string };
  /** a goals file (every key, as data/reproduce/goals.json), or goals over data/reproduce/goals.json's; default: goals.json */
  goals?: string | Partial<ReproduceGoals>;
}

/** A reproduce preset (data/reproduce/*.json). */
export interface ReproducePreset {
  name?: string;
  description?: string;
  compare: ComparisonSpec;
  /** sweep specs with their roles (sweeps.ts) */
  sweeps: unknown[];
}

/**
 * What the report shows of a resolved preset (reproduce.json's `plan`): the table sweeps' grid
 * (TableGrid: workload model, machine, workfiles, users, replications, seed, pairing, fixed
 * parameters) with the preset's name, the kernels, goals, validation points and extras.
 */
export interface ReproducePlan extends TableGrid {
  preset: string;
  description: string | null;
  /** [baseline, patched] */
  kernels: [string, string];
  goals: ReproduceGoals;
  /** null: no validation sweep */
  validation: { workloads: string[]; users: number[]; replications: number } | null;
  extras: PlanExtra[];
}

/** A resolved preset: the plan, the paper's files (absolute) and the sweeps to run. */
export interface ReproduceSetup {
  plan: ReproducePlan;
  paper: { table: string; numa: string };
  sweeps: PlannedSweep[];
}

const goalsSchema = z
  .strictObject({
    baselineMaxErrPct: z.number().min(0).describe('a number >= 0').optional(),
    baselineMapePct: z.number().min(0).nullable().describe('a number >= 0, or null (reported only)').optional(),
    pctChangeMaePoints: z.union([
      z.number().min(0),
      z.record(z.string(), z.number().min(0).describe('a number >= 0')),
    ]).describe('a number >= 0, or an object of them by workfile').optional(),
    diskKnee: z.strictObject({
      workload: z.string().describe('a workfile').optional(),
      fromUsers: z.number().int().min(1).describe('a positive integer').optional(),
      toUsers: z.number().int().min(1).describe('a positive integer').optional(),
      minDropPct: z.number().describe('a number').optional(),
    }).describe('key of goals.diskKnee').optional(),
    diskGap: z.strictObject({
      workload: z.string().describe('a workfile').optional(),
      fromUsers: z.number().int().min(1).describe('a positive integer').optional(),
      toUsers: z.number().int().min(1).describe('a positive integer').optional(),
      minPoints: z.number().describe('a number').optional(),
    }).describe('key of goals.diskGap').optional(),
    lowUsers: z.strictObject({
      belowUsers: z.number().int().min(1).describe('a positive integer').optional(),
      maxAbsPct: z.number().min(0).describe('a number >= 0').optional(),
    }).describe('key of goals.lowUsers').optional(),
    numa: z.strictObject({ tolerancePoints: z.number().min(0).describe('a number >= 0').optional() }).describe('key of goals.numa').optional(),
    minLoadPoints: z.number().int().min(1).describe('a positive integer').optional(),
  })
  .describe('goal');
/** where the default goals live: data users edit, not code */
export const GOALS_FILE = dataPath('reproduce', 'goals.json');

/**
 * The default goals, as the issue states them, from data/reproduce/goals.json (every key
 * required there; a preset's `goals` overrides any of them). An error names the file and the field.
 */
export function loadDefaultGoals(file = GOALS_FILE): ReproduceGoals {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, `cannot read the default goals: ${(e as Error).message}`, 'a JSON object with the keys of goals');
  }
  const parsed = goalsSchema.safeParse(input);
  if (!parsed.success) throw zodError(goalsSchema, input, parsed.error, `${file}: `);
  const g = parsed.data;
  const keys = ['baselineMaxErrPct', 'baselineMapePct', 'pctChangeMaePoints', 'diskKnee', 'diskGap', 'lowUsers', 'numa', 'minLoadPoints'] as const;
  const missing = keys.filter((k) => g[k] === undefined);
  if (missing.length) throw new ConfigError(`${file}: ${missing[0]}`, 'is missing: the default goals need every key', keys.join(', '));
  const inner = { diskKnee: ['workload', 'fromUsers', 'toUsers', 'minDropPct'], diskGap: ['workload', 'fromUsers', 'toUsers', 'minPoints'], lowUsers: ['belowUsers', 'maxAbsPct'], numa: ['tolerancePoints'] } as const;
  for (const [k, ks] of Object.entries(inner)) {
    const o = g[k as keyof typeof inner] as Record<string, unknown>;
    const m = ks.find((x) => o[x] === undefined);
    if (m) throw new ConfigError(`${file}: ${k}.${m}`, 'is missing: the default goals need every key', ks.join(', '));
  }
  return g as ReproduceGoals;
}

/** The goals as the issue states them (data/reproduce/goals.json). */
export const DEFAULT_GOALS: ReproduceGoals = loadDefaultGoals();


const CompareSchema = z
  .strictObject({
    kernels: z.array(z.string().min(1).describe('a kernel name or spec')).length(2).describe('two kernels: [baseline, patched]'),
    paper: z.strictObject({
      table: z.string().min(1).describe('a CSV file name (workload,users,jpm_<baseline>,jpm_<patched>,pct_change)'),
      numa: z.string().min(1).describe('a JSON file name ({"pct_change": number})'),
    }).describe('key of compare.paper'),
    goals: z.union([z.string().min(1), goalsSchema]).describe('a goals file name, or an object of goals').optional(),
  })
  .describe('key of compare');
export const PresetSchema = z
  .strictObject({
    name: z.string().min(1).max(200).describe('a string of 1 to 200 characters').optional(),
    description: z.string().describe('a string').optional(),
    compare: CompareSchema,
    // entries checked by sweeps.ts, for messages that name the entry
    sweeps: z.array(z.unknown()).min(1).describe('a non-empty array of {role, spec}'),
  })
  .describe('preset key');

/** Read a preset file (JSON). */
export function loadPreset(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('--preset', `cannot read ${show(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('--preset', `cannot parse ${show(file)} as JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** The folder an object preset's file names are relative to. */
export const PRESET_DIR = dataPath('reproduce');

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Resolve a preset and overrides: the comparison block, the sweeps (expanded, every run's
 * config validated) and the plan. Throws ConfigError naming the flag (`--users`) or the
 * preset field (`compare.kernels`, `sweeps[0].spec.axes.users[3]`). `dir`: the folder file
 * names are relative to (the preset file's).
 */
export function resolvePreset(input: unknown, over: ReproduceOverrides = {}, dir = PRESET_DIR): ReproduceSetup {
  const p = parsePreset(input);
  const c = p.compare;
  if (c.kernels[0] === c.kernels[1]) throw new ConfigError('compare.kernels', `names the same kernel twice, got ${show(c.kernels)}`, 'a baseline and a different patched kernel');
  const kernels = (over.kernels ?? c.kernels) as [string, string];
  const sweeps = planSweeps(p.sweeps, [kernels[0], kernels[1]], over, dir);
  const grid = tableGrid(sweeps, over);
  const paper = { table: presetFile(dir, c.paper.table, 'compare.paper.table'), numa: presetFile(dir, c.paper.numa, 'compare.paper.numa') };
  const plan: ReproducePlan = {
    preset: p.name ?? 'custom',
    description: p.description ?? null,
    workload: grid.workload,
    machine: grid.machine,
    workloads: grid.workloads,
    kernels: [kernels[0], kernels[1]],
    users: grid.users,
    replications: grid.replications,
    seed: grid.seed,
    pairSeeds: grid.pairSeeds,
    params: grid.params,
    workloadParams: grid.workloadParams,
    goals: planGoals(c.goals, dir, over.workloads === undefined ? grid.workloads : null),
    validation: validationGrid(sweeps),
    extras: sweeps.filter((s) => s.role === 'extra').map(extraOf),
  };
  return { plan, paper, sweeps };
}

/** The plan of a preset and overrides (resolvePreset without the sweeps). */
export function resolvePlan(input: unknown, over: ReproduceOverrides = {}, dir = PRESET_DIR): ReproducePlan {
  return resolvePreset(input, over, dir).plan;
}

function parsePreset(input: unknown): ReproducePreset {
  if (!isObj(input)) throw new ConfigError('', `a preset must be an object, got ${show(input)}`, 'keys name, description, compare, sweeps');
  const parsed = PresetSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw zodError(PresetSchema, input, parsed.error);
  return parsed.data as ReproducePreset;
}

/** A file named by the preset, relative to its folder; it must exist (it is read after the runs). */
function presetFile(dir: string, name: string, field: string): string {
  const file = isAbsolute(name) ? name : resolve(dir, name);
  if (!existsSync(file)) throw new ConfigError(field, `no such file ${show(name)} (looked for ${show(file)})`, 'a file name relative to the preset\'s folder');
  return file;
}

/** A path for provenance: relative to the package root if inside it (no machine path in committed files). */
export function projectRelative(file: string): string {
  const r = relative(packageRoot(), file);
  return r.startsWith('..') || isAbsolute(r) ? file : r.split(sep).join('/');
}

/**
 * The goals: a goals file (every key), or an object over DEFAULT_GOALS; a per-workfile goal
 * must name a workfile of the table (`workloads`; null: not checked, under --workloads).
 */
function planGoals(spec: string | Partial<ReproduceGoals> | undefined, dir: string, workloads: readonly string[] | null): ReproduceGoals {
  if (typeof spec === 'string') return loadDefaultGoals(presetFile(dir, spec, 'compare.goals'));
  const g = spec ?? {};
  if (workloads && isObj(g.pctChangeMaePoints)) {
    for (const w of Object.keys(g.pctChangeMaePoints)) {
      if (!workloads.includes(w)) throw new ConfigError(`compare.goals.pctChangeMaePoints.${w}`, 'is not a workfile of the table sweeps', workloads.join(', '));
    }
  }
  return {
    baselineMaxErrPct: g.baselineMaxErrPct ?? DEFAULT_GOALS.baselineMaxErrPct,
    baselineMapePct: g.baselineMapePct === undefined ? DEFAULT_GOALS.baselineMapePct : g.baselineMapePct,
    pctChangeMaePoints: g.pctChangeMaePoints ?? (isObj(DEFAULT_GOALS.pctChangeMaePoints) ? { ...DEFAULT_GOALS.pctChangeMaePoints } : DEFAULT_GOALS.pctChangeMaePoints),
    diskKnee: { ...DEFAULT_GOALS.diskKnee, ...(g.diskKnee ?? {}) },
    diskGap: { ...DEFAULT_GOALS.diskGap, ...(g.diskGap ?? {}) },
    lowUsers: { ...DEFAULT_GOALS.lowUsers, ...(g.lowUsers ?? {}) },
    numa: { ...DEFAULT_GOALS.numa, ...(g.numa ?? {}) },
    minLoadPoints: g.minLoadPoints ?? DEFAULT_GOALS.minLoadPoints,
  };
}

/** The % change goal of one workfile (null: reported only). */
export function pctChangeGoal(goals: ReproduceGoals, workfile: string): number | null {
  const g = goals.pctChangeMaePoints;
  return typeof g === 'number' ? g : g[workfile] ?? null;
}
