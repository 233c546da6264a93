#!/usr/bin/env node
import { commands } from './commands';
import { UsageError } from '../args';

function usage(): string {
  const lines = Object.entries(commands).map(([name, load]) => `  ${name.padEnd(12)} ${load().summary}`);
  return `usage: mmlock <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nmmlock <command> --help for its options`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`mmlock: unknown command ${JSON.stringify(name)}; allowed: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  try {
    return await load().run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { console.error(e); process.exitCode = 1; },
  );
}
