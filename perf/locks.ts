import { Simulation } from '../src/engine';
import { loadMachine } from '../src/hw';
import { Scheduler } from '../src/sched';
import { LockEnv, Mutex, RwSem, SpinLock, type SleepLock, type LockMode } from '../src/locking';
import { parse, intOption } from '../src/args';

type Design = 'mutex' | 'rwsem-write' | 'rwsem-read' | 'spinlock';
const designs: Design[] = ['mutex', 'rwsem-write', 'rwsem-read', 'spinlock'];

/**
 * N threads (one per CPU, filled socket by socket as Linux numbers them) hammer one
 * lock: acquire, `hold` ns of work, release, `think` ns of work. Throughput is
 * acquisitions per simulated second over `ms` of simulated time.
 */
export function lockThroughput(design: Design, n: number, opts: { machine?: string; hold?: number; think?: number; ms?: number; seed?: string } = {}): { mops: number; crossPerOp: number; spinShare: number } {
  const sim = new Simulation(opts.seed ?? '1');
  const sched = new Scheduler(sim, loadMachine(opts.machine ?? 'ivybridge-ex-4s'));
  const env = new LockEnv(sim, sched);
  const cls = { name: 'bench' };
  const lock: SleepLock = design === 'mutex' ? new Mutex(env, cls, 'L') : design === 'spinlock' ? new SpinLock(env, cls, 'L') : new RwSem(env, cls, 'L');
  const mode: LockMode = design === 'rwsem-read' ? 'read' : 'write';
  const hold = opts.hold ?? 100, think = opts.think ?? 200;
  const end = (opts.ms ?? 2) * 1e6;
  let ops = 0;
  for (let i = 0; i < n; i++) {
    sched.spawn(`t${i}`, function* (t) {
      while (sim.now < end) {
        yield* lock.acquire(t, mode, 'bench');
        yield* sched.compute(t, hold);
        yield* lock.release(t, mode);
        if (sim.now <= end) ops++;
        yield* sched.compute(t, think);
      }
    }, { cpu: i });
  }
  sim.run();
  const tot = env.stat.classTotal('bench');
  const cpuTime = sched.cpus.reduce((a, c) => a + c.time.busy + c.time.spin, 0);
  const spin = sched.cpus.reduce((a, c) => a + c.time.spin, 0);
  return { mops: ops / end * 1e3, crossPerOp: tot.crossSocket / Math.max(1, ops), spinShare: cpuTime ? spin / cpuTime : 0 };
}

export const locks = {
  summary: 'lock throughput vs threads: mutex, rwsem (write-only, read-only), ticket spinlock',
  run(argv: string[]): number {
    const { values } = parse('bench locks', argv, {
      machine: { type: 'string', default: 'ivybridge-ex-4s', help: 'machine preset or MachineSpec JSON file (path ending in .json or containing /)' },
      hold: { type: 'string', default: '100', help: 'critical section, ns' },
      think: { type: 'string', default: '200', help: 'work between acquisitions, ns' },
      ms: { type: 'string', default: '2', help: 'simulated milliseconds per point' },
      threads: { type: 'string', default: '1,2,4,8,15,30,45,60,90,120', help: 'comma-separated thread counts' },
    });
    const hold = intOption('bench locks', 'hold', values.hold, 0);
    const think = intOption('bench locks', 'think', values.think, 0);
    const ms = intOption('bench locks', 'ms', values.ms, 1, 1000);
    const threads = String(values.threads).split(',').map((s) => intOption('bench locks', 'threads', s.trim(), 1, 4096));
    const machine = String(values.machine);
    const t0 = process.hrtime.bigint();
    console.log(`lock throughput on ${machine}, hold ${hold} ns, think ${think} ns, ${ms} ms simulated per point`);
    console.log('Mops/s = million acquisitions per simulated second; x = cross-socket line misses per acquisition; spin = share of CPU time spinning');
    console.log(['threads', ...designs.map((d) => d.padStart(22))].join(' '));
    for (const n of threads) {
      const cells = designs.map((d) => {
        const r = lockThroughput(d, n, { machine, hold, think, ms });
        return `${r.mops.toFixed(2).padStart(7)} x${r.crossPerOp.toFixed(1).padStart(4)} s${(100 * r.spinShare).toFixed(0).padStart(3)}%`.padStart(22);
      });
      console.log([String(n).padStart(7), ...cells].join(' '));
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`wall_seconds=${secs.toFixed(1)}`);
    return 0;
  },
};
