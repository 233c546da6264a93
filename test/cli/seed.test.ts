import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tempDir } from '../tmp';
import { join } from 'node:path';
import fc from 'fast-check';
import { runMain } from './kernel-cli-helpers';
import { SEED_RULE, seedProblem } from '../../src/engine/seed';
import { resolveRunConfig } from '../../src/experiment/config';
import { expandSweep } from '../../src/experiment/spec';
import { planReproduce } from '../../src/experiment/reproduce';
import { calibrate } from '../../src/experiment/calibrate';
import { lockTimeline } from '../../src/notebook/timeline';
import { run } from '../../src/experiment/run';

// Seeds near the rule's edges, and arbitrary text. On the command line every value is text.
const SEED_TEXT = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', '1', '0', '1.5', '-1', 'abc', '0123456789abcdef', '1e3', 'x'.repeat(200), 'x'.repeat(201), ' 7 '),
  fc.string({ maxLength: 12 }),
  fc.string({ minLength: 195, maxLength: 205 }),
);
const SEED_ANY = fc.oneof(SEED_TEXT, fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: false }), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, null, true));

const SEED_MESSAGE = `--seed must be ${SEED_RULE}, got `;

/**
 * Each command with `--seed=<s>` and, after the seed, something every command refuses; the
 * error says which was refused first: the seed (refused) or the later flag (seed accepted).
 */
const COMMANDS: [string, (s: string) => string[]][] = [
  ['run', (s) => ['run', `--seed=${s}`]], // then: --workload is required
  ['scenario', (s) => ['scenario', `--seed=${s}`]], // then: expected one scenario name
  ['reproduce', (s) => ['reproduce', '--dry-run', '--quick', `--seed=${s}`, '--workers', 'x']],
  ['calibrate', (s) => ['calibrate', `--seed=${s}`, '--workers', 'x']],
  ['bench hold', (s) => ['bench', 'hold', `--seed=${s}`, '--processes', '0']],
  ['bench interval-tree', (s) => ['bench', 'interval-tree', `--seed=${s}`, '--nodes', '0']],
  ['bench aim7', (s) => ['bench', 'aim7', `--seed=${s}`, '--users', '5']],
];

test('every command accepts and refuses the same --seed values: those of src/engine/seed.ts', async () => {
  await fc.assert(fc.asyncProperty(SEED_TEXT, async (s) => {
    const ok = seedProblem(s) === null;
    for (const [name, argv] of COMMANDS) {
      const r = await runMain(argv(s));
      assert.equal(r.code, 2, `${name} ${JSON.stringify(s)}`);
      const refused = r.err.startsWith(`mmlock ${name}: ${SEED_MESSAGE}`);
      assert.equal(refused, !ok, `${name} --seed=${JSON.stringify(s)}: ${r.err}`);
      if (refused) assert.equal(r.err, `mmlock ${name}: ${SEED_MESSAGE}${JSON.stringify(s)}\n`);
    }
  }), { numRuns: 60 });
});

test('sweep specs, run configs, reproduce, calibrate and the notebook timeline take the same seeds as the CLI', async () => {
  const dir = tempDir('mmlock-seed-');
  const spec = join(dir, 'spec.json');
  const refuses = (f: () => unknown): boolean => {
    try {
      f();
      return false;
    } catch (e) {
      return /seed/.test((e as Error).message) && (e as Error).message.includes(SEED_RULE);
    }
  };
  const refusesAsync = async (f: () => Promise<unknown>): Promise<boolean> => {
    try {
      await f();
      return false;
    } catch (e) {
      return (e as Error).message.includes(SEED_RULE);
    }
  };
  await fc.assert(fc.asyncProperty(SEED_ANY, async (s) => {
    const bad = seedProblem(s) !== null;
    const what = JSON.stringify(s);
    assert.equal(refuses(() => resolveRunConfig({ workload: 'lock-hammer', seed: s })), bad, `run config ${what}`);
    assert.equal(refuses(() => expandSweep({ base: { workload: 'lock-hammer', duration: { ms: 0.1 } }, axes: { threads: [1] }, seed: s })), bad, `sweep spec ${what}`);
    assert.equal(refuses(() => planReproduce({ quick: true, seed: s as string })), bad, `reproduce ${what}`);
    // after the seed, an option the timeline refuses (threads 0) and load points calibrate has no row for
    assert.equal(refuses(() => lockTimeline({ seed: s as string, threads: 0 })), bad, `lockTimeline ${what}`);
    assert.equal(await refusesAsync(() => calibrate({ seed: s as string, users: [7], file: null, out: join(dir, 'cal') })), bad, `calibrate ${what}`);
    if (typeof s === 'string') {
      writeFileSync(spec, JSON.stringify({ base: { workload: 'lock-hammer', duration: { ms: 0.1 } }, axes: { threads: [1] }, seed: s }));
      const r = await runMain(['sweep', spec, '--dry-run']);
      assert.equal(r.code, bad ? 2 : 0, `sweep ${what}: ${r.err}`);
      if (bad) assert.match(r.err, /^mmlock sweep: .*spec\.json: seed: must be text of 1 to 200 characters/);
    }
  }), { numRuns: 80 });
});

test('an integer seed is the same seed as its digits; --seed 1.5 and --seed abc are seeds on every command', async () => {
  assert.equal(resolveRunConfig({ workload: 'lock-hammer', seed: 42 }).config.seed, '42');
  const num = run({ workload: 'lock-hammer', duration: { ms: 0.05 }, seed: 42 });
  const a = await runMain(['run', '--workload', 'lock-hammer', '--ms', '0.05', '--seed', '42', '--json']);
  assert.deepEqual(JSON.parse(a.out).counters, num.counters);
  assert.notDeepEqual(run({ workload: 'lock-hammer', duration: { ms: 0.05 }, seed: 43 }).counters, num.counters);
  const b = JSON.parse((await runMain(['run', '--workload', 'lock-hammer', '--ms', '0.05', '--seed', '1.5', '--json'])).out);
  assert.equal(b.config.seed, '1.5');
  const r = await runMain(['scenario', 'truncate', '--kernel', '3.18-rc1', '--seed', 'abc', '--json', '--set', 'mappers=2', '--set', 'accesses=8', '--set', 'truncates=4']);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].seed, 'abc');
  assert.equal(a.code, 0, a.err);
});
