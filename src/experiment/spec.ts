/**
 * A sweep spec: a base run config, axes (a grid), optional joint samples, replications and
 * a seed. As JSON/YAML, or a TypeScript object in a notebook:
 *
 *   {
 *     "name": "example",
 *     "base": { "workload": "lock-hammer", "kernel": "3.18-rc1", "duration": { "ms": 20 } },
 *     "axes": {
 *       "kernel": ["3.18-rc1", "3.18-rc1-i_mmap_rwsem"],            values
 *       "threads": { "values": [15, 30, 60, 120] },                 values (+ "labels")
 *       "holdNs": { "range": { "from": 100, "to": 400, "step": 100 } }, or count (+ scale: "log")
 *     },
 *     "samples": { "method": "sobol", "count": 8,                   joint samples, crossed
 *                  "params": { "readers": { "min": 0, "max": 1 } } }  with the grid
 *     "replications": 2,
 *     "seed": 42,
 *     "pairSeeds": ["kernel"]                                       optional: paired runs
 *   }
 *
 * An axis or sample name is a workload parameter (`threads`), `params.<name>`, a top-level
 * config key (`machine`, `kernel`, `workload`) or a dotted path into the config
 * (`duration.ms`, `options.sched.hz`). Points are the grid in row-major order (first axis
 * slowest), each crossed with every sample. Run `rep` of point `p` has
 *
 *   runId = p<p>-r<rep> (zero-padded)     seed = sha256(sweepSeed, configHash, rep)
 *
 * so a run's seed and result never depend on scheduling, workers or shards.
 *
 * `pairSeeds` (a list of axis names, as written under `axes`) gives runs that differ only on
 * those axes the same seed (common random numbers), so a comparison along them (baseline vs
 * patched kernel) is paired: a run's seed is then sha256(sweepSeed, pairHash, rep), where
 * pairHash is the config hash computed with the named axes' parts of the config (and the
 * resolved kernel or machine, for a kernel or machine axis; every workload parameter not on
 * another axis or sample, for a workload axis) replaced by a placeholder. Without
 * `pairSeeds` the spec, its hash and every seed are as before the option existed.
 *
 * A `pairSeeds` entry `{"axis": "estimate", "seedOf": "full"}` (a twin pairing) gives the
 * runs at every value of that axis the seeds of the run at value `seedOf` with everything
 * else equal (its twin): reproduce's validation sweep runs each window estimate on the seed
 * of its full run this way. Twin and placeholder pairings combine: with `["kernel",
 * {"axis": "estimate", "seedOf": "full"}]` the four runs of a load point and replication
 * (two kernels × two estimates) share one seed, the full runs' pair hash.
 *
 * Validation happens before anything runs: every point's config is resolved, and an error
 * names the field in the spec (`axes.threads.values[2]`, `base.kernel`,
 * `samples.params.readers.max`), the value and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { Rng } from '../engine';
import { describeParam, getWorkload, workloadNames } from '../workloads';
import { canonicalJson, sha256 } from './canonical';
import { pairHash, PAIRED_PLACEHOLDER, resolveRunConfig, type ResolvedRun, type RunConfigInput } from './config';
import { ConfigError, fieldPath, show } from './errors';
import { SOBOL_MAX_DIMS, sobolPoints } from './sobol';
import { zodError } from './zod_errors';
import { seedSchema } from './config';

export interface RangeSpec {
  from: number;
  to: number;
  /** step between values (from, from+step, ... <= to); or give count */
  step?: number;
  /** number of values from `from` to `to` inclusive; or give step */
  count?: number;
  /** with count: linear (default) or log spacing */
  scale?: 'linear' | 'log';
}

export type AxisSpec = unknown[] | { values: unknown[]; labels?: string[] } | { range: RangeSpec };

export interface SampleParamSpec {
  min: number;
  max: number;
  scale?: 'linear' | 'log';
  /** draw integers; default: true for an `int` workload parameter */
  int?: boolean;
}

export interface SweepSpecInput {
  name?: string | null;
  description?: string | null;
  base: Omit<RunConfigInput, 'seed' | 'workload'> & { workload?: RunConfigInput['workload'] };
  axes?: Record<string, AxisSpec>;
  samples?: { method: 'random' | 'sobol'; count: number; params: Record<string, SampleParamSpec> } | null;
  replications?: number;
  seed?: string | number;
  /**
   * axis names (keys of `axes`): runs differing only on these axes share their seeds; or
   * {axis, seedOf}: the runs of every value of that axis take the seeds of the runs at value
   * `seedOf` (twin pairing, e.g. a window estimate on the seed of its full run)
   */
  pairSeeds?: PairSeedsEntry[];
}

