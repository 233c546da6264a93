import { resolve } from 'node:path';
import type { Command } from './commands';
import { parse, seedOption, UsageError, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { NAMED_KERNELS } from '../kernel/kernels';
import { machinePresets } from '../hw';
import { getWorkload, workloadNames } from '../workloads';
import { ConfigError } from '../experiment/errors';
import { run, type RunResult } from '../experiment/run';
import type { RunConfigInput } from '../experiment/config';
import { loadSweepSpec } from '../experiment/spec';

const OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', help: 'a run config file (JSON or YAML); the flags below override it' },
  machine: { type: 'string', help: 'machine preset (see data/machines/), a MachineSpec JSON file (a path ending in .json or containing /) or a MachineSpec JSON object; default ivybridge-ex-4s' },
  kernel: { type: 'string', help: `kernel name or spec (${NAMED_KERNELS.join(', ')}, patches:1-4, ...; see mmlock kernels); default 3.18-rc1` },
  workload: { type: 'string', help: 'workload name (see mmlock workloads)' },
  param: { type: 'string', multiple: true, help: 'a workload parameter, name=value (repeatable), e.g. --param threads=60' },
  ms: { type: 'string', help: 'simulated milliseconds measured (default 10; not used by run-to-completion workloads such as the mm_paths scenarios)' },
  'warmup-ms': { type: 'string', help: 'simulated milliseconds before measuring (default 0)' },
  seed: { type: 'string', text: true, help: 'random seed: text of 1 to 200 characters or an integer >= 0 (default 1)' },
  checks: { type: 'boolean', help: 'test mode: check lock invariants, lock order and lost wake-ups' },
  trace: { type: 'boolean', help: 'record a time series (20 intervals) of CPU shares and lock acquisitions' },
  'exact-lock-timing': { type: 'boolean', help: 'do not fold uncontended lock work: every stall and hold an event (slower)' },
  'exact-rmap-walks': { type: 'boolean', help: 'eager rmap walks: one event or more per VMA instead of O(1) per walk (slower; same results)' },
  json: { type: 'boolean', help: 'print the result as JSON: {config, configHash, metrics, counters, lockstat, trace, provenance}' },
  module: { type: 'string', multiple: true, help: 'a module to require first (e.g. one registering a workload); repeatable, as for sweep' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Which flag a config field came from, for messages. */
export function flagFor(field: string, configFile?: string): string {
  const m = /^params\.([^.[]+)(.*)$/.exec(field);
  if (m) return `--param ${m[1]}${m[2]}`;
  const map: Record<string, string> = { machine: '--machine', kernel: '--kernel', workload: '--workload', 'duration.ms': '--ms', 'duration.warmupMs': '--warmup-ms', seed: '--seed' };
  for (const [f, flag] of Object.entries(map)) {
    if (field === f) return flag;
    if (field.startsWith(`${f}.`) || field.startsWith(`${f}[`)) return `${flag}: ${field}`;
  }
  return configFile ? `--config ${configFile}: ${field}` : field;
}

function numberish(s: string): number | string {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s.trim()) ? Number(s) : s;
}

/** Turn `name=value` strings into typed params (by the workload's table when known). */
export function parseParams(list: string[], workload: string | undefined): Record<string, unknown> {
  const specs = workload ? getWorkload(workload)?.params : undefined;
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`mmlock run: --param must be name=value, got ${JSON.stringify(item)}${specs ? `; allowed names: ${Object.keys(specs).join(', ')}` : ''}`);
    }
    const name = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const spec = specs?.[name];
    out[name] = spec?.type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw)
      : spec?.type === 'enum' || spec?.type === 'string' ? raw
        : numberish(raw);
  }
  return out;
}

function fmt(v: number | null): string {
  if (v === null) return '-';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(4);
}

function printText(r: RunResult): void {
  const c = r.config;
  const kernel = typeof c.kernel === 'string' ? c.kernel : JSON.stringify(c.kernel);
  const machine = typeof c.machine === 'string' ? c.machine : c.machine.name;
  const timing = getWorkload(c.workload)?.timing === 'completion'
    ? 'run to completion (duration.ms not used), whole run measured'
    : `${c.duration.ms} ms measured${c.duration.warmupMs ? ` after ${c.duration.warmupMs} ms warm-up` : ''}`;
  console.log(`${c.workload} on ${machine}, kernel ${kernel}, ${timing}, seed ${c.seed}`);
  console.log(`params: ${Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join(' ')}   config ${r.configHash}`);
  const table = (title: string, o: Record<string, number | null>) => {
    console.log(`\n${title}:`);
    const w = Math.max(...Object.keys(o).map((k) => k.length));
    for (const [k, v] of Object.entries(o)) console.log(`  ${k.padEnd(w)}  ${fmt(v)}`);
  };
  table('metrics', r.metrics);
  table('counters', r.counters);
  if (r.lockstat.length) {
    console.log('\nlockstat (measured window):');
    const head = ['class', 'site', 'acq r', 'acq w', 'cont r', 'cont w', 'wait mean', 'hold mean', 'spin ms', 'sleep ms', 'xsocket', 'waiting'];
    const rows = r.lockstat.map((l) => [l.lockClass, l.site, String(l.acqRead), String(l.acqWrite), String(l.contRead), String(l.contWrite),
      l.waitMeanNs.toFixed(0), l.holdMeanNs.toFixed(0), (l.spinNs / 1e6).toFixed(3), (l.sleepNs / 1e6).toFixed(3), String(l.crossSocket),
      String((l.waitingRead ?? 0) + (l.waitingWrite ?? 0))]);
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
    const line = (x: string[]) => `  ${x.map((s, i) => (i < 2 ? s.padEnd(w[i]!) : s.padStart(w[i]!))).join('  ')}`;
    console.log(line(head));
    for (const x of rows) console.log(line(x));
  }
  console.log(`\nwall ${r.provenance.wallSeconds.toFixed(2)} s`);
}

