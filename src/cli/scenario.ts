import type { Command } from './commands';
import { parse, seedOption, UsageError, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { formatReports } from './scenario_format';
import { KernelConfigError } from '../kernel/errors';
import { isKernelName, NAMED_KERNELS, resolveKernel } from '../kernel/kernels';
import { isMachineFile, loadMachine, machinePresets } from '../hw';
import { SCENARIOS, SCENARIO_NAMES, scenarioWorkload, type ScenarioEntry, type ScenarioReport } from '../workloads/mm_paths';
import { ConfigError } from '../experiment/errors';
import { resolveWorkloadParams } from '../experiment/config';
import { parseParams } from './run';

const OPTIONS: Record<string, OptionSpec> = {
  kernel: {
    type: 'string',
    multiple: true,
    help: `kernel spec (as mmlock callsites); give it twice or as a comma list to compare kernels side by side: ${NAMED_KERNELS.join(', ')}, <name>+<patches>, patches:<patches>, JSON`,
  },
  seed: { type: 'string', text: true, help: 'random seed: text of 1 to 200 characters or an integer >= 0 (default 1)' },
  machine: { type: 'string', help: 'machine preset or MachineSpec JSON file (path ending in .json or containing /); default ivybridge-ex-4s' },
  set: { type: 'string', multiple: true, help: 'a scenario option, <key>=<value> (repeatable; see --list)' },
  unchecked: { type: 'boolean', help: 'turn checking mode off (lock invariants and lock order; faster)' },
  list: { type: 'boolean', help: 'list the scenarios and their options' },
  json: { type: 'boolean', help: 'print a JSON array of reports {scenario, kernel, seed, machine, elapsedNs, sites, figures}' },
  help: { type: 'boolean', help: 'show this help' },
};

const SYNOPSIS = '<name>|all --kernel <spec> [--kernel <spec>] [--seed S] [--set key=value] [--json] | --list';

/**
 * `mmlock scenario <name>|all --kernel <spec>...`: run scenarios of src/workloads/mm_paths
 * on one or more kernels and print the i_mmap lockstat per call site and the figures.
 */
export const scenario: Command = {
  summary: `run an i_mmap path scenario (${SCENARIO_NAMES.join(', ')}) on one or more kernels`,
  run(argv) {
    const { values, positionals } = parse('scenario', argv, OPTIONS, true);
    if (values.help) {
      console.log(helpText('scenario', SYNOPSIS, OPTIONS));
      return 0;
    }
    const seed = values.seed === undefined ? '1' : seedOption('scenario', values.seed);
    if (values.list) return list(positionals, values.json === true);
    if (positionals.length !== 1) {
      throw new UsageError(`mmlock scenario: expected one scenario name${positionals.length ? `, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}` : ''}; allowed: ${[...SCENARIO_NAMES, 'all'].join(', ')} (or --list)`);
    }
    const names = positionals[0] === 'all' ? [...SCENARIO_NAMES] : [positionals[0]!];
    for (const nm of names) {
      if (!SCENARIOS[nm]) throw new UsageError(`mmlock scenario: unknown scenario ${JSON.stringify(nm)}; allowed: ${[...SCENARIO_NAMES, 'all'].join(', ')}`);
    }
    const kernels = kernelList(values.kernel as string[] | undefined);
    const machine = (values.machine as string | undefined) ?? 'ivybridge-ex-4s';
    if (isMachineFile(machine)) {
      try {
        loadMachine(machine);
      } catch (e) {
        throw new UsageError(`mmlock scenario: --machine: ${(e as Error).message}`);
      }
    } else if (!machinePresets().includes(machine)) {
      throw new UsageError(`mmlock scenario: --machine: unknown preset ${JSON.stringify(machine)}; allowed: ${machinePresets().join(', ')}, or the path of a MachineSpec JSON file`);
    }
    const settings = parseSettings((values.set as string[] | undefined) ?? [], names);
    const reports: (ScenarioReport & { seed: string; machine: string })[] = [];
    for (const nm of names) {
      const entry = SCENARIOS[nm]!;
      const own = checkSettings(nm, settings);
      for (const kernel of kernels) {
        const r = entry.run({ ...own, kernel, seed, machine, checks: values.unchecked !== true });
        reports.push({ ...r, seed, machine });
      }
    }
    if (values.json) console.log(JSON.stringify(reports, null, 2));
    else console.log(formatReports(reports, (nm) => SCENARIOS[nm]!.description));
    return 0;
  },
};

