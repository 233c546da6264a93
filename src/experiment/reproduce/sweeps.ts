/**
 * The sweeps of a reproduce preset: its `sweeps` list, each entry a sweep spec in the format of
 * data/sweeps/*.json (spec.ts: its schema, its expansion, its error fields) with a role:
 *
 *   {"role": "table", "spec": {...}}          runs for the aim7 table (one or more sweeps)
 *   {"role": "validation", "spec": {...}}     the window estimate against full runs (at most one)
 *   {"role": "extra", "label": "iozone-B", "metric": "mb_per_s", "spec": {...}}
 *                                             another workload's metric per kernel
 *
 * A spec may also be a file name (JSON or YAML), relative to the preset's folder. Every spec
 * has an axis `kernel` listing the compared kernels (the preset's `compare.kernels`, in that
 * order). A table sweep's points are load points (the `workfile` and `users` parameters of
 * the aim7 model) × the two kernels, each load point in one table sweep only: per-workfile
 * user counts are one table sweep per workfile. A validation sweep has an `estimate` axis with
 * the values "full" and "window" and a twin pairing `{"axis": "estimate", "seedOf": "full"}`
 * in its `pairSeeds`, so that each window run is on its full run's seed (spec.ts).
 *
 * Overrides (CLI flags, API options) rewrite the specs before they are expanded: `--users`
 * sets the `users` axis of every table sweep; `--workloads` the `workfile` axis (a sweep with
 * a fixed `base.params.workfile` stays only if named; a validation sweep keeps the named
 * workfiles it has, and is dropped with none); `--kernels` every `kernel` axis; `--reps` the
 * replications of the table and extra sweeps; `--seed` every seed; `--machine` every
 * `base.machine`; `--model` the workload of the table and validation sweeps; `--unpaired`
 * drops "kernel" from every `pairSeeds`; `--no-validation` drops the validation sweep. An
 * error in a value a flag set names the flag; any other names the preset field
 * (`sweeps[0].spec.axes.users[3]`).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { getWorkload, workloadNames, type ParamValues } from '../../workloads';
import { SEED_RULE, seedProblem } from '../../engine/seed';
import { ConfigError, show } from '../errors';
import { expandSweep, loadSweepSpec, type ExpandedSweep } from '../spec';
import { zodError } from '../zod_errors';

export const SWEEP_ROLES = ['table', 'validation', 'extra'] as const;
export type SweepRole = (typeof SWEEP_ROLES)[number];

/** One entry of a preset's `sweeps`. */
export interface PresetSweep {
  role: SweepRole;
  /** extra: heading in the report (default: the workload name; distinct) */
  label?: string;
  /** extra: the metric (or counter) to print per kernel */
  metric?: string;
  /** a sweep spec (spec.ts), or the name of a spec file relative to the preset's folder */
  spec: Record<string, unknown> | string;
}

/** A sweep of a resolved preset: the entry with its overrides applied, expanded. */
export interface PlannedSweep {
  role: SweepRole;
  /** its index in the preset's `sweeps` */
  index: number;
  /** extras: label and metric */
  label?: string;
  metric?: string;
  x: ExpandedSweep;
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
  /** false: a seed of its own for every run, the kernels unpaired (`--unpaired`); true: paired */
  pairSeeds?: boolean;
  /** false: skip the preset's validation sweep (`--no-validation`) */
  validation?: boolean;
}

/** Flag names for errors in overridden values. */
export const OVERRIDE_FLAGS: Record<keyof ReproduceOverrides, string> = {
  workload: '--model', machine: '--machine', workloads: '--workloads', users: '--users', kernels: '--kernels', reps: '--reps', seed: '--seed', pairSeeds: '--unpaired', validation: '--no-validation',
};

/** The two estimates of a validation pair. */
export const VALIDATION_ESTIMATES = ['full', 'window'] as const;

