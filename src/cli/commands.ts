/** One CLI sub-command. `run` returns the exit code. */
export interface Command {
  summary: string;
  run(argv: string[]): number | Promise<number>;
}

/**
 * The registry: each command lives in its own file under src/cli/ and is added here
 * with one line.
 */
export const commands: Record<string, () => Command> = {
  bench: () => require('./bench').bench,
  kernels: () => require('./kernels').kernels,
  callsites: () => require('./callsites').callsites,
  workloads: () => require('./workloads').workloads,
  run: () => require('./run').runCommand,
  sweep: () => require('./sweep').sweepCommand,
  merge: () => require('./merge').mergeCommand,
  scenario: () => require('./scenario').scenario,
  calibrate: () => require('./calibrate').calibrateCommand,
  reproduce: () => require('./reproduce').reproduceCommand,
};