/**
 * `mmlock run --workload <name> [--machine ...] [--kernel ...] [--param k=v ...] [--json]`:
 * one simulation.
 */
export const runCommand: Command = {
  summary: 'run one simulation (a workload on a machine and kernel)',
  run(argv) {
    const { values } = parse('run', argv, OPTIONS);
    if (values.help) {
      console.log(helpText('run', '--workload <name> [--module file.js ...] [--machine <preset>|<file.json>] [--kernel <spec>] [--param name=value ...] [--ms N] [--seed S] [--json]', OPTIONS));
      console.log(`\nworkloads: ${workloadNames().join(', ')}; machines: ${machinePresets().join(', ')}`);
      return 0;
    }
    const seed = values.seed === undefined ? undefined : seedOption('run', values.seed);
    // --module registers workloads (or machines, kernels) the flags may name: load it first
    for (const m of ((values.module as string[] | undefined) ?? []).map((x) => resolve(x))) {
      try {
        require(m);
      } catch (e) {
        throw new UsageError(`mmlock run: --module ${JSON.stringify(m)}: cannot load: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const configFile = typeof values.config === 'string' ? values.config : undefined;
    let cfg: Record<string, unknown> = {};
    if (configFile) {
      try {
        const c = loadSweepSpec(configFile);
        if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new ConfigError('', `must hold a run config object, got ${Array.isArray(c) ? 'an array' : typeof c}`);
        cfg = c as Record<string, unknown>;
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`mmlock run: --config ${configFile}: ${e.message}`);
        throw e;
      }
    }
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    if (str('machine') !== undefined) {
      const m = str('machine')!;
      if (m.trim().startsWith('{')) {
        try {
          cfg.machine = JSON.parse(m);
        } catch (e) {
          throw new UsageError(`mmlock run: --machine: invalid JSON: ${(e as Error).message}; allowed: ${machinePresets().join(', ')} a MachineSpec JSON file path, or a MachineSpec JSON object`);
        }
      } else cfg.machine = m;
    }
    if (str('kernel') !== undefined) cfg.kernel = str('kernel');
    if (str('workload') !== undefined) cfg.workload = str('workload');
    if (cfg.workload === undefined) {
      throw new UsageError(`mmlock run: --workload is required; allowed: ${workloadNames().join(', ')}`);
    }
    const params = (values.param as string[] | undefined) ?? [];
    if (params.length) {
      const wname = typeof cfg.workload === 'string' ? cfg.workload : (cfg.workload as { name?: string }).name;
      cfg.params = { ...((cfg.params as object) ?? {}), ...parseParams(params, wname) };
    }
    const duration = { ...((cfg.duration as object) ?? {}) } as Record<string, unknown>;
    if (str('ms') !== undefined) duration.ms = numberish(str('ms')!);
    if (str('warmup-ms') !== undefined) duration.warmupMs = numberish(str('warmup-ms')!);
    if (Object.keys(duration).length) cfg.duration = duration;
    if (seed !== undefined) cfg.seed = seed;
    if (values.checks || values.trace || values['exact-lock-timing'] || values['exact-rmap-walks']) {
      cfg.options = {
        ...((cfg.options as object) ?? {}),
        ...(values.checks ? { checks: true } : {}),
        ...(values.trace ? { trace: true } : {}),
        ...(values['exact-lock-timing'] ? { exactLockTiming: true } : {}),
        ...(values['exact-rmap-walks'] ? { exactRmapWalks: true } : {}),
      };
    }
    let result: RunResult;
    try {
      result = run(cfg as unknown as RunConfigInput);
    } catch (e) {
      if (e instanceof ConfigError) {
        const flag = flagFor(e.field, configFile);
        throw new UsageError(`mmlock run: ${flag}${flag ? ': ' : ''}${e.problem}${e.allowed ? `; allowed: ${e.allowed}` : ''}`);
      }
      throw e;
    }
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printText(result);
    return 0;
  },
};
