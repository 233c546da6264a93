import { join, resolve } from 'node:path';
import type { Command } from './commands';
import { intOption, parse, seedOption, UsageError, WORKERS_HELP, workersOption, workersPhrase, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { ConfigError } from '../experiment/errors';
import { RunError } from '../experiment/pool';
import { progressBar } from '../experiment/progress';
import { presetPath, reproduce, setupReproduce, type ReproduceOptions } from '../experiment/reproduce';
import type { ReproduceSetup } from '../experiment/reproduce/preset';

const OPTIONS: Record<string, OptionSpec> = {
  quick: { type: 'boolean', help: `the quick preset (${presetPath('quick').replace(/.*\/data\//, 'data/')}): fewer user points, shorter windows` },
  preset: { type: 'string', help: `a preset file (default ${presetPath('full').replace(/.*\/data\//, 'data/')})` },
  users: { type: 'string', help: 'user counts for every workfile, e.g. 100,200 or 100-2000:100 (from-to:step)' },
  workloads: { type: 'string', help: 'workfiles, e.g. alltests or alltests,disk' },
  kernels: { type: 'string', help: 'baseline,patched kernels (names or specs, see mmlock kernels)' },
  reps: { type: 'string', help: 'replications per point (different seeds; 2+ give a 95% CI)' },
  seed: { type: 'string', text: true, help: 'the sweep seed (each run\'s seed derives from it)' },
  unpaired: { type: 'boolean', help: 'a seed of its own for every run (default: both kernels of a load point and replication on one seed, so the % change is paired)' },
  machine: { type: 'string', help: 'machine preset or MachineSpec JSON file (path ending in .json or containing /); default: the preset\'s, ivybridge-ex-4s' },
  'no-validation': { type: 'boolean', help: 'skip the preset\'s validation sweep (the aim7 window estimate vs full runs)' },
  model: { type: 'string', help: 'the registered workload modelling aim7 (default: the preset\'s, aim7)' },
  module: { type: 'string', multiple: true, help: 'a module to require here and in every worker first (e.g. one registering --model); repeatable' },
  out: { type: 'string', help: 'output folder: report files and sweeps/ (resumable journals); default results/reproduce' },
  workers: { type: 'string', help: WORKERS_HELP },
  json: { type: 'boolean', help: 'print one JSON object {rows, numa, table, summary, sites, extras, validation, plan} on stdout (progress on stderr)' },
  'dry-run': { type: 'boolean', help: 'validate the preset and flags, print the plan and run count; run nothing, write nothing' },
  quiet: { type: 'boolean', help: 'no progress bar' },
  help: { type: 'boolean', help: 'show this help' },
};

const CMD = 'mmlock reproduce';

/** Parse `--users`: comma-separated positive integers or from-to:step ranges. */
export function parseUsers(raw: string): number[] {
  const out: number[] = [];
  const bad = () => new UsageError(`${CMD}: --users must be a comma-separated list of positive integers or from-to:step ranges (e.g. 10,25,100-2000:100), got ${JSON.stringify(raw)}`);
  for (const part of raw.split(',')) {
    const s = part.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(\d+)$/.exec(s))) {
      const n = Number(m[1]);
      if (!(n >= 1 && Number.isSafeInteger(n))) throw bad();
      out.push(n);
    } else if ((m = /^(\d+)-(\d+):(\d+)$/.exec(s))) {
      const [a, b, st] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (!(a >= 1 && b >= a && st >= 1) || (b - a) / st > 100000) throw bad();
      for (let u = a; u <= b; u += st) out.push(u);
    } else throw bad();
  }
  if (!out.length) throw bad();
  return out;
}

/** Parse a comma-separated list of names (no empty items). */
export function parseList(flag: string, raw: string, what: string): string[] {
  const items = raw.split(',').map((s) => s.trim());
  if (!raw.trim() || items.some((s) => !s)) throw new UsageError(`${CMD}: --${flag} must be a comma-separated list of ${what}, got ${JSON.stringify(raw)}`);
  return items;
}

/**
 * Parse `--kernels`: comma-separated kernel specs. A patch-list spec keeps its own commas:
 * `3.18-rc1,patches:1-7,9,11` is ["3.18-rc1", "patches:1-7,9,11"].
 */
export function parseKernels(raw: string): string[] {
  const out: string[] = [];
  for (const part of parseList('kernels', raw, 'kernel names or specs')) {
    const prev = out[out.length - 1];
    if (/^\d+(-\d+)?$/.test(part) && prev !== undefined && /(^patches:|\+)[\d,-]*$/.test(prev)) out[out.length - 1] = `${prev},${part}`;
    else out.push(part);
  }
  return out;
}

function toUsage(e: unknown): unknown {
  if (e instanceof ConfigError) return new UsageError(`${CMD}: ${e.message}`);
  return e;
}

/** reproduce's options as the command line always sets them */
type CliReproduceOptions = ReproduceOptions & { modules: string[]; workers: number; out: string };