function list(positionals: string[], json: boolean): number {
  if (positionals.length) throw new UsageError(`mmlock scenario: --list takes no scenario name, got ${JSON.stringify(positionals[0])}`);
  if (json) {
    console.log(JSON.stringify(SCENARIO_NAMES.map((name) => ({ name, description: SCENARIOS[name]!.description, params: SCENARIOS[name]!.params })), null, 2));
    return 0;
  }
  for (const name of SCENARIO_NAMES) {
    const e: ScenarioEntry = SCENARIOS[name]!;
    console.log(`${name}: ${e.description}`);
    for (const [k, p] of Object.entries(e.params)) console.log(`    ${k.padEnd(16)} ${p.help}${p.choices ? `; one of ${p.choices.join(', ')}` : ''}`);
  }
  return 0;
}

/**
 * The --kernel values, each split at commas that start a new kernel (a name, name+patches,
 * or patches:...), so `patches:1-7,9` stays one spec and `3.18-rc1,3.18-rc1-i_mmap_rwsem` is two.
 * Resolves each (errors → UsageError) and returns the specs as given.
 */
export function kernelList(raw: string[] | undefined): string[] {
  if (!raw || raw.length === 0) {
    throw new UsageError(`mmlock scenario: --kernel is required; allowed: ${NAMED_KERNELS.join(', ')}, <name>+<patches>, patches:<patches> (see mmlock kernels)`);
  }
  const out: string[] = [];
  for (const value of raw) {
    const s = value.trim();
    if (s.startsWith('{')) { out.push(s); continue; }
    const parts: string[] = [];
    for (const p of s.split(',')) {
      const t = p.trim();
      const starts = isKernelName(t) || t.startsWith('patches:') || t.startsWith('{') || isKernelName(t.split('+')[0]!.trim());
      if (starts || parts.length === 0) parts.push(t);
      else parts[parts.length - 1] += `,${t}`;
    }
    out.push(...parts);
  }
  for (const k of out) {
    try {
      resolveKernel(k, '--kernel');
    } catch (e) {
      if (e instanceof KernelConfigError) throw new UsageError(`mmlock scenario: ${e.field === '--kernel' ? '' : '--kernel: '}${e.message}`);
      throw e;
    }
  }
  return out;
}

/** --set key=value pairs, as strings; each key must be an option of at least one of the scenarios run */
function parseSettings(raw: string[], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const allowed = [...new Set(names.flatMap((nm) => Object.keys(SCENARIOS[nm]!.params)))];
  for (const kv of raw) {
    const eq = kv.indexOf('=');
    const key = eq > 0 ? kv.slice(0, eq).trim() : '';
    if (!key) throw new UsageError(`mmlock scenario: --set expects <key>=<value>, got ${JSON.stringify(kv)}; keys: ${allowed.join(', ')}`);
    if (!allowed.includes(key)) throw new UsageError(`mmlock scenario: --set: unknown option ${JSON.stringify(key)} for ${names.join(', ')}; allowed: ${allowed.join(', ')}`);
    out[key] = kv.slice(eq + 1);
  }
  return out;
}

/**
 * Scenario `name`'s own --set values, typed and validated exactly as `mmlock run --workload
 * <name> --param k=v` does (parseParams, then resolveWorkloadParams on the scenario's
 * workload: ranges, choices, cross-option checks). Returns only the values given.
 */
export function checkSettings(name: string, settings: Readonly<Record<string, string>>): Record<string, unknown> {
  const params = SCENARIOS[name]!.params;
  const own = Object.entries(settings).filter(([k]) => k in params).map(([k, v]) => `${k}=${v}`);
  const typed = parseParams(own, name);
  try {
    resolveWorkloadParams(scenarioWorkload(name), [typed, 'params']);
  } catch (e) {
    if (e instanceof ConfigError) {
      const m = /^params\.(.*)$/.exec(e.field);
      const where = m ? `--set ${m[1]}` : `--set: ${e.field}`;
      throw new UsageError(`mmlock scenario: ${where}: ${e.problem}${e.allowed ? `; allowed: ${e.allowed}` : ''} (scenario ${name})`);
    }
    throw e;
  }
  return typed;
}