/** The spec with defaults filled in (what spec.json holds and specHash covers). */
export interface SweepSpec {
  name: string | null;
  description: string | null;
  base: Record<string, unknown>;
  axes: Record<string, AxisSpec>;
  samples: { method: 'random' | 'sobol'; count: number; params: Record<string, SampleParamSpec> } | null;
  replications: number;
  seed: string;
  /**
   * present only when the input has it (so an unpaired spec and its hash are unchanged):
   * the paired axes, in the order of `axes`
   */
  pairSeeds?: PairSeedsEntry[];
}

/** One varied quantity: an axis or a sampled parameter. */
export interface SweepColumn {
  /** column name in the results: the parameter name, else the dotted path */
  name: string;
  /** where in the run config it goes */
  path: string[];
  kind: 'axis' | 'sample';
}

export interface SweepPoint {
  index: number;
  /** column name → value as shown in the results (label, scalar, or JSON text) */
  values: Record<string, string | number | boolean>;
  resolved: ResolvedRun;
}

export interface SweepRun {
  runId: string;
  point: number;
  rep: number;
  seed: string;
  configHash: string;
}

export interface ExpandedSweep {
  spec: SweepSpec;
  specHash: string;
  columns: SweepColumn[];
  points: SweepPoint[];
  runs: SweepRun[];
}

/** At most this many points (grid × samples). */
export const MAX_POINTS = 1_000_000;
const CONFIG_KEYS = ['machine', 'kernel', 'workload', 'params', 'duration', 'options'];

const finite = (desc: string) => z.number().describe(desc);
const RangeSchema = z
  .strictObject({
    from: finite('a finite number'),
    to: finite('a finite number'),
    step: z.number().gt(0).describe('a number > 0').optional(),
    count: z.number().int().min(1).max(100000).describe('an integer from 1 to 100000').optional(),
    scale: z.enum(['linear', 'log']).describe('one of linear, log').optional(),
  })
  .describe('key of a range');
const ValuesSchema = z
  .strictObject({
    values: z.array(z.unknown()).min(1).max(100000).describe('a non-empty array'),
    labels: z.array(z.string().min(1).max(200).describe('a non-empty string')).describe('an array of strings, one per value').optional(),
  })
  .describe('key of a values axis');
const SampleParamSchema = z
  .strictObject({
    min: finite('a finite number'),
    max: finite('a finite number'),
    scale: z.enum(['linear', 'log']).describe('one of linear, log').optional(),
    int: z.boolean().describe('true or false').optional(),
  })
  .describe('key of a sampled parameter');
const SweepSchema = z
  .strictObject({
    name: z.string().max(200).describe('a string of at most 200 characters').nullable().optional(),
    description: z.string().describe('a string').nullable().optional(),
    base: z.record(z.string(), z.unknown()).describe('a run config object'),
    axes: z.record(z.string(), z.unknown()).describe('an object of axes').optional(),
    samples: z
      .strictObject({
        method: z.enum(['random', 'sobol']).describe('one of random, sobol'),
        count: z.number().int().min(1).max(MAX_POINTS).describe(`an integer from 1 to ${MAX_POINTS}`),
        params: z.record(z.string(), SampleParamSchema).describe('an object of sampled parameters'),
      })
      .describe('key of samples')
      .nullable()
      .optional(),
    replications: z.number().int().min(1).max(10000).describe('an integer from 1 to 10000').optional(),
    seed: seedSchema.optional(),
    // entries (an axis name or {axis, seedOf}) checked against the axes after parsing, for a message that lists them
    pairSeeds: z.array(z.unknown()).min(1).describe('a non-empty array of axis names (keys of axes) or {axis, seedOf}').optional(),
  })
  .describe('sweep spec key');

