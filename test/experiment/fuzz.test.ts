import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateRunConfig } from '../../src/experiment/config';
import { expandSweep } from '../../src/experiment/spec';
import { ConfigError } from '../../src/experiment/errors';
import { runMain } from '../cli/kernel-cli-helpers';
import { smallSpec, tmp } from './helpers';

/** What every rejection must look like: a ConfigError whose message names a field and says what is wrong. */
function checkRejection(e: unknown, input: unknown): void {
  if (!(e instanceof ConfigError)) {
    assert.fail(`not a ConfigError for ${safe(input)}: ${e instanceof Error ? e.stack : String(e)}`);
  }
  assert.ok(e.message.length > 0 && e.message.length < 2000, e.message);
  assert.ok(!/\[object Object\]|Symbol\(/.test(e.message), `unhelpful rendering: ${e.message}`);
  // a field path then the problem; the problem shows the value (got ...), or the allowed values or range
  assert.match(e.message, /^([^:\s][^:]*: )?\S/, e.message);
  assert.match(e.message, /got |allowed: |is required|must |needs /, e.message);
}

function safe(x: unknown): string {
  try {
    return JSON.stringify(x)?.slice(0, 300) ?? String(x);
  } catch {
    return String(x);
  }
}

/** A value anywhere: JSON-like and beyond (NaN, -0, Infinity, undefined, nested objects). */
const anyValue = fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: false, withSparseArray: true });

const RUN_PATHS = ['machine', 'kernel', 'workload', 'params', 'params.threads', 'params.readers', 'params.think', 'params.x', 'duration', 'duration.ms',
  'duration.warmupMs', 'duration.maxEvents', 'seed', 'options', 'options.checks', 'options.trace', 'options.trace.intervalMs', 'options.sched', 'options.sched.hz',
  'kernel.base', 'kernel.patches', 'kernel.locks', 'kernel.locks.i_mmap', 'kernel.locks.i_mmap.primitive', 'kernel.locks.i_mmap.options', 'machine.sockets', 'machine.latency', 'bogus'];
const SPEC_PATHS = ['name', 'base', 'axes', 'axes.kernel', 'axes.kernel.0', 'axes.threads', 'axes.threads.1', 'axes.readers', 'axes.new', 'axes.holdNs', 'axes.holdNs.range',
  'axes.holdNs.range.from', 'axes.holdNs.range.count', 'axes.holdNs.range.step', 'axes.holdNs.range.scale', 'axes.kernel.labels', 'samples', 'samples.method', 'samples.count', 'samples.params',
  'samples.params.thinkNs', 'samples.params.thinkNs.min', 'samples.params.thinkNs.scale', 'replications', 'seed', 'pairSeeds', 'pairSeeds.0', 'pairSeeds.1', 'bogus',
  ...RUN_PATHS.map((p) => `base.${p}`)];

function setIn(obj: Record<string, unknown>, path: string, value: unknown, del: boolean): Record<string, unknown> {
  const out = structuredClone(obj);
  const keys = path.split('.');
  let cur: Record<string, unknown> = out;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  if (del) delete cur[keys[keys.length - 1]!];
  else cur[keys[keys.length - 1]!] = value;
  return out;
}

const validRun = { workload: 'lock-hammer', machine: 'ivybridge-ex-2s', kernel: { base: '3.18-rc1-i_mmap_rwsem', locks: { i_mmap: { options: { optimisticSpin: true } } } }, params: { threads: 4, readers: 0.5, think: 'fixed' }, duration: { ms: 1, warmupMs: 0.5 }, seed: 3, options: { checks: false, trace: { intervalMs: 0.5 }, sched: { hz: 1000 } } };
const validSpec = smallSpec({
  axes: { kernel: { values: ['3.18-rc1', '3.18-rc1-i_mmap_rwsem'], labels: ['m', 'r'] }, threads: [2, 4], holdNs: { range: { from: 100, to: 200, count: 2 } } },
  samples: { method: 'sobol', count: 2, params: { thinkNs: { min: 100, max: 1000, scale: 'log' } } },
  pairSeeds: ['kernel'],
});

test('fuzz: any value as a run config is accepted or gets a field-naming ConfigError, never a crash', () => {
  fc.assert(fc.property(anyValue, (x) => {
    try { validateRunConfig(x); } catch (e) { checkRejection(e, x); }
  }), { numRuns: 400 });
});

test('fuzz: a valid run config with any field replaced or deleted', () => {
  validateRunConfig(validRun);
  fc.assert(fc.property(fc.constantFrom(...RUN_PATHS), anyValue, fc.boolean(), (path, v, del) => {
    const x = setIn(validRun, path, v, del);
    try { validateRunConfig(x); } catch (e) { checkRejection(e, x); }
  }), { numRuns: Number(process.env.MMLOCK_FUZZ_RUNS ?? 1500) });
});

test('fuzz: any value as a sweep spec, and a valid spec with any field replaced or deleted', () => {
  expandSweep(validSpec);
  fc.assert(fc.property(anyValue, (x) => {
    try { expandSweep(x); } catch (e) { checkRejection(e, x); }
  }), { numRuns: 300 });
  fc.assert(fc.property(fc.constantFrom(...SPEC_PATHS), anyValue, fc.boolean(), (path, v, del) => {
    const x = setIn(validSpec, path, v, del);
    try { expandSweep(x); } catch (e) { checkRejection(e, x); }
  }), { numRuns: Number(process.env.MMLOCK_FUZZ_RUNS ?? 1500) });
});

test('fuzz: numbers at the edges of every range (NaN, ±Infinity, -0, huge, fractional)', () => {
  const edgy = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, 0.5, 4096, 4097, 2 ** 53, -1), fc.double(), fc.integer());
  const numericPaths = ['params.threads', 'params.readers', 'params.holdNs', 'params.thinkNs', 'duration.ms', 'duration.warmupMs', 'duration.maxEvents', 'seed', 'options.sched.hz', 'options.trace.intervalMs'];
  fc.assert(fc.property(fc.constantFrom(...numericPaths), edgy, (path, v) => {
    const x = setIn(validRun, path, v, false);
    try { validateRunConfig(x); } catch (e) { checkRejection(e, x); }
  }), { numRuns: 1000 });
});

test('fuzz through the CLI: mutated spec files exit 0 or 2 (message on stderr), never crash or write', async () => {
  const dir = tmp();
  const samples = fc.sample(fc.tuple(fc.constantFrom(...SPEC_PATHS), fc.jsonValue({ maxDepth: 2 }), fc.boolean()), { numRuns: 60, seed: 4 });
  let rejected = 0;
  for (const [i, [path, v, del]] of samples.entries()) {
    const f = join(dir, `s${i}.json`);
    writeFileSync(f, JSON.stringify(setIn(validSpec, path, v, del)));
    const r = await runMain(['sweep', f, '--dry-run']);
    assert.ok(r.code === 0 || r.code === 2, `${path}: exit ${r.code} ${r.err}`);
    if (r.code === 2) {
      rejected++;
      assert.equal(r.out, '');
      assert.match(r.err, /^mmlock sweep: .*s\d+\.json: \S.*(got |allowed: |is required|must |needs )/s);
    }
  }
  assert.ok(rejected > 10, `only ${rejected} of 60 mutated specs were rejected`);
});
