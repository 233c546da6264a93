/**
 * The workload registry. A workload is data plus a runner: a name, a description, a table
 * of parameters (type, default, range, help) and `run(ctx)`, which builds tasks on the
 * simulation it is handed, drives it with `ctx.run()` and returns its metrics.
 *
 * The experiment layer (src/experiment/) knows nothing workload-specific: it validates a
 * run config's `params` against the table here (unknown names, wrong types and
 * out-of-range values become errors naming the field, the value and what is allowed),
 * builds the simulation, scheduler, machine, kernel and lock environment, calls `run`, and
 * adds the workload-independent figures (lockstat, CPU time, scheduler counters).
 *
 * Parameters are a plain table rather than a zod schema so that they can be listed
 * (`mmlock workloads`), checked against sweep axes and samples (ranges, integer-ness) and
 * written in notebooks without importing a schema library; the experiment layer compiles
 * each table into a zod schema.
 */
import type { Simulation, Rng, Proc } from '../engine';
import type { Machine } from '../hw';
import type { Scheduler, Task } from '../sched';
import { lockConfigOf, type KernelConfig, type LockClass } from '../kernel';
import { LockEnv, type LockStatRow, type SleepLock } from '../locking';
import { newConfiguredLock } from '../mm';

/** One parameter of a workload. */
export type ParamSpec =
  | { type: 'int'; default: number; min: number; max: number; help: string; unit?: string }
  | { type: 'number'; default: number; min: number; max: number; help: string; unit?: string }
  | { type: 'boolean'; default: boolean; help: string }
  | { type: 'enum'; default: string; values: readonly string[]; help: string }
  /**
   * free text, e.g. a name or a file path; `allowed` says in words what is accepted (shown by
   * `mmlock workloads` and in errors); the workload's `checkParams` checks the value.
   */
  | { type: 'string'; default: string; allowed: string; help: string };

export type ParamValue = number | boolean | string;
export type ParamValues = Record<string, ParamValue>;

/** What a workload's `run` is handed. Times are in ns of simulated time. */
export interface WorkloadContext {
  readonly sim: Simulation;
  readonly sched: Scheduler;
  readonly machine: Machine;
  readonly kernel: KernelConfig;
  /** lockstat and checking mode of this run; locks made by `lock()` belong to it */
  readonly env: LockEnv;
  /** the run's seed (the simulation's streams derive from it) */
  readonly seed: string;
  /** the workload's parameters, validated, defaults filled in */
  readonly params: Readonly<ParamValues>;
  /** start of the measured window (= warm-up length) */
  readonly startNs: number;
  /** end of the measured window: startNs + duration; tasks should stop starting work after it */
  readonly endNs: number;
  /** length of the measured window */
  readonly durationNs: number;
  /** whether `sim.now` lies in the measured window [startNs, endNs] */
  measuring(): boolean;
  /**
   * lockstat rows over the measured window: taken at `endNs` once the run got there
   * (operations that drain after the window are not in it), the live figures before.
   */
  lockstat(): LockStatRow[];
  /**
   * Run-to-completion workloads only: the measured interval starts now. lockstat, the CPU
   * shares and the task-time counters all restart here and run to the end of the run (aim7
   * calls it at its driver's start signal, or where its steady-state window opens).
   */
  restartMeasuring(): void;
  /** a named random stream of this run (independent of every other name) */
  rng(name: string): Rng;
  /**
   * A lock of kernel lock class `cls`, built as the kernel configures that class
   * (primitive and options: `kernel.locks[cls]`).
   */
  lock(cls: LockClass, name?: string): KernelLock;
  /**
   * Run the simulation: through the warm-up (where lockstat and the counters are reset),
   * the measured window, and on until every task has exited or a stop rule fires. Call it
   * once, after spawning the tasks.
   *
   * A run-to-completion workload may pass `untilNs`, or call `sim.stop()` from an event:
   * the run then ends there even if tasks remain (they are abandoned mid-operation: the
   * run's counter `abandoned` is 1 and the end-of-run lock check is skipped). Used by estimators that measure a
   * steady-state window instead of running every task to its end (aim7's `estimate: window`).
   */
  run(untilNs?: number): void;
}

/** A lock built from a kernel lock-class config; `read` falls back to `write` on a non-rwsem. */
export interface KernelLock {
  readonly lock: SleepLock;
  readonly primitive: 'mutex' | 'rwsem' | 'spinlock';
  /** whether read acquisitions share the lock (only an rwsem's do) */
  readonly shared: boolean;
  acquire(task: Task, mode: 'read' | 'write', site: string): Proc;
  release(task: Task, mode: 'read' | 'write'): Proc;
}

/** What `run` returns: named figures, each a finite number (or null if undefined for the run). */
export interface WorkloadOutput {
  /** the workload's results, e.g. `ops_per_s` */
  metrics: Record<string, number | null>;
  /** event counts of the workload (e.g. `numa_pages_migrated`), optional */
  counters?: Record<string, number>;
}

/** A workload's run as an object: `start` spawns its tasks, `output` reads its results after the simulation. */
export interface WorkloadRun {
  start(): void;
  output(): WorkloadOutput;
}

/** Start `r`, run the simulation (`ctx.run()`), and return `r`'s output: a WorkloadDef's `run` for a WorkloadRun. */
export function runToOutput(ctx: WorkloadContext, r: WorkloadRun): WorkloadOutput {
  r.start();
  ctx.run();
  return r.output();
}

