/**
 * A run config: plain data saying what to simulate. Validated by a zod schema (structure,
 * types, ranges) plus the lower layers' own resolvers (machine presets and specs, kernel
 * names and specs, the workload registry's parameter tables), so every bad input becomes a
 * ConfigError naming the field, the value and what is allowed.
 *
 *   {
 *     machine: "ivybridge-ex-4s" | MachineSpec,            default "ivybridge-ex-4s"
 *     kernel: "3.18-rc1" | "patches:1-4" | KernelSpec,     default "3.18-rc1"
 *     workload: "lock-hammer" | { name, params? },          required
 *     params: { threads: 60, readers: 0.9 },                the workload's; defaults filled in
 *     duration: { ms: 10, warmupMs: 0, maxEvents?: n },     simulated ms; stop rule
 *     seed: "1" | 1,                                        default "1"
 *     options: { checks: false, trace: false | true | { intervalMs }, sched: { hz: 1000, ... },
 *                exactLockTiming: false, exactRmapWalks: false }
 *   }
 *
 * The effective config (`RunConfig`) has every default filled in, `workload` as a name,
 * `seed` as a string and `trace` as false or `{ intervalMs }`.
 */
import { z } from 'zod';
import { isMachineFile, loadMachine, loadMachineFile, machinePresets, Machine, type MachineSpec } from '../hw';
import { KernelConfigError, resolveKernel, type KernelConfig, type KernelSpec } from '../kernel';
import { defaultSchedParams, type SchedParams } from '../sched';
import { describeParam, getWorkload, workloadNames, type ParamSpec, type ParamValues, type WorkloadDef } from '../workloads';
import { canonicalJson, sha256 } from './canonical';
import { ConfigError, show } from './errors';
import { zodError } from './zod_errors';
import { SEED_RULE, seedProblem } from '../engine/seed';

/** A seed in a run config, sweep spec or reproduce preset: src/engine/seed.ts's rule. */
export const seedSchema = z.union([z.string(), z.number()]).refine((v) => seedProblem(v) === null).describe(SEED_RULE);

export const DEFAULT_MACHINE = 'ivybridge-ex-4s';
export const DEFAULT_KERNEL = '3.18-rc1';
export const DEFAULT_DURATION_MS = 10;

/** A run config as written by a user (every field but `workload` optional). */
export interface RunConfigInput {
  machine?: string | MachineSpec;
  kernel?: string | KernelSpec;
  workload: string | { name: string; params?: ParamValues };
  params?: ParamValues;
  duration?: { ms?: number; warmupMs?: number; maxEvents?: number | null };
  seed?: string | number;
  options?: {
    checks?: boolean;
    trace?: boolean | { intervalMs?: number };
    sched?: Partial<SchedParams>;
    /** every lock stall an event and no folded critical sections (LockEnv.exactLockTiming) */
    exactLockTiming?: boolean;
    /** rmap walks eager, one event or more per VMA, instead of lazy (src/mm/rmap_lazy.ts) */
    exactRmapWalks?: boolean;
  };
}

/** The effective config: every default filled in. */
export interface RunConfig {
  machine: string | MachineSpec;
  kernel: string | KernelSpec;
  workload: string;
  params: ParamValues;
  duration: { ms: number; warmupMs: number; maxEvents: number | null };
  seed: string;
  options: {
    checks: boolean;
    trace: false | { intervalMs: number };
    sched: Partial<SchedParams>;
    /** present (true) only when asked for, so the default config hashes as before */
    exactLockTiming?: true;
    /** present (true) only when asked for */
    exactRmapWalks?: true;
  };
}

/** A validated config with the objects it names. */
export interface ResolvedRun {
  config: RunConfig;
  machine: Machine;
  kernel: KernelConfig;
  workload: WorkloadDef;
  /** hash of everything but the seed: see configHash() */
  configHash: string;
}

const num = (desc: string, min: number, max: number, opts: { int?: boolean; gt?: boolean } = {}) => {
  let s = z.number();
  if (opts.int) s = s.int();
  s = opts.gt ? s.gt(min) : s.min(min);
  return s.max(max).describe(desc);
};

const schedShape: Record<string, z.ZodType> = {};
for (const k of Object.keys(defaultSchedParams)) {
  schedShape[k] = (k === 'hz' ? num('a number > 0 and <= 100000', 0, 1e5, { gt: true }) : num('a number of ns from 0 to 1e12', 0, 1e12)).optional();
}