const SweepEntrySchema = z
  .strictObject({
    role: z.enum(SWEEP_ROLES).describe(`one of ${SWEEP_ROLES.join(', ')}`),
    label: z.string().min(1).max(80).describe('a string of 1 to 80 characters').optional(),
    metric: z.string().min(1).describe('a metric name of the workload').optional(),
    spec: z.union([z.record(z.string(), z.unknown()), z.string().min(1)]).describe('a sweep spec object (as in data/sweeps/) or the name of a spec file'),
  })
  .describe('key of a sweep');

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** An axis's values as written (a list or {values}); null for a range or no such axis. */
function axisList(spec: Record<string, unknown>, name: string): unknown[] | null {
  const a = isObj(spec.axes) ? spec.axes[name] : undefined;
  if (Array.isArray(a)) return a;
  if (isObj(a) && Array.isArray(a.values)) return a.values;
  return null;
}

/** Set axis `name` to `values` where it is; a new axis goes before `kernel` (the kernels stay fastest). */
function setAxis(spec: Record<string, unknown>, name: string, values: unknown[]): void {
  const axes = isObj(spec.axes) ? spec.axes : {};
  if (name in axes) {
    axes[name] = [...values];
    spec.axes = axes;
    return;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(axes)) {
    if (k === 'kernel') out[name] = [...values];
    out[k] = v;
  }
  if (!(name in out)) out[name] = [...values];
  spec.axes = out;
}

/** The base's fixed workload parameter `k` (in `base.params` or `base.workload.params`). */
function baseParam(spec: Record<string, unknown>, k: string): unknown {
  const base = isObj(spec.base) ? spec.base : {};
  if (isObj(base.params) && k in base.params) return base.params[k];
  if (isObj(base.workload) && isObj(base.workload.params)) return base.workload.params[k];
  return undefined;
}

function deleteBaseParam(spec: Record<string, unknown>, k: string): void {
  const base = isObj(spec.base) ? spec.base : {};
  if (isObj(base.params)) delete base.params[k];
  if (isObj(base.workload) && isObj(base.workload.params)) delete base.workload.params[k];
}

/** One entry being resolved: its spec (a copy, overrides applied), and the spec fields a flag set. */
interface Draft {
  entry: PresetSweep;
  index: number;
  spec: Record<string, unknown>;
  /** spec field prefix (`axes.users`) → the flag that set it */
  flags: Map<string, string>;
}

/** Parse the entries of `sweeps` (each spec file read); errors under `sweeps[i]`. */
function parseEntries(entries: readonly unknown[], dir: string): Draft[] {
  return entries.map((input, index) => {
    const field = `sweeps[${index}]`;
    if (!isObj(input)) throw new ConfigError(field, `must be an object {role, spec} (plus label and metric for an extra), got ${show(input)}`);
    const r = SweepEntrySchema.safeParse(input, { reportInput: true });
    if (!r.success) throw zodError(SweepEntrySchema, input, r.error, field);
    const entry = r.data as PresetSweep;
    if (entry.role !== 'extra') {
      for (const k of ['label', 'metric'] as const) if (entry[k] !== undefined) throw new ConfigError(`${field}.${k}`, `only an extra has a ${k}, got ${show(entry[k])} on a ${entry.role} sweep`);
    } else if (entry.metric === undefined) throw new ConfigError(`${field}.metric`, 'is required for an extra: the metric (or counter) to print per kernel');
    let spec: unknown = entry.spec;
    if (typeof spec === 'string') {
      const file = isAbsolute(spec) ? spec : resolve(dir, spec);
      try {
        spec = loadSweepSpec(file);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(`${field}.spec`, e.problem, e.allowed);
        throw e;
      }
      if (!isObj(spec)) throw new ConfigError(`${field}.spec`, `the file ${show(entry.spec)} must hold a sweep spec object, got ${show(spec)}`);
    }
    return { entry, index, spec: clone(spec as Record<string, unknown>), flags: new Map() };
  });
}