/** Read a spec file: JSON, or YAML for .yaml/.yml (other names: JSON, then YAML). */
export function loadSweepSpec(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('', `cannot read spec file ${JSON.stringify(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text);
    try {
      return JSON.parse(text);
    } catch (e) {
      if (ext === '.json') throw e;
      return parseYaml(text);
    }
  } catch (e) {
    throw new ConfigError('', `cannot parse ${JSON.stringify(file)} as ${ext === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function clone<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

/** Where an axis/sample name points in the run config, and its column name. */
function target(name: string, field: string, workloads: string[]): { name: string; path: string[] } {
  const allowedParams = new Set<string>();
  for (const w of workloads) for (const p of Object.keys(getWorkload(w)?.params ?? {})) allowedParams.add(p);
  const allowed = () => [...CONFIG_KEYS.filter((k) => k !== 'params'), 'duration.ms', 'duration.warmupMs', 'options.checks', 'options.sched.<name>', ...[...allowedParams].sort(), 'params.<name>'].join(', ');
  if (name === 'seed' || name.startsWith('seed.')) {
    throw new ConfigError(field, `cannot vary ${show(name)}: each run's seed derives from the sweep seed, the config hash and the replication`, 'set "seed" at the top level, "replications" for repeats');
  }
  if (name.includes('.')) {
    const path = name.split('.');
    if (path.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype') || !CONFIG_KEYS.includes(path[0]!)) {
      throw new ConfigError(field, `unknown parameter ${show(name)}`, allowed());
    }
    if (path[0] === 'params') {
      if (path.length !== 2 || (allowedParams.size && !allowedParams.has(path[1]!))) throw new ConfigError(field, `unknown parameter ${show(name)}`, allowed());
      return { name: path[1]!, path };
    }
    return { name, path };
  }
  if (CONFIG_KEYS.includes(name)) return { name, path: [name] };
  if (allowedParams.has(name)) return { name, path: ['params', name] };
  throw new ConfigError(field, `unknown parameter ${show(name)}${workloads.length ? ` of workload ${workloads.map((w) => JSON.stringify(w)).join(', ')}` : ''}`, allowed());
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown, field: string): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    const next = cur[k];
    if (next === undefined) cur[k] = {};
    else if (!isPlainObject(next)) {
      throw new ConfigError(`base.${path.slice(0, i + 1).join('.')}`, `must be an object (${field} sets ${path.join('.')}), got ${show(next)}`);
    }
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = clone(value);
}

function cellValue(v: unknown): string | number | boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  return canonicalJson(v);
}

/** Round to 12 significant digits, so 0.1 + 0.2 prints as 0.3. */
function tidy(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

function rangeValues(r: RangeSpec, field: string): number[] {
  if ((r.step === undefined) === (r.count === undefined)) {
    throw new ConfigError(field, `give exactly one of step and count, got ${show(r)}`, '{from, to, step} or {from, to, count, scale?}');
  }
  if (!Number.isFinite(r.from)) throw new ConfigError(`${field}.from`, `must be a finite number, got ${show(r.from)}`);
  if (!Number.isFinite(r.to)) throw new ConfigError(`${field}.to`, `must be a finite number, got ${show(r.to)}`);
  if (r.to < r.from) throw new ConfigError(`${field}.to`, `must be >= from (${r.from}), got ${show(r.to)}`);
  if (r.step !== undefined) {
    if (r.scale !== undefined) throw new ConfigError(`${field}.scale`, `only applies with count, got ${show(r.scale)}`);
    const n = Math.floor((r.to - r.from) / r.step + 1e-9) + 1;
    if (!(n <= 100000)) throw new ConfigError(`${field}.step`, `makes ${n} values (more than 100000), got ${show(r.step)}`);
    return Array.from({ length: n }, (_, i) => tidy(r.from + i * r.step!));
  }
  const n = r.count!;
  if (r.scale === 'log') {
    if (!(r.from > 0)) throw new ConfigError(`${field}.from`, `must be > 0 for a log scale, got ${show(r.from)}`);
    const a = Math.log(r.from), b = Math.log(r.to);
    return Array.from({ length: n }, (_, i) => (i === 0 ? r.from : i === n - 1 ? r.to : tidy(Math.exp(a + ((b - a) * i) / (n - 1)))));
  }
  return Array.from({ length: n }, (_, i) => (n === 1 ? r.from : i === n - 1 ? r.to : tidy(r.from + ((r.to - r.from) * i) / (n - 1))));
}

interface AxisPlan {
  column: SweepColumn;
  /** the axis name, as written under `axes` */
  name: string;
  field: string;
  values: unknown[];
  /** spec field of each value, for error messages */
  fields: string[];
  shown: (string | number | boolean)[];
  /** the shown values are the spec's labels */
  labelled: boolean;
}

interface SamplePlan {
  column: SweepColumn;
  field: string;
  spec: SampleParamSpec;
  int: boolean;
}

/** Validate a run config error's field against an axis: strip the axis path from it. */
function underAxis(e: ConfigError, valueField: string, path: string[]): ConfigError {
  const p = path.join('.');
  if (e.field === p) return new ConfigError(valueField, e.problem, e.allowed);
  if (e.field.startsWith(`${p}.`) || e.field.startsWith(`${p}[`)) return new ConfigError(`${valueField}${e.field.slice(p.length)}`, e.problem, e.allowed);
  return new ConfigError(valueField, `${e.field ? `${e.field}: ` : ''}${e.problem}`, e.allowed);
}

/**
 * Validate a sweep spec and expand it into points and runs. Throws ConfigError naming the
 * field of the spec, the value and what is allowed; nothing is run or written.
 */
export function expandSweep(input: unknown): ExpandedSweep {
  const { spec, twinFields } = parseSpec(input);
  const wl = specWorkloads(spec);
  const targets = new Map<string, string>();
  const axes = Object.entries(spec.axes).map(([name, a]) => planAxis(name, a, wl, targets));
  const samples = planSamples(spec, wl, targets);
  checkTwins(spec, axes, twinFields);
  const columns = [...axes.map((a) => a.column), ...samples.map((s) => s.column)];
  checkColumnNames(columns);
  const gridSize = axes.reduce((n, a) => n * a.values.length, 1);
  const sampleCount = spec.samples?.count ?? 1;
  const total = gridSize * sampleCount;
  if (total > MAX_POINTS) throw new ConfigError(spec.samples ? 'samples.count' : 'axes', `makes too many points: got ${total} (grid ${gridSize} × samples ${sampleCount})`, `at most ${MAX_POINTS}`);
  const grid = new PointBuilder(spec, axes, samples, sampleValuesOf(spec, samples));
  grid.checkEdges();
  const points = grid.points(gridSize, sampleCount);
  const specHash = sha256(specKey(spec), 16);
  return { spec, specHash, columns, points, runs: sweepRuns(spec, axes, samples, points, sampleCount) };
}

/** The spec with defaults filled in (schema checked; `pairSeeds` checked once the axes are planned). */
function parseSpec(input: unknown): { spec: SweepSpec; twinFields: Map<string, string> } {
  if (!isPlainObject(input)) {
    throw new ConfigError('', `a sweep spec must be an object, got ${show(input)}`, 'keys name, description, base, axes, samples, replications, seed, pairSeeds');
  }
  const parsed = SweepSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw zodError(SweepSchema, input, parsed.error);
  const s = parsed.data;
  if ('seed' in s.base) {
    throw new ConfigError('base.seed', `runs of a sweep get seeds derived from the sweep seed, got ${show(s.base.seed)}`, 'a top-level "seed" (and "replications")');
  }
  const spec: SweepSpec = {
    name: s.name ?? null,
    description: s.description ?? null,
    base: clone(s.base),
    axes: clone((s.axes ?? {}) as Record<string, AxisSpec>),
    samples: s.samples ? clone(s.samples) : null,
    replications: s.replications ?? 1,
    seed: String(s.seed ?? '1'),
  };
  const twinFields = new Map<string, string>();
  if (s.pairSeeds) spec.pairSeeds = pairedAxes(s.pairSeeds, spec, s.samples?.params ?? {}, twinFields);
  return { spec, twinFields };
}

function workloadName(w: unknown): string | undefined {
  return typeof w === 'string' ? w : isPlainObject(w) && typeof w.name === 'string' ? w.name : undefined;
}

/** The workloads in play, sorted: the base's and any on a workload axis (ConfigError if there is none). */
function specWorkloads(spec: SweepSpec): string[] {
  const workloads = new Set<string>();
  const baseW = spec.base.workload;
  const baseName = workloadName(baseW);
  if (baseName && getWorkload(baseName)) workloads.add(baseName);
  else if (!('workload' in spec.axes)) {
    const field = isPlainObject(baseW) ? 'base.workload.name' : 'base.workload';
    if (baseW === undefined) throw new ConfigError('base.workload', 'is required (a workload name or {name, params}), or give a workload axis', workloadNames().join(', '));
    throw new ConfigError(field, typeof baseName === 'string' ? `unknown workload ${show(baseName)}` : `must be a workload name or {name, params}, got ${show(baseW)}`, workloadNames().join(', '));
  }
  const a = spec.axes.workload;
  if (a !== undefined && (Array.isArray(a) || (isPlainObject(a) && Array.isArray((a as Record<string, unknown>).values)))) {
    for (const v of Array.isArray(a) ? a : (a as { values: unknown[] }).values) {
      const n = workloadName(v);
      if (n && getWorkload(n)) workloads.add(n);
    }
  }
  return [...workloads].sort();
}

/** Claim the config path `key` for `field`: each parameter on one axis or sample. */
function claim(targets: Map<string, string>, key: string, field: string): void {
  if (targets.has(key)) throw new ConfigError(field, `sets ${key}, as ${targets.get(key)} does`, 'each parameter on one axis or sample');
  targets.set(key, field);
}

/** One axis: its target in the config, its values (ranges expanded), their spec fields and shown values. */
function planAxis(name: string, a: AxisSpec, wl: string[], targets: Map<string, string>): AxisPlan {
  const field = fieldPath('axes', name);
  const t = target(name, field, wl);
  claim(targets, t.path.join('.'), field);
  let { values, fields, labels } = axisValues(a, field);
  // integer parameters: a range gives rounded, distinct values
  if (isPlainObject(a) && 'range' in a && t.path[0] === 'params') {
    const specs = wl.map((w) => getWorkload(w)!.params[t.path[1]!]).filter((p) => p);
    if (specs.some((p) => p!.type === 'int')) values = [...new Set(values.map((v) => Math.round(v as number)))];
    fields = values.map(() => `${field}.range`);
  }
  if (!labels) {
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      const k = canonicalJson(v === undefined ? null : v);
      if (seen.has(k)) throw new ConfigError(fields[i]!, `duplicate of value ${seen.get(k)}, got ${show(v)}`, 'distinct values');
      seen.set(k, i);
    });
  }
  return { column: { name: t.name, path: t.path, kind: 'axis' }, name, field, values, fields, shown: labels ?? values.map(cellValue), labelled: labels !== undefined };
}