/** The options of `reproduce` from the command line; the --module files loaded. */
function reproduceOptions(values: Record<string, string | boolean | string[] | undefined>): CliReproduceOptions {
  const opts: ReproduceOptions = {};
  if (values.quick) opts.quick = true;
  if (typeof values.preset === 'string') opts.preset = values.preset;
  if (typeof values.users === 'string') opts.users = parseUsers(values.users);
  if (typeof values.workloads === 'string') opts.workloads = parseList('workloads', values.workloads, 'workfile names');
  if (typeof values.kernels === 'string') {
    opts.kernels = parseKernels(values.kernels);
    if (opts.kernels.length !== 2) throw new UsageError(`${CMD}: --kernels must name two kernels, baseline,patched (e.g. 3.18-rc1,3.18-rc1-i_mmap_rwsem), got ${opts.kernels.length}: ${JSON.stringify(values.kernels)}`);
  }
  if (values.reps !== undefined) opts.reps = intOption('reproduce', 'reps', values.reps, 1, 1000);
  if (values.seed !== undefined) opts.seed = seedOption('reproduce', values.seed);
  if (values.unpaired) opts.pairSeeds = false;
  if (values['no-validation']) opts.validation = false;
  if (typeof values.machine === 'string') opts.machine = values.machine;
  if (typeof values.model === 'string') opts.workload = values.model;
  opts.modules = ((values.module as string[] | undefined) ?? []).map((m) => resolve(m));
  opts.workers = workersOption('reproduce', values.workers);
  const out = typeof values.out === 'string' ? values.out : join('results', 'reproduce');
  if (!out.trim()) throw new UsageError(`${CMD}: --out must be a folder name, got ""`);
  opts.out = out;
  for (const m of opts.modules) {
    try {
      require(m);
    } catch (e) {
      throw new UsageError(`${CMD}: --module ${JSON.stringify(m)}: cannot load: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return opts as CliReproduceOptions;
}

/**
 * `mmlock reproduce [--quick | --preset FILE] [overrides] [--out DIR] [--workers N] [--json]`
 */
export const reproduceCommand: Command = {
  summary: 'run the aim7 table (alltests, disk; 3.18-rc1 vs i_mmap_rwsem) and compare it with the paper',
  async run(argv) {
    const { values } = parse('reproduce', argv, OPTIONS);
    if (values.help) {
      console.log(helpText('reproduce', '[--quick | --preset <file>] [--users …] [--workloads …] [--kernels a,b] [--reps n] [--seed s] [--unpaired] [--no-validation] [--out dir] [--workers N] [--json]', OPTIONS));
      return 0;
    }
    const opts = reproduceOptions(values);
    const { out } = opts;
    let setup: ReproduceSetup;
    try {
      setup = setupReproduce(opts);
    } catch (e) {
      throw toUsage(e);
    }
    if (values['dry-run']) {
      const { plan } = setup;
      const runs = setup.sweeps.reduce((s, x) => s + x.x.runs.length, 0);
      const p = { ...plan, runs };
      console.log(values.json ? JSON.stringify(p, null, 2) : [
        `preset ${plan.preset}: workload model "${plan.workload}" on ${plan.machine}, kernels ${plan.kernels.join(' vs ')}, ${plan.replications} replication(s), seed ${plan.seed}, ${plan.pairSeeds ? 'kernels paired (one seed per replication)' : 'kernels unpaired (a seed per run)'}`,
        ...plan.workloads.map((w) => `  ${w}: users ${plan.users[w]!.join(',')}; params ${JSON.stringify({ ...plan.params, ...plan.workloadParams[w] })}`),
        ...(plan.validation ? [`  validation (window estimate vs full runs): ${plan.validation.workloads.join(', ')} at users ${plan.validation.users.join(',')}, ${plan.validation.replications} replication(s)`] : []),
        ...plan.extras.map((x) => `  extra ${x.label}: ${x.workload} ${JSON.stringify(x.params ?? {})}, metric ${x.metric}`),
        `${runs} runs; output ${out}`,
      ].join('\n'));
      return 0;
    }
    const bar = values.quiet ? null : progressBar(process.stderr);
    const stop = (sig: NodeJS.Signals) => {
      bar?.end();
      console.error(`${CMD}: ${sig}; finished runs are in the journals under ${join(out, 'sweeps')}, rerun the same command to resume`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let r;
    try {
      r = await reproduce({ ...opts, modules: opts.modules, onProgress: bar ? (p) => bar.update(p) : undefined });
    } catch (e) {
      bar?.end();
      if (e instanceof RunError) {
        console.error(`${CMD}: a run failed; finished runs are kept in the journals under ${join(out, 'sweeps')} (rerun to resume); no report was written:\n${e.message}`);
        return 1;
      }
      throw toUsage(e);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    bar?.end();
    if (values.json) {
      console.log(JSON.stringify(r.json, null, 2));
      return 0;
    }
    console.log(r.text);
    const ran = r.sweeps.reduce((s, x) => s + x.ran, 0), resumed = r.sweeps.reduce((s, x) => s + x.resumed, 0);
    console.log('');
    console.log(`wall time ${r.wallSeconds.toFixed(1)} s: ${ran + resumed} runs (${ran} ran, ${resumed} resumed) ${workersPhrase(opts.workers)}`);
    console.log(`files: ${r.files.map((f) => join(out, f)).join(' ')}`);
    return 0;
  },
};
