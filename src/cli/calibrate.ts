import type { Command } from './commands';
import { intOption, parse, seedOption, UsageError, WORKERS_HELP, workersOption, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { calibrate } from '../experiment/calibrate';
import { progressBar } from '../experiment/progress';

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'journal folder of the evaluations (default results/calibrate); rerun to resume' },
  workers: { type: 'string', help: WORKERS_HELP },
  users: { type: 'string', help: 'load points of the fit, comma-separated (default 100,500,1000,1500,2000; each needs a baseline row)' },
  iterations: { type: 'string', help: 'search steps per parameter (default 4)' },
  tolerance: { type: 'string', help: 'stop when |mean log error| is below this (default 0.02, about the seed-to-seed noise)' },
  param: { type: 'string', multiple: true, help: 'an aim7 param of every evaluation, name=value (e.g. windowMs=4000); repeatable' },
  seed: { type: 'string', text: true, help: 'the sweep seed of every evaluation (default 2014)' },
  'no-write': { type: 'boolean', help: 'do not write data/calibration/aim7.json (print the fit only)' },
  quiet: { type: 'boolean', help: 'no progress bar' },
  help: { type: 'boolean', help: 'show this help' },
};

/** name=value with the value as a number or boolean when it looks like one */
export function parseParamFlag(command: string, raw: string): [string, number | boolean | string] {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
  if (!m) throw new UsageError(`mmlock ${command}: --param must be name=value, got ${JSON.stringify(raw)}`);
  const v = m[2]!;
  return [m[1]!, v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v];
}

/** `mmlock calibrate`: fit the aim7 model's calibrated parameters to the 3.18-rc1 column (src/experiment/calibrate.ts). */
export const calibrateCommand: Command = {
  summary: 'fit the aim7 model\'s calibrated parameters to the paper\'s 3.18-rc1 column only; writes data/calibration/aim7.json',
  async run(argv) {
    const { values } = parse('calibrate', argv, OPTIONS);
    if (values.help) {
      console.log(helpText('calibrate', '[--users 100,1000] [--iterations N] [--param name=value] [--out dir]', OPTIONS));
      return 0;
    }
    const seed = values.seed === undefined ? undefined : seedOption('calibrate', values.seed);
    const workers = workersOption('calibrate', values.workers);
    const iterations = values.iterations === undefined ? undefined : intOption('calibrate', 'iterations', values.iterations, 1, 100);
    let tolerance: number | undefined;
    if (values.tolerance !== undefined) {
      tolerance = Number(values.tolerance);
      if (!(tolerance > 0 && tolerance < 1)) throw new UsageError(`mmlock calibrate: --tolerance must be a number between 0 and 1, got ${JSON.stringify(values.tolerance)}`);
    }
    let users: number[] | undefined;
    if (typeof values.users === 'string') {
      users = values.users.split(',').map((s) => intOption('calibrate', 'users', s.trim(), 1, 4000));
    }
    const params: Record<string, number | boolean | string> = {};
    for (const p of (values.param as string[] | undefined) ?? []) { const [k, v] = parseParamFlag('calibrate', p); params[k] = v; }
    for (const k of ['userUnitMs', 'ioScale', 'workfile', 'users']) if (k in params) throw new UsageError(`mmlock calibrate: --param ${k} is set by the calibration itself; allowed: the other aim7 params (mmlock workloads)`);
    const bar = values.quiet ? null : progressBar(process.stderr);
    let r;
    try {
      r = await calibrate({
        workers, iterations, users, params, tolerance, seed, out: typeof values.out === 'string' ? values.out : undefined,
        file: values['no-write'] ? null : undefined,
        onProgress: bar ? (p) => bar.update(p) : undefined,
        log: (l) => { bar?.end(); console.error(l); },
      });
    } finally {
      bar?.end();
    }
    console.log(`fitted: userUnitMs=${r.params.userUnitMs} ioScale=${r.params.ioScale}`);
    for (const w of Object.keys(r.mape)) console.log(`${w}: mean |error| ${r.mape[w]!.toFixed(2)}% over ${r.rows.filter((x) => x.workload === w).length} load points`);
    for (const x of r.rows) console.log(`  ${x.workload.padEnd(8)} ${String(x.users).padStart(5)}  paper ${x.paper_jpm.toFixed(0).padStart(7)}  sim ${x.sim_jpm.toFixed(0).padStart(7)}  ${x.error_pct >= 0 ? '+' : ''}${x.error_pct.toFixed(1)}%`);
    if (!values['no-write']) console.log('wrote data/calibration/aim7.json');
    return 0;
  },
};