export interface WorkloadDef {
  /** lower-case name, letters, digits and `-` */
  name: string;
  description: string;
  params: Readonly<Record<string, ParamSpec>>;
  run(ctx: WorkloadContext): WorkloadOutput;
  /**
   * How a run of this workload is timed:
   * - `'window'` (the default): fixed duration. The run has a warm-up (`duration.warmupMs`),
   *   a measured window of `duration.ms` and a drain; tasks stop starting work at `endNs`.
   * - `'completion'`: the workload's tasks do a fixed amount of work and exit (the mm_paths
   *   scenarios). `ctx.run()` runs the simulation until no event is left (or
   *   `duration.maxEvents` fires); the measured window is the whole run, [0, end], so
   *   lockstat and the CPU/scheduler counters cover all of it. `duration.ms` is not used
   *   (it stays in the config, so the same params give the same results whatever it is),
   *   `duration.warmupMs` must be 0, and in `ctx` `startNs` is 0 and `endNs` / `durationNs`
   *   are Infinity until the run ends (use `sim.now` after `ctx.run()` for the elapsed time).
   */
  timing?: 'window' | 'completion';
  /**
   * Checks across parameters beyond the table's ranges (e.g. `failures <= filePages`):
   * the first problem, naming the parameter, or undefined. Called with the validated
   * params, defaults filled in; a problem becomes a ConfigError at `params.<field>`.
   */
  checkParams?(params: Readonly<ParamValues>): { field: string; problem: string; allowed?: string } | undefined;
  /**
   * Optional relative cost estimate of a run (any unit, larger = slower), used only to
   * hand the slowest runs of a sweep to workers first. Never affects results.
   */
  cost?(params: Readonly<ParamValues>, durationNs: number, machine: Machine): number;
}

const registry = new Map<string, WorkloadDef>();

const NAME_RE = /^[a-z][a-z0-9-]*$/;
const PARAM_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Add a workload. Throws if the name is taken or malformed, or a parameter spec is
 * inconsistent (default outside its range, min > max, ...).
 */
export function registerWorkload(def: WorkloadDef): void {
  if (typeof def?.name !== 'string' || !NAME_RE.test(def.name)) {
    throw new Error(`registerWorkload: name must match ${NAME_RE}, got ${JSON.stringify(def?.name)}`);
  }
  if (registry.has(def.name)) throw new Error(`registerWorkload: a workload named ${JSON.stringify(def.name)} is already registered`);
  if (typeof def.run !== 'function') throw new Error(`registerWorkload ${def.name}: run must be a function`);
  for (const [k, p] of Object.entries(def.params)) checkParamSpec(def.name, k, p);
  registry.set(def.name, Object.freeze({ ...def, params: Object.freeze({ ...def.params }) }));
}

function checkParamSpec(w: string, k: string, p: ParamSpec): void {
  const where = `registerWorkload ${w}: param ${k}`;
  if (!PARAM_RE.test(k)) throw new Error(`${where}: name must match ${PARAM_RE}`);
  if (p.type === 'int' || p.type === 'number') {
    const int = p.type === 'int';
    const ok = (v: number) => Number.isFinite(v) && (!int || Number.isSafeInteger(v));
    if (!ok(p.min) || !ok(p.max) || p.min > p.max) throw new Error(`${where}: needs ${int ? 'integer' : 'finite'} min <= max`);
    if (!ok(p.default) || p.default < p.min || p.default > p.max) throw new Error(`${where}: default ${p.default} is outside [${p.min}, ${p.max}]`);
  } else if (p.type === 'boolean') {
    if (typeof p.default !== 'boolean') throw new Error(`${where}: default must be a boolean`);
  } else if (p.type === 'enum') {
    if (!p.values.length || !p.values.includes(p.default)) throw new Error(`${where}: default must be one of its values`);
  } else if (p.type === 'string') {
    if (typeof p.default !== 'string' || typeof p.allowed !== 'string' || !p.allowed) throw new Error(`${where}: needs a string default and a description of what is allowed`);
  } else {
    throw new Error(`${where}: unknown type ${JSON.stringify((p as { type: unknown }).type)}`);
  }
}

/** The workload named `name`, or undefined. */
export function getWorkload(name: string): WorkloadDef | undefined {
  return registry.get(name);
}

/** Names of the registered workloads, sorted. */
export function workloadNames(): string[] {
  return [...registry.keys()].sort();
}

/** The registered workloads, sorted by name. */
export function listWorkloads(): WorkloadDef[] {
  return workloadNames().map((n) => registry.get(n)!);
}

/** The parameters' defaults. */
export function paramDefaults(def: WorkloadDef): ParamValues {
  const out: ParamValues = {};
  for (const [k, p] of Object.entries(def.params)) out[k] = p.default;
  return out;
}

/** "an integer from 1 to 4096", "one of mutex, rwsem", ... */
export function describeParam(p: ParamSpec): string {
  switch (p.type) {
    case 'int': return `an integer from ${p.min} to ${p.max}`;
    case 'number': return `a number from ${p.min} to ${p.max}`;
    case 'boolean': return 'true or false';
    case 'enum': return `one of ${p.values.join(', ')}`;
    case 'string': return p.allowed;
  }
}

/** Build the lock for class `cls` as `kernel` configures it. */
export function kernelLock(env: LockEnv, kernel: KernelConfig, cls: LockClass, name: string = cls): KernelLock {
  const cfg = lockConfigOf(kernel.locks, cls);
  const primitive = cfg.primitive;
  const lock: SleepLock = newConfiguredLock(env, cfg, { name: cls }, name);
  const shared = primitive === 'rwsem';
  return {
    lock,
    primitive,
    shared,
    acquire: (task, mode, site) => lock.acquire(task, shared ? mode : 'write', site),
    release: (task, mode) => lock.release(task, shared ? mode : 'write'),
  };
}
