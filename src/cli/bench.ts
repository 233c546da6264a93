import type { Command } from './commands';
import { UsageError } from '../args';

/** Benchmarks live in perf/; each prints figures, its last line `<metric>=<number>`. */
const benches: Record<string, () => { summary: string; run(argv: string[]): number | Promise<number> }> = {
  hold: () => require('../../perf/hold').hold,
  locks: () => require('../../perf/locks').locks,
  'interval-tree': () => require('../../perf/interval_tree').intervalTree,
  sweep: () => require('../../perf/sweep').sweep,
  fold: () => require('../../perf/fold').fold,
  aim7: () => require('../../perf/aim7').aim7,
};

export const bench: Command = {
  summary: `run a benchmark (${Object.keys(benches).join(', ')})`,
  run(argv) {
    const [name, ...rest] = argv;
    const load = name ? benches[name] : undefined;
    if (!load) {
      throw new UsageError(`mmlock bench: unknown benchmark ${JSON.stringify(name ?? '')}; allowed: ${Object.keys(benches).join(', ')}`);
    }
    return load().run(rest);
  },
};
