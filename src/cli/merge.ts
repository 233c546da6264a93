import { join } from 'node:path';
import type { Command } from './commands';
import { parse, UsageError, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { ConfigError } from '../experiment/errors';
import { mergeSweeps } from '../experiment/merge';

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: 'string', help: 'folder for the merged journal, tables and provenance (may be one of the inputs)' },
  help: { type: 'boolean', help: 'show this help' },
};

/**
 * `mmlock merge DIR... --out DIR`: unite sweep folders of one spec (e.g. the shards of
 * `mmlock sweep --shard i/N`). Exit 0 when every run of the sweep is present, 1 when some
 * are missing (the merged files are written all the same), 2 for bad input.
 */
export const mergeCommand: Command = {
  summary: 'merge sweep folders (shards) of one spec into one',
  run(argv) {
    const { values, positionals } = parse('merge', argv, OPTIONS, true);
    if (values.help) {
      console.log(helpText('merge', 'DIR... --out <dir>', OPTIONS));
      return 0;
    }
    if (!positionals.length) throw new UsageError('mmlock merge: give the sweep folders to merge, e.g. mmlock merge out/shard-* --out out/all');
    if (typeof values.out !== 'string') throw new UsageError('mmlock merge: --out <dir> is required');
    const out = values.out;
    let r;
    try {
      r = mergeSweeps(positionals, out);
    } catch (e) {
      if (e instanceof ConfigError) {
        const m = /^DIR\[(\d+)\]$/.exec(e.field);
        const field = m ? positionals[Number(m[1])]! : e.field;
        throw new UsageError(`mmlock merge: ${field}${field ? ': ' : ''}${e.problem}${e.allowed ? `; allowed: ${e.allowed}` : ''}`);
      }
      throw e;
    }
    const p = r.provenance.runs;
    console.log(`merged ${positionals.length} folder${positionals.length === 1 ? '' : 's'} into ${out}: ${p.merged} of ${p.sweep} runs; ${join(out, 'runs.{csv,json,arrow}')}`);
    if (r.missing.length) {
      console.error(`mmlock merge: ${r.missing.length} of ${p.sweep} runs missing (first: ${r.missing.slice(0, 5).join(', ')}${r.missing.length > 5 ? ', ...' : ''}); run the missing shards, or mmlock sweep <spec> --out ${out} to complete`);
      return 1;
    }
    return 0;
  },
};