/** An axis's values as written: a list, {values, labels?} or {range}. */
function axisValues(a: AxisSpec, field: string): { values: unknown[]; fields: string[]; labels?: string[] } {
  if (Array.isArray(a)) {
    if (a.length === 0) throw new ConfigError(field, 'must have at least one value, got []');
    return { values: a, fields: a.map((_, i) => `${field}[${i}]`) };
  }
  if (isPlainObject(a) && 'values' in a) {
    const r = ValuesSchema.safeParse(a, { reportInput: true });
    if (!r.success) throw zodError(ValuesSchema, a, r.error, field);
    const values = r.data.values;
    const labels = r.data.labels;
    if (labels && labels.length !== values.length) {
      throw new ConfigError(`${field}.labels`, `must have one label per value (${values.length}), got ${labels.length}`);
    }
    if (labels) {
      const seen = new Map<string, number>();
      labels.forEach((l, i) => {
        if (seen.has(l)) throw new ConfigError(`${field}.labels[${i}]`, `duplicate of labels[${seen.get(l)}], got ${show(l)}`, 'distinct labels');
        seen.set(l, i);
      });
    }
    return { values, fields: values.map((_, i) => `${field}.values[${i}]`), labels };
  }
  if (isPlainObject(a) && 'range' in a) {
    const schema = z.strictObject({ range: RangeSchema }).describe('key of a range axis');
    const r = schema.safeParse(a, { reportInput: true });
    if (!r.success) throw zodError(schema, a, r.error, field);
    const values = rangeValues(r.data.range, `${field}.range`);
    return { values, fields: values.map(() => `${field}.range`) };
  }
  throw new ConfigError(field, `must be an array of values, {values, labels?} or {range: {from, to, step | count, scale?}}, got ${show(a)}`);
}

