import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runMain } from './kernel-cli-helpers';

// Each case: a command line with a numeric option followed by a negative number after a
// space, which Node's parser reads as an option. Every command parses through src/args.ts.
const NUMERIC: [string[], string][] = [
  [['run', '--workload', 'lock-hammer'], '--ms'],
  [['run', '--workload', 'lock-hammer'], '--warmup-ms'],
  [['sweep', 'spec.json', '--out', 'x'], '--workers'],
  [['reproduce', '--dry-run'], '--reps'],
  [['reproduce', '--dry-run'], '--workers'],
  [['calibrate'], '--iterations'],
  [['bench', 'interval-tree'], '--processes'],
  [['bench', 'fold'], '--seeds'],
];

test('a negative number after a space says plainly that the value must be >= 0, naming the option, once', async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...NUMERIC),
    fc.oneof(fc.integer({ min: -1e9, max: -1 }).map(String), fc.double({ min: -1e6, max: -1e-3, noNaN: true }).map(String)),
    async ([argv, flag], value) => {
      const r = await runMain([...argv, flag, value]);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      const cmd = argv[0] === 'bench' ? `bench ${argv[1]}` : argv[0];
      assert.equal(r.err, `mmlock ${cmd}: ${flag} must be >= 0, got ${value}\n`);
    },
  ), { numRuns: 40 });
});

test('--seed -1 (a text option) says how to give a value starting with "-"', async () => {
  for (const argv of [['run', '--workload', 'lock-hammer'], ['scenario', 'truncate', '--kernel', '3.18-rc1'], ['reproduce', '--dry-run'], ['bench', 'hold']]) {
    const r = await runMain([...argv, '--seed', '-1']);
    assert.equal(r.code, 2, argv.join(' '));
    const cmd = argv[0] === 'bench' ? `bench ${argv[1]}` : argv[0];
    assert.equal(r.err, `mmlock ${cmd}: --seed -1: a value starting with '-' must be joined to its option with '=': --seed=-1\n`, argv.join(' '));
  }
});

test('parser errors: no raw Node text, no double period; unknown options list the allowed ones', async () => {
  const cases: [string[], string][] = [
    [['run', '--frobnicate'], "mmlock run: unknown option '--frobnicate'. Allowed options: --config, --machine, "],
    [['run', '--ms'], 'mmlock run: --ms needs a value: --ms <value>\n'],
    [['run', '--json=yes'], 'mmlock run: --json is a switch and takes no value (give --json alone)\n'],
    [['run', 'aim7'], "mmlock run: unexpected argument 'aim7': this command takes options only. Allowed options: --config, "],
    [['run', '--workload', '--json'], 'mmlock run: --workload needs a value, got the option "--json"; a value starting with \'-\' is written --workload=--json\n'],
  ];
  for (const [argv, start] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.ok(r.err.startsWith(start), `${argv.join(' ')}: ${r.err}`);
    assert.doesNotMatch(r.err, /\.\.|Did you forget|'--[a-z-]+ <value>' argument/, argv.join(' '));
  }
});