/** Check the override values on their own (before any spec is touched). */
function checkOverrides(over: ReproduceOverrides): void {
  if (over.workload !== undefined && !getWorkload(over.workload)) {
    throw new ConfigError(OVERRIDE_FLAGS.workload, `unknown workload ${show(over.workload)} (the aim7 model registers itself as "aim7"; a workload from another module needs --module)`, workloadNames().join(', ') || '(none registered)');
  }
  if (over.workloads !== undefined) {
    if (over.workloads.length === 0) throw new ConfigError(OVERRIDE_FLAGS.workloads, 'must name at least one workfile, got []');
    if (new Set(over.workloads).size !== over.workloads.length) throw new ConfigError(OVERRIDE_FLAGS.workloads, `lists a workfile twice, got ${show(over.workloads)}`, 'distinct workfiles');
  }
  if (over.users !== undefined) {
    if (over.users.length === 0 || !over.users.every((u) => Number.isSafeInteger(u) && u >= 1)) throw new ConfigError(OVERRIDE_FLAGS.users, `must be a non-empty list of positive integers, got ${show(over.users)}`);
    const sorted = [...over.users].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) throw new ConfigError(OVERRIDE_FLAGS.users, `lists ${sorted[i]} users twice`, 'distinct user counts');
  }
  if (over.kernels !== undefined) {
    if (over.kernels.length !== 2) throw new ConfigError(OVERRIDE_FLAGS.kernels, `must name two kernels (baseline, patched), got ${over.kernels.length}: ${show(over.kernels)}`);
    if (over.kernels[0] === over.kernels[1]) throw new ConfigError(OVERRIDE_FLAGS.kernels, `names the same kernel twice, got ${show(over.kernels)}`, 'a baseline and a different patched kernel');
  }
  if (over.reps !== undefined && !(Number.isInteger(over.reps) && over.reps >= 1 && over.reps <= 1000)) throw new ConfigError(OVERRIDE_FLAGS.reps, `must be an integer from 1 to 1000, got ${show(over.reps)}`);
  if (over.seed !== undefined && seedProblem(over.seed) !== null) throw new ConfigError(OVERRIDE_FLAGS.seed, `must be ${SEED_RULE}, got ${show(over.seed)}`);
}

/** Apply the overrides to one draft's spec, recording which fields each flag set. */
function applyOverrides(d: Draft, over: ReproduceOverrides): void {
  const { spec, flags, entry } = d;
  const grid = entry.role !== 'extra';
  const base = (spec.base = isObj(spec.base) ? spec.base : {});
  if (over.machine !== undefined) {
    if (isObj(spec.axes) && 'machine' in spec.axes) throw new ConfigError(OVERRIDE_FLAGS.machine, `cannot set the machine of sweeps[${d.index}], which varies it on axes.machine`);
    base.machine = over.machine;
    flags.set('base.machine', OVERRIDE_FLAGS.machine);
  }
  if (over.kernels !== undefined) {
    setAxis(spec, 'kernel', over.kernels);
    flags.set('axes.kernel', OVERRIDE_FLAGS.kernels);
  }
  if (over.seed !== undefined) {
    spec.seed = over.seed;
    flags.set('seed', OVERRIDE_FLAGS.seed);
  }
  if (over.reps !== undefined && entry.role !== 'validation') {
    spec.replications = over.reps;
    flags.set('replications', OVERRIDE_FLAGS.reps);
  }
  if (over.pairSeeds !== undefined) {
    const rest = (Array.isArray(spec.pairSeeds) ? spec.pairSeeds : []).filter((e) => e !== 'kernel');
    const entries = over.pairSeeds ? ['kernel', ...rest] : rest;
    if (entries.length) spec.pairSeeds = entries;
    else delete spec.pairSeeds;
  }
  if (grid && over.workload !== undefined) {
    if (isObj(base.workload)) base.workload = { ...base.workload, name: over.workload };
    else base.workload = over.workload;
    flags.set('base.workload', OVERRIDE_FLAGS.workload);
  }
  if (entry.role === 'table' && over.users !== undefined) {
    deleteBaseParam(spec, 'users');
    setAxis(spec, 'users', [...over.users].sort((a, b) => a - b));
    flags.set('axes.users', OVERRIDE_FLAGS.users);
  }
}

/**
 * `--workloads` on a table or validation draft: the `workfile` axis becomes the named
 * workfiles (a validation sweep: those of them it has); a sweep with a fixed workfile stays
 * only if named. False: drop the draft.
 */