/** The sampled parameters: targets, bounds and integer rounding checked. */
function planSamples(spec: SweepSpec, wl: string[], targets: Map<string, string>): SamplePlan[] {
  if (!spec.samples) return [];
  const entries = Object.entries(spec.samples.params);
  if (entries.length === 0) throw new ConfigError('samples.params', 'must name at least one parameter, got {}');
  if (spec.samples.method === 'sobol' && entries.length > SOBOL_MAX_DIMS) {
    throw new ConfigError('samples.params', `sobol sampling supports at most ${SOBOL_MAX_DIMS} parameters, got ${entries.length}`);
  }
  return entries.map(([name, p]) => {
    const field = fieldPath('samples.params', name);
    const t = target(name, field, wl);
    claim(targets, t.path.join('.'), field);
    if (!(p.max >= p.min)) throw new ConfigError(`${field}.max`, `must be >= min (${p.min}), got ${show(p.max)}`);
    if (p.scale === 'log' && !(p.min > 0)) throw new ConfigError(`${field}.min`, `must be > 0 for a log scale, got ${show(p.min)}`);
    const ps = t.path[0] === 'params' ? wl.map((w) => getWorkload(w)!.params[t.path[1]!]).find((x) => x) : undefined;
    if (ps && ps.type !== 'int' && ps.type !== 'number') {
      throw new ConfigError(field, `samples need a numeric parameter; ${t.name} is ${describeParam(ps)}`, 'an axis for it instead');
    }
    const int = p.int ?? ps?.type === 'int';
    if (int && (!Number.isInteger(p.min) || !Number.isInteger(p.max))) {
      throw new ConfigError(Number.isInteger(p.min) ? `${field}.max` : `${field}.min`, `must be an integer for an integer parameter, got ${show(Number.isInteger(p.min) ? p.max : p.min)}`);
    }
    return { column: { name: t.name, path: t.path, kind: 'sample' as const }, field, spec: p, int };
  });
}

function checkColumnNames(columns: readonly SweepColumn[]): void {
  const seen = new Map<string, string>();
  for (const c of columns) {
    if (['runId', 'configHash', 'rep', 'seed'].includes(c.name)) throw new ConfigError(seen.get(c.name) ?? 'axes', `column name ${show(c.name)} is reserved`);
    seen.set(c.name, c.path.join('.'));
  }
}

/** The sample values, shared by every grid combination (none without samples). */
function sampleValuesOf(spec: SweepSpec, samples: SamplePlan[]): number[][] {
  if (!spec.samples) return [];
  const count = spec.samples.count;
  let u: number[][];
  if (spec.samples.method === 'sobol') u = sobolPoints(count, samples.length);
  else {
    const rng = new Rng(`${spec.seed}\u0000samples`);
    u = Array.from({ length: count }, () => samples.map(() => rng.random()));
  }
  return u.map((row) => row.map((x, d) => sampleValue(samples[d]!, x)));
}

