import { spawnSync } from 'node:child_process';
import { parse, intOption, seedOption, UsageError } from '../src/args';
import { run } from '../src/experiment/run';
import { Simulation } from '../src/engine';
import { WORKFILE_NAMES } from '../src/workloads/reaim/workfile';

/** One measured run: what the child process reports. */
export interface Aim7Point {
  workfile: string;
  users: number;
  wallS: number;
  /** CPU seconds (user + system) of the child during the run: less noisy than wall on a shared machine */
  cpuS: number;
  events: number;
  /** of those, the waits the next-event shortcut ended at once (Simulation.advanceBy): no queue entry */
  advanced: number;
  /** the child's peak resident set, bytes */
  maxRssBytes: number;
}

/**
 * How the simulator scales with the load: one full aim7 run (`estimate: full`, every child
 * to its end, not the window) per workfile and number of users, each in a fresh child
 * process so that the peak RSS is that run's. Prints per run the wall time of the run
 * itself (module loading excluded), the simulated events (and the share the next-event
 * shortcut ended without a queue entry), events per wall second, the CPU
 * seconds of the run and the peak RSS; then per workfile the exponent b of wall ∝ N^b (least squares on log-log),
 * and as the last line `exponent=<b>`, the common slope of all workfiles (each with its
 * own intercept). Exit code 0.
 */
export const aim7 = {
  summary: 'aim7 full runs at 100, 1000, 2000 users (one child process each): wall, events, events/s, peak RSS, exponent of wall in N',
  run(argv: string[]): number {
    const { values } = parse('bench aim7', argv, {
      users: { type: 'string', default: '100,1000,2000', help: 'numbers of users, comma-separated (at least two different)' },
      workfiles: { type: 'string', default: WORKFILE_NAMES.join(','), help: `workfiles, comma-separated (${WORKFILE_NAMES.join(', ')})` },
      kernel: { type: 'string', default: '3.18-rc1', help: 'kernel name or spec' },
      seed: { type: 'string', text: true, default: '1', help: 'run seed' },
    });
    const seed = seedOption('bench aim7', values.seed);
    const users = String(values.users).split(',').map((s) => intOption('bench aim7', 'users', s.trim(), 1, 4000));
    if (new Set(users).size < 2) throw new UsageError(`mmlock bench aim7: --users needs at least two different numbers for the exponent, got ${JSON.stringify(values.users)}`);
    const workfiles = String(values.workfiles).split(',').map((s) => s.trim());
    for (const w of workfiles) {
      if (!(WORKFILE_NAMES as readonly string[]).includes(w)) throw new UsageError(`mmlock bench aim7: --workfiles: unknown workfile ${JSON.stringify(w)}; allowed: ${WORKFILE_NAMES.join(', ')}`);
    }
    const kernel = String(values.kernel);
    console.log(`aim7 full runs, kernel ${kernel}, seed ${seed}, one child process per run`);
    const points: Aim7Point[] = [];
    for (const workfile of workfiles) {
      for (const n of users) {
        const p = runChild({ workfile, users: n, kernel, seed });
        points.push(p);
        console.log(`${workfile.padEnd(8)} users ${String(n).padStart(5)}: wall ${p.wallS.toFixed(2)} s, events ${p.events} ` +
          `(${(100 * p.advanced / p.events).toFixed(1)}% ended at once), events/s ${Math.round(p.events / p.wallS)}, cpu ${p.cpuS.toFixed(2)} s, peak RSS ${(p.maxRssBytes / 2 ** 20).toFixed(0)} MiB`);
      }
    }
    for (const workfile of workfiles) {
      const own = points.filter((p) => p.workfile === workfile);
      console.log(`${workfile}: wall ∝ N^${scalingExponent(own).toFixed(3)}, events ∝ N^${scalingExponent(own, (p) => p.events).toFixed(3)}`);
    }
    console.log(`exponent=${scalingExponent(points).toFixed(3)}`);
    return 0;
  },
};

/**
 * Least-squares slope of log(metric) against log(users), with one intercept per workfile
 * (the common slope of the workfiles' log-log lines).
 */
export function scalingExponent(points: readonly Aim7Point[], metric: (p: Aim7Point) => number = (p) => p.wallS): number {
  let sxy = 0, sxx = 0;
  for (const w of new Set(points.map((p) => p.workfile))) {
    const own = points.filter((p) => p.workfile === w);
    const xs = own.map((p) => Math.log(p.users)), ys = own.map((p) => Math.log(metric(p)));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
  }
  return sxy / sxx;
}

interface ChildRequest { workfile: string; users: number; kernel: string; seed: string }

/** Run one full aim7 run in a fresh Node process (this file's child mode). */
function runChild(req: ChildRequest): Aim7Point {
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(req)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench aim7: the run ${JSON.stringify(req)} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Aim7Point;
}

/** Child mode: one run, then a JSON line with its wall time, events and this process's peak RSS. */
function child(req: ChildRequest): void {
  // count the waits Simulation.advanceBy ended (the run's only simulation is made by run())
  const advanceBy = Simulation.prototype.advanceBy;
  let advanced = 0;
  Simulation.prototype.advanceBy = function (this: Simulation, d: number): boolean {
    const ok = advanceBy.call(this, d);
    if (ok) advanced++;
    return ok;
  };
  const cpu0 = process.cpuUsage();
  const r = run({ workload: 'aim7', kernel: req.kernel, params: { workfile: req.workfile, users: req.users, estimate: 'full' }, seed: req.seed });
  const p: Aim7Point = {
    workfile: req.workfile, users: req.users,
    wallS: r.provenance.wallSeconds,
    cpuS: cpuSeconds(process.cpuUsage(cpu0)),
    events: r.counters.sim_events!,
    advanced,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  console.log(JSON.stringify(p));
}

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

if (require.main === module && process.argv[2] === '--child') child(JSON.parse(process.argv[3]!) as ChildRequest);