const TopSchema = z
  .strictObject({
    machine: z.union([z.string(), z.record(z.string(), z.unknown())]).describe(`a machine preset name (${machinePresetsSafe().join(', ')}), a MachineSpec JSON file path, or a MachineSpec object`).optional(),
    kernel: z.union([z.string(), z.record(z.string(), z.unknown())]).describe('a kernel name or spec string (see mmlock kernels) or a {base, patches, locks} object').optional(),
    workload: z
      .union([
        z.string(),
        z.strictObject({ name: z.string().describe('a workload name'), params: z.record(z.string(), z.unknown()).describe('an object of workload parameters').optional() }).describe('key of a workload object'),
      ])
      .describe('a workload name or {name, params}'),
    params: z.record(z.string(), z.unknown()).describe('an object of workload parameters').optional(),
    duration: z
      .strictObject({
        ms: num('a number of simulated ms > 0 and <= 1000000', 0, 1e6, { gt: true }).optional(),
        warmupMs: num('a number of simulated ms from 0 to 1000000', 0, 1e6).optional(),
        maxEvents: num('an integer from 1 to 9007199254740991, or null', 1, Number.MAX_SAFE_INTEGER, { int: true }).nullable().optional(),
      })
      .describe('key of duration')
      .optional(),
    seed: seedSchema.optional(),
    options: z
      .strictObject({
        checks: z.boolean().describe('true or false').optional(),
        trace: z.union([z.boolean(), z.strictObject({ intervalMs: num('a number of simulated ms > 0', 0, 1e6, { gt: true }).optional() }).describe('key of options.trace')]).describe('true, false or {intervalMs}').optional(),
        sched: z.strictObject(schedShape).describe('scheduler parameter').optional(),
        exactLockTiming: z.boolean().describe('true or false').optional(),
        exactRmapWalks: z.boolean().describe('true or false').optional(),
      })
      .describe('option')
      .optional(),
  })
  .describe('run config key');

function machinePresetsSafe(): string[] {
  try {
    return machinePresets();
  } catch {
    return [];
  }
}

const paramSchemas = new WeakMap<WorkloadDef, z.ZodType>();

/** A zod schema for a workload's parameter table (all optional: defaults are filled in after). */
function paramSchema(w: WorkloadDef): z.ZodType {
  let s = paramSchemas.get(w);
  if (!s) paramSchemas.set(w, (s = buildParamSchema(w)));
  return s;
}

function buildParamSchema(w: WorkloadDef): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, p] of Object.entries(w.params)) shape[k] = leaf(p).optional();
  return z.strictObject(shape).describe(`parameter of workload ${JSON.stringify(w.name)}`);
}

function leaf(p: ParamSpec): z.ZodType {
  const desc = describeParam(p);
  switch (p.type) {
    case 'int': return z.number().int().min(p.min).max(p.max).describe(desc);
    case 'number': return z.number().min(p.min).max(p.max).describe(desc);
    case 'boolean': return z.boolean().describe(desc);
    case 'enum': return z.enum(p.values as [string, ...string[]]).describe(desc);
    case 'string': return z.string().min(1).describe(desc);
  }
}

const machineCache = new Map<string, Machine>();