/** Builds and resolves the run config of a grid position and sample; errors name the spec field. */
class PointBuilder {
  private readonly first: number[];
  private readonly firstSample: number[] | undefined;

  constructor(
    private readonly spec: SweepSpec,
    private readonly axes: AxisPlan[],
    private readonly samples: SamplePlan[],
    private readonly sampleValues: number[][],
  ) {
    this.first = axes.map(() => 0);
    this.firstSample = sampleValues[0];
  }

  private build(axisIdx: number[], sample: number[] | undefined): Record<string, unknown> {
    const cfg = clone(this.spec.base);
    this.axes.forEach((a, i) => setPath(cfg, a.column.path, a.values[axisIdx[i]!], a.fields[axisIdx[i]!]!));
    if (sample) this.samples.forEach((sp, d) => setPath(cfg, sp.column.path, sample[d], sp.field));
    return cfg;
  }

  private resolve(axisIdx: number[], sample: number[] | undefined, fieldOf: (e: ConfigError) => ConfigError): ResolvedRun {
    const cfg = this.build(axisIdx, sample);
    try {
      return resolveRunConfig(cfg);
    } catch (e) {
      if (e instanceof ConfigError) throw fieldOf(e);
      throw e;
    }
  }

  /** an error of the first point inside an axis or sample, under its spec field; null if outside every one */
  private inAxis(e: ConfigError): ConfigError | null {
    for (const a of this.axes) {
      const p = a.column.path.join('.');
      if (e.field === p || e.field.startsWith(`${p}.`) || e.field.startsWith(`${p}[`)) return underAxis(e, a.fields[0]!, a.column.path);
    }
    for (const sp of this.samples) {
      const p = sp.column.path.join('.');
      if (e.field === p) return new ConfigError(sp.field, e.problem, e.allowed);
    }
    return null;
  }

  /**
   * Resolve the configs that name a spec field in an error: the base with every axis at
   * its first value, each axis value with the others at their first, each sample bound.
   */
  checkEdges(): void {
    const { first, firstSample } = this;
    this.resolve(first, firstSample, (e) => this.inAxis(e) ?? e.under('base'));
    this.axes.forEach((a, i) => {
      a.values.forEach((_, j) => {
        const idx = [...first];
        idx[i] = j;
        this.resolve(idx, firstSample, (e) => underAxis(e, a.fields[j]!, a.column.path));
      });
    });
    this.samples.forEach((sp, d) => {
      for (const bound of ['min', 'max'] as const) {
        const sample = [...(firstSample ?? [])];
        sample[d] = sp.int ? Math.round(sp.spec[bound]) : sp.spec[bound];
        this.resolve(first, sample, (e) => new ConfigError(`${sp.field}.${bound}`, `${e.field === sp.column.path.join('.') ? '' : `${e.field}: `}${e.problem}`, e.allowed));
      }
    });
  }

  /** Every point: the grid in row-major order (last axis fastest), each crossed with every sample. */
  points(gridSize: number, sampleCount: number): SweepPoint[] {
    const points: SweepPoint[] = [];
    const idx = this.axes.map(() => 0);
    for (let g = 0; g < gridSize; g++) {
      for (let si = 0; si < sampleCount; si++) {
        const sample = this.spec.samples ? this.sampleValues[si] : undefined;
        const index = points.length;
        const values: Record<string, string | number | boolean> = {};
        this.axes.forEach((a, i) => { values[a.column.name] = a.shown[idx[i]!]!; });
        this.samples.forEach((sp, d) => { values[sp.column.name] = sample![d]!; });
        const resolved = this.resolve(idx, sample, (e) => new ConfigError(`point ${index}`, `(${Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}) ${e.field ? `${e.field}: ` : ''}${e.problem}`, e.allowed));
        points.push({ index, values, resolved });
      }
      // odometer, last axis fastest
      for (let i = this.axes.length - 1; i >= 0; i--) {
        if (++idx[i]! < this.axes[i]!.values.length) break;
        idx[i] = 0;
      }
    }
    return points;
  }
}

/**
 * The runs: replications of every point, each with its seed from the sweep seed, the
 * point's config hash (or pair hash, with pairSeeds) and the replication; a point on a
 * twin-paired axis ({axis, seedOf}) takes the seeds of its twin at the `seedOf` value.
 */