function selectWorkfiles(d: Draft, workloads: readonly string[]): boolean {
  const axis = axisList(d.spec, 'workfile');
  if (axis) {
    const keep = d.entry.role === 'table' ? [...workloads] : workloads.filter((w) => axis.includes(w));
    if (keep.length === 0) return false;
    setAxis(d.spec, 'workfile', keep);
    d.flags.set('axes.workfile', OVERRIDE_FLAGS.workloads);
    return true;
  }
  const fixed = baseParam(d.spec, 'workfile');
  if (typeof fixed !== 'string') throw new ConfigError(OVERRIDE_FLAGS.workloads, `cannot select the workfiles of sweeps[${d.index}]: it has no "workfile" axis (a list) and no base.params.workfile`);
  return workloads.includes(fixed);
}

/**
 * `--workloads` must name workfiles the table sweeps have: any, with a `workfile` axis; else
 * the fixed workfiles of the per-workfile table sweeps.
 */
function checkCovered(drafts: readonly Draft[], workloads: readonly string[]): void {
  const tables = drafts.filter((d) => d.entry.role === 'table');
  if (tables.some((d) => axisList(d.spec, 'workfile'))) return;
  const fixed = tables.map((d) => baseParam(d.spec, 'workfile')).filter((w): w is string => typeof w === 'string');
  const w = workloads.find((x) => !fixed.includes(x));
  if (w !== undefined) throw new ConfigError(OVERRIDE_FLAGS.workloads, `names ${show(w)}, which no table sweep of this preset has (its user counts are given per workfile, one table sweep each)`, fixed.join(', '));
}

/**
 * Expand a draft; an error in a field a flag set names the flag, any other the preset field
 * (under `--model`, which changes what every field may hold, the flag and the field).
 */
function expandDraft(d: Draft): ExpandedSweep {
  try {
    return expandSweep(d.spec);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const [prefix, flag] of d.flags) {
      if (e.field === prefix || e.field.startsWith(`${prefix}.`) || e.field.startsWith(`${prefix}[`)) throw new ConfigError(flag, e.problem, e.allowed);
    }
    const under = e.under(`sweeps[${d.index}].spec`);
    if (d.flags.has('base.workload')) throw new ConfigError(OVERRIDE_FLAGS.workload, `with this model, ${under.field}: ${under.problem}`, under.allowed);
    throw under;
  }
}

/**
 * The preset's sweeps with the overrides applied, expanded and checked against the compared
 * kernels (ConfigError naming the flag or the preset field). `dir` resolves spec file names.
 */
export function planSweeps(entries: readonly unknown[], kernels: readonly [string, string], over: ReproduceOverrides, dir: string): PlannedSweep[] {
  checkOverrides(over);
  let drafts = parseEntries(entries, dir);
  for (const d of drafts) applyOverrides(d, over);
  if (over.validation === false) drafts = drafts.filter((d) => d.entry.role !== 'validation');
  if (over.workloads !== undefined) {
    checkCovered(drafts, over.workloads);
    drafts = drafts.filter((d) => d.entry.role === 'extra' || selectWorkfiles(d, over.workloads!));
  }
  const planned = drafts.map((d): PlannedSweep => {
    const x = expandDraft(d);
    checkKernels(d, x, kernels, over);
    return { role: d.entry.role, index: d.index, ...(d.entry.role === 'extra' ? { label: d.entry.label ?? workloadOf(x), metric: d.entry.metric } : {}), x };
  });
  checkRoles(planned, over);
  return planned;
}

/** The workload name of a sweep's first point. */
function workloadOf(x: ExpandedSweep): string {
  return String(x.points[0]!.resolved.config.workload);
}

/** Every sweep varies the kernel on an axis `kernel` listing the compared kernels, in order. */
function checkKernels(d: Draft, x: ExpandedSweep, kernels: readonly [string, string], over: ReproduceOverrides): void {
  const k = axisList(x.spec as unknown as Record<string, unknown>, 'kernel');
  if (k && k.length === 2 && k[0] === kernels[0] && k[1] === kernels[1]) return;
  const field = over.kernels !== undefined ? OVERRIDE_FLAGS.kernels : `sweeps[${d.index}].spec.axes.kernel`;
  throw new ConfigError(field, `must list the compared kernels (compare.kernels), baseline then patched, got ${k ? show(k) : 'no such axis'}`, show([...kernels]));
}

