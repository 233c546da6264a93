/**
 * Reproduce presets (data/reproduce/*.json) and the plan they resolve to (sweeps.ts turns the
 * plan into sweep specs; report.ts compares their results with the paper).
 *
 *   {
 *     "name": "full",
 *     "description": "...",
 *     "workload": "aim7",                       the registered workload modelling aim7
 *     "machine": "ivybridge-ex-4s",
 *     "workloads": ["alltests", "disk"],         values of its `workfile` parameter
 *     "kernels": ["3.18-rc1", "3.18-rc1-i_mmap_rwsem"],   baseline, patched
 *     "users": [10, 25, 50, {"from": 100, "to": 2000, "step": 100}],
 *                                               or per workfile: {"alltests": [...], "disk": [...]}
 *     "replications": 2,
 *     "seed": 2014,
 *     "pairSeeds": true,                         default true: both kernels of a replication on one seed
 *     "params": {"warmupTasks": 2, "windowTasks": 3},     every aim7 run ({}: the model's defaults)
 *     "workloadParams": {"disk": {"windowTasks": 4}},      per workfile, over params
 *     "goals": {"baselineMaxErrPct": 5, "pctChangeMaePoints": {"alltests": 5, "disk": 8}, ...},
 *                                               defaults: data/reproduce/goals.json (DEFAULT_GOALS)
 *     "validation": {"users": [100, 200], "workloads": ["alltests", "disk"], "replications": 1},
 *                                               the window estimate vs full runs (see below)
 *     "extras": [{"workload": "postgres-hugetlb", "label": "...", "params": {...},
 *                 "metric": "...", "duration": {"ms": 10}}]
 *   }
 *
 * `pairSeeds` (default true) gives the baseline and patched runs of each load point and
 * replication the same seed (the sweeps' `pairSeeds: ["kernel"]`, common random numbers), so
 * the % change is measured per seed pair and its CI holds only the noise the two kernels do
 * not share; false gives every run a seed of its own (the sweeps then have no pairSeeds, as
 * before the option existed). It applies to the aim7 sweep, the validation sweep and the extras.
 *
 * Every key but `users` is optional. Overrides (CLI flags, API options) replace the
 * preset's values; errors name the flag (`--users`) or the preset field (`users[3]`).
 *
 * `validation` checks the aim7 window estimate (a shortcut) against full runs: for each of
 * its workloads (default: every workfile of the plan) × users × both kernels × its
 * replications (default 1), one run with `estimate: "full"` and one with `estimate:
 * "window"`, every other parameter as the main grid's, the two runs of a pair on the same
 * seed. Absent, or with no users: no validation (also `--no-validation`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { getWorkload, workloadNames, type ParamValues } from '../../workloads';
import { resolveRunConfig, type RunConfigInput } from '../config';
import { ConfigError, show } from '../errors';
import { pointParams, validationParams, VALIDATION_ESTIMATES } from './sweeps';
import { zodError } from '../zod_errors';
import { seedSchema } from '../config';
import { SEED_RULE, seedProblem } from '../../engine/seed';
import { dataPath } from '../../data';

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


export interface ExtraSpec {
  /** a registered workload name */
  workload: string;
  /** heading in the report; default: the workload name (must be distinct) */
  label?: string;
  params?: ParamValues;
  /** the metric to print per kernel */
  metric: string;
  /** for fixed-duration workloads */
  duration?: { ms?: number; warmupMs?: number };
}

export type UsersEntry = number | { from: number; to: number; step: number };

export interface ReproducePreset {
  name?: string;
  description?: string;
  workload?: string;
  machine?: string;
  workloads?: string[];
  kernels?: string[];
  users: UsersEntry[] | Record<string, UsersEntry[]>;
  replications?: number;
  seed?: string | number;
  /** default true: the two kernels' runs of a load point and replication share a seed */
  pairSeeds?: boolean;
  params?: ParamValues;
  workloadParams?: Record<string, ParamValues>;
  goals?: Partial<ReproduceGoals>;
  validation?: ValidationSpec;
  extras?: ExtraSpec[];
}

/** A preset's `validation`: the window estimate against full runs. */
export interface ValidationSpec {
  /** user counts (ranges allowed); absent or empty: no validation */
  users?: UsersEntry[];
  /** workfiles (default: every workfile of the plan); each must be one of the preset's */
  workloads?: string[];
  /** replications per point and estimate (default 1) */
  replications?: number;
}

