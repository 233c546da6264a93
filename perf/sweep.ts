import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, intOption, UsageError } from '../src/args';
import { dataPath } from '../src/data';
import { runSweep } from '../src/experiment/sweep';

/**
 * The example sweep (data/sweeps/example.json, 16 points) with 1 worker and then with N
 * (default 2), each into a fresh folder: wall and CPU seconds of each, a check that the
 * result files are byte-identical, and the speedup (1-worker wall / N-worker wall) as the
 * last line. On a shared machine, CPU seconds tell whether the cores were really free
 * ("cores busy" well under the worker count means other processes took them); --repeat K
 * keeps the fastest of K alternating timings.
 */
export const sweep = {
  summary: 'sweep speedup: the example sweep with 1 worker vs N (default 2)',
  async run(argv: string[]): Promise<number> {
    const { values } = parse('bench sweep', argv, {
      spec: { type: 'string', default: dataPath('sweeps', 'example.json'), help: 'sweep spec' },
      workers: { type: 'string', default: '2', help: 'workers of the parallel run, 2 or more (timed against 1 worker; 0, the main thread, is not a parallel run)' },
      repeat: { type: 'string', default: '1', help: 'time each case this many times (alternating), keep the fastest' },
      keep: { type: 'boolean', help: 'keep the output folders' },
    });
    const n = intOption('bench sweep', 'workers', values.workers, 2, 256);
    const repeat = intOption('bench sweep', 'repeat', values.repeat, 1, 20);
    const spec = String(values.spec);
    const base = mkdtempSync(join(tmpdir(), 'mmlock-bench-sweep-'));
    try {
      let k = 0;
      const time = async (workers: number) => {
        const out = join(base, `w${workers}-${k++}`);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await runSweep(spec, { workers, out });
        const wall = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(cpu0);
        const cpu = (c.user + c.system) / 1e6;
        console.log(`${String(workers).padStart(2)} worker${workers === 1 ? ' ' : 's'}: ${r.provenance.runs.ran} runs, wall ${wall.toFixed(2)} s, cpu ${cpu.toFixed(2)} s (${(cpu / wall).toFixed(2)} cores busy)`);
        return { wall, out };
      };
      console.log(`sweep ${spec}${repeat > 1 ? `, best of ${repeat}` : ''}`);
      let one = await time(1);
      let many = await time(n);
      for (let i = 1; i < repeat; i++) {
        const a = await time(1);
        if (a.wall < one.wall) one = a;
        const b = await time(n);
        if (b.wall < many.wall) many = b;
      }
      for (const f of ['runs.csv', 'runs.json', 'runs.arrow', 'lockstat.csv', 'lockstat.json', 'lockstat.arrow']) {
        if (!readFileSync(join(one.out, f)).equals(readFileSync(join(many.out, f)))) throw new UsageError(`bench sweep: ${f} differs between 1 and ${n} workers`);
      }
      console.log(`result files byte-identical between 1 and ${n} workers`);
      console.log(`speedup=${(one.wall / many.wall).toFixed(2)}`);
      return 0;
    } finally {
      if (!values.keep) rmSync(base, { recursive: true, force: true });
      else console.error(`kept ${base}`);
    }
  },
};