/** The load point key of a table or validation run. */
function pointKey(x: ExpandedSweep, p: number): { workfile: string; users: number; kernel: string; workload: string; estimate: unknown } {
  const c = x.points[p]!.resolved.config;
  return { workfile: String(c.params.workfile), users: Number(c.params.users), kernel: String(c.kernel), workload: String(c.workload), estimate: c.params.estimate };
}

/** What each role needs: one table at least, its load points distinct, one workload model and replication count; the validation's estimates; distinct extra labels. */
function checkRoles(sweeps: readonly PlannedSweep[], over: ReproduceOverrides): void {
  const tables = sweeps.filter((s) => s.role === 'table');
  if (tables.length === 0) throw new ConfigError(over.workloads !== undefined ? OVERRIDE_FLAGS.workloads : 'sweeps', 'leaves no table sweep: the aim7 table needs one', 'at least one {"role": "table", "spec": {...}}');
  const seen = new Map<string, number>();
  const first = tables[0]!;
  const model = workloadOf(first.x);
  for (const t of tables) {
    const f = `sweeps[${t.index}]`;
    if (t.x.spec.replications !== first.x.spec.replications) throw new ConfigError(`${f}.spec.replications`, `must equal the first table sweep's (sweeps[${first.index}]), got ${t.x.spec.replications}`, String(first.x.spec.replications));
    for (const p of t.x.points) {
      const k = pointKey(t.x, p.index);
      if (k.workload !== model) throw new ConfigError(over.workload !== undefined ? OVERRIDE_FLAGS.workload : `${f}.spec`, `point ${p.index} runs workload ${show(k.workload)}; every table sweep runs one workload model`, show(model));
      const key = `${k.workfile}/${k.users}/${k.kernel}`;
      if (seen.has(key)) throw new ConfigError(`${f}.spec`, `repeats the load point ${k.workfile}/${k.users} on ${k.kernel} (point ${p.index}) of sweeps[${seen.get(key)}]; the table needs each workfile, users and kernel once (other varied parameters belong in another preset)`);
      seen.set(key, t.index);
    }
  }
  const tableWorkfiles = [...new Set(tables.flatMap((t) => t.x.points.map((p) => pointKey(t.x, p.index).workfile)))];
  const vals = sweeps.filter((s) => s.role === 'validation');
  if (vals.length > 1) throw new ConfigError(`sweeps[${vals[1]!.index}].role`, `a second validation sweep (the first is sweeps[${vals[0]!.index}])`, 'at most one validation sweep');
  for (const v of vals) {
    const f = `sweeps[${v.index}].spec`;
    const est = axisList(v.x.spec as unknown as Record<string, unknown>, 'estimate');
    if (!est || est.length !== 2 || !VALIDATION_ESTIMATES.every((e) => est.includes(e))) {
      throw new ConfigError(`${f}.axes.estimate`, `a validation sweep needs an "estimate" axis with the values "full" and "window", got ${est ? show(est) : 'no such axis'}`, '["full", "window"]');
    }
    for (const p of v.x.points) {
      const k = pointKey(v.x, p.index);
      if (k.workload !== model) throw new ConfigError(over.workload !== undefined ? OVERRIDE_FLAGS.workload : f, `point ${p.index} runs workload ${show(k.workload)}, the table sweeps ${show(model)}`, show(model));
      if (!tableWorkfiles.includes(k.workfile)) throw new ConfigError(f, `point ${p.index} has workfile ${show(k.workfile)}, not a workfile of the table sweeps`, tableWorkfiles.join(', '));
    }
  }
  const labels = new Map<string, number>();
  for (const e of sweeps.filter((s) => s.role === 'extra')) {
    if (labels.has(e.label!)) throw new ConfigError(`sweeps[${e.index}].label`, `duplicate label ${show(e.label)} (of sweeps[${labels.get(e.label!)}])`, 'distinct labels (set "label")');
    labels.set(e.label!, e.index);
  }
}