function sweepRuns(spec: SweepSpec, axes: AxisPlan[], samples: SamplePlan[], points: SweepPoint[], sampleCount: number): SweepRun[] {
  const pairKey = pairKeys(spec, axes, samples);
  const keyOf = (p: SweepPoint) => (pairKey ? pairKey(p.resolved) : p.resolved.configHash);
  const twinOf = twinPoints(spec, axes, sampleCount);
  const pw = Math.max(4, String(points.length - 1).length);
  const rw = Math.max(2, String(spec.replications - 1).length);
  const runs: SweepRun[] = [];
  for (const p of points) {
    const key = keyOf(twinOf ? points[twinOf(p.index)]! : p);
    for (let rep = 0; rep < spec.replications; rep++) {
      runs.push({
        runId: `p${String(p.index).padStart(pw, '0')}-r${String(rep).padStart(rw, '0')}`,
        point: p.index,
        rep,
        seed: runSeed(spec.seed, key, rep),
        configHash: p.resolved.configHash,
      });
    }
  }
  return runs;
}

/** A `pairSeeds` entry: an axis name (paired by a placeholder) or a twin pairing. */
export type PairSeedsEntry = string | { axis: string; seedOf: unknown };

function entryAxis(e: PairSeedsEntry): string {
  return typeof e === 'string' ? e : e.axis;
}

/** The axis names of a `pairSeeds` list, for messages: `kernel, estimate (seed of "full")`. */
export function describePairSeeds(entries: readonly PairSeedsEntry[]): string {
  return entries.map((e) => (typeof e === 'string' ? e : `${e.axis} (seed of ${canonicalJson(e.seedOf)})`)).join(', ');
}

/**
 * Check the names in `pairSeeds` against the spec's axes (ConfigError naming `pairSeeds[i]`
 * and listing the axis names) and return it in the order of the axes; `twinFields` gets the
 * spec field of each twin pairing's `seedOf` (checked by checkTwins once the axes are planned).
 */
function pairedAxes(entries: readonly unknown[], spec: SweepSpec, sampled: Record<string, unknown>, twinFields: Map<string, string>): PairSeedsEntry[] {
  const axisNames = Object.keys(spec.axes);
  const allowed = axisNames.length ? axisNames.join(', ') : '(none: this spec has no axes)';
  const seen = new Map<string, number>();
  const byAxis = new Map<string, PairSeedsEntry>();
  entries.forEach((e, i) => {
    const field = `pairSeeds[${i}]`;
    const n = pairSeedsName(e, field);
    if (!axisNames.includes(n)) {
      throw new ConfigError(typeof e === 'string' ? field : `${field}.axis`, `${show(n)} is not an axis of this spec${n in sampled ? ' (a sampled parameter cannot be paired)' : ''}`, allowed);
    }
    if (seen.has(n)) throw new ConfigError(field, `duplicate of pairSeeds[${seen.get(n)}], got ${show(n)}`, 'distinct axis names');
    seen.set(n, i);
    if (typeof e === 'string') byAxis.set(n, e);
    else {
      byAxis.set(n, { axis: n, seedOf: clone((e as { seedOf: unknown }).seedOf) });
      twinFields.set(n, `${field}.seedOf`);
    }
  });
  return axisNames.filter((n) => byAxis.has(n)).map((n) => byAxis.get(n)!);
}

/** The axis name of a pairSeeds entry (a string, or {axis, seedOf}); ConfigError otherwise. */
function pairSeedsName(e: unknown, field: string): string {
  if (typeof e === 'string') return e;
  if (isPlainObject(e)) {
    const extra = Object.keys(e).find((k) => k !== 'axis' && k !== 'seedOf');
    if (extra) throw new ConfigError(`${field}.${extra}`, `unknown key of a twin pairing, got ${show(e[extra])}`, 'axis, seedOf');
    if (typeof e.axis !== 'string') throw new ConfigError(`${field}.axis`, `must be an axis name (a key of axes), got ${show(e.axis)}`);
    if (!('seedOf' in e)) throw new ConfigError(`${field}.seedOf`, 'is required: the value of the axis whose runs give their seeds to the others');
    return e.axis;
  }
  throw new ConfigError(field, `must be an axis name (a key of axes) or {axis, seedOf}, got ${show(e)}`);
}

/** The index of `seedOf` among the axis's values (by value, or by label on a labelled axis). */
function twinIndex(a: AxisPlan, seedOf: unknown, field: string): number {
  const key = canonicalJson(seedOf === undefined ? null : seedOf);
  let i = a.values.findIndex((v) => canonicalJson(v === undefined ? null : v) === key);
  if (i < 0 && a.labelled) i = a.shown.indexOf(seedOf as string);
  if (i < 0) throw new ConfigError(field, `is not a value of axis ${show(a.name)}, got ${show(seedOf)}`, a.shown.map((s) => (typeof s === 'string' ? JSON.stringify(s) : String(s))).join(', '));
  return i;
}

