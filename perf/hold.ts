import { Simulation } from '../src/engine';
import { parse, intOption, UsageError } from '../src/cli/args';

/**
 * The classic hold model: N processes, each repeatedly waiting an exponential delay
 * (mean 1 µs), through the same process API the kernel models use. Single thread.
 * `--queue heap` runs it on the reference binary heap instead of the calendar queue.
 * Prints events/s; the last line is `events_per_s=<number>`.
 */
export const hold = {
  summary: 'hold model: N processes each waiting exponential delays',
  run(argv: string[]): number {
    const { values } = parse('bench hold', argv, {
      processes: { type: 'string', default: '1000', help: 'number of processes' },
      events: { type: 'string', default: '5000000', help: 'events to process' },
      seed: { type: 'string', default: '1', help: 'run seed' },
      queue: { type: 'string', default: 'calendar', help: 'future-event list: calendar or heap' },
    });
    const n = intOption('bench hold', 'processes', values.processes);
    const m = intOption('bench hold', 'events', values.events);
    const queue = values.queue;
    if (queue !== 'calendar' && queue !== 'heap') {
      throw new UsageError(`mmlock bench hold: --queue must be calendar or heap, got ${JSON.stringify(queue)}`);
    }
    const sim = new Simulation(String(values.seed), { queue });
    const rng = sim.rng('hold');
    for (let i = 0; i < n; i++) {
      sim.process((function* () {
        for (;;) yield rng.exponential(1000);
      })());
    }
    // warm up, then measure
    const warm = Math.min(m, 200_000);
    while (sim.eventCount < warm) sim.run(sim.now + 1e5);
    const start = sim.eventCount;
    const t0 = process.hrtime.bigint();
    while (sim.eventCount - start < m) sim.run(sim.now + 1e5);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const events = sim.eventCount - start;
    console.log(`hold: queue=${queue} processes=${n} events=${events} seconds=${secs.toFixed(3)} heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)}MiB`);
    console.log(`events_per_s=${Math.round(events / secs)}`);
    return 0;
  },
};
