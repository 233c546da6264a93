import { join, resolve } from 'node:path';
import type { Command } from './commands';
import { parse, UsageError, WORKERS_HELP, workersOption, workersPhrase, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { ConfigError } from '../experiment/errors';
import { describePairSeeds, expandSweep, loadSweepSpec, shardRuns, type ExpandedSweep } from '../experiment/spec';
import { SweepStore } from '../experiment/store';
import { runSweep } from '../experiment/sweep';
import { progressBar } from '../experiment/progress';
import { RunError } from '../experiment/pool';

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'output folder: journal, runs/lockstat tables (CSV, JSON, Arrow), provenance; rerun to resume' },
  workers: { type: 'string', help: WORKERS_HELP },
  shard: { type: 'string', help: 'i/N: run only shard i (0-based) of N, every N-th run; merge the shards with mmlock merge' },
  module: { type: 'string', multiple: true, help: 'a module every worker requires first (e.g. one registering a workload); repeatable' },
  'dry-run': { type: 'boolean', help: 'validate the spec and print the points and runs; run nothing, write nothing' },
  quiet: { type: 'boolean', help: 'no progress bar' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Parse `--shard i/N` (0 <= i < N). */
export function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1 && count <= 1e6) || !(index < count)) {
    throw new UsageError(`mmlock sweep: --shard must be i/N with integers 0 <= i < N <= 1000000 (0-based, e.g. 0/4 ... 3/4), got ${JSON.stringify(raw)}`);
  }
  return { index, count };
}

/** A ConfigError from a spec file as a usage message. */
export function specError(command: string, file: string, e: ConfigError): UsageError {
  const where = e.field.startsWith('--') || e.field.startsWith('DIR') ? '' : `${file}: `;
  return new UsageError(`mmlock ${command}: ${where}${e.message}`);
}

/**
 * `mmlock sweep SPEC --out DIR [--workers N] [--shard i/N]`: run a sweep (resumable).
 */
export const sweepCommand: Command = {
  summary: 'run a sweep spec (grid/samples × replications) on worker threads, resumable, shardable',
  async run(argv) {
    const { values, positionals } = parse('sweep', argv, OPTIONS, true);
    if (values.help) {
      console.log(helpText('sweep', '<spec.json|spec.yaml> --out <dir> [--workers N] [--shard i/N]', OPTIONS));
      return 0;
    }
    if (positionals.length !== 1) {
      throw new UsageError(`mmlock sweep: give exactly one spec file (JSON or YAML), got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(' ') : 'none'}`);
    }
    const file = positionals[0]!;
    const dry = Boolean(values['dry-run']);
    if (typeof values.out !== 'string' && !dry) throw new UsageError('mmlock sweep: --out <dir> is required (the folder for the journal and result files)');
    if (typeof values.out === 'string' && !values.out.trim()) throw new UsageError(`mmlock sweep: --out must be a folder name, got ${JSON.stringify(values.out)}`);
    const workers = workersOption('sweep', values.workers);
    const shard = typeof values.shard === 'string' ? parseShard(values.shard) : undefined;
    // --module registers workloads (or machines, kernels) that the spec may name: load it
    // here too, before the spec is validated, not only in the workers
    const modules = ((values.module as string[] | undefined) ?? []).map((m) => resolve(m));
    for (const m of modules) {
      try {
        require(m);
      } catch (e) {
        throw new UsageError(`mmlock sweep: --module ${JSON.stringify(m)}: cannot load: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    let x: ExpandedSweep;
    try {
      x = expandSweep(loadSweepSpec(file));
      if (typeof values.out === 'string') SweepStore.check(values.out, x);
    } catch (e) {
      if (e instanceof ConfigError) throw specError('sweep', file, e);
      throw e;
    }
    const mine = shard ? shardRuns(x.runs, shard.index, shard.count) : x.runs;
    if (dry) {
      console.log(`${x.points.length} points × ${x.spec.replications} replications = ${x.runs.length} runs${shard ? `; shard ${shard.index}/${shard.count}: ${mine.length}` : ''}; spec ${x.specHash}${x.spec.pairSeeds ? `; seeds paired across ${describePairSeeds(x.spec.pairSeeds)}` : ''}`);
      const cols = x.columns.map((c) => c.name);
      for (const r of mine) {
        const p = x.points[r.point]!;
        console.log(`${r.runId}  ${r.configHash}  seed ${r.seed}  ${cols.map((c) => `${c}=${p.values[c]}`).join(' ')}`);
      }
      return 0;
    }
    const out = values.out as string;
    const bar = values.quiet ? null : progressBar(process.stderr);
    // Ctrl-C, or Slurm's SIGTERM at the time limit: exit at once; the journal keeps every
    // finished run and the folder's lock is removed on exit, so a rerun resumes
    const stop = (sig: NodeJS.Signals) => {
      bar?.end();
      console.error(`mmlock sweep: ${sig}; finished runs are in ${join(out, 'journal.jsonl')}, rerun to resume`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let res;
    try {
      res = await runSweep(x, { workers, out, shard, modules, onProgress: bar ? (p) => bar.update(p) : undefined });
    } catch (e) {
      bar?.end();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (e instanceof ConfigError) throw specError('sweep', file, e);
      if (e instanceof RunError) {
        console.error(`mmlock sweep: a run failed; finished runs are kept in ${join(out, 'journal.jsonl')} (rerun to resume):\n${e.message}`);
        return 1;
      }
      throw e;
    }
    bar?.end();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const r = res.provenance.runs;
    console.log(`sweep ${x.specHash}: ${r.shard} runs${shard ? ` (shard ${shard.index}/${shard.count} of ${r.sweep})` : ''}, ${r.ran} ran, ${r.resumed} resumed, ${res.provenance.wallSeconds.toFixed(1)} s ${workersPhrase(workers)}`);
    console.log(`results: ${['runs', 'lockstat', ...(res.tables.trace ? ['trace'] : [])].map((t) => join(out, `${t}.{csv,json,arrow}`)).join(' ')}; ${join(out, 'provenance.json')}`);
    return 0;
  },
};
