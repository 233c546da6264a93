import type { Command } from './commands';
import { parse, type OptionSpec } from '../args';
import { helpText } from './kernels';
import { describeParam, listWorkloads } from '../workloads';

const OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print a JSON array of {name, description, params}' },
  help: { type: 'boolean', help: 'show this help' },
};

/** `mmlock workloads [--json]`: the registered workloads and their parameters. */
export const workloads: Command = {
  summary: 'list the workloads (for --workload) and their parameters',
  run(argv) {
    const { values } = parse('workloads', argv, OPTIONS);
    if (values.help) {
      console.log(helpText('workloads', '[--json]', OPTIONS));
      return 0;
    }
    const ws = listWorkloads();
    if (values.json) {
      console.log(JSON.stringify(ws.map((w) => ({ name: w.name, description: w.description, params: w.params })), null, 2));
      return 0;
    }
    for (const w of ws) {
      console.log(`${w.name}: ${w.description}`);
      const names = Object.keys(w.params);
      const width = Math.max(0, ...names.map((n) => n.length));
      for (const [k, p] of Object.entries(w.params)) {
        const unit = 'unit' in p && p.unit ? ` ${p.unit}` : '';
        console.log(`  ${k.padEnd(width)}  default ${p.default}${unit}; ${describeParam(p)}. ${p.help}`);
      }
    }
    return 0;
  },
};
