import type { Command } from './commands';
import { parse, UsageError, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { CALLSITES } from '../kernel/callsites';
import { KernelConfigError } from '../kernel/errors';
import { NAMED_KERNELS, resolveKernel, siteTable, type KernelConfig } from '../kernel/kernels';
import { describeLock, lockConfigOf, LOCK_CLASSES } from '../kernel/lockclasses';
import { formatPatchList } from '../kernel/patches';

const OPTIONS: Record<string, OptionSpec> = {
  kernel: {
    type: 'string',
    help: `kernel: ${NAMED_KERNELS.join(', ')}; or <name>+<patches>, patches:<patches> (e.g. patches:1-4), or a JSON spec`,
  },
  json: { type: 'boolean', help: 'print a JSON array of {"site", "mode", "patch"}' },
  help: { type: 'boolean', help: 'show this help' },
};

/**
 * `mmlock callsites --kernel <spec> [--json]`: every i_mmap call site with the mode it takes
 * the lock in under that kernel and the patch that set the mode (null = as in 3.18-rc1).
 */
export const callsites: Command = {
  summary: 'i_mmap call sites and their lock mode in a kernel',
  run(argv) {
    const { values } = parse('callsites', argv, OPTIONS);
    if (values.help) {
      console.log(helpText('callsites', '--kernel <spec> [--json]', OPTIONS));
      return 0;
    }
    if (typeof values.kernel !== 'string') {
      throw new UsageError(`mmlock callsites: --kernel is required; allowed: ${NAMED_KERNELS.join(', ')}, <name>+<patches>, patches:<patches> (see mmlock kernels)`);
    }
    let k: KernelConfig;
    try {
      k = resolveKernel(values.kernel, '--kernel');
    } catch (e) {
      if (e instanceof KernelConfigError) {
        throw new UsageError(`mmlock callsites: ${e.field === '--kernel' ? '' : '--kernel: '}${e.message}`);
      }
      throw e;
    }
    const rows = siteTable(k);
    if (values.json) {
      console.log(JSON.stringify(rows));
      return 0;
    }
    console.log(`kernel ${k.name}: ${k.description}`);
    console.log(`patches: ${k.patches.length ? formatPatchList(k.patches) : 'none'}`);
    console.log(LOCK_CLASSES.map((c) => `${c}: ${describeLock(lockConfigOf(k.locks, c))}`).join('; '));
    if (k.primitive !== 'rwsem' && rows.some((r) => r.mode === 'read')) console.log(`(i_mmap is a ${k.primitive}: the read-mode sites take it exclusively)`);
    console.log('');
    const table = CALLSITES.map((s, i) => {
      const r = rows[i]!;
      const flag = r.mode === 'read' && s.needsExclusive ? '*' : '';
      return [s.id, r.mode + flag, r.patch === null ? '-' : String(r.patch), s.treeOp, s.needsExclusive ? 'yes' : 'no', s.file];
    });
    const head = ['site', 'mode', 'patch', 'tree op', 'excl', 'file'];
    const widths = head.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(widths[c]!))).join('  ');
    console.log(line(head));
    for (const r of table) console.log(line(r));
    if (table.some((r) => r[1]!.endsWith('*'))) {
      console.log('');
      console.log('* read although review found the site needs exclusive access (why: src/kernel/callsites.ts)');
    }
    return 0;
  },
};