/** Each twin pairing's `seedOf` must be a value (or label) of its axis. */
function checkTwins(spec: SweepSpec, axes: AxisPlan[], twinFields: ReadonlyMap<string, string>): void {
  for (const e of spec.pairSeeds ?? []) {
    if (typeof e !== 'string') twinIndex(axes.find((a) => a.name === e.axis)!, e.seedOf, twinFields.get(e.axis) ?? 'pairSeeds');
  }
}

/**
 * For a spec with twin pairings, the point whose seeds each point takes: the same grid
 * position and sample with every twin axis at its `seedOf` value (null without any).
 */
function twinPoints(spec: SweepSpec, axes: AxisPlan[], sampleCount: number): ((point: number) => number) | null {
  const twins = new Map<number, number>();
  (spec.pairSeeds ?? []).forEach((e) => {
    if (typeof e === 'string') return;
    const i = axes.findIndex((a) => a.name === e.axis);
    twins.set(i, twinIndex(axes[i]!, e.seedOf, 'pairSeeds'));
  });
  if (twins.size === 0) return null;
  return (point) => {
    // decompose the grid index (row-major, last axis fastest), pin the twin axes, recompose
    let g = Math.floor(point / sampleCount);
    const idx = axes.map(() => 0);
    for (let i = axes.length - 1; i >= 0; i--) {
      idx[i] = g % axes[i]!.values.length;
      g = Math.floor(g / axes[i]!.values.length);
    }
    for (const [i, j] of twins) idx[i] = j;
    const grid = idx.reduce((n, v, i) => n * axes[i]!.values.length + v, 0);
    return grid * sampleCount + (point % sampleCount);
  };
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) cur = isPlainObject(cur) ? cur[k] : undefined;
  return cur;
}

/** Set `path` in `obj`, replacing whatever is not an object on the way. */
function putPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!isPlainObject(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = clone(value);
}

/**
 * The pair hash of a point, for a spec with pairSeeds naming an axis (null without): the
 * effective config without its seed, each paired axis's path replaced by the placeholder
 * (for a workload axis the parameters too, since they follow the workload), then every
 * other axis's and sample's value put back; the resolved kernel/machine dropped for a
 * paired kernel/machine axis. Twin-paired axes count as other axes here (sweepRuns gives a
 * point its twin's pair hash).
 */
function pairKeys(spec: SweepSpec, axes: AxisPlan[], samples: SamplePlan[]): ((r: ResolvedRun) => string) | null {
  const pairedSet = new Set((spec.pairSeeds ?? []).filter((e): e is string => typeof e === 'string'));
  if (pairedSet.size === 0) return null;
  const paired = axes.filter((a) => pairedSet.has(a.name)).map((a) => a.column.path);
  const kept = [...axes.filter((a) => !pairedSet.has(a.name)).map((a) => a.column.path), ...samples.map((sp) => sp.column.path)];
  const drop = { kernel: paired.some((p) => p[0] === 'kernel'), machine: paired.some((p) => p[0] === 'machine') };
  return (r) => {
    const { seed: _seed, ...cfg } = clone(r.config) as unknown as Record<string, unknown>;
    for (const p of paired) {
      putPath(cfg, p, PAIRED_PLACEHOLDER);
      if (p[0] === 'workload') cfg.params = PAIRED_PLACEHOLDER;
    }
    for (const p of kept) putPath(cfg, p, getPath(r.config, p));
    return pairHash(r, cfg, drop);
  };
}

function sampleValue(sp: SamplePlan, u: number): number {
  const { min, max } = sp.spec;
  let v: number;
  if (sp.spec.scale === 'log') v = Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)));
  else if (sp.int) v = Math.floor(min + u * (max - min + 1));
  else v = min + u * (max - min);
  v = sp.int ? Math.round(v) : Number(v.toPrecision(6));
  return Math.min(max, Math.max(min, v));
}

/**
 * A spec's identity: canonical JSON (sorted keys) except that the order of the axes and of
 * the sampled parameters counts, since it orders the points. Specs with equal keys expand
 * to the same runs.
 */
export function specKey(spec: unknown): string {
  if (!isPlainObject(spec)) return canonicalJson(spec);
  const s = { ...spec };
  if (isPlainObject(s.axes)) s.axes = Object.entries(s.axes);
  if (isPlainObject(s.samples) && isPlainObject(s.samples.params)) s.samples = { ...s.samples, params: Object.entries(s.samples.params) };
  return canonicalJson(s);
}

/**
 * The seed of replication `rep` of a point: from the sweep seed, the config hash and rep (in a
 * spec with pairSeeds, the pair hash instead of the config hash).
 */
export function runSeed(sweepSeed: string, configHash: string, rep: number): string {
  return sha256(`${sweepSeed}\u0000${configHash}\u0000${rep}`, 16);
}

/** The runs of shard `index` of `count` (0-based): every count-th run, starting at index. */
export function shardRuns(runs: readonly SweepRun[], index: number, count: number): SweepRun[] {
  return runs.filter((_, k) => k % count === index);
}