/** The validation sweep of a plan. */
export interface ValidationPlan {
  /** workfiles, in the plan's order */
  workloads: string[];
  /** ascending */
  users: number[];
  replications: number;
}

/** Values that replace the preset's (from CLI flags or API options). */
export interface ReproduceOverrides {
  /** the registered workload modelling aim7 (`--model`) */
  workload?: string;
  machine?: string;
  /** workfiles (`--workloads`) */
  workloads?: string[];
  /** user counts for every workfile (`--users`) */
  users?: number[];
  /** baseline and patched kernel (`--kernels`) */
  kernels?: string[];
  /** replications (`--reps`) */
  reps?: number;
  seed?: string | number;
  /** false: a seed of its own for every run, the kernels unpaired (`--unpaired`) */
  pairSeeds?: boolean;
  /** false: skip the preset's validation sweep (`--no-validation`) */
  validation?: boolean;
}

/** What a reproduce run will do: the preset with overrides applied and defaults filled in. */
export interface ReproducePlan {
  preset: string;
  description: string | null;
  workload: string;
  machine: string;
  workloads: string[];
  /** [baseline, patched] */
  kernels: [string, string];
  /** per workfile, ascending */
  users: Record<string, number[]>;
  replications: number;
  seed: string;
  /** the two kernels' runs of a load point and replication on one seed (sweeps with pairSeeds ["kernel"]) */
  pairSeeds: boolean;
  params: ParamValues;
  workloadParams: Record<string, ParamValues>;
  goals: ReproduceGoals;
  /** null: no validation sweep */
  validation: ValidationPlan | null;
  extras: (ExtraSpec & { label: string })[];
}

/** Flag names for errors in overridden values. */
export const OVERRIDE_FLAGS: Record<keyof ReproduceOverrides, string> = {
  workload: '--model', machine: '--machine', workloads: '--workloads', users: '--users', kernels: '--kernels', reps: '--reps', seed: '--seed', pairSeeds: '--unpaired', validation: '--no-validation',
};

const paramValue = z.union([z.number(), z.string(), z.boolean()]).describe('a number, string or boolean');
const paramsSchema = z.record(z.string(), paramValue).describe('an object of workload parameters');
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

const validationSchema = z
  .strictObject({
    // checked by expandUsers, for messages that name the entry
    users: z.unknown().optional(),
    workloads: z.array(z.string().min(1).describe('a workfile name')).describe('an array of workfile names').optional(),
    replications: z.number().int().min(1).max(1000).describe('an integer from 1 to 1000').optional(),
  })
  .describe('key of validation');
const extraSchema = z
  .strictObject({
    workload: z.string().min(1).describe('a workload name'),
    label: z.string().min(1).max(80).describe('a string of 1 to 80 characters').optional(),
    params: paramsSchema.optional(),
    metric: z.string().min(1).describe('a metric name of the workload'),
    duration: z.strictObject({
      ms: z.number().gt(0).describe('a number > 0').optional(),
      warmupMs: z.number().min(0).describe('a number >= 0').optional(),
    }).describe('key of duration').optional(),
  })
  .describe('key of an extra');
