import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Simulation, Rng } from '../src/engine';
import { parse, intOption, seedOption, UsageError } from '../src/args';
import { packageRoot } from '../src/data';

/** events per second of the last measurement, with what produced it */
interface Rate { events: number; seconds: number }

const WARM = 200_000;
const rate = (r: Rate) => r.events / r.seconds;

/**
 * The classic hold model: N processes, each repeatedly waiting an exponential delay
 * (mean 1 µs), through the same process API the kernel models use. Single thread.
 * `--queue heap` runs it on the reference binary heap instead of the calendar queue.
 * For comparison, in the same run: the same model as a bare loop on a typed-array binary
 * heap (no processes, no generators: the floor of what an event costs in JS), and SimPy
 * (perf/hold_simpy.py under `--python`; a line says so if SimPy is missing). Prints
 * events/s of each and the ratios; the last line is `events_per_s=<number>` (mmlock's).
 */
export const hold = {
  summary: 'hold model: N processes each waiting exponential delays; vs a bare typed-array heap and SimPy',
  run(argv: string[]): number {
    const { values } = parse('bench hold', argv, {
      processes: { type: 'string', default: '1000', help: 'number of processes' },
      events: { type: 'string', default: '5000000', help: 'events to process' },
      seed: { type: 'string', text: true, default: '1', help: 'run seed' },
      queue: { type: 'string', default: 'calendar', help: 'future-event list: calendar or heap' },
      repeat: { type: 'string', default: '1', help: 'time mmlock and the bare heap this many times (alternating), keep the fastest' },
      'simpy-events': { type: 'string', help: 'events SimPy processes (default: --events, at most 1000000)' },
      python: { type: 'string', default: '/usr/bin/python3', help: 'the Python that runs the SimPy model (none: skip SimPy)' },
    });
    const seed = seedOption('bench hold', values.seed);
    const n = intOption('bench hold', 'processes', values.processes);
    const m = intOption('bench hold', 'events', values.events);
    const repeat = intOption('bench hold', 'repeat', values.repeat, 1, 100);
    const simpyEvents = values['simpy-events'] === undefined ? Math.min(m, 1_000_000) : intOption('bench hold', 'simpy-events', values['simpy-events']);
    const queue = values.queue;
    if (queue !== 'calendar' && queue !== 'heap') {
      throw new UsageError(`mmlock bench hold: --queue must be calendar or heap, got ${JSON.stringify(queue)}`);
    }
    let best: Rate | null = null, bestBare: Rate | null = null;
    for (let i = 0; i < repeat; i++) {
      const a = mmlockHold(n, m, seed, queue);
      if (!best || rate(a) > rate(best)) best = a;
      const b = bareHeapHold(n, m, seed);
      if (!bestBare || rate(b) > rate(bestBare)) bestBare = b;
    }
    const ours = rate(best!), bare = rate(bestBare!);
    const of = repeat > 1 ? `, best of ${repeat}` : '';
    console.log(`hold: queue=${queue} processes=${n} events=${best!.events} seconds=${best!.seconds.toFixed(3)} heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)}MiB${of}: ${Math.round(ours)} events/s`);
    console.log(`bare typed-array binary heap (same model, no processes): events=${bestBare!.events} seconds=${bestBare!.seconds.toFixed(3)}${of}: ${Math.round(bare)} events/s; mmlock/bare ${(ours / bare).toFixed(2)} (target >= 0.6)`);
    const simpy = simpyHold(String(values.python), n, simpyEvents, seed);
    if (typeof simpy === 'string') console.log(`SimPy: not measured: ${simpy}`);
    else {
      console.log(`SimPy ${simpy.version} (${values.python}): events=${simpy.events} seconds=${simpy.seconds.toFixed(3)}: ${Math.round(rate(simpy))} events/s; mmlock/SimPy ${(ours / rate(simpy)).toFixed(1)} (target >= 10)`);
    }
    console.log(`events_per_s=${Math.round(ours)}`);
    return 0;
  },
};

/** The hold model on the simulation's process API; warms up, then times `m` events. */
function mmlockHold(n: number, m: number, seed: string, queue: 'calendar' | 'heap'): Rate {
  const sim = new Simulation(seed, { queue });
  const rng = sim.rng('hold');
  for (let i = 0; i < n; i++) {
    sim.process((function* () {
      for (;;) yield rng.exponential(1000);
    })());
  }
  const warm = Math.min(m, WARM);
  while (sim.eventCount < warm) sim.run(sim.now + 1e5);
  const start = sim.eventCount;
  const t0 = process.hrtime.bigint();
  while (sim.eventCount - start < m) sim.run(sim.now + 1e5);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { events: sim.eventCount - start, seconds };
}

/**
 * The same model with nothing but a binary min-heap of (time, holder) in typed arrays:
 * pop the earliest, push its next time. Same random numbers (the project's Rng). One
 * tight loop with local variables, so that it is the floor of what an event costs in JS.
 */
export function bareHeapHold(n: number, m: number, seed: string): Rate {
  const rng = new Rng(`${seed}\u0000bare-hold`);
  const times = new Float64Array(n), ids = new Int32Array(n);
  for (let i = 0; i < n; i++) siftUp(times, ids, i, rng.exponential(1000), i);
  bareHeapSteps(times, ids, n, Math.min(m, WARM), rng);
  const t0 = process.hrtime.bigint();
  bareHeapSteps(times, ids, n, m, rng);
  return { events: m, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** `k` hold events on a full heap of `n` entries: pop the minimum, push it back later */
function bareHeapSteps(times: Float64Array, ids: Int32Array, n: number, k: number, rng: Rng): void {
  for (let e = 0; e < k; e++) {
    // pop: the last entry sifts down from the root
    const now = times[0]!, id = ids[0]!;
    const last = n - 1;
    const lt = times[last]!, lid = ids[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && times[c + 1]! < times[c]!) c++;
      if (lt <= times[c]!) break;
      times[i] = times[c]!; ids[i] = ids[c]!;
      i = c;
    }
    times[i] = lt; ids[i] = lid;
    // push: the holder's next time sifts up from the end
    siftUp(times, ids, last, now + rng.exponential(1000), id);
  }
}

/** put (t, id) at heap position j (the end) and sift it up */
function siftUp(times: Float64Array, ids: Int32Array, j: number, t: number, id: number): void {
  while (j > 0) {
    const p = (j - 1) >> 1;
    if (times[p]! <= t) break;
    times[j] = times[p]!; ids[j] = ids[p]!;
    j = p;
  }
  times[j] = t; ids[j] = id;
}

/** SimPy's rate on perf/hold_simpy.py, or why it could not be measured. */
function simpyHold(python: string, n: number, m: number, seed: string): (Rate & { version: string }) | string {
  if (python === 'none') return 'skipped (--python none)';
  const script = join(packageRoot(), 'perf', 'hold_simpy.py');
  if (!existsSync(script)) return `${script} not found (it is in the source tree, not the package)`;
  const probe = spawnSync(python, ['-c', 'import simpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `SimPy is not available: ${python} ${probe.error ? `cannot run (${probe.error.message})` : 'cannot import simpy'} (Debian: apt-get install python3-simpy3)`;
  }
  const r = spawnSync(python, [script, String(n), String(m), seed], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `${script} failed: ${r.error?.message ?? r.stderr.trim()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { simpy: string; events: number; seconds: number };
  return { version: out.simpy, events: out.events, seconds: out.seconds };
}