function resolveMachine(m: string | MachineSpec): Machine {
  if (typeof m === 'string') {
    const cached = machineCache.get(m);
    if (cached) return cached;
    if (isMachineFile(m)) {
      // read each time (not cached): a notebook user may edit the file between runs
      try {
        return loadMachineFile(m);
      } catch (e) {
        throw new ConfigError('machine', (e as Error).message);
      }
    }
    const names = machinePresets();
    if (!names.includes(m)) throw new ConfigError('machine', `unknown machine preset ${show(m)}`, `${names.join(', ')}, the path of a MachineSpec JSON file (ending in .json or containing /), or a MachineSpec object`);
    const machine = loadMachine(m);
    machineCache.set(m, machine);
    return machine;
  }
  try {
    return new Machine(m);
  } catch (e) {
    const msg = (e as Error).message.replace(/^machine( "[^"]*")?: /, '');
    throw new ConfigError('machine', msg);
  }
}

/** resolved kernels by canonical spec (KernelConfig objects are frozen, so sharing is safe) */
const kernelCache = new Map<string, KernelConfig>();
/** canonical JSON of the resolved machine and kernel, for the config hash */
const canonicalOf = new WeakMap<object, string>();

function resolveKernelField(k: string | KernelSpec): KernelConfig {
  const key = typeof k === 'string' ? k : canonicalJson(k);
  const hit = kernelCache.get(key);
  if (hit) return hit;
  const kc = resolveKernelUncached(k);
  if (kernelCache.size > 10000) kernelCache.clear();
  kernelCache.set(key, kc);
  return kc;
}

function resolveKernelUncached(k: string | KernelSpec): KernelConfig {
  try {
    return resolveKernel(k, 'kernel');
  } catch (e) {
    if (e instanceof KernelConfigError) {
      const allowed = e.allowed.join(', ');
      if (e.field === 'kernel') throw new ConfigError('kernel', e.problem, allowed);
      // a JSON spec in a string names fields inside it; an object spec's fields are under kernel.
      if (typeof k === 'string') throw new ConfigError('kernel', `${e.field}: ${e.problem}`, allowed);
      throw new ConfigError(`kernel.${e.field}`, e.problem, allowed);
    }
    throw e;
  }
}

/**
 * A workload's parameters: each source checked against the workload's table (names, types,
 * ranges, choices; a ConfigError names `<prefix>.<name>`), later sources over earlier ones,
 * defaults filled in, then the workload's cross-parameter check (`params.<name>`). The one
 * validation of parameters: run configs (resolveRunConfig) and `mmlock scenario --set` both
 * go through it.
 */
export function resolveWorkloadParams(workload: WorkloadDef, ...sources: readonly (readonly [given: unknown, prefix: string])[]): ParamValues {
  const pSchema = paramSchema(workload);
  for (const [src, prefix] of sources) {
    const r = pSchema.safeParse(src, { reportInput: true });
    if (!r.success) throw zodError(pSchema, src, r.error, prefix);
  }
  const params: ParamValues = {};
  const given = Object.assign({}, ...sources.map(([src]) => src)) as ParamValues;
  for (const [k, p] of Object.entries(workload.params)) params[k] = given[k] ?? p.default;
  const problem = workload.checkParams?.(params);
  if (problem) throw new ConfigError(`params.${problem.field}`, problem.problem, problem.allowed ?? '');
  return params;
}

/**
 * Validate `input` and fill in defaults. Throws ConfigError (fields under `prefix`, e.g.
 * `base`) naming the first bad field, its value and what is allowed.
 */
export function resolveRunConfig(input: unknown, prefix = ''): ResolvedRun {
  try {
    return resolveInner(input);
  } catch (e) {
    if (e instanceof ConfigError) throw e.under(prefix);
    throw e;
  }
}

function resolveInner(input: unknown): ResolvedRun {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('', `a run config must be an object, got ${show(input)}`, 'keys machine, kernel, workload, params, duration, seed, options');
  }
  const top = TopSchema.safeParse(input, { reportInput: true });
  if (!top.success) throw zodError(TopSchema, input, top.error);
  const c = top.data as RunConfigInput;
  // workload and its parameters
  const wname = typeof c.workload === 'string' ? c.workload : c.workload.name;
  const workload = getWorkload(wname);
  if (!workload) {
    throw new ConfigError(typeof c.workload === 'string' ? 'workload' : 'workload.name', `unknown workload ${show(wname)}`, workloadNames().join(', ') || '(none registered)');
  }
  const inner = typeof c.workload === 'object' ? c.workload.params ?? {} : {};
  const params = resolveWorkloadParams(workload, [inner, 'workload.params'], [c.params ?? {}, 'params']);
  if (workload.timing === 'completion' && (c.duration?.warmupMs ?? 0) > 0) {
    throw new ConfigError('duration.warmupMs', `workload ${show(workload.name)} runs to completion and has no warm-up, got ${c.duration!.warmupMs}`, '0');
  }
  if (workload.timing === 'completion' && c.options?.trace !== undefined && c.options.trace !== false) {
    throw new ConfigError('options.trace', `workload ${show(workload.name)} runs to completion; a trace needs a fixed-duration workload, got ${show(c.options.trace)}`, 'false');
  }
  // machine, kernel
  const machineIn = c.machine ?? DEFAULT_MACHINE;
  const machine = resolveMachine(machineIn);
  const kernelIn = c.kernel ?? DEFAULT_KERNEL;
  const kernel = resolveKernelField(kernelIn);
  const ms = c.duration?.ms ?? DEFAULT_DURATION_MS;
  const traceIn = c.options?.trace ?? false;
  const trace = traceIn === false ? false : { intervalMs: (traceIn === true ? undefined : traceIn.intervalMs) ?? ms / 20 };
  const config: RunConfig = {
    machine: machineIn,
    kernel: kernelIn,
    workload: workload.name,
    params,
    duration: { ms, warmupMs: c.duration?.warmupMs ?? 0, maxEvents: c.duration?.maxEvents ?? null },
    seed: String(c.seed ?? '1'),
    options: {
      checks: c.options?.checks ?? false,
      trace,
      sched: { ...(c.options?.sched ?? {}) },
      ...(c.options?.exactLockTiming ? { exactLockTiming: true as const } : {}),
      ...(c.options?.exactRmapWalks ? { exactRmapWalks: true as const } : {}),
    },
  };
  return { config, machine, kernel, workload, configHash: hashOf(config, machine, kernel) };
}