export const PresetSchema = z
  .strictObject({
    name: z.string().min(1).max(200).describe('a string of 1 to 200 characters').optional(),
    description: z.string().describe('a string').optional(),
    workload: z.string().min(1).describe('a workload name').optional(),
    machine: z.string().min(1).describe('a machine preset name or a MachineSpec JSON file path').optional(),
    workloads: z.array(z.string().min(1).describe('a workfile name')).min(1).describe('a non-empty array of workfile names').optional(),
    kernels: z.array(z.string().min(1).describe('a kernel name or spec')).length(2).describe('two kernels: [baseline, patched]').optional(),
    // checked by expandUsers, for messages that name the entry
    users: z.unknown().refine((v) => v !== undefined).describe('an array of user counts and {from, to, step} ranges, or an object of them by workfile'),
    replications: z.number().int().min(1).max(1000).describe('an integer from 1 to 1000').optional(),
    seed: seedSchema.optional(),
    pairSeeds: z.boolean().describe('true (both kernels of a replication on one seed) or false').optional(),
    params: paramsSchema.optional(),
    workloadParams: z.record(z.string(), paramsSchema).describe('an object of parameters by workfile').optional(),
    goals: goalsSchema.optional(),
    validation: validationSchema.optional(),
    extras: z.array(extraSchema).describe('an array of {workload, params?, metric, label?, duration?}').optional(),
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

/** Expand a users list (ranges included); errors name `field`. Sorted ascending, no duplicates. */
export function expandUsers(entries: unknown, field: string): number[] {
  const ENTRY = 'a positive integer or {from, to, step} (positive integers)';
  if (!Array.isArray(entries) || entries.length === 0) throw new ConfigError(field, `must be a non-empty array of user counts and {from, to, step} ranges, got ${show(entries)}`);
  const posInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  const out: number[] = [];
  entries.forEach((e: unknown, i) => {
    if (posInt(e)) out.push(e as number);
    else if (isObj(e)) {
      const extra = Object.keys(e).find((k) => !['from', 'to', 'step'].includes(k));
      if (extra) throw new ConfigError(`${field}[${i}].${extra}`, `unknown key of a users range, got ${show(e[extra])}`, 'from, to, step');
      for (const k of ['from', 'to', 'step'] as const) if (!posInt(e[k])) throw new ConfigError(`${field}[${i}].${k}`, `must be a positive integer, got ${show(e[k])}`);
      const r = e as { from: number; to: number; step: number };
      if (r.to < r.from) throw new ConfigError(`${field}[${i}].to`, `must be >= from (${r.from}), got ${r.to}`);
      if ((r.to - r.from) / r.step > 100000) throw new ConfigError(`${field}[${i}].step`, `makes more than 100000 user counts, got ${r.step}`);
      for (let u = r.from; u <= r.to; u += r.step) out.push(u);
    } else throw new ConfigError(`${field}[${i}]`, `must be ${ENTRY}, got ${show(e)}`);
  });
  const sorted = [...out].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new ConfigError(field, `lists ${sorted[i]} users twice`, 'distinct user counts');
  }
  return sorted;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Resolve a preset and overrides into a plan, validating everything against the workload
 * registry (workfiles, user counts, parameters, kernels, machine, extras). Throws
 * ConfigError naming the flag (`--users`) or the preset field (`users`, `params.windowTasks`, `validation.users[0]`).
 */
export function resolvePlan(presetInput: unknown, over: ReproduceOverrides = {}): ReproducePlan {
  const p = parsePreset(presetInput);
  const g = planGrid(p, over);
  checkGrid(g);
  return {
    preset: p.name ?? 'custom',
    description: p.description ?? null,
    workload: g.workload,
    machine: g.machine,
    workloads: [...g.workloads],
    kernels: g.kernels,
    users: g.users,
    replications: g.replications,
    seed: g.seed,
    pairSeeds: g.pairSeeds,
    params: g.params,
    workloadParams: Object.fromEntries(g.workloads.map((w) => [w, { ...(g.workloadParams[w] ?? {}) }])),
    goals: planGoals(p),
    validation: planValidation(g),
    extras: planExtras(g),
  };
}

function parsePreset(presetInput: unknown): ReproducePreset {
  if (!isObj(presetInput)) throw new ConfigError('', `a preset must be an object, got ${show(presetInput)}`, 'keys name, workload, machine, workloads, kernels, users, replications, seed, pairSeeds, params, workloadParams, goals, validation, extras');
  const parsed = PresetSchema.safeParse(presetInput, { reportInput: true });
  if (!parsed.success) throw zodError(PresetSchema, presetInput, parsed.error);
  return parsed.data as ReproducePreset;
}

/** The workfiles a preset lists (the default pair without `workloads`). */
function presetWorkloads(p: ReproducePreset): string[] {
  return p.workloads ?? ['alltests', 'disk'];
}

/** The aim7 grid of a plan being resolved, with where each value came from (a flag or a preset field). */
interface Grid extends Pick<ReproducePlan, 'workload' | 'machine' | 'workloads' | 'kernels' | 'users' | 'replications' | 'seed' | 'pairSeeds' | 'params' | 'workloadParams'> {
  p: ReproducePreset;
  over: ReproduceOverrides;
  /** the field that names the users of a workfile (`--users`, `users`, `users.disk`) */
  usersField: (w: string) => string;
}

/** The field of an overridable value: the flag if overridden, else the preset field. */
function fieldOf(over: ReproduceOverrides, key: keyof ReproduceOverrides, presetField: string): string {
  return over[key] !== undefined ? OVERRIDE_FLAGS[key] : presetField;
}

/** The preset's grid with overrides applied and defaults filled in; each value checked on its own. */
function planGrid(p: ReproducePreset, over: ReproduceOverrides): Grid {
  const workload = over.workload ?? p.workload ?? 'aim7';
  if (!getWorkload(workload)) {
    throw new ConfigError(fieldOf(over, 'workload', 'workload'), `unknown workload ${show(workload)} (the aim7 model registers itself as "aim7"; a workload from another module needs --module)`, workloadNames().join(', ') || '(none registered)');
  }
  const workloads = over.workloads ?? presetWorkloads(p);
  if (new Set(workloads).size !== workloads.length) throw new ConfigError(fieldOf(over, 'workloads', 'workloads'), `lists a workfile twice, got ${show(workloads)}`, 'distinct workfiles');
  const kernels = over.kernels ?? p.kernels ?? ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'];
  const kField = fieldOf(over, 'kernels', 'kernels');
  if (kernels.length !== 2) throw new ConfigError(kField, `must name two kernels (baseline, patched), got ${kernels.length}: ${show(kernels)}`);
  if (kernels[0] === kernels[1]) throw new ConfigError(kField, `names the same kernel twice, got ${show(kernels)}`, 'a baseline and a different patched kernel');
  const replications = over.reps ?? p.replications ?? 1;
  if (!(Number.isInteger(replications) && replications >= 1 && replications <= 1000)) throw new ConfigError(OVERRIDE_FLAGS.reps, `must be an integer from 1 to 1000, got ${show(replications)}`);
  if (over.seed !== undefined && seedProblem(over.seed) !== null) throw new ConfigError(OVERRIDE_FLAGS.seed, `must be ${SEED_RULE}, got ${show(over.seed)}`);
  const workloadParams = p.workloadParams ?? {};
  for (const w of Object.keys(workloadParams)) {
    if (!workloads.includes(w) && !presetWorkloads(p).includes(w)) throw new ConfigError(`workloadParams.${w}`, 'is not a workfile of this preset', workloads.join(', '));
  }
  return {
    p,
    over,
    workload,
    machine: over.machine ?? p.machine ?? 'ivybridge-ex-4s',
    workloads,
    kernels: [kernels[0]!, kernels[1]!],
    replications,
    seed: String(over.seed ?? p.seed ?? '1'),
    pairSeeds: over.pairSeeds ?? p.pairSeeds ?? true,
    params: { ...(p.params ?? {}) },
    workloadParams,
    ...planUsers(p, over, workloads),
  };
}

/** The user counts per workfile: the override, the preset's list, or the preset's lists by workfile. */
function planUsers(p: ReproducePreset, over: ReproduceOverrides, workloads: readonly string[]): Pick<Grid, 'users' | 'usersField'> {
  const users: Record<string, number[]> = {};
  if (over.users !== undefined || Array.isArray(p.users)) {
    const field = over.users !== undefined ? OVERRIDE_FLAGS.users : 'users';
    const u = expandUsers(over.users ?? p.users, field);
    for (const w of workloads) users[w] = u;
    return { users, usersField: () => field };
  }
  if (isObj(p.users)) {
    const byW = p.users as Record<string, UsersEntry[]>;
    for (const w of workloads) {
      if (!byW[w]) throw new ConfigError(`users.${w}`, `is missing: the preset gives users by workfile but not for ${show(w)}`, Object.keys(byW).join(', '));
      users[w] = expandUsers(byW[w], `users.${w}`);
    }
    return { users, usersField: (w) => `users.${w}` };
  }
  throw new ConfigError('users', `must be an array of user counts and {from, to, step} ranges, or an object of them by workfile, got ${show(p.users)}`);
}

/**
 * A run config's error for an aim7 point of workfile `w`, under the preset field or flag that
 * set the value: `workload.params.users` → `users.disk`, `workload.params.windowTasks` →
 * `params.windowTasks` (or `workloadParams.disk.windowTasks`), `machine` → `machine` or `--machine`.
 */
function presetError(g: Grid, w: string, e: ConfigError): ConfigError {
  const m = /^workload\.params\.([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(e.field);
  if (m) {
    const k = m[1]!;
    if (k === 'users') return new ConfigError(g.usersField(w), e.problem, e.allowed);
    if (k === 'workfile') return new ConfigError(g.over.workloads !== undefined ? OVERRIDE_FLAGS.workloads : `workloads[${g.workloads.indexOf(w)}]`, e.problem, e.allowed);
    const where = k in (g.workloadParams[w] ?? {}) ? `workloadParams.${w}.${k}` : `params.${k}`;
    return new ConfigError(`${where}${m[2]}`, e.problem, e.allowed);
  }
  if (e.field === 'machine') return new ConfigError(fieldOf(g.over, 'machine', 'machine'), e.problem, e.allowed);
  if (e.field === 'workload.params' || e.field === 'workload') return new ConfigError(`params`, e.problem, e.allowed);
  return e;
}

/** Resolve a run config; a ConfigError goes through `mapErr`. */
function checkRun(input: RunConfigInput, mapErr: (e: ConfigError) => ConfigError): void {
  try {
    resolveRunConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) throw mapErr(e);
    throw e;
  }
}

/** Validate every aim7 point's config on the baseline kernel, then each kernel (cheap: no run). */
function checkGrid(g: Grid): void {
  for (const w of g.workloads) {
    for (const u of g.users[w]!) {
      checkRun({ machine: g.machine, kernel: g.kernels[0], workload: { name: g.workload, params: pointParams(g.params, g.workloadParams[w], w, u) } }, (e) => presetError(g, w, e));
    }
  }
  const w0 = g.workloads[0]!;
  g.kernels.forEach((k, i) => {
    checkRun({ machine: g.machine, kernel: k, workload: { name: g.workload, params: pointParams(g.params, g.workloadParams[w0], w0, g.users[w0]![0]!) } }, (e) => {
      if (e.field.startsWith('kernel')) return new ConfigError(g.over.kernels !== undefined ? OVERRIDE_FLAGS.kernels : `kernels[${i}]`, e.problem, e.allowed);
      return e;
    });
  });
}

/** The extras with their labels, each config checked on the baseline kernel (errors under `extras[i]`). */
function planExtras(g: Grid): (ExtraSpec & { label: string })[] {
  const labels = new Set<string>();
  return (g.p.extras ?? []).map((x, i) => {
    const label = x.label ?? x.workload;
    if (labels.has(label)) throw new ConfigError(`extras[${i}].label`, `duplicate label ${show(label)}`, 'distinct labels (set "label")');
    labels.add(label);
    checkRun({ machine: g.machine, kernel: g.kernels[0], workload: x.workload, params: x.params ?? {}, ...(x.duration ? { duration: x.duration } : {}) }, (e) => {
      if (e.field === 'machine') return new ConfigError(fieldOf(g.over, 'machine', 'machine'), e.problem, e.allowed);
      return e.under(`extras[${i}]`);
    });
    return { ...x, label };
  });
}

/** The validation sweep on the plan's workfiles: null without one (or with `--no-validation`), each run's config checked. */
function planValidation(g: Grid): ValidationPlan | null {
  const v = g.p.validation;
  if (!v || g.over.validation === false || v.users === undefined || (Array.isArray(v.users) && v.users.length === 0)) return null;
  const vUsers = expandUsers(v.users, 'validation.users');
  const listed = presetWorkloads(g.p);
  (v.workloads ?? []).forEach((w, i) => {
    if (!listed.includes(w)) throw new ConfigError(`validation.workloads[${i}]`, `is not a workfile of this preset, got ${show(w)}`, listed.join(', '));
  });
  if (v.workloads && new Set(v.workloads).size !== v.workloads.length) throw new ConfigError('validation.workloads', `lists a workfile twice, got ${show(v.workloads)}`, 'distinct workfiles');
  const vWorkloads = g.workloads.filter((w) => (v.workloads ?? g.workloads).includes(w));
  for (const w of vWorkloads) {
    for (const u of vUsers) {
      for (const estimate of VALIDATION_ESTIMATES) {
        checkRun({ machine: g.machine, kernel: g.kernels[0], workload: { name: g.workload, params: validationParams(g.params, g.workloadParams[w], w, u, estimate) } }, (e) => {
          const m = /^workload\.params\.([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(e.field);
          if (m?.[1] === 'users') return new ConfigError('validation.users', e.problem, e.allowed);
          if (m?.[1] === 'estimate') return new ConfigError('validation', `needs the workload's "estimate" parameter to take "full" and "window": ${e.problem}`, e.allowed);
          return presetError(g, w, e);
        });
      }
    }
  }
  return vWorkloads.length ? { workloads: vWorkloads, users: vUsers, replications: v.replications ?? 1 } : null;
}

/** The preset's goals over DEFAULT_GOALS (a per-workfile goal must name a workfile of the preset). */
function planGoals(p: ReproducePreset): ReproduceGoals {
  const g = p.goals ?? {};
  if (isObj(g.pctChangeMaePoints)) {
    for (const w of Object.keys(g.pctChangeMaePoints)) {
      if (!presetWorkloads(p).includes(w)) throw new ConfigError(`goals.pctChangeMaePoints.${w}`, 'is not a workfile of this preset', presetWorkloads(p).join(', '));
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
