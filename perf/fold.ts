import { parse, intOption } from '../src/args';
import { run } from '../src/experiment/run';

/**
 * What folding uncontended lock work costs in accuracy and saves in time (LockEnv.exactLockTiming false;
 * `options.exactLockTiming` turns it off): the aim7 model, full runs, with and without
 * folding, alternating, same seeds. Prints per case the simulated events, wall seconds,
 * heap, jpm and i_mmap lockstat; then the jpm difference and the speedup (exact wall /
 * folded wall, the last line). Ratios in one run; the machine is shared. Exit code 0.
 */
export const fold = {
  summary: 'fold vs exact lock timing: aim7 full runs, events, wall, jpm difference, speedup',
  run(argv: string[]): number {
    const { values } = parse('bench fold', argv, {
      workfile: { type: 'string', default: 'alltests', help: 'aim7 workfile: alltests or disk' },
      users: { type: 'string', default: '50', help: 'aim7 users' },
      kernel: { type: 'string', default: '3.18-rc1', help: 'kernel name' },
      seeds: { type: 'string', default: '2', help: 'seeds per case (1, 2, ...)' },
    });
    const users = intOption('bench fold', 'users', values.users, 1, 100000);
    const seeds = intOption('bench fold', 'seeds', values.seeds, 1, 100);
    const totals = { exact: { wall: 0, jpm: 0, events: 0 }, fold: { wall: 0, jpm: 0, events: 0 } };
    for (let s = 1; s <= seeds; s++) {
      for (const exact of [true, false]) {
        const t0 = performance.now();
        const r = run({
          workload: 'aim7',
          kernel: String(values.kernel),
          params: { workfile: String(values.workfile), users, estimate: 'full' },
          seed: s,
          options: exact ? { exactLockTiming: true } : {},
        });
        const wall = (performance.now() - t0) / 1000;
        const heap = process.memoryUsage().heapUsed / 2 ** 20;
        const immap = r.lockstat.filter((x) => x.lockClass === 'i_mmap');
        const wait = immap.reduce((a, x) => a + x.waitTotalNs, 0) / 1e6;
        const hold = immap.reduce((a, x) => a + x.holdTotalNs, 0) / 1e6;
        const t = totals[exact ? 'exact' : 'fold'];
        t.wall += wall;
        t.jpm += r.metrics.jpm ?? NaN;
        t.events += r.counters.sim_events;
        console.log(
          `seed ${s} ${exact ? 'exact' : 'fold '}: ${r.counters.sim_events} events, wall ${wall.toFixed(2)} s, heap ${heap.toFixed(0)} MiB, ` +
            `jpm ${(r.metrics.jpm ?? NaN).toFixed(1)}, numa_pages_migrated ${r.counters.numa_pages_migrated ?? 0}, i_mmap wait ${wait.toFixed(1)} ms, hold ${hold.toFixed(1)} ms`,
        );
      }
    }
    const dj = (totals.fold.jpm / totals.exact.jpm - 1) * 100;
    console.log(`events fold/exact ${(totals.fold.events / totals.exact.events).toFixed(3)}; mean jpm fold vs exact ${dj >= 0 ? '+' : ''}${dj.toFixed(2)}%`);
    const speedup = totals.exact.wall / totals.fold.wall;
    console.log(`speedup=${speedup.toFixed(3)}`);
    return 0;
  },
};