/** The aim7 grid of the table sweeps, as the report and the plan show it. */
export interface TableGrid {
  workload: string;
  machine: string;
  /** in the order of the table sweeps' points (or of --workloads) */
  workloads: string[];
  /** per workfile, ascending */
  users: Record<string, number[]>;
  replications: number;
  seed: string;
  /** the table sweeps pair the kernels */
  pairSeeds: boolean;
  /** the fixed workload parameters every table sweep shares (no workfile, no users) */
  params: ParamValues;
  /** per workfile, the fixed parameters its sweep adds */
  workloadParams: Record<string, ParamValues>;
}

/** The fixed workload parameters of a spec's base (no workfile, no users). */
function fixedParams(x: ExpandedSweep): ParamValues {
  const base = x.spec.base;
  const p = { ...(isObj(base.workload) && isObj(base.workload.params) ? base.workload.params : {}), ...(isObj(base.params) ? base.params : {}) } as ParamValues;
  delete p.workfile;
  delete p.users;
  return p;
}

/** A machine as the plan names it: a preset name or file path, or a MachineSpec object's name. */
function machineName(m: unknown): string {
  if (typeof m === 'string') return m;
  return isObj(m) && typeof m.name === 'string' ? m.name : JSON.stringify(m);
}

/** The table sweeps' grid. */
export function tableGrid(sweeps: readonly PlannedSweep[], over: ReproduceOverrides): TableGrid {
  const tables = sweeps.filter((s) => s.role === 'table');
  const t0 = tables[0]!.x;
  const users: Record<string, number[]> = {};
  const fixed = new Map<string, ParamValues>();
  for (const t of tables) {
    for (const p of t.x.points) {
      const k = pointKey(t.x, p.index);
      (users[k.workfile] ??= []).push(k.users);
      if (!fixed.has(k.workfile)) fixed.set(k.workfile, fixedParams(t.x));
    }
  }
  const workloads = over.workloads ? over.workloads.filter((w) => w in users) : Object.keys(users);
  for (const w of workloads) users[w] = [...new Set(users[w])].sort((a, b) => a - b);
  // params: those every table sweep fixes to one value; the rest per workfile
  const all = [...fixed.values()];
  const params: ParamValues = {};
  for (const [k, v] of Object.entries(all[0] ?? {})) if (all.every((f) => k in f && f[k] === v)) params[k] = v;
  const workloadParams = Object.fromEntries(workloads.map((w) => [w, Object.fromEntries(Object.entries(fixed.get(w)!).filter(([k]) => !(k in params)))]));
  return {
    workload: workloadOf(t0),
    machine: machineName(t0.spec.base.machine ?? t0.points[0]!.resolved.config.machine),
    workloads,
    users: Object.fromEntries(workloads.map((w) => [w, users[w]!])),
    replications: t0.spec.replications,
    seed: t0.spec.seed,
    pairSeeds: (t0.spec.pairSeeds ?? []).includes('kernel'),
    params,
    workloadParams,
  };
}

/** The validation sweep's grid (null without one): its workfiles in point order, users ascending, replications. */
export function validationGrid(sweeps: readonly PlannedSweep[]): { workloads: string[]; users: number[]; replications: number } | null {
  const v = sweeps.find((s) => s.role === 'validation');
  if (!v) return null;
  const keys = v.x.points.map((p) => pointKey(v.x, p.index));
  return { workloads: [...new Set(keys.map((k) => k.workfile))], users: [...new Set(keys.map((k) => k.users))].sort((a, b) => a - b), replications: v.x.spec.replications };
}

/** An extra as the plan shows it: workload, label, fixed parameters, metric, duration. */
export interface PlanExtra {
  workload: string;
  label: string;
  params?: ParamValues;
  metric: string;
  duration?: { ms?: number; warmupMs?: number };
}

/** The plan's view of an extra sweep. */
export function extraOf(s: PlannedSweep): PlanExtra {
  const base = s.x.spec.base;
  const params = isObj(base.params) && Object.keys(base.params).length ? (clone(base.params) as ParamValues) : undefined;
  return { workload: workloadOf(s.x), label: s.label!, ...(params ? { params } : {}), metric: s.metric!, ...(isObj(base.duration) ? { duration: clone(base.duration) as { ms?: number; warmupMs?: number } } : {}) };
}

/** The label of a load point (`alltests/100`). */
export function pointLabel(workfile: string, users: number): string {
  return `${workfile}/${users}`;
}