/**
 * Version of the simulation's behaviour, part of every config hash: bump it in a commit
 * that changes what runs compute (not for speed-only or cosmetic changes), so that a
 * sweep folder written before cannot be resumed with results of the old model mixed in
 * (the store then asks for a fresh --out folder). History: 1 until 27 Nov 2026; 2 from
 * the folding of uncontended lock work (LockEnv.exactLockTiming false); 3 from xfs group commit and ramdisk
 * I/O as CPU (then workloads/aim7/fs.ts, now src/fs/); 4 from libc without clean data pages (mm/model/layouts.ts, candidate
 * 1 of docs/fidelity/candidates.md), the fork's order-2 allocation (compaction.ts) and the lock fixes; 5 from anonymous NUMA balancing (mm/numa_anon.ts), the brk fix and the measured test table.
 */
export const MODEL_VERSION = 5;

function hashOf(config: RunConfig, machine: Machine, kernel: KernelConfig): string {
  const { seed: _seed, ...rest } = config;
  return hashParts(canonicalJson(rest), kernelJson(kernel), machineJson(machine));
}

// the resolved machine and kernel are hashed too, so a changed preset file or kernel
// definition changes the hash (and with it the derived seeds and resumption); their
// canonical JSON is computed once per object
function machineJson(machine: Machine): string {
  let m = canonicalOf.get(machine);
  if (m === undefined) canonicalOf.set(machine, (m = canonicalJson(machine.spec)));
  return m;
}

function kernelJson(kernel: KernelConfig): string {
  let k = canonicalOf.get(kernel);
  if (k === undefined) {
    k = canonicalJson({ name: kernel.name, patches: kernel.patches, primitive: kernel.primitive, locks: kernel.locks, sites: kernel.sites });
    canonicalOf.set(kernel, k);
  }
  return k;
}

/** = sha256(canonicalJson({ config, kernel, machine, model })) with the parts already canonical. */
function hashParts(config: string, kernel: string, machine: string): string {
  return sha256(`{"config":${config},"kernel":${kernel},"machine":${machine},"model":${MODEL_VERSION}}`, 16);
}

/** What stands for a part of the config that paired runs may differ in (see pairHash). */
export const PAIRED_PLACEHOLDER = '(paired)';

/**
 * The hash that gives paired runs of a sweep (`pairSeeds`) their common seed: the config
 * hash's recipe applied to `config` (the run's effective config without its seed, with the
 * parts the pair may differ in replaced by PAIRED_PLACEHOLDER), the resolved kernel and
 * machine replaced by the placeholder when `drop` says so. It covers MODEL_VERSION and the
 * resolved kernel and machine as the config hash does, but differs from it even with nothing
 * replaced (a leading "pair" key), so a paired seed never equals an unpaired one by design.
 */
export function pairHash(resolved: ResolvedRun, config: Record<string, unknown>, drop: { kernel: boolean; machine: boolean }): string {
  const k = drop.kernel ? JSON.stringify(PAIRED_PLACEHOLDER) : kernelJson(resolved.kernel);
  const m = drop.machine ? JSON.stringify(PAIRED_PLACEHOLDER) : machineJson(resolved.machine);
  return hashParts(`{"pair":${canonicalJson(config)}}`, k, m);
}

/** Validate a run config and return it with every default filled in. */
export function validateRunConfig(input: unknown): RunConfig {
  return resolveRunConfig(input).config;
}

/**
 * The config hash: 16 hex digits of SHA-256 over the canonical JSON of the effective config
 * without its seed, plus the resolved machine spec and kernel.
 */
export function configHash(input: unknown): string {
  return resolveRunConfig(input).configHash;
}
