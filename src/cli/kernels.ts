import type { Command } from './commands';
import { parse, type OptionSpec } from '../args';
import { KERNELS, NAMED_KERNELS } from '../kernel/kernels';
import { formatPatchList, PATCHES } from '../kernel/patches';

const OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print a JSON array of {name, description, patches} (historical kernels also locks, sources)' },
  help: { type: 'boolean', help: 'show this help' },
};

/** `mmlock kernels [--json]`: the named kernels, and the spec syntax `--kernel` accepts. */
export const kernels: Command = {
  summary: 'list the named kernels (for --kernel)',
  run(argv) {
    const { values } = parse('kernels', argv, OPTIONS);
    if (values.help) {
      console.log(helpText('kernels', '[--json]', OPTIONS));
      return 0;
    }
    const rows = NAMED_KERNELS.map((name) => {
      const k = KERNELS[name];
      return { name, description: k.description, patches: [...k.patches], ...(k.locks ? { locks: k.locks, sources: [...(k.sources ?? [])] } : {}) };
    });
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    const w = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) console.log(`${r.name.padEnd(w)}  ${r.description}`);
    console.log('');
    console.log('--kernel also accepts: <name>+<patches> (e.g. 3.18-rc1-i_mmap_rwsem-merged+11), patches:<patches>');
    console.log('(3.18-rc1 plus patches, e.g. patches:1-4 or patches:1-7,9,11) or a JSON object {"base","patches","locks"}.');
    console.log(`patches: ${PATCHES.map((p) => `${p.id}${p.label.includes('/') ? ` (${p.label})` : ''}`).join(', ')}; applied in order, 4-11 need 3 first.`);
    console.log('The 3.18-rc1-locks-* kernels are older lock designs on the 3.18 mm model (sources: --json; docs/reference/kernel-locking.md §9).');
    console.log(`3.19 final = patches ${formatPatchList(KERNELS['3.18-rc1-i_mmap_rwsem-merged'].patches)}.`);
    return 0;
  },
};

/** Usage text for a command with these options. */
export function helpText(command: string, synopsis: string, options: Record<string, OptionSpec>): string {
  const lines = Object.entries(options).map(([k, o]) => `  --${(k + (o.type === 'string' ? ' <value>' : '')).padEnd(18)} ${o.help}`);
  return `usage: mmlock ${command} ${synopsis}\n\noptions:\n${lines.join('\n')}`;
}
